"""Voice embeddings of the speech in a recording: 1.6 s windows inside VAD regions, streamed.

The encoder is Resemblyzer's GE2E, exported to ONNX and run with onnxruntime. Its input features
match Resemblyzer's preprocessing: 16 kHz audio, 25 ms Hann window, 10 ms hop, power spectrum
(librosa's centred STFT). The 40-band mel projection, the 3-layer LSTM, the projection and the L2
norm live in the ONNX graph (``assets/voice_encoder.onnx``, made by ``scripts/export_voice_encoder.py``),
so no PyTorch or librosa is needed at run time.

One pass over the file decodes 16 kHz mono blocks, scores them with Silero VAD and computes the
spectrogram; every closed speech region is cut into windows (``hop`` apart, never across a
pause) whose level is normalised to Resemblyzer's -30 dBFS before they are embedded. Only clear
speech (Silero's usual 0.5) is embedded; where speech is, for the turns, is found by a second,
fainter threshold (``FAINT_ON``): on far-field meeting audio Silero scores a third of the
speech below 0.5 (frame recall 0.66 at 0.5, about 0.79 at 0.15, where 2 % of the silence is taken
for speech; diarization error on the AMI meetings of ``benchmarks/bench_diarization.py`` 58 % -> 48 %;
at 0.1 the false alarms on read speech double). Windows of fainter speech (from 0.3) lower the
meetings' confusion (9.1 % -> 7.4 %) but split single readers into two or three voices. Memory is
bounded by one block plus the longest open region (regions are split every 30 s).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..ffmpeg import Progress, probe, stream_pcm
from ..i18n import _
from .vad import RegionTracker, SpeechFrames

RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s, the length Resemblyzer embeds
TARGET_DBFS = -30.0  # Resemblyzer normalises utterances to this level
MODEL_FILE = "assets/voice_encoder.onnx"
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)  # periodic Hann
BLOCK_SECONDS = 32.0  # a multiple of the VAD frame
BATCH = 32
FRAMES_PER_SECOND = RATE / HOP
_WINDOW_POWER = N_FFT * float(np.sum(_WINDOW**2))  # Parseval: full-spectrum power per unit mean square
FAINT_ON, FAINT_OFF = 0.15, 0.08  # Silero scores that still count as speech for the turns


def power_frames(samples: np.ndarray) -> np.ndarray:
    """Power spectra (frames, 201) of every full 400-sample frame of ``samples``, 160 samples apart."""
    if len(samples) < N_FFT:
        return np.zeros((0, N_FFT // 2 + 1), np.float32)
    frames = np.lib.stride_tricks.sliding_window_view(samples, N_FFT)[::HOP]
    spectrum = np.fft.rfft(frames * _WINDOW, axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def spectrogram(wav: np.ndarray) -> np.ndarray:
    """Centred power spectrogram of a whole clip, frame ``t`` centred on sample ``160 t`` (librosa's)."""
    pad = np.zeros(N_FFT // 2, np.float32)
    return power_frames(np.concatenate([pad, np.asarray(wav, np.float32), pad]))


class SpectrogramStream:
    """The same centred spectrogram computed block by block, keeping only the tail of an unfinished frame."""

    def __init__(self) -> None:
        self.tail = np.zeros(N_FFT // 2, np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        """Spectra of the frames completed by ``block`` (a 1-D float32 array)."""
        data = np.concatenate([self.tail, block])
        spectra = power_frames(data)
        self.tail = data[len(spectra) * HOP :]
        return spectra

    def close(self) -> np.ndarray:
        """Spectra of the last frames (the end is zero-padded like librosa's)."""
        return self.push(np.zeros(N_FFT // 2, np.float32))


def level_gain(mean_square: float) -> float:
    """Power gain that brings audio of ``mean_square`` (full scale 1.0) to Resemblyzer's -30 dBFS."""
    if mean_square <= 1e-12:
        return 1.0
    return float(10 ** (TARGET_DBFS / 10) / mean_square)


class VoiceEncoder:
    """Spectra in, 256-dim L2-normalised voice embeddings out; onnxruntime on at most ``threads`` threads."""

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            model = resources.files("audiokit").joinpath(MODEL_FILE).read_bytes()
            self.session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except (OSError, RuntimeError, ValueError) as exc:  # onnxruntime raises its own RuntimeError subclasses
            raise ModelError(
                _("the speaker encoder model cannot be loaded ({exc})").format(exc=exc),
                _("reinstall audiokit; the file audiokit/assets/voice_encoder.onnx is part of it"),
            ) from exc

    def embed(self, spectra: np.ndarray) -> np.ndarray:
        """Embeddings (batch, 256) of ``spectra`` (batch, frames, 201), all of one length."""
        if len(spectra) == 0:
            return np.zeros((0, 256), np.float32)
        (out,) = self.session.run(None, {"spectrogram": np.ascontiguousarray(spectra, np.float32)})
        return out


@functools.lru_cache(maxsize=1)
def default_encoder() -> VoiceEncoder:
    """One shared encoder per process (loading takes a moment)."""
    return VoiceEncoder()


@dataclass
class SpeechEmbeddings:
    """Speech regions of a recording and the embedding of every window inside them."""

    regions: list[tuple[float, float]]  # clear speech, cut into windows
    starts: np.ndarray  # seconds
    ends: np.ndarray
    vectors: np.ndarray  # (windows, 256), L2-normalised
    faint: list[tuple[float, float]] = field(default_factory=list)  # all speech, faint included

    def voice(self) -> np.ndarray | None:
        """One embedding for the whole recording (duration-weighted mean), or None without speech."""
        if not len(self.vectors):
            return None
        mean = ((self.ends - self.starts)[:, None] * self.vectors).sum(axis=0)
        return mean / np.linalg.norm(mean)


def frame_power(spectra: np.ndarray) -> np.ndarray:
    """Mean square (full scale 1.0) of the audio behind each power-spectrum frame."""
    full = spectra[:, 0] + 2 * spectra[:, 1:-1].sum(axis=1) + spectra[:, -1]
    return full / _WINDOW_POWER


class _Windows:
    """Cuts closed regions into windows over a rolling spectrogram buffer and embeds them in batches."""

    def __init__(self, encoder: VoiceEncoder, hop: float, min_window: float) -> None:
        self.encoder = encoder
        self.hop = max(1, round(hop * FRAMES_PER_SECOND))
        self.min_frames = max(1, round(min_window * FRAMES_PER_SECOND))
        self.spectra = np.zeros((0, N_FFT // 2 + 1), np.float32)
        self.power = np.zeros(0, np.float32)
        self.first = 0  # frame index of self.spectra[0]
        self.spans: list[tuple[int, int]] = []
        self.vectors: list[np.ndarray] = []
        self.batch: list[np.ndarray] = []

    @property
    def available(self) -> int:
        return self.first + len(self.spectra)

    def add_frames(self, spectra: np.ndarray) -> None:
        self.spectra = np.concatenate([self.spectra, spectra])
        self.power = np.concatenate([self.power, frame_power(spectra)])

    def forget_before(self, seconds: float) -> None:
        drop = min(len(self.spectra), max(0, int(seconds * FRAMES_PER_SECOND) - self.first))
        self.spectra, self.power = self.spectra[drop:], self.power[drop:]
        self.first += drop

    def cut(self, region: tuple[float, float]) -> None:
        a = max(self.first, round(region[0] * FRAMES_PER_SECOND))
        b = min(self.available, round(region[1] * FRAMES_PER_SECOND))
        size = b - a
        if size >= PARTIAL_FRAMES:
            starts = list(range(a, b - PARTIAL_FRAMES + 1, self.hop))
            if b - PARTIAL_FRAMES - starts[-1] > self.hop // 2:
                starts.append(b - PARTIAL_FRAMES)
            for start in starts:
                self.batch.append(self._window(start, PARTIAL_FRAMES))
                self.spans.append((start, start + PARTIAL_FRAMES))
            if len(self.batch) >= BATCH:
                self.flush()
        elif size >= self.min_frames:
            self.flush()  # keep vectors in the order of their spans
            self.vectors.append(self.encoder.embed(self._window(a, size)[None])[0])
            self.spans.append((a, b))

    def _window(self, start: int, size: int) -> np.ndarray:
        i = start - self.first
        gain = level_gain(float(self.power[i : i + size].mean()))
        return self.spectra[i : i + size] * np.float32(gain)

    def flush(self) -> None:
        if self.batch:
            self.vectors.extend(self.encoder.embed(np.stack(self.batch)))
            self.batch = []


def embed_speech(
    path: Path,
    *,
    hop: float = 0.8,
    min_window: float = 0.4,
    max_seconds: float | None = None,
    encoder: VoiceEncoder | None = None,
    progress: Progress | None = None,
) -> SpeechEmbeddings:
    """Find the speech in ``path`` and embed it in windows of 1.6 s (shorter regions: one window).

    ``max_seconds`` stops reading after the block (32 s) that reaches it.
    """
    probe(path)  # clear errors for missing, empty or corrupt files before any work
    windows = _Windows(encoder or default_encoder(), hop, min_window)
    stream, vad, tracker = SpectrogramStream(), SpeechFrames(), RegionTracker()
    faint_tracker = RegionTracker(on=FAINT_ON, off=FAINT_OFF)
    regions: list[tuple[float, float]] = []
    faint: list[tuple[float, float]] = []
    waiting: list[tuple[float, float]] = []
    seconds = 0.0
    blocks = stream_pcm(path, sample_rate=RATE, channels=1, block_seconds=BLOCK_SECONDS)
    for block in blocks:
        samples = block[:, 0]
        windows.add_frames(stream.push(samples))
        scores = vad.push(samples)[0]
        waiting += tracker.push(scores)
        faint += faint_tracker.push(scores)
        ready = [r for r in waiting if r[1] * FRAMES_PER_SECOND <= windows.available]
        waiting = [r for r in waiting if r not in ready]
        for region in ready:
            windows.cut(region)
        regions += ready
        windows.forget_before(min([tracker.pending] + [r[0] for r in waiting]))
        seconds += len(samples) / RATE
        if progress is not None:
            progress(seconds)
        if max_seconds is not None and seconds >= max_seconds:
            blocks.close()  # stops ffmpeg
            break
    else:
        windows.add_frames(stream.close())
        scores = vad.close()[0]
        waiting += tracker.push(scores)
        faint += faint_tracker.push(scores)
    for region in waiting + tracker.close():
        windows.cut(region)
        regions.append(region)
    windows.flush()
    spans = np.array(windows.spans, dtype=np.float64).reshape(-1, 2) / FRAMES_PER_SECOND
    vectors = np.array(windows.vectors, np.float32).reshape(-1, 256)
    return SpeechEmbeddings(regions, spans[:, 0], spans[:, 1], vectors, faint + faint_tracker.close())
