"""Voice samples of recurring speakers, embedded once and kept per show in ``.audiokit/voices.json``.

The cache is keyed by the sample's path (relative to the show) and its size and modification
time, and tied to the encoder model, so a replaced sample or a new model is embedded again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from importlib import resources
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import AudioError
from ..i18n import _
from ..stamps import file_stamp
from ..workspace import Episode, Show
from .embeddings import MODEL_FILE, embed_speech

log = logging.getLogger("audiokit")

CACHE_FILE = Path(".audiokit") / "voices.json"
MAX_SAMPLE_SECONDS = 120.0


@functools.lru_cache(maxsize=1)
def model_id() -> str:
    """A short digest of the encoder model: cached embeddings of another model are not reused."""
    return hashlib.sha256(resources.files("audiokit").joinpath(MODEL_FILE).read_bytes()).hexdigest()[:16]


def _key(show: Show, sample: Path) -> str:
    path = sample.resolve()
    return path.relative_to(show.dir).as_posix() if path.is_relative_to(show.dir) else str(path)


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return {}
    return data.get("voices", {}) if isinstance(data, dict) and data.get("model") == model_id() else {}


def voice_of(show: Show, sample: Path) -> np.ndarray:
    """The embedding of one voice sample, from the show's cache or computed (and cached) now."""
    cache = show.dir / CACHE_FILE
    voices = _load(cache)
    key, stamp = _key(show, sample), file_stamp(sample)
    entry = voices.get(key)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and len(entry.get("embedding", ())) == 256:
        return np.array(entry["embedding"], np.float32)
    log.info(_("enrolling voice sample %s"), key)
    vector = embed_speech(sample, max_seconds=MAX_SAMPLE_SECONDS).voice()
    if vector is None:
        raise AudioError(
            _("{sample}: the voice sample contains no speech").format(sample=sample),
            _("record 10-60 s of the speaker talking alone and point voice_sample at it"),
        )
    voices[key] = {"stamp": stamp, "embedding": [round(float(x), 6) for x in vector]}
    try:
        atomic.write_text(cache, json.dumps({"model": model_id(), "voices": voices}, indent=1) + "\n")
    except OSError as exc:
        log.warning(_("cannot store enrolled voices in %s (%s); they will be embedded again next time"), cache, exc)
    return vector


def enrolled_voices(episode: Episode) -> dict[int, np.ndarray]:
    """Index into ``episode.speakers`` -> voice embedding, for every speaker with a voice sample."""
    return {i: voice_of(episode.show, s.voice_sample) for i, s in enumerate(episode.speakers) if s.voice_sample}
