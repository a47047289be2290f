"""Moving minimum, maximum and mean over the segment grid, placed and edged exactly as
scipy.ndimage's ``*_filter1d`` do, computed by bottleneck: its import costs a tenth of scipy's,
and a master should take little longer than its encode."""

from __future__ import annotations

import bottleneck as bn
import numpy as np

_MOVE = {"min": bn.move_min, "max": bn.move_max, "mean": bn.move_mean}


def moving(
    kind: str, values: np.ndarray, size: int, *, axis: int = -1, origin: int = 0, cval: float | None = None
) -> np.ndarray:
    """``kind`` ("min", "max" or "mean") of every window of ``size`` values centred on each value
    (shifted by ``origin`` as in scipy) along ``axis``; beyond the ends the end values repeat, or
    ``cval`` if given."""
    values = np.asarray(values)
    if not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float32)  # bottleneck's paths for other types are a hundred times slower
    axis %= values.ndim
    before = size // 2 + origin
    pad = [(0, 0)] * values.ndim
    pad[axis] = (before, size - 1 - before)
    padded = np.pad(values, pad, mode="edge") if cval is None else np.pad(values, pad, constant_values=cval)
    out = _MOVE[kind](padded, size, axis=axis)
    keep = [slice(None)] * values.ndim
    keep[axis] = slice(size - 1, size - 1 + values.shape[axis])
    return out[tuple(keep)]
