"""``import audiokit`` offers everything the CLI does, and stays light until a stage is used."""

from __future__ import annotations

import subprocess
import sys

import audiokit


def test_every_public_name_resolves() -> None:
    for name in audiokit.__all__:
        assert getattr(audiokit, name) is not None, name


def test_import_does_not_load_whisper_or_scipy() -> None:
    code = (
        "import sys, audiokit; print(sorted(m for m in ('faster_whisper', 'scipy', 'onnxruntime') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
