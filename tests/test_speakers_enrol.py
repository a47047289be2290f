"""Voice samples are embedded once per show and reused while the sample file is unchanged."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import helpers_speakers as h
from audiokit.errors import AudioError
from audiokit.speakers import enrol
from audiokit.workspace import load_show
from synth import speak, write_wav


@pytest.fixture
def show(tmp_path):
    folder, _ = h.make_show(tmp_path / "show", people=[h.HOST], turns=h.TURNS[:1])
    return load_show(folder.parent)


def test_sample_is_embedded_once_and_cached(show, monkeypatch):
    sample = show.hosts[0].voice_sample
    first = enrol.voice_of(show, sample)
    cache = json.loads((show.dir / ".audiokit" / "voices.json").read_text())
    assert list(cache["voices"]) == ["voices/host.wav"]
    assert cache["model"] == enrol.model_id()

    def fail(*args, **kwargs):
        raise AssertionError("embedded again although the sample is unchanged")

    monkeypatch.setattr(enrol, "embed_speech", fail)
    np.testing.assert_allclose(enrol.voice_of(show, sample), first, atol=1e-6)
    episode = show.episodes()[0]
    assert list(enrol.enrolled_voices(episode)) == [0]  # the episode's host inherits the sample


def test_changed_sample_or_model_is_embedded_again(show, monkeypatch):
    sample = show.hosts[0].voice_sample
    first = enrol.voice_of(show, sample)
    write_wav(sample, speak("Ein ganz anderer Satz, gesprochen von einer anderen Stimme.", h.GUEST_B.voice))
    os.utime(sample, ns=(1, 1))
    second = enrol.voice_of(show, sample)
    assert float(first @ second) < 0.85
    monkeypatch.setattr(enrol, "model_id", lambda: "another-model")
    calls = []
    real = enrol.embed_speech
    monkeypatch.setattr(enrol, "embed_speech", lambda *a, **k: calls.append(a) or real(*a, **k))
    np.testing.assert_allclose(enrol.voice_of(show, sample), second, atol=1e-6)
    assert len(calls) == 1


def test_silent_sample_is_an_error(show):
    sample = show.hosts[0].voice_sample
    write_wav(sample, np.zeros(22050 * 3, np.float32))
    with pytest.raises(AudioError, match="voice sample contains no speech"):
        enrol.voice_of(show, sample)
