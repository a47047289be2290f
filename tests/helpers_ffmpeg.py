"""ffmpeg for the test recordings (also used by scripts/make_demo.py): quiet, overwriting, failing loudly."""

from __future__ import annotations

import subprocess
from pathlib import Path


def ffmpeg(*args: str, input: bytes | None = None) -> bytes:
    """Run ``ffmpeg -nostdin -y -v error`` with ``args``; return what it wrote to standard output."""
    command = ["ffmpeg", "-nostdin", "-y", "-v", "error", *args]
    return subprocess.run(command, input=input, stdout=subprocess.PIPE, check=True).stdout


def encode_opus(wav: Path, target: Path, bitrate: str = "48k") -> Path:
    """Compress to mono Opus like a real upload, so that tests also exercise decoding."""
    ffmpeg("-i", f"file:{wav}", "-ac", "1", "-c:a", "libopus", "-b:a", bitrate, f"file:{target}")
    return target
