"""BS.1770-4 / EBU Tech 3341-3342 conformance of the streaming meter."""

from __future__ import annotations

import numpy as np
import pytest

from audiokit.mastering.loudness import LoudnessMeter, measure
from helpers_mastering import ffmpeg_loudness, sine, write_pcm


@pytest.mark.parametrize("dbfs", [-23.0, -33.0])
def test_stereo_sine_measures_its_level(tmp_path, dbfs):
    path = write_pcm(tmp_path / "sine.wav", sine(1000, dbfs, 20), codec="pcm_f32le")
    result = measure(path)
    assert result.integrated == pytest.approx(dbfs, abs=0.1)
    assert result.true_peak == pytest.approx(dbfs, abs=0.1)


def test_mono_is_dual_mono_or_mono_as_asked(tmp_path):
    path = write_pcm(tmp_path / "mono.wav", sine(1000, -23.0, 20, channels=1), codec="pcm_f32le")
    assert measure(path, dual_mono=True).integrated == pytest.approx(-23.0, abs=0.1)
    assert measure(path, dual_mono=False).integrated == pytest.approx(-26.0, abs=0.1)


def test_true_peak_finds_the_peak_between_samples():
    # fs/4 at 45 degrees: every sample sits 3 dB below the waveform's real peak
    signal = sine(12000, -6.0, 1, phase=np.pi / 4)
    meter = LoudnessMeter(48000, 2)
    meter.add(signal)
    result = meter.result()
    assert result.sample_peak == pytest.approx(-9.0, abs=0.1)
    assert -6.4 <= result.true_peak <= -5.8  # EBU Tech 3341 tolerance +0.2/-0.4 dB


def test_loudness_range_of_two_levels():
    # EBU Tech 3342 case 1: 20 s at -20 LUFS, then 20 s at -30 LUFS -> LRA 10 LU
    signal = np.concatenate([sine(1000, -20.0, 20), sine(1000, -30.0, 20)])
    meter = LoudnessMeter(48000, 2)
    meter.add(signal)
    assert meter.result().lra == pytest.approx(10.0, abs=1.0)


def test_result_does_not_depend_on_block_size():
    rng = np.random.default_rng(3)
    signal = (rng.standard_normal((48000 * 6 + 77, 2)) * 0.05).astype(np.float32)
    signal[100_000:100_050] *= 15
    results = []
    for size in (48000 * 6 + 77, 4801, 1000):
        meter = LoudnessMeter(48000, 2)
        for start in range(0, len(signal), size):
            meter.add(signal[start : start + size])
        results.append(meter.result())
    assert all(r == pytest.approx(results[0]) for r in results[1:])


def test_agrees_with_ffmpeg_ebur128(tmp_path):
    rng = np.random.default_rng(5)
    bursts = np.repeat(rng.uniform(-40, -10, 30), 44100)[:, None]
    signal = (rng.standard_normal((30 * 44100, 2)) * 10 ** (bursts / 20)).astype(np.float32)
    path = write_pcm(tmp_path / "noise.wav", signal, rate=44100, codec="pcm_f32le")
    integrated, peak = ffmpeg_loudness(path)
    result = measure(path)
    assert result.integrated == pytest.approx(integrated, abs=0.1)
    assert result.true_peak == pytest.approx(peak, abs=0.3)
