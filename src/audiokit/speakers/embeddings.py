"""Voice embeddings of the speech in a recording: 1.6 s windows inside VAD regions, streamed.

One pass over the file decodes 16 kHz mono blocks, scores them with Silero VAD and computes the
spectrogram; every closed speech region is cut into windows (``hop`` apart, never across a
pause) whose level is normalised to Resemblyzer's -30 dBFS before they are embedded. Memory is
bounded by one block plus the longest open region (regions are split every 30 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..ffmpeg import Progress, probe, stream_pcm
from . import encoder as enc
from .vad import RegionTracker, SpeechFrames

BLOCK_SECONDS = 32.0  # a multiple of the VAD frame
BATCH = 32
FRAMES_PER_SECOND = enc.RATE / enc.HOP
_WINDOW_POWER = enc.N_FFT * float(np.sum(enc._WINDOW**2))  # Parseval: full-spectrum power per unit mean square


@dataclass
class SpeechEmbeddings:
    """Speech regions of a recording and the embedding of every window inside them."""

    regions: list[tuple[float, float]]
    starts: np.ndarray  # seconds
    ends: np.ndarray
    vectors: np.ndarray  # (windows, 256), L2-normalised

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

    def __init__(self, encoder: enc.VoiceEncoder, hop: float, min_window: float) -> None:
        self.encoder = encoder
        self.hop = max(1, round(hop * FRAMES_PER_SECOND))
        self.min_frames = max(1, round(min_window * FRAMES_PER_SECOND))
        self.spectra = np.zeros((0, enc.N_FFT // 2 + 1), np.float32)
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
        if size >= enc.PARTIAL_FRAMES:
            starts = list(range(a, b - enc.PARTIAL_FRAMES + 1, self.hop))
            if b - enc.PARTIAL_FRAMES - starts[-1] > self.hop // 2:
                starts.append(b - enc.PARTIAL_FRAMES)
            for start in starts:
                self.batch.append(self._window(start, enc.PARTIAL_FRAMES))
                self.spans.append((start, start + enc.PARTIAL_FRAMES))
            if len(self.batch) >= BATCH:
                self.flush()
        elif size >= self.min_frames:
            self.flush()  # keep vectors in the order of their spans
            self.vectors.append(self.encoder.embed(self._window(a, size)[None])[0])
            self.spans.append((a, b))

    def _window(self, start: int, size: int) -> np.ndarray:
        i = start - self.first
        gain = enc.level_gain(float(self.power[i : i + size].mean()))
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
    encoder: enc.VoiceEncoder | None = None,
    progress: Progress | None = None,
) -> SpeechEmbeddings:
    """Find the speech in ``path`` and embed it in windows of 1.6 s (shorter regions: one window).

    ``max_seconds`` stops reading after the block (32 s) that reaches it.
    """
    probe(path)  # clear errors for missing, empty or corrupt files before any work
    windows = _Windows(encoder or enc.default_encoder(), hop, min_window)
    stream, vad, tracker = enc.SpectrogramStream(), SpeechFrames(), RegionTracker()
    regions: list[tuple[float, float]] = []
    waiting: list[tuple[float, float]] = []
    seconds = 0.0
    blocks = stream_pcm(path, sample_rate=enc.RATE, channels=1, block_seconds=BLOCK_SECONDS)
    for block in blocks:
        samples = block[:, 0]
        windows.add_frames(stream.push(samples))
        waiting += tracker.push(vad.push(samples)[0])
        ready = [r for r in waiting if r[1] * FRAMES_PER_SECOND <= windows.available]
        waiting = [r for r in waiting if r not in ready]
        for region in ready:
            windows.cut(region)
        regions += ready
        windows.forget_before(min([tracker.pending] + [r[0] for r in waiting]))
        seconds += len(samples) / enc.RATE
        if progress is not None:
            progress(seconds)
        if max_seconds is not None and seconds >= max_seconds:
            blocks.close()  # stops ffmpeg
            break
    else:
        windows.add_frames(stream.close())
        waiting += tracker.push(vad.close()[0])
    for region in waiting + tracker.close():
        windows.cut(region)
        regions.append(region)
    windows.flush()
    spans = np.array(windows.spans, dtype=np.float64).reshape(-1, 2) / FRAMES_PER_SECOND
    vectors = np.array(windows.vectors, np.float32).reshape(-1, 256)
    return SpeechEmbeddings(regions, spans[:, 0], spans[:, 1], vectors)
