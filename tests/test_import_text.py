"""The text round trip: export to text, correct it anywhere, import it with the word timings kept."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiokit import transcript as transcript_mod
from audiokit.cli import cli
from audiokit.editor import History, import_text
from audiokit.exports import export_transcript
from audiokit.transcript import Transcript
from audiokit.transcript_text import parse_text, to_text
from helpers_editor import long_transcript, make_show


@pytest.fixture(scope="module")
def original() -> Transcript:
    return long_transcript(120, 25)  # 3000 words, about 20 minutes


def render(blocks: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(f"{header}:\n{' '.join(words)}" for header, words in blocks) + "\n"


def edit_words(original: Transcript, share: float, seed: int):
    """Change ``share`` of the words of the text form: substitutions, insertions, deletions.

    Returns the edited blocks (header, words) and, per edited word, the index of the original word
    it is (None for a changed or new word). Changes are at least three words apart, and a deleted
    word differs from its neighbours, so "which word stayed" is never ambiguous.
    """
    turns = parse_text(export_transcript(original, "txt"))  # with [hh:mm:ss] before each header
    assert turns[1].start is not None
    flat = [w for t in turns for w in t.text.split()]
    rng = random.Random(seed)
    picks, taken = [], set()
    while len(picks) < int(share * len(flat)):
        k = rng.randrange(1, len(flat) - 1)
        if not taken & set(range(k - 3, k + 4)):
            picks.append(k)
            taken.add(k)
    kinds = {k: ("sub", "ins", "del")[n % 3] for n, k in enumerate(sorted(picks))}
    blocks, origin, position = [], [], 0
    for turn in turns:
        words = []
        for w in turn.text.split():
            kind = kinds.get(position)
            if kind == "sub":
                words.append(w.upper() + "x")
                origin.append(None)
            elif kind == "del" and flat[position - 1] != w != flat[position + 1]:
                pass
            else:
                words.append(w)
                origin.append(position)
                if kind == "ins":
                    words.append(f"Einschub{position}")
                    origin.append(None)
            position += 1
        label = f"{turn.name} [{turn.organisation}]" if turn.organisation else turn.name
        blocks.append((label, words))
    return blocks, origin


def test_an_unchanged_text_imports_as_the_same_transcript(original: Transcript) -> None:
    again = import_text(original, to_text(original))
    assert again.segments == original.segments and again.speakers == original.speakers
    assert again.provenance["edited"]


def test_round_trip_with_five_percent_changed_words_and_two_renamed_speakers(original: Transcript) -> None:
    blocks, origin = edit_words(original, 0.05, seed=7)
    renames = {"Sprecher 2": "Jana Albers", "Sprecher 3": "Tobias Reimann [Landesverband der Apotheken]"}
    blocks = [(renames.get(header, header), words) for header, words in blocks]
    text = render(blocks)
    imported = import_text(original, text)
    transcript_mod.validate(imported.to_dict())

    # speaker renames: same ids, new names, nothing else renamed
    assert imported.speaker("S2").label == "Jana Albers" and imported.speaker("S2").source == "editor"
    assert imported.speaker("S3").label == "Tobias Reimann [Landesverband der Apotheken]"
    assert imported.speaker("S1") == original.speaker("S1")
    assert to_text(imported) == text
    assert "Sprecher 2" not in to_text(imported) and "Sprecher 3" not in to_text(imported)

    # unchanged words keep their exact times, changed words get times inside their turn
    old_words = original.words
    new_words = imported.words
    assert [w.text for w in new_words] == [w for _, words in blocks for w in words]
    changed = sum(1 for o in origin if o is None) + (len(old_words) - sum(1 for o in origin if o is not None))
    assert 0.04 * len(old_words) <= changed <= 0.1 * len(old_words)
    for word, o in zip(new_words, origin):
        if o is not None:
            assert (word.start, word.end) == (old_words[o].start, old_words[o].end), word
    speaker_of_word = [s.speaker for s in original.segments for _ in s.words]
    k = 0
    for segment in imported.segments:
        assert segment.start <= segment.words[0].start and segment.words[-1].end <= segment.end
        for a, b in zip(segment.words, segment.words[1:]):
            assert a.start <= a.end <= b.start <= b.end, (a, b)
        for _word in segment.words:
            if origin[k] is not None:
                assert segment.speaker == speaker_of_word[origin[k]]
            k += 1
    # every changed word lies inside the original turn of its unchanged neighbours
    for j, o in enumerate(origin):
        if o is None:
            before = next(origin[i] for i in range(j - 1, -1, -1) if origin[i] is not None)
            after = next(origin[i] for i in range(j + 1, len(origin)) if origin[i] is not None)
            assert old_words[before].start <= new_words[j].start <= new_words[j].end <= old_words[after].end


def test_merged_and_split_turns_and_a_new_speaker() -> None:
    small = long_transcript(8, 12, seed=11)
    turns = parse_text(to_text(small))
    header = [f"{t.name} [{t.organisation}]" if t.organisation else t.name for t in turns]
    words = [t.text.split() for t in turns]
    blocks = [(header[0], words[0] + words[1])]  # turn 2's header deleted: merged into turn 1
    blocks += [(header[2], words[2][:5]), ("Dr. Neu [Gast]", words[2][5:])]  # turn 3 split, half to a new person
    blocks += list(zip(header[3:], words[3:]))
    imported = import_text(small, render(blocks))

    assert [(w.text, w.start, w.end) for w in imported.words] == [(w.text, w.start, w.end) for w in small.words]
    expected = [h for h, ws in blocks for _ in ws]
    assert [imported.speaker(s.speaker).label for s in imported.segments for _ in s.words] == expected
    new = next(s for s in imported.speakers if s.name == "Dr. Neu")
    assert new.organisation == "Gast" and new.id not in {s.id for s in small.speakers}
    assert {s.speaker for s in imported.segments} - {new.id} <= {s.id for s in small.speakers}
    ids = [s.id for s in imported.segments]  # a turn keeps its id, the half split off gets a new one
    assert ids[:3] == [s.id for s in small.segments[:3]] and len(set(ids)) == len(ids)


def test_cli_import_text_keeps_the_previous_version(tmp_path: Path) -> None:
    episode, transcript = make_show(tmp_path / "show")
    exported = tmp_path / "export.txt"
    result = CliRunner().invoke(cli, ["export", str(episode), "--format", "txt", "--timestamps", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    text = exported.read_text("utf-8").replace("Sprecher 2", "Jana Albers").replace("E-Pa", "ePA")
    assert text.startswith("[0:00] Clara Vogt")
    corrected = tmp_path / "korrigiert.txt"
    corrected.write_text("\ufeff" + text, "utf-8")  # word processors write a BOM
    result = CliRunner().invoke(cli, ["import-text", str(episode), str(corrected)])
    assert result.exit_code == 0, result.output
    saved = transcript_mod.load(episode / "transcript.json")
    assert saved.speaker("S2").name == "Jana Albers" and "ePA" in saved.segments[1].text
    assert [w.start for w in saved.words] == [w.start for w in transcript.words]
    history = History(episode / "transcript.json")
    assert [v.label for v in history.versions()] == ["Ausgangsstand", "Text importiert: korrigiert.txt"]
    assert history.snapshot(1) == transcript

    (tmp_path / "latin1.txt").write_bytes("Jana Albers:\nGrüße".encode("latin-1"))
    (tmp_path / "kopf.txt").write_text("Ohne Kopfzeile geht es nicht.\n", "utf-8")
    for name, message in (("latin1.txt", "not UTF-8"), ("kopf.txt", "before the first speaker header")):
        result = CliRunner().invoke(cli, ["import-text", str(episode), str(tmp_path / name)])
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert transcript_mod.load(episode / "transcript.json") == saved
