"""A normal master is encoded once: the codec calibration predicts the MP3's loudness and peak shift
well enough that the first encode meets -16 LUFS ±0.5 LU and -1 dBTP, by the project's meter and by
ffmpeg's ebur128 alike; and the rumble filter ffmpeg applies while decoding is the Butterworth filter
the meter plans with."""

from __future__ import annotations

import json
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from audiokit.mastering import MasteringSettings, master_file, measure
from audiokit.mastering.master import FileSource
from helpers_mastering import ffmpeg_loudness

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench_mastering import make_recording  # noqa: E402


@pytest.fixture(scope="module")
def drifting(tmp_path_factory):
    """Two minutes of the benchmark's recording: German dialogue, a quiet guest, level drift, room noise."""
    return make_recording(tmp_path_factory.mktemp("rec") / "drift.wav", 2.0, seed=3)


@pytest.mark.parametrize("preset, target, bitrate", [("podcast", -16.0, None), ("podcast-mono", -19.0, 64)])
def test_normal_master_is_encoded_once_and_on_target(drifting, tmp_path, preset, target, bitrate):
    settings = MasteringSettings.from_preset(preset, bitrate=bitrate)
    result = master_file(drifting, tmp_path / "folge.mp3", settings)
    assert result.stats["encodes"] == 1 and result.stats["kept_encode"] == 1
    assert json.loads(json.dumps(result.manifest()))["loudness"]["encodes"] == 1  # as master.json records it
    ours = measure(result.path, dual_mono=settings.dual_mono)
    theirs, their_peak = ffmpeg_loudness(result.path)  # ebur128 measures mono as mono, as podcast-mono does
    for value in (ours.integrated, theirs):
        assert value == pytest.approx(target, abs=0.5)
    assert ours.true_peak <= -1.0 and their_peak <= -1.0


def test_rumble_filter_in_the_decoder_is_the_butterworth_high_pass(drifting):
    with wave.open(str(drifting)) as wav:
        raw = np.frombuffer(wav.readframes(48000 * 5), "<i2").reshape(-1, 2).astype(np.float32) / 32768
    source = FileSource(drifting, 48000, 2, 120.0)
    filtered = next(source.blocks(80.0))[: len(raw)]
    expected = sosfilt(butter(2, 80.0, "highpass", fs=48000, output="sos"), raw, axis=0)
    assert np.abs(filtered - expected).max() < 1e-5
    assert np.abs(filtered - raw).max() > 1e-3  # it did filter
