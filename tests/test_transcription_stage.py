"""The transcribe stage and command: incremental builds, editors' transcripts, bad input with no partial output."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiokit import build, load_episode, load_show
from audiokit.cli import cli
from audiokit.stages.transcribe import TranscriptionStage
from audiokit.transcript import load
from audiokit.transcription import write_transcript
from helpers_transcription import room_noise, write_show
from synth import write_wav

pytestmark = pytest.mark.slow  # loads the Whisper model (the audio is too quiet to decode)


@pytest.fixture
def quiet_show(tmp_path: Path) -> Path:
    """A show whose one episode is 4 s of room tone: the real pipeline runs in about a second."""
    write_show(tmp_path, {"Clara Vogt": room_noise(4.0)})
    return tmp_path


@pytest.fixture
def warnings_logged(caplog, monkeypatch):
    """caplog for the "audiokit" logger, even after a CLI run has stopped it propagating."""
    monkeypatch.setattr(logging.getLogger("audiokit"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="audiokit")
    return caplog


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_build_runs_the_stage_only_when_inputs_change(quiet_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    first = build(quiet_show, out, stages=[TranscriptionStage()])
    assert [r.status for r in first.results] == ["done"]
    transcript = load(quiet_show / "001-interview" / "transcript.json")
    assert transcript.provenance["settings"]["cpu_threads"] == 2
    assert [r.status for r in build(quiet_show, out, stages=[TranscriptionStage()]).results] == ["skipped"]
    (quiet_show / "glossary.toml").write_text('terms = ["Gematik"]\n', encoding="utf-8")
    assert [r.status for r in build(quiet_show, out, stages=[TranscriptionStage()]).results] == ["done"]
    assert "Gematik" in load(quiet_show / "001-interview" / "transcript.json").provenance["settings"]["prompt_text"]


def _mark_edited(path: Path) -> str:
    data = json.loads(path.read_text("utf-8"))
    data["provenance"]["edited"] = "2026-11-11T10:00:00+00:00"
    text = json.dumps(data)
    path.write_text(text, encoding="utf-8")
    return text


def test_an_edited_transcript_of_unchanged_audio_is_kept(quiet_show: Path, warnings_logged) -> None:
    episode = load_episode(load_show(quiet_show), quiet_show / "001-interview")
    write_transcript(episode)
    edited = _mark_edited(episode.transcript_path)
    write_transcript(episode, model="embedded")
    assert episode.transcript_path.read_text("utf-8") == edited
    assert "kept the edited transcript" in warnings_logged.text
    assert not [n for n in files_in(episode.dir) if n.startswith("transcript.edited-")]


def test_changed_audio_replaces_an_edited_transcript_but_keeps_a_backup(quiet_show: Path, warnings_logged) -> None:
    episode = load_episode(load_show(quiet_show), quiet_show / "001-interview")
    write_transcript(episode)
    edited = _mark_edited(episode.transcript_path)
    write_wav(episode.recording, room_noise(5.0, seed=9))
    write_transcript(episode)
    [backup] = [episode.dir / n for n in files_in(episode.dir) if n.startswith("transcript.edited-")]
    assert backup.read_text("utf-8") == edited
    assert "edited transcript was replaced" in warnings_logged.text
    assert "edited" not in load(episode.transcript_path).provenance


def test_transcribe_command_on_an_audio_file(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "kurz.wav", room_noise(3.0))
    result = CliRunner().invoke(cli, ["transcribe", str(audio)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "kurz.transcript.json"
    assert result.output.strip().endswith(str(written))
    assert load(written).segments == []


@pytest.mark.parametrize("damage", ["empty", "corrupt"])
def test_bad_audio_is_a_clear_error_with_no_transcript(quiet_show: Path, damage: str) -> None:
    folder = quiet_show / "001-interview"
    recording = folder / "aufnahme.wav"
    if damage == "empty":
        recording.write_bytes(b"")
    else:
        recording.write_bytes(b"RIFF\x00\x01\x00\x00WAVEjunk" + bytes(range(256)) * 20)
    before = files_in(folder)
    result = CliRunner().invoke(cli, ["transcribe", str(folder)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "aufnahme.wav" in result.output
    assert "Traceback" not in result.output
    assert files_in(folder) == before


@pytest.mark.parametrize(
    "model, message", [("large-v3", "not in the local cache"), ("gigantisch", "unknown Whisper model")]
)
def test_unknown_model_offline_is_a_clear_error(quiet_show: Path, monkeypatch, model: str, message: str) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(quiet_show / "hf-empty"))
    folder = quiet_show / "001-interview"
    result = CliRunner().invoke(cli, ["transcribe", str(folder), "--model", model])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert not (folder / "transcript.json").exists()


@pytest.mark.skipif(__import__("ctranslate2").get_cuda_device_count() > 0, reason="a GPU is present")
def test_cuda_without_a_gpu_is_a_clear_error(quiet_show: Path) -> None:
    folder = quiet_show / "001-interview"
    result = CliRunner().invoke(cli, ["transcribe", str(folder), "--device", "cuda"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "--device cpu" in result.output
    assert not (folder / "transcript.json").exists()


def test_multitrack_with_a_wrong_track_count_is_a_clear_error(tmp_path: Path) -> None:
    folder = write_show(
        tmp_path,
        {"Clara Vogt": room_noise(2.0), "Jana Albers": room_noise(2.0, seed=2)},
        multitrack=True,
        extra_episode_toml="speaker_count = 3",
    )
    result = CliRunner().invoke(cli, ["transcribe", str(folder)])
    assert result.exit_code == 1
    assert "speaker_count is 3 but there are 2 tracks" in result.output
    assert not (folder / "transcript.json").exists()
