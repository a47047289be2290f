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

_LAZY = {
    "FORMATS": "encode",
    "Format": "encode",
    "Loudness": "loudness",
    "LoudnessMeter": "loudness",
    "measure": "loudness",
    "MasterResult": "master",
    "master_file": "master",
    "master_tracks": "multitrack",
    "MasterManifest": "manifest",
    "episode_tags": "episode",
    "master_episode": "episode",
    "Tags": "tags",
    "write_tagged_copy": "tags",
}

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "Format",
    "Loudness",
    "LoudnessMeter",
    "MasterManifest",
    "MasterResult",
    "MasteringSettings",
    "PRESETS",
    "Preset",
    "Tags",
    "episode_settings",
    "episode_tags",
    "master_episode",
    "master_file",
    "master_tracks",
    "measure",
    "write_tagged_copy",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
