"""Codec calibration: a lossy codec changes loudness (MP3 at 128 kbit/s can take 0.4 LU off speech)
and adds its own peaks. Before the real encode, a few seconds of the planned master are encoded
and measured, so the single full-length encode lands on target instead of needing a second one."""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .encode import Encoder, Format
from .limiter import StreamLimiter
from .loudness import Grid, LoudnessMeter

log = logging.getLogger("audiokit")

SAMPLE_POSITIONS = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)
SAMPLES_USED = 4
SAMPLE_SECONDS = 5.0


@dataclass
class Samples:
    """Short pieces of the source kept during the analysis pass: (first frame, audio)."""

    rate: int
    channels: int
    duration: float  # expected seconds
    pieces: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def add(self, block: np.ndarray, pos: int) -> None:
        """Keep up to SAMPLE_SECONDS of ``block`` (whose first frame is ``pos``) from each of SAMPLE_POSITIONS
        that falls into it."""
        length, last = round(SAMPLE_SECONDS * self.rate), max(0.0, self.duration - SAMPLE_SECONDS) * self.rate
        for start in sorted({round(p * last) for p in SAMPLE_POSITIONS}):
            if pos <= start < pos + len(block):
                self.pieces.append((start, np.array(block[start - pos : start - pos + length, : self.channels])))


@dataclass
class Calibration:
    loudness_loss: float  # LU the codec takes off
    overshoot: float  # dB the codec adds to the true peak


@contextlib.contextmanager
def calibration_encoder(
    fmt: Format, rate: int, channels: int, *, bitrate: int | None, dual_mono: bool
) -> Iterator[Encoder]:
    """The encoder for ``calibrate``, into a temporary file; open it early, so that ffmpeg starts up
    while the recording is still being analysed."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"calibration{fmt.suffix}"
        with Encoder(path, fmt, rate, channels, bitrate=bitrate, dual_mono=dual_mono) as encoder:
            yield encoder


def calibrate(pieces: list[np.ndarray], grid: Grid, ceiling: float, encoder: Encoder) -> Calibration:
    """Limit ``pieces`` (already gained), encode them with ``encoder`` (from ``calibration_encoder``)
    and compare them before and after the codec."""
    limiter = StreamLimiter(grid, encoder.channels, ceiling)
    pcm = np.concatenate([limiter.push(p) for p in pieces] + [limiter.flush()])
    before = LoudnessMeter(grid.rate, encoder.channels, dual_mono=encoder.dual_mono)
    before.add(pcm)
    encoder.write(pcm)
    after = encoder.finish()
    ref = before.result()
    ref_peak, peak = ref.true_peak, after.true_peak  # None only from a meter told not to measure it
    if ref_peak is None or peak is None or not (math.isfinite(ref.integrated) and math.isfinite(after.integrated)):
        return Calibration(0.0, 0.0)
    loss, overshoot = ref.integrated - after.integrated, max(0.0, peak - ref_peak)
    log.debug(
        "codec calibration on %.1f s: %.2f LU lost, %.2f dB peak overshoot", len(pcm) / grid.rate, loss, overshoot
    )
    return Calibration(loss, overshoot)
