"""Multitrack: one file per speaker with bleed between the microphones, gated and mixed down."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import solve_toeplitz
from scipy.signal import lfilter

from audiokit.errors import AudioError
from audiokit.mastering import MasteringSettings, master_tracks, measure
from helpers_mastering import decode, make_dialogue, turn_loudness, warnings_to, write_pcm
from synth import with_bleed

DELAY = 0.012  # seconds the other speakers take to reach a microphone across the room


@pytest.fixture(scope="module")
def dialogue():
    return make_dialogue()


def _write_tracks(folder, tracks):
    return [write_pcm(folder / f"{name}.wav", audio) for name, audio in tracks.items()]


def _delayed_bleed(tracks, bleed_db=-20.0):
    shift = round(DELAY * 48000)
    delayed = {n: np.concatenate([np.zeros(shift, np.float32), t[:-shift]]) for n, t in tracks.items()}
    total = sum(delayed.values())
    return {n: t + np.float32(10 ** (bleed_db / 20)) * (total - delayed[n]) for n, t in tracks.items()}


def _doubling_db(mixed, rate, offset, tracks, turns):
    """Level (dB) of a delayed copy of each speaker in the mix, relative to the speaker itself.

    Both the dry track and the mix are whitened with the dry track's LPC filter first, so that
    speech's own correlation over DELAY does not blur the direct and the delayed copy together.
    """
    shift = round(DELAY * rate)
    worst = -np.inf
    for turn in turns:
        a, b = round(turn.start * rate), round(turn.end * rate)
        dry = tracks[turn.speaker][a:b].astype(np.float64)
        out = mixed[a + round(offset * rate) : b + round(offset * rate), 0].astype(np.float64)
        corr = np.correlate(dry, dry[: len(dry) - 32], "valid")[:33]
        whiten = np.concatenate([[1.0], -solve_toeplitz(corr[:32], corr[1:33])])
        dry_w, out_w = lfilter(whiten, 1.0, dry), lfilter(whiten, 1.0, out)
        regressors = np.stack([dry_w[shift:], dry_w[:-shift]], axis=1)
        (direct, echo), *_ = np.linalg.lstsq(regressors, out_w[shift:], rcond=None)
        worst = max(worst, 20 * np.log10(abs(echo) / abs(direct)))
    return worst


def test_bleed_is_gated_so_nothing_doubles(dialogue, tmp_path):
    tracks, turns = dialogue
    bleeding = _delayed_bleed(tracks)
    naive = sum(bleeding.values())[:, None]
    assert _doubling_db(naive, 48000, 0.0, tracks, turns) > -20  # two copies at -20 dB: the test sees them
    settings = MasteringSettings.from_preset("podcast", format="flac")
    result = master_tracks(_write_tracks(tmp_path, bleeding), tmp_path / "mix.flac", settings)
    mixed, rate = decode(result.path)
    assert _doubling_db(mixed, rate, result.offset, tracks, turns) < -30


def test_multitrack_master_meets_loudness_peak_and_levelling(dialogue, tmp_path):
    tracks, turns = dialogue
    result = master_tracks(
        _write_tracks(tmp_path, with_bleed(tracks, -20.0)),
        tmp_path / "mix.mp3",
        MasteringSettings.from_preset("podcast"),
    )
    measured = measure(result.path)
    assert measured.integrated == pytest.approx(-16.0, abs=0.5)
    assert measured.true_peak <= -1.0
    samples, rate = decode(result.path)
    per_turn = turn_loudness(samples, rate, turns, result.offset)
    assert max(per_turn.values()) - min(per_turn.values()) <= 3.0


def test_tracks_of_different_length_are_padded(dialogue, tmp_path, caplog):
    tracks, _ = dialogue
    cut = dict(tracks)
    cut["gast"] = cut["gast"][: -3 * 48000]  # this one stopped recording 3 s early
    paths = _write_tracks(tmp_path, cut)
    with warnings_to(caplog):
        result = master_tracks(paths, tmp_path / "mix.flac", MasteringSettings.from_preset("podcast", format="flac"))
    assert "gast.wav is 3.0 s shorter" in caplog.text
    longest = len(tracks["moderatorin"]) / 48000
    trimmed = result.stats["trim"]["start"] + result.stats["trim"]["end"]
    assert result.duration == pytest.approx(longest - trimmed, abs=0.02)


def test_one_track_is_not_multitrack(dialogue, tmp_path):
    tracks, _ = dialogue
    with pytest.raises(AudioError, match="at least two tracks"):
        master_tracks(
            _write_tracks(tmp_path, {"a": tracks["gast"]}), tmp_path / "x.mp3", MasteringSettings.from_preset("podcast")
        )
