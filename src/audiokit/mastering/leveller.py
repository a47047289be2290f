"""Adaptive speech levelling: quiet and loud speakers and passages to one speech loudness.

Works offline on the per-segment K-weighted energies of the analysis pass, so it can look ahead:
speech is found by level against the recording's own noise floor, grouped into phrases (speech
between pauses), and each moment gets the gain that brings the speech loudness around it (within
its phrase) to the reference. All pauses get one common gain, never a boost, so room noise is not
pumped up after a quiet speaker; the gain changes happen in the pauses, just around the phrases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .loudness import _OFFSET, ABSOLUTE_GATE, Grid, to_db
from .windows import moving


@dataclass(frozen=True)
class LevellerOptions:
    """Time constants (seconds) and limits (dB) of the leveller."""

    window: float = 1.5  # speech loudness is averaged this far either side, within the phrase
    pause: float = 0.35  # a silence this long ends a phrase
    ramp: float = 0.1  # the phrase gain starts this long before the phrase
    max_boost: float = 15.0
    max_cut: float = 10.0


def _segments(seconds: float, grid: Grid) -> int:
    return max(1, round(seconds / grid.seconds))


def _close(mask: np.ndarray, size: int) -> np.ndarray:
    """Fill gaps shorter than ``size`` segments."""
    return moving("min", moving("max", mask.astype(np.uint8), size), size).astype(bool) | mask


def dilate(mask: np.ndarray, before: int, after: int) -> np.ndarray:
    """Grow every True run by ``before`` segments earlier and ``after`` segments later."""
    return moving("max", mask.astype(np.uint8), before + after + 1, origin=(after - before) // 2, cval=0).astype(bool)


def open_runs(mask: np.ndarray, size: int) -> np.ndarray:
    """Drop runs shorter than ``size`` segments."""
    return moving("max", moving("min", mask.astype(np.uint8), size), size).astype(bool) & mask


def short_loudness(energies: np.ndarray, grid: Grid, seconds: float) -> np.ndarray:
    """Loudness (LUFS scale) of a centred window of ``seconds`` around every segment."""
    size = _segments(seconds, grid)
    # the filter's running sum leaves tiny negative values beside digital silence: clamp them to 0
    mean = np.maximum(moving("mean", energies.astype(np.float64), size, cval=0.0), 0.0) / grid.segment
    return _OFFSET + to_db(mean, power=True)


def speech_activity(energies: np.ndarray, grid: Grid) -> np.ndarray:
    """Segments that carry speech: well above the recording's noise floor and within 20 dB of its
    loud passages (so a quiet speaker counts, room noise does not)."""
    level = short_loudness(energies, grid, 0.2)
    finite = level[np.isfinite(level)]
    if finite.size == 0:
        return np.zeros(len(energies), dtype=bool)
    floor, loud = np.percentile(finite, [10, 95])
    threshold = max(min(floor + 10, loud - 20), floor + 4, ABSOLUTE_GATE)
    return open_runs(_close(level > threshold, _segments(0.25, grid)), _segments(0.1, grid))


def speech_loudness(energies: np.ndarray, active: np.ndarray, grid: Grid) -> float:
    """Energy-mean loudness of the active segments."""
    count = int(active.sum())
    if not count:
        return -np.inf
    return float(_OFFSET + to_db(energies[active].sum() / (count * grid.segment), power=True))


def _phrases(active: np.ndarray, grid: Grid, options: LevellerOptions) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: start and end (exclusive) of its phrase, padded by the ramp into the pauses; else -1."""
    pad = _segments(options.ramp, grid)
    mask = dilate(_close(active, _segments(options.pause, grid)), pad, pad)
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    first, last = np.full((2, len(active)), -1)
    for a, b in zip(starts, ends, strict=True):
        first[a:b], last[a:b] = a, b
    return first, last


def level_gains(
    energies: np.ndarray,
    grid: Grid,
    *,
    active: np.ndarray | None = None,
    reference: float | None = None,
    options: LevellerOptions = LevellerOptions(),
) -> np.ndarray:
    """Gain in dB per segment that brings every phrase's speech loudness to ``reference``
    (default: the speech loudness of the whole recording)."""
    n = len(energies)
    active = speech_activity(energies, grid) if active is None else active
    if n == 0 or not active.any():
        return np.zeros(n)
    reference = speech_loudness(energies, active, grid) if reference is None else reference
    first, last = _phrases(active, grid, options)
    inside = first >= 0
    window = _segments(options.window, grid)
    index = np.arange(n)
    lo = np.where(inside, np.maximum(index - window, first), 0)
    hi = np.where(inside, np.minimum(index + window + 1, last), 0)
    speech = np.concatenate([[0.0], np.cumsum(np.where(active, energies, 0.0))])
    count = np.concatenate([[0], np.cumsum(active)])
    with np.errstate(divide="ignore", invalid="ignore"):
        local = _OFFSET + to_db((speech[hi] - speech[lo]) / ((count[hi] - count[lo]) * grid.segment), power=True)
    known = inside & np.isfinite(local)
    gains = np.full(n, np.nan)
    gains[known] = np.clip(reference - local[known], -options.max_cut, options.max_boost)
    # every pause gets the same gain, low among the speech gains and never a boost: room noise
    # stays even from pause to pause instead of following the speaker before it
    pause = min(0.0, float(np.percentile(gains[known], 10))) if known.any() else 0.0
    return moving("mean", np.where(known, gains, pause), _segments(0.05, grid))


def trim_bounds(active: np.ndarray, grid: Grid, lead: float = 0.5, tail: float = 0.8) -> tuple[int, int]:
    """First and last segment (exclusive) to keep: speech plus ``lead``/``tail`` seconds of room."""
    where = np.flatnonzero(active)
    if where.size == 0:
        return 0, len(active)
    return max(0, where[0] - _segments(lead, grid)), min(len(active), where[-1] + 1 + _segments(tail, grid))
