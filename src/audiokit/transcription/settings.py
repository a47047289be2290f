"""The ``[transcription]`` settings of an episode (declared in :mod:`audiokit.config.schema`)."""

from __future__ import annotations

from ..config.schema import DEVICES, TranscriptionSettings
from ..config.validate import Place, convert, layered
from ..workspace import Episode

__all__ = ["DEVICES", "TranscriptionSettings", "load_settings"]


def load_settings(episode: Episode, *, model: str | None = None, device: str | None = None) -> TranscriptionSettings:
    """The show's ``[transcription]`` table, overridden by the episode's, then by ``model``/``device``."""
    values = layered(TranscriptionSettings, episode.setting_layers("transcription"))
    values.update({k: v for k, v in {"model": model, "device": device}.items() if v})
    return convert(values, TranscriptionSettings, Place(table="transcription."))
