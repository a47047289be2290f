"""Speech recognition with faster-whisper: streamed windows, Silero VAD, word timestamps, beam search.

A recording is decoded window by window (``settings.window`` seconds, cut at the quietest
moment near the window's end), so memory stays flat however long the episode is, and no
window can carry a failure into the next one. Within a window only Silero VAD speech is
decoded, glued together and cut into clips exactly as faster-whisper's BatchedInferencePipeline
does, and the clips are decoded in batches (faster and, with the vocabulary prompt, more accurate
than sequential decoding on CPU too); ``batch_size = 0`` decodes sequentially. Speech the batched
decoder skipped is decoded again (see ``_batched``), so no speech is lost; what was removed or
decoded again is counted in ``Recognition.stats``.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..config.schema import TranscriptionSettings
from ..errors import AudioError, ModelError
from ..ffmpeg import check_complete, probe, stream_pcm
from ..i18n import _
from ..models import resolve_model
from ..transcript import Word
from . import guards
from .guards import RecognitionStats

log = logging.getLogger("audiokit")

SAMPLE_RATE = 16000
CLIP = 30.0  # seconds of speech in one clip of the batched decoder
SEED = 1  # of the sampling in the sequential decoder's temperature fallback
BATCH_VAD = {"min_silence_duration_ms": 160}  # the batched decoder's own VAD setting
EDGE = 0.5  # seconds of speech before a gap decoded with it, so that its first word is not cut
CUT_SEARCH = 20.0  # at most this many seconds before a window's end are searched for a quiet cut

Regions = list[tuple[float, float]]

CLIP_MEMORY = {"tiny": 40, "base": 80, "small": 150, "medium": 250, "large": 300}
"""MB of GPU memory one clip of a float16 batch takes, by model size, with headroom: large-v3-turbo
was seen to hold 80 clips in 19 GB (faster-whisper issue 1257); smaller models scale with their width."""
MAX_GPU_BATCH = 64


@dataclass(frozen=True)
class LoadedModel:
    """A Whisper model ready to decode, and how it is described in provenance."""

    whisper: Any  # faster_whisper.WhisperModel
    name: str
    device: str
    compute_type: str
    batch_size: int  # clips per batch; 0: sequential decoding


@dataclass
class Recognition:
    """The words recognised in a recording, and what the guards removed or decoded again on the way."""

    words: list[Word]
    stats: RecognitionStats


def gpu_batch_size(free_mb: float, model: str) -> int:
    """Clips per batch that ``free_mb`` of GPU memory holds for ``model`` (a size name in it, e.g. "base")."""
    size = next((s for s in CLIP_MEMORY if s in model.lower()), "large")
    return max(1, min(MAX_GPU_BATCH, int(0.8 * free_mb // CLIP_MEMORY[size])))


def batch_size(settings: TranscriptionSettings, device: str, model: str) -> int:
    """The batch size of ``settings``, or when it is "auto" (None): 8 on the CPU, what the card holds on CUDA."""
    if settings.batch_size is not None:
        return settings.batch_size
    if device != "cuda":
        return 8
    import pynvml

    try:  # the free memory of the first card; 8 without a card or driver
        pynvml.nvmlInit()
        try:
            free_mb = pynvml.nvmlDeviceGetMemoryInfo(pynvml.nvmlDeviceGetHandleByIndex(0)).free / 2**20
        finally:
            pynvml.nvmlShutdown()
    except pynvml.NVMLError:
        return 8
    return gpu_batch_size(free_mb, model)


@functools.lru_cache(maxsize=2)
def _whisper(path: str, device: str, compute_type: str, cpu_threads: int) -> Any:
    from faster_whisper import WhisperModel

    return WhisperModel(path, device=device, compute_type=compute_type, cpu_threads=cpu_threads)


def load_model(settings: TranscriptionSettings) -> LoadedModel:
    """Resolve and load the model of ``settings`` (cached per process)."""
    resolved = resolve_model(settings.model)
    device = settings.device
    if device == "auto":
        import ctranslate2

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    compute_type = settings.compute_type
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    try:
        whisper = _whisper(str(resolved.path), device, compute_type, settings.cpu_threads)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(
            _("Whisper model {model!r} cannot be loaded on {device} ({exc})").format(
                model=settings.model, device=device, exc=exc
            ),
            _("check the model folder and compute_type; --device cpu works everywhere"),
        ) from exc
    batch = batch_size(settings, device, resolved.path.name)
    log.debug("Whisper %s on %s (%s), batches of %d clips", resolved.path.name, device, compute_type, batch)
    return LoadedModel(whisper, f"{resolved.source}:{resolved.path.name}", device, compute_type, batch)


def quiet_cut(samples: np.ndarray, search: int) -> int:
    """Index of the quietest 300 ms within the last ``search`` samples (the latest if several): where to end a window."""
    hop = SAMPLE_RATE // 50
    start = max(0, len(samples) - search)
    tail = samples[start : start + (len(samples) - start) // hop * hop]
    if len(tail) < 15 * hop:
        return len(samples)
    energy = np.square(tail).reshape(-1, hop).mean(axis=1)
    smooth = np.convolve(energy, np.ones(15) / 15, mode="valid")
    return start + (len(smooth) - 1 - int(np.argmin(smooth[::-1])) + 7) * hop


def windows(path: Path, seconds: float) -> Iterator[tuple[float, np.ndarray]]:
    """Stream ``path`` as 16 kHz mono and yield ``(offset, samples)`` windows of about ``seconds``.

    A file that ends before the length it announces is refused at its end, as mastering refuses it.
    """
    info = probe(path)
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
        raise AudioError(
            _("{path}: the recording contains no audio samples").format(path=path), _("export the recording again")
        )
    if buffered:
        yield offset / SAMPLE_RATE, np.concatenate(pending)
    check_complete(info, (offset + buffered) / SAMPLE_RATE)


def mask(samples: np.ndarray, offset: float, regions: Regions) -> np.ndarray:
    """Silence everything outside ``regions`` (seconds on the recording's timeline)."""
    keep = np.zeros(len(samples), dtype=bool)
    for start, end in regions:
        a = max(0, int((start - offset) * SAMPLE_RATE))
        b = min(len(samples), int((end - offset) * SAMPLE_RATE))
        if b > a:
            keep[a:b] = True
    return np.where(keep, samples, np.float32(0))


@dataclass(frozen=True)
class Speech:
    """Parts of a signal glued together (as faster-whisper decodes VAD speech) and the way back to its timeline.

    ``clips`` are the spans of ``audio`` the batched decoder turns into one clip each (faster-whisper's
    own ``collect_chunks``: runs of parts summing to at most the clip length).
    """

    audio: np.ndarray
    clips: Regions
    timeline: Any  # faster_whisper.vad.SpeechTimestampsMap
    offset: float = 0.0  # where the signal starts on the timeline words are restored to

    def original(self, seconds: float, part: int | None = None) -> float:
        """A time on ``audio`` on the signal's timeline (``part``: the glued part it is in, if known)."""
        return self.offset + float(self.timeline.get_original_time(seconds, part))

    def restore(self, words: list[Word]) -> list[Word]:
        """``words`` timed on ``audio`` moved onto the signal's timeline (both ends by the part of the middle)."""
        moved = []
        for w in words:
            part = self.timeline.get_chunk_index((w.start + w.end) / 2)
            moved.append(dataclasses.replace(w, start=self.original(w.start, part), end=self.original(w.end, part)))
        return moved


def glue(samples: np.ndarray, parts: Regions, clip: float = float("inf"), offset: float = 0.0) -> Speech:
    """The ``parts`` of ``samples`` (seconds, in order, not overlapping) glued together, in clips of ``clip`` s.

    ``samples`` start at ``offset`` seconds on the timeline words are restored to.
    """
    from faster_whisper.vad import SpeechTimestampsMap, collect_chunks

    chunks = [{"start": round(a * SAMPLE_RATE), "end": round(b * SAMPLE_RATE)} for a, b in parts]
    audio, metadata = collect_chunks(samples, chunks, sampling_rate=SAMPLE_RATE, max_duration=clip)
    clips = [(m["offset"], m["offset"] + m["duration"]) for m in metadata if m["duration"] > 0]
    return Speech(np.concatenate(audio), clips, SpeechTimestampsMap(chunks, SAMPLE_RATE), offset)


def _segment_words(segment: Any, stats: RecognitionStats, clock: Callable[[float], float]) -> list[Word]:
    """The words of a decoded segment, unless the segment is a stock phrase (logged at ``clock(start)``)."""
    words = [Word(w.word.strip(), w.start, w.end, float(w.probability)) for w in segment.words or [] if w.word.strip()]
    if words and guards.is_stock_phrase(segment.text):
        stats.remove("stock phrase", words, clock(segment.start))
        return []
    return words


def _sequential(
    model: LoadedModel,
    speech: Speech,
    options: dict[str, Any],
    stats: RecognitionStats,
    progress: Callable[[float], None] | None = None,
    keep: tuple[float, float] | None = None,
    clock: Callable[[float], float] = float,
) -> list[Word]:
    """Decode ``speech`` 30 s after 30 s with temperature fallback; text still improbable is kept as doubtful.

    Words come back on the signal's timeline; with ``keep``, only those whose middle lies in that span.
    ``clock`` maps the signal's timeline to the recording's, for the log.
    """
    import ctranslate2

    ctranslate2.set_random_seed(SEED)  # the temperature fallback samples: the same audio gives the same words
    segments, _ = model.whisper.transcribe(speech.audio, **options)
    words: list[Word] = []
    for segment in segments:
        if progress is not None:
            progress(speech.original(segment.end))
        found = speech.restore(_segment_words(segment, stats, lambda t: clock(speech.original(t))))
        if keep is not None:
            found = [w for w in found if keep[0] <= (w.start + w.end) / 2 <= keep[1]]
        if found and guards.improbable(segment):
            log.debug(
                "doubtful at %.1f s (avg log prob %.2f): %s", clock(found[0].start), segment.avg_logprob, segment.text
            )
            found = guards.doubtful(found)
            stats.doubtful += len(found)
        words += found
    return words


def gaps(words: list[Word], start: float, end: float) -> Regions:
    """The spans of ``start``..``end`` longer than ``MAX_GAP`` that no word of ``words`` covers."""
    found, cursor = [], start
    for word in sorted(words, key=lambda w: w.start):
        if word.start - cursor > guards.MAX_GAP:
            found.append((cursor, word.start))
        cursor = max(cursor, word.end)
    if end - cursor > guards.MAX_GAP:
        found.append((cursor, end))
    return found


def _batched(
    model: LoadedModel,
    speech: Speech,
    options: dict[str, Any],
    stats: RecognitionStats,
    progress: Callable[[float], None] | None,
) -> list[Word]:
    """Decode the clips of ``speech`` in batches; what the batched decoder skipped is decoded again, sequentially.

    The batched decoder gets one try per clip (no temperature fallback) and sometimes ends a
    clip's text after its first sentence or starts it late. Every gap of a clip's speech without
    words, and the whole of a clip that loops or is improbable, is decoded again on its own by
    the sequential decoder, which moves on by timestamps (with ``EDGE`` seconds of the word
    before it, which is then left out). Words come back on the signal's timeline.

    ``progress`` never runs ahead of speech still to decode: while the batched pass reads on, it stays at
    the first clip that must be decoded again, and it moves while the clips are decoded again, after the
    batched pass.
    """
    from faster_whisper import BatchedInferencePipeline

    batched = BatchedInferencePipeline(model.whisper)
    clips = [{"start": a, "end": b} for a, b in speech.clips]
    segments, _ = batched.transcribe(speech.audio, clip_timestamps=clips, batch_size=model.batch_size, **options)
    per_clip: list[list[Any]] = [[] for _ in speech.clips]
    starts = [a for a, _ in speech.clips]
    checked, frontier = 0, None  # clips before ``checked`` are read; the first of them to decode again
    for segment in segments:
        index = max(0, bisect.bisect_right(starts, segment.start + 0.01) - 1)
        per_clip[index].append(segment)
        for done in range(checked, index - 1):  # a segment may still come for the clip before this one
            if frontier is None and _clip_words(per_clip[done], speech.clips[done], speech)[1]:
                frontier = starts[done]
        checked = max(checked, index - 1)
        if progress is not None:
            progress(speech.original(starts[index - 1 if index else 0] if frontier is None else frontier))
    words: list[Word] = []
    for clip, found in zip(speech.clips, per_clip):
        heard, spans = _clip_words(found, clip, speech, stats)
        words += heard
        words += _decode_again(model, speech, options, stats, progress, clip, spans)
    return speech.restore(sorted(words, key=lambda w: w.start))


def _until(progress: Callable[[float], None], speech: Speech, end: float) -> Callable[[float], None]:
    """``progress`` for a decode of part of ``speech``: its times on the signal's timeline, at most ``end``."""
    return lambda seconds: progress(speech.original(min(seconds, end)))


def _clip_words(
    found: list[Any], clip: tuple[float, float], speech: Speech, stats: RecognitionStats | None = None
) -> tuple[list[Word], list[tuple[str, float, float]]]:
    """The words the batched pass ``found`` in one clip, and the spans of it to decode again (with why);
    ``stats`` counts the words (leave it out for a look only)."""
    start, end = clip
    heard = [w for segment in found for w in _segment_words(segment, stats or RecognitionStats(), speech.original)]
    if any(guards.improbable(s) for s in found) or guards.has_loop(heard):
        return [], [("failed", start, end)]
    return heard, [("stopped early" if b == end else "skipped", a, b) for a, b in gaps(heard, start, end)]


def _decode_again(
    model: LoadedModel,
    speech: Speech,
    options: dict[str, Any],
    stats: RecognitionStats,
    progress: Callable[[float], None] | None,
    clip: tuple[float, float],
    spans: list[tuple[str, float, float]],
) -> list[Word]:
    """The words of ``spans`` of one clip, decoded again on their own by the sequential decoder."""
    words = []
    for reason, a, b in spans:
        log.debug("decoding %.1f s of speech at %.1f s again (%s)", b - a, speech.original(a), reason)
        stats.redecoded[reason] += 1
        again = glue(speech.audio, [(max(clip[0], a - EDGE), b)])
        moved = None if progress is None else _until(progress, speech, b)
        words += _sequential(model, again, options, stats, moved, keep=(a, b), clock=speech.original)
    if progress is not None:
        progress(speech.original(clip[1]))
    return words


def _decode(
    model: LoadedModel,
    samples: np.ndarray,
    offset: float,
    options: dict[str, Any],
    stats: RecognitionStats,
    progress: Callable[[float], None] | None,
    final: bool,
) -> tuple[list[Word], int]:
    """The words of a window starting at ``offset`` seconds and how many of its samples were decoded.

    Unless ``final``, the window's last clip (which usually holds less speech than a full clip)
    is left for the next window, which starts with it: the clips are then those that decoding
    the whole recording in one piece would give, and no window ends in the middle of a clip.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(**BATCH_VAD, max_speech_duration_s=CLIP)
    parts = get_speech_timestamps(samples, vad) if np.any(samples) else []
    if not parts:
        return [], len(samples)
    speech = glue(samples, [(p["start"] / SAMPLE_RATE, p["end"] / SAMPLE_RATE) for p in parts], CLIP, offset)
    used = len(samples)
    if not final and len(speech.clips) > 1:
        last = speech.clips[-1][0]
        used = round((speech.original(last) - offset) * SAMPLE_RATE)
        speech = dataclasses.replace(speech, audio=speech.audio[: round(last * SAMPLE_RATE)], clips=speech.clips[:-1])
    if model.batch_size:
        return _batched(model, speech, options, stats, progress), used
    return _sequential(model, speech, options, stats, progress), used


def transcribe_audio(
    path: Path,
    model: LoadedModel,
    settings: TranscriptionSettings,
    *,
    language: str,
    prompt: str | None = None,
    regions: Regions | None = None,
    progress: Callable[[float], None] | None = None,
) -> Recognition:
    """Recognise the words of ``path`` (only inside ``regions`` if given); progress in audio seconds."""
    options: dict[str, Any] = dict(
        guards.DECODE_OPTIONS,
        language=language,
        beam_size=settings.beam_size,
        word_timestamps=True,
        initial_prompt=prompt or None,
        vad_filter=False,
        no_speech_threshold=None,
    )  # VAD and no-speech test: ours
    words: list[Word] = []
    stats = RecognitionStats()
    offset, pending = 0.0, np.zeros(0, np.float32)  # the part of the last window not decoded yet
    stream = windows(path, settings.window)
    window = next(stream, None)
    while window is not None:
        start, samples = window
        if regions is not None:
            samples = mask(samples, start, regions)
        window = next(stream, None)
        samples = np.concatenate([pending, samples])
        found, used = _decode(model, samples, offset, options, stats, progress, final=window is None)
        words += found
        offset, pending = offset + used / SAMPLE_RATE, samples[used:]
        if progress is not None:
            progress(offset)
    return Recognition(guards.remove_loops(words, stats=stats), stats)
