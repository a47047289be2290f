"""Mastering: BS.1770 loudness measurement, speech levelling, multitrack gating and mixdown,
jingles, a true-peak limiter, encoding and tags — streaming, in one analysis and one encode pass.

    from audiokit.mastering import MasteringSettings, master_file
    result = master_file(Path("aufnahme.wav"), Path("folge.mp3"), MasteringSettings.from_preset("podcast"))
    print(result.stats["output"]["integrated"])

The signal-processing modules (numpy, bottleneck, PyAV) load on first use, so importing the presets is cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from .presets import FORMAT_NAMES, PRESETS, MasteringSettings, Preset, episode_settings

_LAZY_MODULES = {
    "encode": ("FORMATS", "Format"),
    "loudness": ("Loudness", "LoudnessMeter", "measure"),
    "master": ("MasterResult", "master_file"),
    "multitrack": ("master_tracks",),
    "manifest": ("MasterManifest",),
    "episode": ("episode_tags", "master_episode"),
    "tags": ("Tags", "write_tagged_copy"),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}

__all__ = ["FORMAT_NAMES", "PRESETS", "MasteringSettings", "Preset", "episode_settings", *_LAZY]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
