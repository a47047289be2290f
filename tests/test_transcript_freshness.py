"""Freshness travels with the data: a transcript's provenance holds the digest of what it was made from,
so a build into another output folder, or after ``audiokit transcribe``, runs no Whisper for unchanged
inputs, while a changed input still transcribes again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiokit import build, load_episode, load_show
from audiokit.cli import cli
from audiokit.stages.transcribe import TranscriptionStage
from audiokit.transcription import pipeline, transcript_inputs
from helpers_transcription import room_noise, write_show
from synth import write_wav

STAGES = [TranscriptionStage()]


@pytest.fixture
def episode_dir(tmp_path: Path) -> Path:
    """A show whose one episode is 4 s of room tone: the real pipeline runs in about a second."""
    return write_show(tmp_path, {"Clara Vogt": room_noise(4.0)})


def no_whisper(monkeypatch) -> None:
    """From here on, loading the Whisper model fails the test."""
    monkeypatch.setattr(pipeline, "load_model", lambda settings: pytest.fail("Whisper ran again"))


def test_inputs_are_the_content_not_the_file_times(episode_dir: Path) -> None:
    episode = load_episode(load_show(episode_dir.parent), episode_dir)
    before = transcript_inputs(episode)
    os.utime(episode.recording, ns=(0, 10**18))  # a copy or clone: new times, the same bytes
    assert transcript_inputs(episode) == before
    write_wav(episode.recording, room_noise(4.0, seed=9))
    assert transcript_inputs(episode)["audio"] != before["audio"]


@pytest.mark.slow  # the first transcription runs the real Whisper model
def test_a_build_into_another_output_folder_runs_no_whisper(episode_dir: Path, tmp_path: Path, monkeypatch) -> None:
    show, transcript = episode_dir.parent, episode_dir / "transcript.json"
    assert not build(show, tmp_path / "out1", stages=STAGES).failed
    made = transcript.read_bytes()
    assert json.loads(made)["provenance"]["inputs"]

    no_whisper(monkeypatch)
    report = build(show, tmp_path / "out2", stages=STAGES)
    assert [r.status for r in report.results] == ["done"]  # a new output folder has no build state …
    assert transcript.read_bytes() == made  # … the transcript itself says it is current

    monkeypatch.undo()
    (show / "glossary.toml").write_text('terms = ["Gematik"]\n', encoding="utf-8")
    assert not build(show, tmp_path / "out3", stages=STAGES).failed
    assert json.loads(transcript.read_bytes())["provenance"]["inputs"] != json.loads(made)["provenance"]["inputs"]


@pytest.mark.slow
def test_a_build_after_audiokit_transcribe_runs_no_whisper(episode_dir: Path, tmp_path: Path, monkeypatch) -> None:
    transcript = episode_dir / "transcript.json"
    result = CliRunner().invoke(cli, ["transcribe", str(episode_dir)])
    assert result.exit_code == 0, result.output
    made = transcript.read_bytes()

    no_whisper(monkeypatch)
    assert not build(episode_dir.parent, tmp_path / "public", stages=STAGES).failed
    result = CliRunner().invoke(cli, ["transcribe", str(episode_dir)])  # again: current, nothing to do
    assert result.exit_code == 0, result.output
    assert transcript.read_bytes() == made
