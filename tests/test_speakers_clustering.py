"""Speech regions, clustering with an exact or bounded speaker count, and word-level re-segmentation."""

from __future__ import annotations

import numpy as np

from audiokit.speakers.clustering import cluster_windows
from audiokit.speakers.diarize import resegment
from audiokit.speakers.embeddings import SpeechEmbeddings
from audiokit.speakers.vad import RegionTracker
from audiokit.transcript import Word


def test_region_tracker_hysteresis_and_limits():
    tracker = RegionTracker(0.1, on=0.5, off=0.3, min_silence=0.3, min_speech=0.3, max_speech=100)
    scores = np.array([0, 0.6, 0.4, 0.4, 0.2, 0.2, 0.9, 0.9, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0])
    regions = tracker.push(scores[:7]) + tracker.push(scores[7:]) + tracker.close()
    # 0.4 stays speech (above "off"), a 0.2 s dip is bridged, the 0.1 s blip at 1.1 s is too short
    assert np.allclose(regions, [(0.1, 0.8)])
    long = RegionTracker(0.1, max_speech=1.0)
    pieces = long.push(np.ones(25)) + long.close()
    assert np.allclose(pieces, [(0.0, 1.0), (1.0, 2.0), (2.0, 2.5)])
    assert long.pending == 2.5


def voices(seed: int = 0, spread: float = 0.35):
    """Windows of three synthetic voices, in turns; returns embeddings and the true voice per window."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 256))
    turns = [0, 1, 0, 2, 1, 2, 0]
    truth, vectors, starts, regions = [], [], [], []
    t = 0.0
    for voice in turns:  # a turn: one speech region of six windows 0.8 s apart, then a 1 s pause
        regions.append((t, t + 5 * 0.8 + 1.6))
        for _ in range(6):
            v = centres[voice] + spread * rng.normal(size=256) * np.linalg.norm(centres[voice]) / 16
            vectors.append(v / np.linalg.norm(v))
            truth.append(voice)
            starts.append(t)
            t += 0.8
        t += 1.6 - 0.8 + 1.0
    starts = np.array(starts)
    emb = SpeechEmbeddings(regions, starts, starts + 1.6, np.array(vectors, np.float32))
    return emb, np.array(truth)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return all(len(set(a[b == x])) == 1 for x in set(b)) and len(set(a)) == len(set(b))


def test_upper_bound_finds_the_true_count():
    emb, truth = voices()
    clusters = cluster_windows(emb, max_speakers=5)
    assert len(clusters.centroids) == 3
    assert same_partition(clusters.labels, truth)


def test_exact_count_is_kept():
    emb, truth = voices()
    assert len(cluster_windows(emb, count=2).centroids) == 2
    four = cluster_windows(emb, count=4)
    assert len(four.centroids) == 4


def test_one_speaker_and_no_speech():
    emb, _ = voices()
    assert len(cluster_windows(emb, max_speakers=1).centroids) == 1
    empty = SpeechEmbeddings([], np.zeros(0), np.zeros(0), np.zeros((0, 256), np.float32))
    clusters = cluster_windows(empty, max_speakers=3)
    assert len(clusters.centroids) == 1
    assert resegment([Word("Hallo", 0.0, 0.5)], empty, clusters).tolist() == [0]


def test_resegment_puts_turn_changes_between_words():
    emb, truth = voices()
    clusters = cluster_windows(emb, count=3)
    window_voice = clusters.labels
    words, expected = [], []
    for start, end in emb.regions:  # words of 0.3 s throughout each region
        inside = (emb.starts >= start - 1e-9) & (emb.ends <= end + 1e-9)
        voice = np.bincount(window_voice[inside]).argmax()
        for t in np.arange(start, end - 0.3, 0.35):
            words.append(Word("wort", float(t), float(t) + 0.3))
            expected.append(voice)
    # one window in the middle of the second turn sounds like someone else: smoothing keeps the turn
    vectors = emb.vectors.copy()
    vectors[9] = clusters.centroids[(window_voice[9] + 1) % 3]
    noisy = SpeechEmbeddings(emb.regions, emb.starts, emb.ends, vectors)
    assert resegment(words, noisy, clusters).tolist() == expected


def test_few_windows_never_break_the_clustering():
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 5):
        vectors = rng.normal(size=(n, 256)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        emb = SpeechEmbeddings([(0.0, n * 0.8 + 0.8)], np.arange(n) * 0.8, np.arange(n) * 0.8 + 1.6, vectors)
        assert len(cluster_windows(emb).centroids) <= n
        assert len(cluster_windows(emb, count=3).centroids) == min(3, n)
