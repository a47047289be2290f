"""Who speaks when: cluster window embeddings, then give every word a speaker (turns change between words).

Clustering is Ward agglomerative clustering of the unit-length embeddings (scipy) followed by
spherical k-means, with the speaker count either exact or bounded above (near-identical
clusters merged, tiny ones dissolved). Re-segmentation is a Viterbi pass over the words:
each word scores every cluster by the windows that cover it, and a change of speaker costs
little across a pause and much inside continuous speech, so boundaries fall between words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..transcript import Word
from .embeddings import SpeechEmbeddings

SAME_VOICE = 0.86  # centroids this similar are one voice (unless the count is exact)
MAX_LINKAGE = 1500  # windows clustered directly; the rest join their nearest centroid (bounded memory)
MIN_CLUSTER_SECONDS = 5.0  # smaller clusters are noise unless the count is exact
SHARPNESS = 12.0  # log-likelihood per unit of cosine similarity
CHANGE_IN_SPEECH = 6.0  # cost of a speaker change between two words of one speech region
CHANGE_AT_PAUSE = 0.5  # … and across a pause


@dataclass
class Clusters:
    """Cluster index of every window and the unit-length centroid of every cluster."""

    labels: np.ndarray
    centroids: np.ndarray


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _centroids(vectors: np.ndarray, weights: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return _normalise(np.stack([(weights[labels == c, None] * vectors[labels == c]).sum(0) for c in range(k)]))


def _kmeans(vectors: np.ndarray, weights: np.ndarray, centroids: np.ndarray, rounds: int = 5) -> np.ndarray:
    """Spherical k-means from ``centroids``; a cluster that loses all its windows keeps its centroid."""
    for _ in range(rounds):
        labels = np.argmax(vectors @ centroids.T, axis=1)
        for c in np.unique(labels):
            centroids[c] = _normalise((weights[labels == c, None] * vectors[labels == c]).sum(0))
    return centroids


def cluster_windows(emb: SpeechEmbeddings, *, max_speakers: int, exact: bool = False) -> Clusters:
    """Cluster the windows into at most ``max_speakers`` voices (exactly that many if ``exact``).

    Ward linkage on the unit vectors is cut at ``max_speakers`` clusters and refined by spherical
    k-means. Unless the count is exact, clusters closer than ``SAME_VOICE`` are then merged and
    clusters with less than ``MIN_CLUSTER_SECONDS`` of speech dissolved, one at a time.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    vectors, weights = emb.vectors, emb.ends - emb.starts
    n = len(vectors)
    if n == 0:  # no speech found: one unknown voice
        return Clusters(np.zeros(0, int), np.zeros((1, vectors.shape[1]), np.float32))
    k = max(1, min(max_speakers, n))
    sample = np.linspace(0, n - 1, min(n, MAX_LINKAGE)).round().astype(int)
    first = np.zeros(len(sample), int)
    if k > 1:
        first = fcluster(linkage(vectors[sample].astype(np.float64), method="ward"), k, "maxclust") - 1
    centroids = _centroids(vectors[sample], weights[sample], first, int(first.max()) + 1)
    centroids = _kmeans(vectors, weights, centroids)
    while not exact and len(centroids) > 1:
        labels = np.argmax(vectors @ centroids.T, axis=1)
        seconds = np.bincount(labels, weights, minlength=len(centroids))
        sims = centroids @ centroids.T - 2 * np.eye(len(centroids))
        a, b = np.unravel_index(np.argmax(sims), sims.shape)
        if seconds.min() < MIN_CLUSTER_SECONDS:
            drop = int(np.argmin(seconds))
        elif sims[a, b] >= SAME_VOICE:
            drop = int(b)
            centroids[a] = _normalise(centroids[a] * seconds[a] + centroids[b] * seconds[b])
        else:
            break
        centroids = _kmeans(vectors, weights, np.delete(centroids, drop, axis=0))
    return Clusters(np.argmax(vectors @ centroids.T, axis=1), centroids)


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
