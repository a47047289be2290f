"""Acceptance: synthesised German interviews (3 voices, one 10 dB quieter, light noise) with real Whisper words."""

from __future__ import annotations

import numpy as np
import pytest

import helpers_speakers as h
from audiokit.speakers import label_words, track_activity
from audiokit.workspace import load_show

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def whisper():
    return h.whisper_model()


@pytest.fixture(scope="module")
def single(tmp_path_factory, whisper):
    """A one-file interview, the host enrolled; Whisper's words on it."""
    folder, turns = h.make_show(tmp_path_factory.mktemp("single") / "show")
    return folder, turns, h.transcribe_words(whisper, episode_in(folder).recording)


@pytest.fixture(scope="module")
def multi(tmp_path_factory, whisper):
    """One track per speaker with -20 dB bleed; each track gated by track_activity, then transcribed."""
    folder, turns = h.make_show(tmp_path_factory.mktemp("multi") / "show", multitrack=True)
    episode = episode_in(folder)
    activity = track_activity(episode.audio_inputs)
    words, tracks = [], []
    for index, (path, regions) in enumerate(zip(episode.audio_inputs, activity)):
        gated = h.gate(path, regions, folder / f"gated-{index}.wav")
        found = h.transcribe_words(whisper, gated)
        words += found
        tracks += [index] * len(found)
    order = np.argsort([w.start for w in words], kind="stable")
    return episode, turns, activity, [words[i] for i in order], [tracks[i] for i in order]


def episode_in(folder):
    """A fresh Episode object (tests may change it)."""
    return load_show(folder.parent).episodes()[0]


def names_of(result) -> list[str]:
    by_id = {s.id: s.name for s in result.speakers}
    return [by_id[label] for label in result.labels]


def test_single_track_names_come_from_episode_toml(single):
    folder, turns, words = single
    episode = episode_in(folder)
    assert len(words) > 80
    result = label_words(episode, words)
    score = h.accuracy(words, turns, names_of(result))
    print(f"\nsingle track: {score:.1%} of {len(words)} words carry the right name")
    assert score >= 0.90, f"{score:.1%} of words carry the right name"
    sources = {s.name: s.source for s in result.speakers}
    assert sources == {h.HOST.name: "voice-sample", h.GUEST_A.name: "introduction", h.GUEST_B.name: "introduction"}
    assert {s.name: s.organisation for s in result.speakers}[h.GUEST_A.name] == h.GUEST_A.organisation
    assert all(0 < s.confidence <= 1 for s in result.speakers)
    assert (episode.show.dir / ".audiokit" / "voices.json").is_file()


def test_single_track_without_voice_sample_names_the_host_by_order(single):
    folder, turns, words = single
    episode = episode_in(folder)
    for speaker in episode.speakers:
        speaker.voice_sample = None
    episode.speaker_count = 3  # exact count: same clustering, other code path
    result = label_words(episode, words)
    assert h.accuracy(words, turns, names_of(result)) >= 0.90
    assert {s.name: s.source for s in result.speakers}[h.HOST.name] == "order"


def test_unknown_voices_stay_unresolved(single):
    folder, turns, words = single
    episode = episode_in(folder)
    for speaker, name in zip(episode.speakers, ["Ulrike Neumann", "Doris Kranz", "Jonas Pfeil"]):
        speaker.name, speaker.voice_sample, speaker.role = name, None, "guest"
    result = label_words(episode, words)
    assert [s.name for s in result.speakers] == ["Sprecher 1", "Sprecher 2", "Sprecher 3"]
    assert {s.source for s in result.speakers} == {"unresolved"}
    # the clusters still separate the voices: map each to its majority speaker
    truth = h.truth(words, turns)
    for speaker in result.speakers:
        mine = [t for t, label in zip(truth, result.labels) if label == speaker.id]
        assert max(mine.count(k) for k in set(mine)) / len(mine) >= 0.9


def test_multitrack_with_bleed(multi):
    episode, turns, activity, words, tracks = multi
    result = label_words(episode, words, word_tracks=tracks)
    score = h.accuracy(words, turns, names_of(result))
    print(f"\nmultitrack: {score:.1%} of {len(words)} words carry the right name")
    assert score >= 0.98, f"{score:.1%} of words carry the right name"
    assert {s.source for s in result.speakers} == {"track"}
    assert all(s.confidence == 1.0 for s in result.speakers)
