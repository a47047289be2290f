"""Who speaks each word: a Viterbi pass over the words, scored against the voice clusters.

Each word scores every cluster by the windows that cover it, and a change of speaker costs
little across a pause and much inside continuous speech, so turn changes fall between words.
"""

from __future__ import annotations

import numpy as np

from ..transcript import Word
from .clustering import Clusters
from .embeddings import SpeechEmbeddings

SHARPNESS = 12.0  # log-likelihood per unit of cosine similarity
CHANGE_IN_SPEECH = 6.0  # cost of a speaker change between two words of one speech region
CHANGE_AT_PAUSE = 0.5  # … and across a pause


def word_scores(words: list[Word], emb: SpeechEmbeddings, centroids: np.ndarray) -> np.ndarray:
    """Similarity of each word's audio to each centroid: windows weighted by their overlap with the word.

    A word that no window covers borrows the nearest window within a second; else it scores 0.
    """
    sims = emb.vectors @ centroids.T
    scores = np.zeros((len(words), len(centroids)), np.float32)
    order = np.argsort(emb.starts)
    starts, ends, sims = emb.starts[order], emb.ends[order], sims[order]
    longest = float((ends - starts).max()) if len(starts) else 0.0
    for i, word in enumerate(words):
        lo = np.searchsorted(starts, word.start - longest)
        hi = np.searchsorted(starts, word.end, side="right")
        overlap = np.minimum(ends[lo:hi], word.end) - np.maximum(starts[lo:hi], word.start)
        if (overlap > 0).any():
            w = np.clip(overlap, 0, None)
            scores[i] = (w[:, None] * sims[lo:hi]).sum(0) / w.sum()
            continue
        mid = (word.start + word.end) / 2
        distance = np.maximum(starts - mid, mid - ends)
        if len(distance) and distance.min() <= 1.0:
            scores[i] = sims[int(np.argmin(distance))]
    return scores


def region_index(words: list[Word], regions: list[tuple[float, float]]) -> np.ndarray:
    """Index of the speech region that holds each word's midpoint (nearest region if none does)."""
    if not regions:
        return np.zeros(len(words), int)
    bounds = np.array(sorted(regions))
    mids = np.array([(w.start + w.end) / 2 for w in words])
    after = np.clip(np.searchsorted(bounds[:, 0], mids, side="right") - 1, 0, len(bounds) - 1)
    before = np.clip(after + 1, 0, len(bounds) - 1)
    gap_after = np.maximum(mids - bounds[after, 1], 0)
    gap_before = np.maximum(bounds[before, 0] - mids, 0)
    return np.where(gap_before < gap_after, before, after)


def resegment(words: list[Word], emb: SpeechEmbeddings, clusters: Clusters) -> np.ndarray:
    """Cluster index of every word (Viterbi over the words; see the module docstring)."""
    k = len(clusters.centroids)
    if not words or k <= 1:
        return np.zeros(len(words), int)
    emission = SHARPNESS * word_scores(words, emb, clusters.centroids)
    region = region_index(words, emb.regions)
    switch = 1.0 - np.eye(k)
    back = np.zeros((len(words), k), int)
    score = emission[0].copy()
    for i in range(1, len(words)):
        change = CHANGE_AT_PAUSE if region[i] != region[i - 1] else CHANGE_IN_SPEECH
        total = score[:, None] - change * switch  # from (row) -> to (column)
        back[i] = np.argmax(total, axis=0)
        score = total[back[i], np.arange(k)] + emission[i]
    path = np.zeros(len(words), int)
    path[-1] = int(np.argmax(score))
    for i in range(len(words) - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path
