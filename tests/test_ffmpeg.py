"""ffmpeg discovery, safe paths, probing and streaming with real ffmpeg."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from audiokit import AudioError, FFmpegError
from audiokit.ffmpeg import find_ffmpeg, media_path, probe, run_ffmpeg, stream_pcm
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
    with pytest.raises(FFmpegError) as info:
        run_ffmpeg(["-i", media_path(bogus), media_path(tmp_path / "o.wav")])
    assert "Invalid data" in info.value.what or "text.wav" in info.value.what


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
