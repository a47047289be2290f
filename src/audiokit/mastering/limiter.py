"""A look-ahead true-peak limiter working on the segment grid, offline (for planning) and streaming.

Per segment the required gain is ``ceiling - true peak`` (or 0 dB). The gain curve is the minimum of the required gains
within ``radius`` segments, smoothed by a moving average one segment narrower: so the curve at a segment and at both its
neighbours never exceeds that segment's requirement, and the per-sample linear interpolation between segment centres
keeps every sample under the ceiling. Attack and release are each about ``radius`` segments long.
"""

from __future__ import annotations

import numpy as np

from .loudness import TAPS, Grid, integrated_loudness, sample_peaks, segment_true_peaks, to_db
from .windows import moving

RADIUS_SECONDS = 0.04


def radius_for(grid: Grid) -> int:
    """Look-ahead (and release) of the limiter in segments: RADIUS_SECONDS, at least 2."""
    return max(2, round(RADIUS_SECONDS / grid.seconds))


def ramp(curve: np.ndarray, first: int, lo: int, hi: int, segment: int) -> np.ndarray:
    """Per-frame gains for frames ``lo``…``hi``, linear between segment centres, where ``curve[i]``
    is the gain at the centre of segment ``first + i`` (held beyond either end of ``curve``)."""
    k0, k1 = lo // segment, -(-hi // segment)
    g = curve[np.clip(np.arange(k0 - 1, k1 + 1) - first, 0, len(curve) - 1)].astype(np.float32)[:, None]
    u = ((np.arange(segment, dtype=np.float32) + 0.5) / segment - 0.5)[None, :]
    mid = g[1:-1]
    out = mid + u * np.where(u < 0, mid - g[:-2], g[2:] - mid)
    return out.ravel()[lo - k0 * segment : hi - k0 * segment]


def limiter_gains(required_db: np.ndarray, radius: int) -> np.ndarray:
    """Smooth gain curve (dB per segment) that honours ``required_db`` (≤ 0) at every segment."""
    held = moving("min", required_db, 2 * radius + 1, cval=0.0)
    return moving("mean", held, 2 * radius - 1)


def plan_gain(
    energies: np.ndarray, peaks: np.ndarray, level_db: np.ndarray, grid: Grid, *, target: float, ceiling: float
) -> float:
    """The overall gain (dB) that brings the levelled, limited signal to ``target`` LUFS. The limiter is simulated on
    sample peaks: the true-peak limiter of the encode pass differs from it only at a few intersample peaks."""
    peak_db = to_db(peaks.astype(np.float64))
    gain = target - integrated_loudness(energies * 10 ** (level_db / 10), grid)
    for _ in range(6):
        required = np.minimum(0.0, ceiling - (peak_db + level_db + gain))
        limit = limiter_gains(np.nan_to_num(required, nan=0.0, neginf=0.0), radius_for(grid))
        miss = target - integrated_loudness(energies * 10 ** ((level_db + gain + limit) / 10), grid)
        gain += miss
        if abs(miss) < 0.01:
            break
    return gain


class StreamLimiter:
    """Streaming version: ``push`` blocks and get back limited audio (delayed by the look-ahead),
    ``flush`` at the end. Works on 4x-oversampled true peaks."""

    def __init__(self, grid: Grid, channels: int, ceiling_db: float) -> None:
        self.grid, self.ceiling, self.radius = grid, ceiling_db, radius_for(grid)
        self.max_reduction = 0.0
        self._ceiling_lin = 10 ** (ceiling_db / 20)
        self._buf = np.zeros((0, channels), dtype=np.float32)  # audio from segment _emitted on
        self._emitted = 0
        self._required = np.zeros(0)  # requirement (dB) of segments _req_start … _known-1
        self._req_start = 0
        self._known = 0
        self._history = np.zeros((TAPS - 1, channels), dtype=np.float32)

    def push(self, block: np.ndarray) -> np.ndarray:
        self._buf = np.concatenate([self._buf, block]) if len(self._buf) else np.asarray(block, np.float32)
        self._analyse(final=False)
        return self._emit(self._known - 2 * self.radius)

    def flush(self) -> np.ndarray:
        self._analyse(final=True)
        return self._emit(self._known)

    def _analyse(self, final: bool) -> None:
        seg = self.grid.segment
        data = self._buf[(self._known - self._emitted) * seg :]
        if final and len(data) % seg:
            data = np.concatenate([data, np.zeros((seg - len(data) % seg, data.shape[1]), np.float32)])
        data = data[: len(data) // seg * seg]
        if not len(data):
            return
        sample = sample_peaks(data, seg)
        true = segment_true_peaks(self._history, data, sample, seg, self._ceiling_lin)
        self._history = np.array(data[-(TAPS - 1) :])
        required = np.minimum(0.0, self.ceiling - to_db(np.maximum(true, 1e-9).astype(np.float64)))
        self._required = np.concatenate([self._required, required])
        self._known += len(required)

    def _emit(self, upto: int) -> np.ndarray:
        """Apply the gain curve to the buffered segments before ``upto`` and hand them out."""
        if upto <= self._emitted:
            return self._buf[:0]
        seg, reach = self.grid.segment, 2 * self.radius + 1
        lo = max(self._req_start, self._emitted - 1 - reach)
        hi = min(self._known, upto + 1 + reach)
        curve = limiter_gains(self._required[lo - self._req_start : hi - self._req_start], self.radius)
        self.max_reduction = min(self.max_reduction, float(curve[self._emitted - lo : upto - lo].min()))
        frames = min(len(self._buf), (upto - self._emitted) * seg)
        start = self._emitted * seg
        out = self._buf[:frames] * ramp(10 ** (curve / 20), lo, start, start + frames, seg)[:, None]
        self._buf = self._buf[frames:]
        self._emitted = upto
        drop = max(0, upto - 1 - reach - self._req_start)  # requirements no later emit can reach
        self._required = self._required[drop:]
        self._req_start += drop
        return out
