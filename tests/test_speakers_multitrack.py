"""track_activity: own speech per track, bleed and room noise gated out, overlaps kept; labels by track."""

from __future__ import annotations

import numpy as np
import pytest

import helpers_speakers as h
from audiokit.errors import AudioError, AudiokitError, ConfigError
from audiokit.speakers import label_words, track_activity
from audiokit.transcript import Word
from audiokit.workspace import load_show
from synth import RATE, Turn, dialogue, speak, with_bleed, write_wav

TURNS = [
    Turn("host", "Wie viele Haushalte haben sich schon gemeldet?"),
    Turn("lena", "Bisher ungefähr vierhundert, also gut ein Drittel."),
    Turn("markus", "Bei uns im Dorf waren es sogar mehr als die Hälfte."),
    Turn("host", "Das ist erstaunlich viel."),
]


def voiced(turns, key) -> list[tuple[float, float]]:
    """The true speech of ``key``: 20 ms frames of its noise-free track above -60 dBFS."""
    quiet, _ = dialogue(TURNS, h.VOICES)  # same timing as the noisy version
    frames = quiet[key][: len(quiet[key]) // 441 * 441].reshape(-1, 441)
    loud = np.sqrt(np.mean(frames**2, axis=1)) > 1e-3
    spans = [(i * 0.02, i * 0.02 + 0.02) for i in np.flatnonzero(loud)]
    assert covered([(t.start, t.end) for t in turns if t.speaker == key], spans) > 0.99
    return spans


def covered(regions, spans) -> float:
    total = sum(e - s for s, e in spans)
    return sum(max(0.0, min(e, b) - max(s, a)) for s, e in spans for a, b in regions) / total if total else 0.0


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tracks")
    clean, turns = dialogue(TURNS, h.VOICES, noise_db=h.NOISE_DB)
    paths = [write_wav(folder / f"{key}.wav", audio) for key, audio in with_bleed(clean, -20.0).items()]
    return paths, clean, turns, track_activity(paths)


def test_each_track_has_its_own_speech_and_no_bleed(recorded):
    paths, clean, turns, activity = recorded
    assert len(activity) == 3
    for key, regions in zip(clean, activity):
        own = voiced(turns, key)
        others = [span for other in clean if other != key for span in voiced(turns, other)]
        assert covered(regions, own) > 0.97, key  # the quiet guest (-10 dB) included
        assert covered(regions, others) < 0.03, key  # -20 dB bleed rejected
        assert all(a < b for a, b in regions) and regions == sorted(regions)


def test_overlap_is_kept_and_silent_tracks_stay_empty(tmp_path):
    host = speak("Wir sollten jetzt über die Kosten sprechen, bevor die Zeit um ist.", h.HOST.voice)
    guest = speak("Genau das wollte ich auch gerade sagen.", h.GUEST_A.voice)  # quiet, talks over the host
    size = len(host) + RATE
    start = int(1.0 * RATE)
    rng = np.random.default_rng(4)
    tracks = {k: rng.normal(0, 10 ** (h.NOISE_DB / 20), size).astype(np.float32) for k in ("host", "lena", "markus")}
    tracks["host"][int(0.5 * RATE) : int(0.5 * RATE) + len(host)] += host
    tracks["lena"][start : start + len(guest)] += guest
    paths = [write_wav(tmp_path / f"{k}.wav", v) for k, v in with_bleed(tracks, -20.0).items()]
    host_regions, guest_regions, silent = track_activity(paths)
    both = (start / RATE + 0.3, (start + len(guest)) / RATE - 0.6)
    assert covered(host_regions, [both]) > 0.95 and covered(guest_regions, [both]) > 0.95
    assert silent == []
    room = [write_wav(tmp_path / f"room{i}.wav", rng.normal(0, 0.003, size).astype(np.float32)) for i in range(2)]
    assert track_activity(room) == [[], []]  # room noise alone is nobody's speech


def test_progress_and_bad_tracks(recorded, tmp_path):
    paths = recorded[0]
    seen = []
    track_activity(paths[:2], progress=seen.append)
    assert seen and seen[-1] >= 10 and seen == sorted(seen)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEfmt garbage")
    with pytest.raises(AudioError, match="broken.wav: not a readable audio file"):
        track_activity([paths[0], broken])
    with pytest.raises(AudioError, match="missing.wav: the audio file does not exist"):
        track_activity([paths[0], tmp_path / "missing.wav"])
    with pytest.raises(AudioError, match="no tracks given — give one audio file per speaker"):
        track_activity([])


def test_words_take_the_name_of_their_track(tmp_path):
    folder, _ = h.make_show(tmp_path / "show", multitrack=True, turns=TURNS)
    episode = load_show(folder.parent).episodes()[0]
    words = [Word("Hallo", 0.5, 0.8), Word("zusammen", 0.8, 1.2), Word("Danke", 2.0, 2.3), Word("ja", 2.1, 2.2)]
    result = label_words(episode, words, word_tracks=[0, 0, 2, 1])
    names = {s.id: s.name for s in result.speakers}
    assert [names[x] for x in result.labels] == [h.HOST.name, h.HOST.name, h.GUEST_B.name, h.GUEST_A.name]
    assert [s.id for s in result.speakers] == ["S1", "S2", "S3"]  # numbered in order of appearance
    assert {(s.source, s.confidence) for s in result.speakers} == {("track", 1.0)}
    with pytest.raises(ConfigError, match="track 3"):
        label_words(episode, words, word_tracks=[0, 0, 3, 1])
    with pytest.raises(AudiokitError, match="word_tracks"):
        label_words(episode, words)
