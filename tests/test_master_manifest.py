"""One owner per file: the mastering stage writes the audio with its final tags and a typed master.json;
publishing reads both and never rewrites them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from audiokit.build import build
from audiokit.mastering.manifest import MasterManifest
from audiokit.stages.master import MasterStage
from audiokit.stages.publish import PublishEpisodeStage, PublishShowStage
from helpers_publish import TURNS, master_all, sample_transcript, tag_and_publish, tone_mp3, write_show

SLUG = "001-folge-1"
STAGES = [MasterStage(), PublishEpisodeStage(), PublishShowStage()]


@pytest.fixture(scope="module")
def mp3(tmp_path_factory) -> Path:
    return tone_mp3(tmp_path_factory.mktemp("audio") / "tone.mp3")


def test_manifest_round_trip_and_fields_left_at_their_defaults():
    manifest = MasterManifest("a.mp3", "audio/mpeg", 80.5, 1234, 1.25, {"preset": "podcast"}, "abc")
    assert MasterManifest.from_json(manifest.to_json()) == manifest and manifest.version == 3
    short = {"audio": "a.mp3", "mime": "audio/mpeg", "duration": 80.5, "bytes": 1234}
    assert MasterManifest.from_json(json.dumps(short)) == MasterManifest("a.mp3", "audio/mpeg", 80.5, 1234)
    with pytest.raises(KeyError, match="'audio'"):
        MasterManifest.from_json(json.dumps({"mime": "audio/mpeg"}))


def _stamp(path: Path) -> tuple[int, int, bytes]:
    return path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()


def test_publishing_never_rewrites_the_audio_or_master_json(tiny_show, tmp_path):
    out = tmp_path / "public"
    assert not build(tiny_show, out, stages=STAGES).failed
    audio = out / "001-erste-folge" / "001-erste-folge.mp3"
    manifest = tmp_path / ".public.audiokit" / "001-erste-folge" / "master.json"
    before = _stamp(audio), _stamp(manifest)
    toml = tiny_show / "show.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[[publish.links]]\ntitle = "Mehr"\nurl = "https://example.org"\n')
    report = build(tiny_show, out, stages=STAGES)
    assert [(r.stage, r.status) for r in report.results] == [
        ("master", "skipped"),
        ("publish", "done"),
        ("site", "done"),
    ]
    assert (_stamp(audio), _stamp(manifest)) == before
    assert "https://example.org" in (out / "001-erste-folge" / "index.html").read_text("utf-8")


def _tagged(audio: Path) -> list[tuple[int, str]]:
    return sorted((c.start_time, str(c.sub_frames["TIT2"])) for c in ID3(audio).getall("CHAP"))


def _published(folder: Path) -> list[tuple[int, str]]:
    chapters = json.loads((folder / "chapters.json").read_text("utf-8"))["chapters"]
    return [(round(c["startTime"] * 1000), c["title"]) for c in chapters]


def test_proposed_chapters_are_tagged_by_the_mastering_stage_as_published(tmp_path, mp3, monkeypatch):
    show = write_show(tmp_path, chapters=False)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not tag_and_publish(show, out).failed
    folder = out / SLUG
    assert _tagged(folder / f"{SLUG}.mp3") == _published(folder) and len(_published(folder)) == 2

    # the guest is introduced ten seconds later: the mastering stage re-tags (never re-masters)
    from audiokit.mastering import episode as mastering_episode

    monkeypatch.setattr(mastering_episode, "master_file", lambda *a, **k: pytest.fail("re-mastered for chapters"))
    later = [(speaker, start + 10 if start >= 40 else start, text) for speaker, start, text in TURNS]
    sample_transcript(later).save(show / SLUG / "transcript.json")
    report = build(show, out, stages=STAGES)
    assert [(r.stage, r.status) for r in report.results] == [("master", "done"), ("publish", "done"), ("site", "done")]
    assert _tagged(folder / f"{SLUG}.mp3") == _published(folder)
    assert _published(folder)[1][0] == 50000
