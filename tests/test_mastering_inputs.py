"""Bad input gives a clear error, never a traceback or a half-written output; a killed run leaves
the previous output in place."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from audiokit.errors import AudioError
from audiokit.ffmpeg import find_ffmpeg, media_path
from audiokit.mastering import MasteringSettings, master_file, measure
from helpers_mastering import sine, write_pcm

PODCAST = MasteringSettings.from_preset("podcast")


def _fails(tmp_path, src, match):
    before = src.read_bytes()
    with pytest.raises(AudioError, match=match):
        master_file(src, tmp_path / "out" / "folge.mp3", PODCAST)
    assert src.read_bytes() == before
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_empty_file(tmp_path):
    src = tmp_path / "leer.wav"
    src.write_bytes(b"")
    _fails(tmp_path, src, "empty")


def test_text_file_named_wav(tmp_path):
    src = tmp_path / "notiz.wav"
    src.write_text("Das ist keine Aufnahme, sondern eine Notiz.\n", "utf-8")
    _fails(tmp_path, src, "not a readable audio file")


def test_digital_silence(tmp_path):
    src = write_pcm(tmp_path / "stille.wav", np.zeros((48000 * 5, 2), np.float32))
    _fails(tmp_path, src, "silent")


def test_too_short_to_measure(tmp_path):
    src = write_pcm(tmp_path / "knack.wav", sine(500, -20, 0.2))
    _fails(tmp_path, src, "too short")


def test_truncated_mp3(tmp_path):
    whole = tmp_path / "ganz.mp3"
    subprocess.run(
        [
            find_ffmpeg(),
            "-v",
            "error",
            "-f",
            "f32le",
            "-ar",
            "48000",
            "-ac",
            "2",
            "-i",
            "pipe:0",
            "-b:a",
            "128k",
            media_path(whole),
        ],
        input=sine(400, -20, 20).tobytes(),
        check=True,
    )
    src = tmp_path / "kaputt.mp3"
    src.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 3])
    _fails(tmp_path, src, "truncated")


def test_half_second_clip_is_mastered(tmp_path):
    """Documented: anything from one gating block (0.4 s) on is mastered like a full recording."""
    src = write_pcm(tmp_path / "clip.wav", sine(500, -30, 0.5))
    result = master_file(src, tmp_path / "clip.flac", MasteringSettings.from_preset("podcast", format="flac"))
    assert result.duration == pytest.approx(0.5, abs=0.02)
    measured = measure(result.path)
    assert measured.integrated == pytest.approx(-16.0, abs=0.5) and measured.true_peak <= -1.0


def test_killed_run_leaves_previous_output_in_place(tmp_path):
    rng = np.random.default_rng(1)
    src = write_pcm(tmp_path / "lang.wav", (rng.standard_normal((48000 * 90, 2)) * 0.05).astype(np.float32))
    out = tmp_path / "out"
    out.mkdir()
    target = out / "folge.mp3"
    target.write_bytes(b"previous master")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from audiokit.cli import main; main()", "master", str(src), "--out", str(target)],
        start_new_session=True,
    )

    def encoding() -> bool:  # the new master is being written, a good part of it already
        for part in out.glob(".folge.part-*"):  # the temporary output, and the scratch file of the encode
            with contextlib.suppress(FileNotFoundError):
                if part.stat().st_size > 100_000:
                    return True
        return False

    try:
        while proc.poll() is None and not encoding():
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert target.read_bytes() == b"previous master"
    assert [p for p in out.iterdir() if not p.name.startswith(".")] == [target]
