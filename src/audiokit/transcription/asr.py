"""Speech recognition with faster-whisper: streamed windows, Silero VAD, word timestamps, beam search.

A recording is decoded window by window (``settings.window`` seconds, cut at the quietest
moment near the window's end), so memory stays flat however long the episode is, and no
window can carry a failure into the next one. Within a window the VAD speech is decoded in
batches of clips (BatchedInferencePipeline: faster and, with the vocabulary prompt, more
accurate than sequential decoding on CPU too); ``batch_size = 0`` decodes sequentially.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import AudioError, ModelError
from ..ffmpeg import stream_pcm
from ..models import resolve_model
from ..transcript import Word
from . import guards
from .settings import TranscriptionSettings

log = logging.getLogger("audiokit")

SAMPLE_RATE = 16000
CLIP = 30.0  # seconds of speech in one clip of the batched decoder
BATCH_VAD = {"min_silence_duration_ms": 160}  # the batched decoder's own VAD setting
CUT_SEARCH = 20.0  # at most this many seconds before a window's end are searched for a quiet cut

Regions = list[tuple[float, float]]


@dataclass(frozen=True)
class LoadedModel:
    """A Whisper model ready to decode, and how it is described in provenance."""

    whisper: Any  # faster_whisper.WhisperModel
    name: str
    device: str
    compute_type: str


def _device(requested: str) -> str:
    if requested != "auto":
        return requested
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


@functools.lru_cache(maxsize=2)
def _whisper(path: str, device: str, compute_type: str, cpu_threads: int) -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(path, device=device, compute_type=compute_type, cpu_threads=cpu_threads)


def load_model(settings: TranscriptionSettings) -> LoadedModel:
    """Resolve and load the model of ``settings`` (cached per process)."""
    resolved = resolve_model(settings.model)
    device = _device(settings.device)
    compute_type = settings.compute_type
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    try:
        whisper = _whisper(str(resolved.path), device, compute_type, settings.cpu_threads)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(f"Whisper model {settings.model!r} cannot be loaded on {device} ({exc})",
                         "check the model folder and compute_type; --device cpu works everywhere") from exc
    return LoadedModel(whisper, f"{resolved.source}:{resolved.path.name}", device, compute_type)


def quiet_cut(samples: np.ndarray, search: int) -> int:
    """Index of the quietest 300 ms within the last ``search`` samples (the latest if several): where to end a window."""
    hop = SAMPLE_RATE // 50
    start = max(0, len(samples) - search)
    tail = samples[start:start + (len(samples) - start) // hop * hop]
    if len(tail) < 15 * hop:
        return len(samples)
    energy = np.square(tail).reshape(-1, hop).mean(axis=1)
    smooth = np.convolve(energy, np.ones(15) / 15, mode="valid")
    return start + (len(smooth) - 1 - int(np.argmin(smooth[::-1])) + 7) * hop


def windows(path: Path, seconds: float) -> Iterator[tuple[float, np.ndarray]]:
    """Stream ``path`` as 16 kHz mono and yield ``(offset, samples)`` windows of about ``seconds``."""
    size = int(seconds * SAMPLE_RATE)
    search = int(min(CUT_SEARCH, seconds / 4) * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    buffered = 0
    offset = 0
    for block in stream_pcm(path, sample_rate=SAMPLE_RATE, channels=1):
        pending.append(block[:, 0])
        buffered += len(block)
        if buffered >= size + search:
            samples = np.concatenate(pending)
            cut = quiet_cut(samples[:size], search)
            yield offset / SAMPLE_RATE, samples[:cut]
            pending, buffered, offset = [samples[cut:]], len(samples) - cut, offset + cut
    if offset == 0 and buffered == 0:
        raise AudioError(f"{path}: the recording contains no audio samples", "export the recording again")
    if buffered:
        yield offset / SAMPLE_RATE, np.concatenate(pending)


def mask(samples: np.ndarray, offset: float, regions: Regions) -> np.ndarray:
    """Silence everything outside ``regions`` (seconds on the recording's timeline)."""
    keep = np.zeros(len(samples), dtype=bool)
    for start, end in regions:
        a = max(0, int((start - offset) * SAMPLE_RATE))
        b = min(len(samples), int((end - offset) * SAMPLE_RATE))
        if b > a:
            keep[a:b] = True
    return np.where(keep, samples, np.float32(0))


def batch_groups(samples: np.ndarray) -> Regions:
    """The spans the batched decoder turns into one clip each: runs of VAD speech up to ``CLIP`` seconds long."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    groups: list[list[float]] = []
    speech_in_group = CLIP
    for part in get_speech_timestamps(samples, VadOptions(**BATCH_VAD, max_speech_duration_s=CLIP)):
        start, end = part["start"] / SAMPLE_RATE, part["end"] / SAMPLE_RATE
        if speech_in_group + end - start > CLIP:
            groups.append([start, end])
            speech_in_group = 0.0
        groups[-1][1] = end
        speech_in_group += end - start
    return [(a, b) for a, b in groups]


def _words(segments: Any, offset: float, progress: Callable[[float], None] | None) -> list[Word]:
    words: list[Word] = []
    for segment in segments:
        if progress is not None:
            progress(offset + segment.end)
        if guards.is_stock_phrase(segment.text) or guards.is_silence(segment.no_speech_prob, segment.avg_logprob):
            log.debug("dropped at %.1f s: %s", offset + segment.start, segment.text)
            continue
        words += [Word(w.word.strip(), offset + w.start, offset + w.end, float(w.probability))
                  for w in segment.words or [] if w.word.strip()]
    return words


def _batched(model: LoadedModel, samples: np.ndarray, options: dict[str, Any], batch_size: int,
             progress: Callable[[float], None] | None) -> list[Word]:
    """Decode VAD clips in batches; a clip whose text stops early has the rest decoded on its own.

    The batched decoder gets one try per clip and sometimes ends a clip's text after its
    first sentence; the sequential decoder, which moves on by timestamps, fills such gaps.
    """
    from faster_whisper import BatchedInferencePipeline

    segments, _ = BatchedInferencePipeline(model.whisper).transcribe(
        samples, vad_parameters=BATCH_VAD, batch_size=batch_size, **options)
    words = _words(segments, 0.0, progress)
    for start, end in batch_groups(samples):
        heard = max((w.end for w in words if start <= w.start < end), default=start)
        if end - heard > guards.MAX_TAIL:
            log.debug("decoding %.1f-%.1f s again: the batched decoder stopped early", heard, end)
            rest = samples[int(heard * SAMPLE_RATE):int(end * SAMPLE_RATE)]
            words += _words(model.whisper.transcribe(rest, **options)[0], heard, None)
    return sorted(words, key=lambda w: w.start)


def transcribe_audio(
    path: Path,
    model: LoadedModel,
    settings: TranscriptionSettings,
    *,
    language: str,
    prompt: str | None = None,
    regions: Regions | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[Word]:
    """Recognise the words of ``path`` (only inside ``regions`` if given); progress in audio seconds."""
    options: dict[str, Any] = dict(guards.DECODE_OPTIONS, language=language, beam_size=settings.beam_size,
                                   word_timestamps=True, initial_prompt=prompt or None)
    words: list[Word] = []
    for offset, samples in windows(path, settings.window):
        if regions is not None:
            samples = mask(samples, offset, regions)
        if np.any(samples):
            if settings.batch_size:
                done = None if progress is None else (lambda s, o=offset: progress(o + s))
                words += [Word(w.text, w.start + offset, w.end + offset, w.probability)
                          for w in _batched(model, samples, options, settings.batch_size, done)]
            else:
                segments, _ = model.whisper.transcribe(samples, **options)
                words += _words(segments, offset, progress)
        if progress is not None:
            progress(offset + len(samples) / SAMPLE_RATE)
    return guards.remove_loops(words)
