"""Named episodes: the listed people are the expected count and their voice samples anchor the clusters."""

from __future__ import annotations

import numpy as np
import pytest

import rounds as r
from audiokit.speakers import label_words
from audiokit.workspace import load_episode, load_show

pytestmark = pytest.mark.skipif(not r.conv.VOICES.is_dir(), reason="../shared/data/voices is not there")


def episode_of(folder):
    return load_episode(load_show(folder.parent), folder)


def test_a_12_minute_round_of_six_gets_every_name(tmp_path):
    """Six espeak-ng voices, some as alike as real people (centroids up to 0.86), a voice sample of the host only."""
    panel = r.PANEL
    turns = r.german_round(tmp_path / "runde.wav", panel, 12, seed=3)
    host = r.voice_sample(tmp_path / "host.wav", panel[0])
    listed = [
        r.Listed(g.name, g.organisation, "host" if i == 0 else "guest", host if i == 0 else None)
        for i, g in enumerate(panel)
    ]
    episode = episode_of(r.write_episode(tmp_path / "show", tmp_path / "runde.wav", listed))
    words = r.spread_words(turns)
    result = label_words(episode, words)
    names = {s.id: s.name for s in result.speakers}
    name_of = {g.key: g.name for g in panel}
    truth = [name_of[t.speaker] for t in turns for _ in t.text.split()]
    assert result.missing == []
    assert np.mean([names[label] == want for label, want in zip(result.labels, truth)]) >= 0.99


@pytest.mark.parametrize("voices", ["readers", "german"])
def test_real_voices_with_samples_through_opus_are_all_heard(tmp_path, voices):
    """Six real voices with a voice sample each: LibriSpeech readers, or FLEURS and Thorsten-Voice German."""
    if voices == "german" and not r.GERMAN.is_dir():
        pytest.skip(f"{r.GERMAN} is not there")
    named = r.named_conversation(6, seed=2) if voices == "readers" else r.german_conversation(seed=1)
    conversation = named.conversation
    recording = conversation.write(tmp_path / "runde.opus", opus_kbps=24)
    samples = named.write_samples(tmp_path / "samples")
    listed = [r.Listed(f"Person {k}", "Netz", "guest", samples[k]) for k in conversation.speakers]
    episode = episode_of(r.write_episode(tmp_path / "show", recording, listed))
    words, truth = r.speech_words(conversation)
    result = label_words(episode, words)
    names = {s.id: s.name for s in result.speakers}
    assert result.missing == []
    assert np.mean([names[label] == f"Person {k}" for label, k in zip(result.labels, truth)]) >= 0.95
