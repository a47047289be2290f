"""The canonical transcript: schema validation, JSON round trip, text form, glossary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from audiokit import Segment, Transcript, TranscriptError, TranscriptSpeaker, Word
from audiokit import transcript as transcript_mod
from audiokit.glossary import Glossary, add_replacement, load_glossary
from audiokit.transcript_text import parse_text, to_text


def sample() -> Transcript:
    return Transcript(
        language="de",
        duration=12.0,
        speakers=[
            TranscriptSpeaker("S1", "Clara Vogt", "Netzwerk", "host", 0.9, "voice-sample"),
            TranscriptSpeaker("S2", "Sprecher 2"),
        ],
        segments=[
            Segment("S1", 0.5, 2.0, [Word("Guten", 0.5, 0.9, 0.98), Word("Tag.", 1.0, 2.0, 0.9)]),
            Segment("S1", 2.5, 3.0, [Word("Willkommen:", 2.5, 3.0)]),
            Segment("S2", 4.0, 5.5, [Word("Danke", 4.0, 4.6), Word("schön.", 4.7, 5.5)], overlap=True),
        ],
        provenance={"audiokit": "0.1.0", "created": transcript_mod.now_iso(), "model": "embedded"},
    )


def test_json_round_trip_validates_against_schema(tmp_path: Path) -> None:
    path = tmp_path / "transcript.json"
    sample().save(path)
    data = json.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator(transcript_mod.schema()).validate(data)
    assert data["segments"][0]["text"] == "Guten Tag."
    again = transcript_mod.load(path)
    assert again == sample().__class__.from_dict(data)
    assert again.segments[2].overlap and again.words[1].end == 2.0


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.update(version=5), "version"),
        (lambda d: d["segments"][0]["words"][0].pop("start"), "segments/0/words/0"),
        (lambda d: d["speakers"][0].update(id="a b"), "speakers/0/id"),
        (lambda d: d["segments"][0].update(speaker="S9"), "unknown speaker"),
    ],
)
def test_invalid_transcripts_are_rejected(tmp_path: Path, mutate, where: str) -> None:
    data = sample().to_dict()
    mutate(data)
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TranscriptError, match=where):
        transcript_mod.load(path)


def test_a_version_1_file_migrates_on_load_with_ids_in_order(tmp_path: Path) -> None:
    data = sample().to_dict()
    assert data["version"] == 4 and [s["id"] for s in data["segments"]] == ["t1", "t2", "t3"]
    data["version"] = 1
    for segment in data["segments"]:
        del segment["id"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(data))
    migrated = transcript_mod.load(path)
    assert migrated == sample() and [s.id for s in migrated.segments] == ["t1", "t2", "t3"]
    assert migrated.new_segment_id() == "t4"
    data = sample().to_dict()
    data["segments"][2]["id"] = "t1"
    path.write_text(json.dumps(data))
    with pytest.raises(TranscriptError, match="two segments have the id 't1'"):
        transcript_mod.load(path)


def test_broken_json_is_a_transcript_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"format": ')
    with pytest.raises(TranscriptError, match="not valid JSON"):
        transcript_mod.load(path)


def test_text_form_blocks_and_round_trip() -> None:
    text = to_text(sample(), timestamps=True, offset=10.0)
    assert text == ("[0:10] Clara Vogt [Netzwerk]:\nGuten Tag. Willkommen:\n\n[0:14] Sprecher 2:\nDanke schön.\n")
    turns = parse_text(text)
    assert [(t.name, t.organisation, t.text, t.start) for t in turns] == [
        ("Clara Vogt", "Netzwerk", "Guten Tag. Willkommen:", 10.0),
        ("Sprecher 2", "", "Danke schön.", 14.0),
    ]


def test_text_before_first_header_is_an_error() -> None:
    with pytest.raises(TranscriptError, match="line 1"):
        parse_text("Einfach Text ohne Kopf\n")


def test_glossary_replacements_and_persistence(tmp_path: Path) -> None:
    assert load_glossary(tmp_path) == Glossary()
    add_replacement(tmp_path, "E-Pa", "ePA")
    glossary = add_replacement(tmp_path, "Gematick", "Gematik")
    assert load_glossary(tmp_path) == glossary
    assert glossary.terms == ["ePA", "Gematik"]
    assert glossary.apply("Die E-Pa und die Gematick; E-Paket bleibt.") == "Die ePA und die Gematik; E-Paket bleibt."
