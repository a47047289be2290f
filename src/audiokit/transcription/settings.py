"""The ``[transcription]`` settings of a show or episode, typed and validated."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from ..tomlfields import Fields
from ..workspace import Episode

DEVICES = ("auto", "cpu", "cuda")


@dataclass(frozen=True)
class TranscriptionSettings:
    """How an episode is transcribed. Every field can be set in ``[transcription]``."""

    model: str = "embedded"  # "embedded", a faster-whisper size name, or a CTranslate2 folder
    device: str = "auto"  # auto, cpu or cuda
    compute_type: str = "auto"  # auto: int8 on CPU, float16 on CUDA
    cpu_threads: int = 0  # 0: CTranslate2's default
    beam_size: int = 5
    batch_size: int = 8  # > 0: batched decoding of VAD clips (BatchedInferencePipeline); 0: sequential
    prompt: bool = True  # prompt Whisper with the speaker names, organisations and glossary terms
    window: float = 300.0  # seconds of audio decoded per call (bounds memory on long recordings)
    max_pause: float = 2.0  # a speaker's turn is split at pauses longer than this

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_EXAMPLES = {
    "model": '"embedded"',
    "device": '"cpu"',
    "compute_type": '"int8"',
    "cpu_threads": "2",
    "beam_size": "5",
    "batch_size": "8",
    "prompt": "true",
    "window": "300",
    "max_pause": "2.0",
}
_TYPES = {"str": str, "int": int, "bool": bool, "float": float}


def _read(fields: Fields, values: dict[str, Any]) -> None:
    for field in dataclasses.fields(TranscriptionSettings):
        if field.name in fields.data:
            values[field.name] = fields.get(field.name, _TYPES[field.type], example=_EXAMPLES[field.name])
    fields.reject_unknown()
    if values.get("device", "auto") not in DEVICES:
        raise fields.error("device", f"is {values['device']!r}", f"use one of: {', '.join(DEVICES)}")
    for key, low in (("beam_size", 1), ("batch_size", 0), ("cpu_threads", 0), ("window", 30), ("max_pause", 0.1)):
        if key in values and values[key] < low:
            raise fields.error(key, f"is {values[key]}", f"use a value of at least {low}")


def load_settings(episode: Episode, *, model: str | None = None, device: str | None = None) -> TranscriptionSettings:
    """The show's ``[transcription]`` table, overridden by the episode's, then by ``model``/``device``."""
    values: dict[str, Any] = {}
    _read(Fields(episode.show.settings.get("transcription", {}), episode.show.file, "transcription."), values)
    _read(Fields(episode.settings.get("transcription", {}), episode.file, "transcription."), values)
    if model:
        values["model"] = model
    if device:
        if device not in DEVICES:
            raise ConfigError(f"device {device!r} is not known", f"use one of: {', '.join(DEVICES)}")
        values["device"] = device
    return TranscriptionSettings(**values)
