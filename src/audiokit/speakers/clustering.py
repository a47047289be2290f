"""How many voices, and which window is whose: spectral clustering of the window embeddings.

The count comes from Google's ``spectralcluster`` (auto-tuned spectral clustering, the speaker
count from the largest eigen-gap; Park et al. 2019, Xia et al. 2022), checked by three rules
measured on real voices (``benchmarks/bench_diarization.py``), because the eigen-gap alone
misjudges a lone voice and, now and then, a codec-blurred round:

* **one voice**: when two clusters come out nearly alike (``NEAR_VOICE``), the recording is split
  in two halves; halves as alike as one person's windows are (centroids >= ``ONE_VOICE_SPLIT``,
  windows close to their half) are one voice;
* **too few**: a cluster whose windows sit far from their centroid (< ``MIXED``) holds several
  voices; finer splits are tried until every cluster is cohesive, as long as no two become one voice;
* **too many**: clusters whose centroids are closer than ``SAME_VOICE`` are one voice (different
  people measured up to 0.88 on 80 real readers; one person split in halves, 0.85-0.98).

A given count is kept exactly. Cost stays flat with length: an even sample of ``MAX_SPECTRAL``
windows is grouped by agglomerative clustering into ``SPECTRAL_SIZE`` groups whose centroids the
spectral step clusters (spectralcluster's multi-stage mode, Wang et al. 2022); every window then
joins its nearest centroid by spherical k-means.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embeddings import SpeechEmbeddings

MAX_SPEAKERS = 10  # the most voices estimated when no count is given
MAX_SPECTRAL = 1000  # windows sampled for the clustering
SPECTRAL_SIZE = 80  # … first grouped into this many by agglomerative clustering (spectralcluster multi-stage)
SAME_VOICE = 0.88  # centroids at least this similar are one voice
NEAR_VOICE = 0.85  # clusters this similar may be one voice split: check with two halves
ONE_VOICE_SPLIT = 0.80  # two halves of one voice: centroids at least this similar …
ONE_VOICE_COHESION = 0.80  # … and windows this close to their half
MIXED = 0.82  # mean similarity of a cluster's windows to its centroid below which it holds several voices …
COHESIVE = 0.84  # … and which every cluster of a finer split must reach


@dataclass
class Clusters:
    """Cluster index of every window and the unit-length centroid of every cluster."""

    labels: np.ndarray
    centroids: np.ndarray


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _spectral(vectors: np.ndarray, low: int, high: int) -> np.ndarray:
    """spectralcluster's Turn-to-Diarize set-up (auto-tuned percentile, graph-cut Laplacian), ``low``..``high`` clusters."""
    import spectralcluster as sc

    refinement = sc.RefinementOptions(
        thresholding_soft_multiplier=0.01,
        thresholding_type=sc.ThresholdType.Percentile,
        thresholding_with_binarization=True,
        thresholding_preserve_diagonal=True,
        symmetrize_type=sc.SymmetrizeType.Average,
        refinement_sequence=[sc.RefinementName.RowWiseThreshold, sc.RefinementName.Symmetrize],
    )
    clusterer = sc.SpectralClusterer(
        min_clusters=low,
        max_clusters=high,
        refinement_options=refinement,
        autotune=sc.AutoTune(p_percentile_min=0.40, p_percentile_max=0.95, init_search_step=0.05, search_level=1),
        laplacian_type=sc.LaplacianType.GraphCut,
        row_wise_renorm=True,
        custom_dist="cosine",
        max_spectral_size=SPECTRAL_SIZE if len(vectors) > SPECTRAL_SIZE else None,
    )
    if len(vectors) <= low:  # as many windows as voices asked for: one each (autotune needs more)
        return np.arange(len(vectors))
    with np.errstate(divide="ignore", invalid="ignore"):  # autotune divides by a zero eigen-gap on flat data
        labels = clusterer.predict(vectors.astype(np.float64))
    return np.unique(labels, return_inverse=True)[1]


@dataclass
class _Partition:
    """Labels of the sampled windows with their centroids, cohesion and closest pair of centroids."""

    labels: np.ndarray
    centroids: np.ndarray
    cohesion: np.ndarray  # per cluster: mean similarity of its windows to its centroid
    closest: float  # highest similarity between two centroids (-1 for one cluster)

    @classmethod
    def of(cls, vectors: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> _Partition:
        k = int(labels.max()) + 1
        centroids = _normalise(np.stack([(weights[labels == c, None] * vectors[labels == c]).sum(0) for c in range(k)]))
        own = np.einsum("ij,ij->i", vectors, centroids[labels])
        cohesion = np.bincount(labels, own, minlength=k) / np.maximum(np.bincount(labels, minlength=k), 1)
        closest = float((centroids @ centroids.T - 2 * np.eye(k)).max()) if k > 1 else -1.0
        return cls(labels, centroids, cohesion, closest)

    @property
    def k(self) -> int:
        return len(self.centroids)


def _estimate(vectors: np.ndarray, weights: np.ndarray, most: int) -> _Partition:
    """The partition with the estimated number of voices (see the module docstring)."""
    one = _Partition.of(vectors, weights, np.zeros(len(vectors), int))
    if most < 2 or len(vectors) < 4:
        return one
    best = _Partition.of(vectors, weights, _spectral(vectors, 2, most))
    if best.closest >= NEAR_VOICE:  # one voice split in two?
        halves = _Partition.of(vectors, weights, _spectral(vectors, 2, 2))
        if halves.k < 2 or (halves.closest >= ONE_VOICE_SPLIT and halves.cohesion.min() >= ONE_VOICE_COHESION):
            return one
    if best.cohesion.min() < MIXED:
        for k in range(best.k + 1, most + 1):
            more = _Partition.of(vectors, weights, _spectral(vectors, k, k))
            if more.closest >= SAME_VOICE:
                break
            if more.cohesion.min() >= COHESIVE:
                best = more
                break
    while best.k > 1 and best.closest >= SAME_VOICE:
        sims = best.centroids @ best.centroids.T - 2 * np.eye(best.k)
        a, b = sorted(np.unravel_index(int(np.argmax(sims)), sims.shape))
        merged = np.where(best.labels == b, a, best.labels)
        best = _Partition.of(vectors, weights, np.unique(merged, return_inverse=True)[1])
    return best


def cluster_windows(emb: SpeechEmbeddings, *, count: int | None = None, max_speakers: int = MAX_SPEAKERS) -> Clusters:
    """Cluster the windows into ``count`` voices, or into as many as are heard (1..``max_speakers``)."""
    vectors, weights = emb.vectors, emb.ends - emb.starts
    n = len(vectors)
    if n == 0:  # no speech found: one unknown voice
        return Clusters(np.zeros(0, int), np.zeros((1, vectors.shape[1]), np.float32))
    sample = np.linspace(0, n - 1, min(n, MAX_SPECTRAL)).round().astype(int)
    if count is not None:
        k = max(1, min(count, len(sample)))
        labels = _spectral(vectors[sample], k, k) if k > 1 else np.zeros(len(sample), int)
        partition = _Partition.of(vectors[sample], weights[sample], labels)
    else:
        partition = _estimate(vectors[sample], weights[sample], max_speakers)
    centroids = partition.centroids.astype(np.float32)
    for _ in range(5):  # spherical k-means; a cluster that loses all its windows keeps its centroid
        labels = np.argmax(vectors @ centroids.T, axis=1)
        for c in np.unique(labels):
            centroids[c] = _normalise((weights[labels == c, None] * vectors[labels == c]).sum(0))
    return Clusters(np.argmax(vectors @ centroids.T, axis=1), centroids)
