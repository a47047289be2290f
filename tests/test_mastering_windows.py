"""The moving-window filters of the mastering chain match scipy.ndimage's, window placement and
edges included, on random data of every shape the chain uses."""

import numpy as np
import pytest
from scipy import ndimage

from audiokit.mastering.windows import moving

SCIPY = {"min": ndimage.minimum_filter1d, "max": ndimage.maximum_filter1d, "mean": ndimage.uniform_filter1d}


@pytest.mark.parametrize("kind", sorted(SCIPY))
@pytest.mark.parametrize("edge", ["nearest", "constant"])
def test_moving_matches_scipy(kind: str, edge: str) -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        size = int(rng.integers(1, 14))
        origin = int(rng.integers(-(size // 2), (size - 1) // 2 + 1))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 60)))
        mask = kind != "mean" and rng.random() < 0.5  # the leveller's masks are uint8
        values = (rng.random(shape) > 0.5).astype(np.uint8) if mask else rng.normal(size=shape).astype(np.float32)
        cval = None if edge == "nearest" else (0 if mask else float(rng.normal()))
        options = {"mode": "nearest"} if cval is None else {"mode": "constant", "cval": cval}
        expected = SCIPY[kind](values, size, axis=1, origin=origin, **options)
        got = moving(kind, values, size, axis=1, origin=origin, cval=cval)
        np.testing.assert_allclose(got, expected.astype(np.float64), atol=1e-5)
