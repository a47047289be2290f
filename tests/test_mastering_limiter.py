"""The true-peak limiter and the speech leveller on synthetic signals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from audiokit.mastering.leveller import level_gains, speech_activity, trim_bounds
from audiokit.mastering.limiter import StreamLimiter, limiter_gains
from audiokit.mastering.loudness import Grid, LoudnessMeter

GRID = Grid.for_rate(48000)


def _limit(signal: np.ndarray, ceiling: float, block: int) -> np.ndarray:
    limiter = StreamLimiter(GRID, signal.shape[1], ceiling)
    parts = [limiter.push(signal[i : i + block]) for i in range(0, len(signal), block)]
    return np.concatenate(parts + [limiter.flush()])


def _true_peak(signal: np.ndarray) -> float:
    meter = LoudnessMeter(48000, signal.shape[1])
    meter.add(signal)
    return meter.result().true_peak


@pytest.fixture(scope="module")
def peaky() -> np.ndarray:
    rng = np.random.default_rng(7)
    signal = (rng.standard_normal((48000 * 5 + 311, 2)) * 0.1).astype(np.float32)
    signal[30_000:30_400] *= 12  # a burst 10 dB over full scale
    signal[150_000, 0] = 2.5  # and a single sample
    signal[200_000:200_002] = [[0.9, -0.9], [0.9, -0.9]]  # two equal samples: the peak is between them
    return signal


def test_limited_true_peak_stays_under_the_ceiling(peaky):
    assert _true_peak(peaky) > 6
    out = _limit(peaky, -1.0, 48000)
    assert out.shape == peaky.shape
    assert _true_peak(out) <= -1.0 + 1e-3


def test_limiter_output_does_not_depend_on_block_size(peaky):
    assert np.array_equal(_limit(peaky, -1.0, 48000), _limit(peaky, -1.0, 7777))


def test_quiet_signal_passes_unchanged(peaky):
    quiet = peaky * np.float32(0.05)  # well under -1 dBTP
    assert np.array_equal(_limit(quiet, -1.0, 10_000), quiet)


def test_gain_curve_never_exceeds_a_requirement_or_its_neighbours():
    rng = np.random.default_rng(11)
    required = np.minimum(0.0, rng.normal(0, 4, 2000))
    curve = limiter_gains(required, radius=4)
    for shift in (-1, 0, 1):
        assert np.all(np.roll(curve, shift)[1:-1] <= required[1:-1] + 1e-9)


def _energies(levels_db: list[tuple[float, float]], noise_db: float = -70.0) -> np.ndarray:
    """Segment energies of a sequence of (seconds, level dB) parts, with noise at ``noise_db``."""
    parts = [np.full(round(seconds / GRID.seconds), level) for seconds, level in levels_db]
    level = np.concatenate(parts)
    rng = np.random.default_rng(2)
    level = np.maximum(level + rng.normal(0, 2, len(level)), noise_db)
    return 10 ** (level / 10) * GRID.segment


def test_leveller_brings_a_quiet_speaker_up_without_lifting_pauses():
    pause = (1.0, -70.0)
    energies = _energies([pause, (4, -20), pause, (4, -30), pause, (4, -20), pause, (4, -30), pause])
    gains = level_gains(energies, GRID)
    active = speech_activity(energies, GRID)
    turns = np.split(np.arange(len(energies)), np.cumsum([100, 400, 100, 400, 100, 400, 100, 400])[:-1])
    loud, quiet = np.mean(gains[turns[1][50:-50]]), np.mean(gains[turns[3][50:-50]])
    assert quiet - loud == pytest.approx(10.0, abs=1.5)
    pauses = np.concatenate([turns[i][30:-30] for i in (0, 2, 4, 6)])
    assert gains[pauses].max() <= 0.0 + 1e-9
    assert not active[pauses].any() and active[turns[3][20:-20]].all()


def test_leveller_takes_digital_silence_without_a_numerical_warning():
    energies = _energies([(2, -20), (2, -20), (2, -30)])
    energies[len(energies) // 3 : 2 * len(energies) // 3] = 0.0  # digital silence between two speakers
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "invalid value encountered in log10" would fail here
        gains = level_gains(energies, GRID)
    assert np.isfinite(gains).all()


def test_trim_keeps_speech_and_a_little_room():
    active = np.zeros(1000, dtype=bool)
    active[300:700] = True
    first, last = trim_bounds(active, GRID, lead=0.5, tail=0.8)
    assert (first, last) == (250, 780)
    assert trim_bounds(np.zeros(10, dtype=bool), GRID) == (0, 10)
