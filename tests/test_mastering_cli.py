"""``audiokit master`` and the "master" build stage."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from audiokit.build import build
from audiokit.cli import cli
from audiokit.errors import ConfigError, UnsafePathError
from audiokit.mastering import episode as stage_module
from audiokit.mastering import measure
from audiokit.stages.master import MasterStage
from helpers_mastering import sine, write_pcm


@pytest.fixture
def speechlike(tmp_path):
    wave = sine(220, -30, 4) * (0.6 + 0.4 * sine(3, 0, 4))
    return write_pcm(tmp_path / "interview.wav", wave)


def test_master_a_file_and_print_stats(speechlike):
    result = CliRunner().invoke(cli, ["master", str(speechlike), "--print-stats"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    out = speechlike.parent / "interview-master.mp3"
    assert stats["audio"] == out.name and stats["mime"] == "audio/mpeg" and stats["bytes"] == out.stat().st_size
    assert stats["loudness"]["output"]["integrated"] == pytest.approx(measure(out).integrated, abs=0.05)


def test_out_suffix_chooses_the_format_and_must_match_it(speechlike, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["master", str(speechlike), "--out", str(tmp_path / "x.m4a"), "--target", "-18"])
    assert result.exit_code == 0, result.output
    assert measure(tmp_path / "x.m4a").integrated == pytest.approx(-18, abs=0.5)
    result = runner.invoke(cli, ["master", str(speechlike), "--out", str(tmp_path / "y.mp3"), "--format", "flac"])
    assert result.exit_code == 1 and "does not end in .flac" in result.output


def test_bad_input_is_a_clear_error(tmp_path):
    fake = tmp_path / "notiz.wav"
    fake.write_text("keine Audiodatei", "utf-8")
    result = CliRunner().invoke(cli, ["master", str(fake)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "not a readable audio file" in result.output
    assert "Traceback" not in result.output


def test_master_an_episode_folder(demo_show):
    folder = demo_show / "001-epa-im-praxisalltag"
    result = CliRunner().invoke(cli, ["master", str(folder), "--preset", "podcast-mono"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((folder / "master" / "master.json").read_text("utf-8"))
    assert manifest["audio"] == "001-epa-im-praxisalltag.mp3"
    assert manifest["loudness"]["preset"] == "podcast-mono" and manifest["loudness"]["channels"] == 1
    assert str(ID3(folder / "master" / manifest["audio"])["TIT2"]) == "Die ePA im Praxisalltag"


def _add_to(toml, after, line):
    toml.write_text(toml.read_text("utf-8").replace(after, f"{after}\n{line}", 1), "utf-8")


def test_build_stage_writes_audio_and_manifest_and_skips_when_unchanged(tiny_show, tmp_path, monkeypatch):
    episode_toml = tiny_show / "001-erste-folge" / "episode.toml"
    episode_toml.write_text(
        episode_toml.read_text("utf-8") + '\n[[chapters]]\nstart = 0\ntitle = "Anfang"\n'
        '\n[[chapters]]\nstart = 0.5\ntitle = "Schluss"\n',
        "utf-8",
    )
    out = tmp_path / "public"
    report = build(tiny_show, out, stages=[MasterStage()])
    assert [r.status for r in report.results] == ["done"]
    folder = out / "001-erste-folge"
    bookkeeping = tmp_path / ".public.audiokit" / "001-erste-folge"  # master.json is never published
    assert not (folder / "master.json").exists()
    manifest = json.loads((bookkeeping / "master.json").read_text("utf-8"))
    audio = folder / manifest["audio"]
    assert manifest["audio"] == "001-erste-folge.mp3" and manifest["mime"] == "audio/mpeg"
    assert manifest["bytes"] == audio.stat().st_size
    assert manifest["duration"] == pytest.approx(measure(audio).duration, abs=0.1)
    assert manifest["offset"] <= 0  # leading silence trimmed at most; there is no intro
    id3 = ID3(audio)
    assert str(id3["TIT2"]) == "Erste Folge" and str(id3["TALB"]) == "Kleine Show" and id3.getall("APIC")
    assert sorted(str(c.sub_frames["TIT2"]) for c in id3.getall("CHAP")) == ["Anfang", "Schluss"]
    assert [r.status for r in build(tiny_show, out, stages=[MasterStage()]).results] == ["skipped"]

    # a new title only re-tags the audio: mastering again would fail here
    monkeypatch.setattr(stage_module, "master_file", lambda *a, **k: pytest.fail("re-mastered for a title"))
    episode_toml.write_text(episode_toml.read_text("utf-8").replace("Erste Folge", "Die erste Folge"), "utf-8")
    assert [r.status for r in build(tiny_show, out, stages=[MasterStage()]).results] == ["done"]
    assert str(ID3(audio)["TIT2"]) == "Die erste Folge"
    monkeypatch.undo()

    write_pcm(tiny_show / "intro.wav", sine(880, -20, 1.0))
    _add_to(episode_toml, 'recording = "aufnahme.wav"', '\n[mastering]\nformat = "m4a"\nintro = "intro.wav"')
    assert [r.status for r in build(tiny_show, out, stages=[MasterStage()]).results] == ["done"]
    assert (folder / "001-erste-folge.m4a").is_file() and not audio.exists()
    manifest = json.loads((bookkeeping / "master.json").read_text("utf-8"))
    assert manifest["offset"] == pytest.approx(1.0 - 0.3 - manifest["loudness"]["trim"]["start"], abs=0.01)


@pytest.mark.parametrize(
    "line, error, words",
    [
        ('target = "laut"', ConfigError, "mastering.target' must be a number"),
        ("target = -60", ConfigError, "mastering.target' is outside"),
        ('intro = "../jingle.wav"', UnsafePathError, "outside the show folder"),
        ("lautheit = 3", ConfigError, "mastering.lautheit' is not a known setting"),
    ],
)
def test_bad_settings_name_file_and_key(tiny_show, tmp_path, line, error, words):
    _add_to(tiny_show / "show.toml", 'cover = "cover.png"', f"\n[mastering]\n{line}")
    with pytest.raises(error, match=words) as caught:
        build(tiny_show, tmp_path / "public", stages=[MasterStage()])
    assert "show.toml" in str(caught.value)
