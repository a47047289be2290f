"""ffmpeg discovery, safe paths, probing and streaming with real ffmpeg."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from audiokit import AudioError, FFmpegError
from audiokit.clips.render import ffmpeg_filters
from audiokit.ffmpeg import ffmpeg_output, find_ffmpeg, media_path, probe, run_ffmpeg, stream_pcm, write_pcm
from synth import write_wav


def tone(path: Path, seconds: float = 1.0, rate: int = 16000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    return write_wav(path, 0.25 * np.sin(2 * np.pi * 440 * t), rate)


@pytest.mark.parametrize("name", ["-x.wav", "a:b.wav", "file:c.wav", "ä ö ü.wav", "-i.wav"])
def test_awkward_file_names_work(tmp_path: Path, name: str) -> None:
    source = tone(tmp_path / name)
    out = tmp_path / f"out-{name}.flac"
    run_ffmpeg(["-i", media_path(source), media_path(out)])
    info = probe(out)
    assert info.codec == "flac" and abs(info.duration - 1.0) < 0.01 and info.sample_rate == 16000
    blocks = list(stream_pcm(source, sample_rate=8000, channels=1, block_seconds=0.3))
    assert sum(len(b) for b in blocks) == 8000
    assert max(len(b) for b in blocks) <= 2400


def test_media_path_is_absolute_file_url(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert media_path("-x.wav") == f"file:{tmp_path}/-x.wav"


def test_ffmpeg_errors_carry_stderr(tmp_path: Path) -> None:
    bogus = tmp_path / "text.wav"
    bogus.write_text("das ist kein Audio")
    with pytest.raises(FFmpegError, match=r"ffmpeg failed \(exit \d+\): file:.*text\.wav: Invalid data found"):
        run_ffmpeg(["-i", media_path(bogus), media_path(tmp_path / "o.wav")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt garbage", "not a readable audio file"),
        ("Hallo Welt, nur Text.\n" * 50, "not a readable audio file"),
    ],
)
def test_probe_rejects_bad_input(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(AudioError, match=message):
        probe(path)


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="does not exist"):
        probe(tmp_path / "fehlt.wav")


def test_truncated_mp3_streams_what_is_there(tmp_path: Path) -> None:
    mp3 = tmp_path / "a.mp3"
    run_ffmpeg(["-i", media_path(tone(tmp_path / "a.wav", 4.0)), "-c:a", "libmp3lame", media_path(mp3)])
    data = mp3.read_bytes()
    mp3.write_bytes(data[: len(data) // 2])
    frames = sum(len(b) for b in stream_pcm(mp3, sample_rate=16000, channels=1))
    assert 0.3 * 64000 < frames < 0.7 * 64000


def test_ffmpeg_output_is_stdout_and_a_failure_carries_exit_code_and_stderr() -> None:
    assert re.search(r"^ \S+ overlay +VV->V", ffmpeg_output(["-filters"]), re.M)
    with pytest.raises(FFmpegError, match=r"ffmpeg failed \(exit 1\): Unrecognized option 'no-such-option'"):
        ffmpeg_output(["-no-such-option"])


def test_a_broken_ffmpeg_is_an_error_not_an_ffmpeg_without_filters(monkeypatch, tmp_path: Path) -> None:
    """The clip renderer asks ffmpeg for its filters: a failing ffmpeg must not look like one that lacks them."""
    broken = tmp_path / "ffmpeg"
    broken.write_text(f'#!/bin/sh\nexec {find_ffmpeg()} -no-such-option "$@"\n')
    broken.chmod(0o755)
    monkeypatch.setenv("AUDIOKIT_FFMPEG", str(broken))
    find_ffmpeg.cache_clear()
    ffmpeg_filters.cache_clear()
    try:
        with pytest.raises(FFmpegError, match="Unrecognized option 'no-such-option'"):
            ffmpeg_filters()
    finally:
        monkeypatch.delenv("AUDIOKIT_FFMPEG")
        find_ffmpeg.cache_clear()
        ffmpeg_filters.cache_clear()
    assert {"ass", "overlay"} <= ffmpeg_filters()


def test_a_failed_write_names_the_target_and_ffmpegs_reason(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.wav"
    blocks = [np.zeros((4800, 1), np.float32)] * 3
    with pytest.raises(FFmpegError, match=r"ffmpeg cannot write .*out\.wav: .*No such file or directory"):
        write_pcm(target, blocks, sample_rate=48000, channels=1)
    assert not target.parent.exists()


def test_ffmpeg_override_env(monkeypatch, tmp_path: Path) -> None:
    find_ffmpeg.cache_clear()
    monkeypatch.setenv("AUDIOKIT_FFMPEG", str(tmp_path / "nope"))
    try:
        with pytest.raises(FFmpegError, match="AUDIOKIT_FFMPEG"):
            find_ffmpeg()
    finally:
        monkeypatch.delenv("AUDIOKIT_FFMPEG")
        find_ffmpeg.cache_clear()
    assert os.access(find_ffmpeg(), os.X_OK)


def test_bundled_ffmpeg_used_without_path(monkeypatch) -> None:
    find_ffmpeg.cache_clear()
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        assert "imageio_ffmpeg" in find_ffmpeg()
    finally:
        find_ffmpeg.cache_clear()
