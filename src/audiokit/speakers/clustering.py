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

What the episode knows comes first: ``expected`` (the number of people listed) replaces the
eigen-gap's count as the starting point, so the rules above only move it when the voices say so
(fewer than expected only for centroids >= ``LISTED_SAME``, halves of one voice, not two people);
``anchors`` (enrolled voice samples) each bind the cluster they match (>= ``ANCHOR_MATCH``), or
get a cluster of their own that keeps the windows nearer to them than to any other voice, and
pull their cluster's centroid towards the sample; clusters beyond the expected count that sound
like an enrolled voice (>= ``ANCHOR_MATCH``) are that voice split. A given count is kept exactly.

Cost stays linear in length and no voice is sampled away: the windows are grouped, ``CHUNK`` at
a time in time order, by complete-linkage agglomerative clustering into ``SPECTRAL_SIZE`` groups;
spectral clustering (spectralcluster's multi-stage mode, Wang et al. 2022) partitions the group
centroids, and every window then joins its nearest centroid by spherical k-means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .embeddings import SpeechEmbeddings

MAX_SPEAKERS = 10  # the most voices estimated when no count is given
CHUNK = 1000  # windows grouped at a time …
SPECTRAL_SIZE = 80  # … into this many groups by agglomerative clustering (spectralcluster multi-stage)
SAME_VOICE = 0.88  # centroids at least this similar are one voice
NEAR_VOICE = 0.85  # clusters this similar may be one voice split: check with two halves
ONE_VOICE_SPLIT = 0.80  # two halves of one voice: centroids at least this similar …
ONE_VOICE_COHESION = 0.80  # … and windows this close to their half
MIXED = 0.82  # mean similarity of a cluster's windows to its centroid below which it holds several voices …
COHESIVE = 0.84  # … and which every cluster of a finer split must reach
LISTED_SAME = 0.93  # … and, to go below the expected count, at least this similar
EXTRA_VOICE = 0.75  # a voice beyond the expected count must be less like every other voice than this …
EXTRA_SECONDS = 10.0  # … and hold this much speech
ANCHOR_MATCH = 0.70  # a cluster at least this similar to an enrolled voice is that voice
ANCHOR_SECONDS = 8.0  # an enrolled voice counts as this much speech in its cluster's centroid
ANCHOR_HEARD = 2.0  # seconds of windows a cluster of its own needs to show that an enrolled voice speaks
WARD_CAP = 60.0  # seconds: merging costs grow with the smaller cluster's speech up to this (Ward's criterion)
MIN_SPLIT = 20.0  # seconds of a second voice that make a long turn two


@dataclass
class Clusters:
    """Cluster index of every window, the unit-length centroid of every cluster, and the cluster of each anchor."""

    labels: np.ndarray
    centroids: np.ndarray
    anchors: dict[int, int] = field(default_factory=dict)  # cluster -> key of the enrolled voice bound to it


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
    """Labels of the windows with their centroids, cohesion and closest pair of centroids."""

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


class _Grouped:
    """Windows grouped ``CHUNK`` at a time into at most ``SPECTRAL_SIZE`` groups each; spectral clustering of the groups."""

    def __init__(self, vectors: np.ndarray) -> None:
        from sklearn.cluster import AgglomerativeClustering

        self.group = np.arange(len(vectors))
        if len(vectors) > CHUNK:
            offset = 0
            for a in range(0, len(vectors), CHUNK):
                chunk = vectors[a : a + CHUNK]
                n = min(SPECTRAL_SIZE, len(chunk))
                ahc = AgglomerativeClustering(n_clusters=n, metric="cosine", linkage="complete") if n > 1 else None
                self.group[a : a + CHUNK] = offset + (ahc.fit_predict(chunk) if ahc else 0)
                offset += n
        sums = np.zeros((int(self.group.max()) + 1 if len(vectors) else 0, vectors.shape[1]))
        np.add.at(sums, self.group, vectors)
        self.centroids = _normalise(sums)

    def labels(self, low: int, high: int) -> np.ndarray:
        return np.unique(_spectral(self.centroids, low, high)[self.group], return_inverse=True)[1]


def _merge(partition: _Partition, vectors: np.ndarray, weights: np.ndarray, a: int, b: int) -> _Partition:
    merged = np.where(partition.labels == b, a, partition.labels)
    return _Partition.of(vectors, weights, np.unique(merged, return_inverse=True)[1])


def _closest_pair(partition: _Partition) -> tuple[int, int]:
    sims = partition.centroids @ partition.centroids.T - 2 * np.eye(partition.k)
    a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return int(a), int(b)


def _next_merge(sims: np.ndarray, seconds: np.ndarray) -> tuple[int, int]:
    """The pair of clusters to merge next: the most alike if they are halves of one voice (>= ``LISTED_SAME``), else the
    cheapest by Ward's criterion on the speech they hold (capped at ``WARD_CAP``), so that a few seconds of
    mixed windows join a voice before two similar people who both talk at length become one."""
    if sims.max() >= LISTED_SAME:
        return tuple(int(i) for i in np.unravel_index(int(np.argmax(sims)), sims.shape))  # type: ignore[return-value]
    w = np.minimum(seconds, WARD_CAP)
    cost = np.where(sims > -2.0, np.outer(w, w) / (w[:, None] + w[None, :] + 1e-9) * (1.0 - sims), np.inf)
    return tuple(int(i) for i in np.unravel_index(int(np.argmin(cost)), cost.shape))  # type: ignore[return-value]


def _expected(vectors: np.ndarray, weights: np.ndarray, groups: _Grouped, expected: int) -> _Partition:
    """Over-cluster (spectral, twice the expected count), then merge the most alike centroids down to the count.

    Spectral clustering at the expected count splits one voice before it separates two people of
    whom one speaks little; merging centroids undoes splits first (halves of one voice are more
    alike than two people). Above the count, a group stays an extra voice only if it is unlike
    every other (< ``EXTRA_VOICE``) and holds ``EXTRA_SECONDS``; below it, see ``LISTED_SAME``.
    """
    start = groups.labels(min(2 * expected, len(groups.centroids)), min(2 * expected, len(groups.centroids)))
    start = _kmeans(vectors, weights, _Partition.of(vectors, weights, start).centroids, {})[0]
    start = np.unique(start, return_inverse=True)[1]
    k = int(start.max()) + 1
    sums = np.zeros((k, vectors.shape[1]))
    np.add.at(sums, start, weights[:, None] * vectors)
    seconds = np.bincount(start, weights, minlength=k).astype(float)
    alive = np.ones(k, bool)
    owner = np.arange(k)
    centroids = _normalise(sums)
    sims = centroids @ centroids.T
    np.fill_diagonal(sims, -2.0)
    while alive.sum() > 1:
        a, b = _next_merge(sims, seconds)
        count = int(alive.sum())
        similar = sims[a, b] >= (EXTRA_VOICE if count > expected else LISTED_SAME)
        if not similar and count > expected:
            small = int(np.argmin(np.where(alive, seconds, np.inf)))
            if seconds[small] < EXTRA_SECONDS:  # too little to be a voice of its own: join the nearest
                a, b, similar = int(np.argmax(sims[small])), small, True
        if not similar:
            break
        a, b = min(a, b), max(a, b)
        sums[a] += sums[b]
        seconds[a] += seconds[b]
        owner[owner == b] = a
        alive[b] = False
        sims[b, :] = sims[:, b] = -2.0
        row = np.where(alive, _normalise(sums) @ _normalise(sums[a]), -2.0)
        row[a] = -2.0
        sims[a, :] = sims[:, a] = row
    return _Partition.of(vectors, weights, np.unique(owner[start], return_inverse=True)[1])


def _estimate(vectors: np.ndarray, weights: np.ndarray, most: int, expected: int | None = None) -> _Partition:
    """The partition with the estimated number of voices, or around ``expected`` if given (see the module docstring)."""
    one = _Partition.of(vectors, weights, np.zeros(len(vectors), int))
    if most < 2 or len(vectors) < 4:
        return one
    groups = _Grouped(vectors)
    if expected is not None and expected >= 2:
        return _expected(vectors, weights, groups, expected)
    best = _Partition.of(vectors, weights, groups.labels(2, most))
    if best.closest >= NEAR_VOICE and expected is None:  # one voice split in two?
        halves = _Partition.of(vectors, weights, groups.labels(2, 2))
        if halves.k < 2 or (halves.closest >= ONE_VOICE_SPLIT and halves.cohesion.min() >= ONE_VOICE_COHESION):
            return one
    if best.cohesion.min() < MIXED:
        for k in range(best.k + 1, most + 1):
            more = _Partition.of(vectors, weights, groups.labels(k, k))
            if more.closest >= SAME_VOICE:
                break
            if more.cohesion.min() >= COHESIVE:
                best = more
                break
    while best.k > 1 and best.closest >= SAME_VOICE:
        best = _merge(best, vectors, weights, *_closest_pair(best))
    return best


def _bind(centroids: np.ndarray, anchors: dict[int, np.ndarray], add: bool) -> tuple[np.ndarray, dict[int, int]]:
    """Match enrolled voices to centroids; with ``add``, an unmatched voice becomes a centroid of its own.

    A cluster that an unmatched voice matches as well holds two people: its k-means starts from its own sample.
    """
    from scipy.optimize import linear_sum_assignment

    keys = sorted(anchors)
    samples = np.stack([anchors[key] for key in keys]).astype(np.float32)
    sims = samples @ centroids.T
    rows, cols = linear_sum_assignment(sims, maximize=True)
    bound = {int(c): keys[r] for r, c in zip(rows, cols) if sims[r, c] >= ANCHOR_MATCH}
    centroids = centroids.copy()
    unmatched = [r for r, key in enumerate(keys) if key not in bound.values()]
    for c, key in bound.items():
        if any(sims[r, c] >= ANCHOR_MATCH for r in unmatched):
            centroids[c] = anchors[key]
    if add:
        for r, key in enumerate(keys):
            if key not in bound.values():
                bound[len(centroids)] = key
                centroids = np.vstack([centroids, samples[r]])
    return centroids, bound


def _trim(
    centroids: np.ndarray, bound: dict[int, int], anchors: dict[int, np.ndarray], expected: int
) -> tuple[np.ndarray, dict[int, int]]:
    """Drop unbound clusters that sound like an enrolled voice (most alike first): always at ``SAME_VOICE``
    or more (that voice split), beyond the ``expected`` count at ``ANCHOR_MATCH`` or more."""
    samples = np.stack(list(anchors.values()))
    likeness = (centroids @ samples.T).max(axis=1)
    keep = list(range(len(centroids)))
    for c in sorted((c for c in keep if c not in bound), key=lambda c: -likeness[c]):
        if likeness[c] < SAME_VOICE and (len(keep) <= expected or likeness[c] < ANCHOR_MATCH):
            break
        keep.remove(c)
    return centroids[keep], {keep.index(c): key for c, key in bound.items()}


def _kmeans(
    vectors: np.ndarray, weights: np.ndarray, centroids: np.ndarray, pulls: dict[int, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means; a cluster in ``pulls`` counts its enrolled voice as ``ANCHOR_SECONDS`` of speech."""
    centroids = centroids.astype(np.float32)
    for _ in range(5):  # a cluster that loses all its windows keeps its centroid
        labels = np.argmax(vectors @ centroids.T, axis=1)
        for c in range(len(centroids)):
            mine = labels == c
            if mine.any():
                total = (weights[mine, None] * vectors[mine]).sum(0)
                centroids[c] = _normalise(total + ANCHOR_SECONDS * pulls[c] if c in pulls else total)
    return np.argmax(vectors @ centroids.T, axis=1), centroids


def cluster_windows(
    emb: SpeechEmbeddings,
    *,
    count: int | None = None,
    expected: int | None = None,
    anchors: dict[int, np.ndarray] | None = None,
    max_speakers: int = MAX_SPEAKERS,
) -> Clusters:
    """Cluster the windows into ``count`` voices, or as many as are heard (1..``max_speakers``).

    ``expected``: the number of people the recording is known to have (a prior, not a rule);
    ``anchors``: enrolled voices by key (see the module docstring).
    """
    vectors, weights, anchors = emb.vectors, emb.ends - emb.starts, anchors or {}
    n = len(vectors)
    if n == 0:  # no speech found: one unknown voice
        return Clusters(np.zeros(0, int), np.zeros((1, vectors.shape[1]), np.float32))
    if count is not None:
        k = max(1, min(count, n))
        labels = _Grouped(vectors).labels(k, k) if k > 1 else np.zeros(n, int)
        partition = _Partition.of(vectors, weights, labels)
    else:
        expected = max(expected or 0, len(anchors)) or None
        partition = _estimate(vectors, weights, max(max_speakers, expected or 0), expected)
    centroids, bound = partition.centroids, dict[int, int]()
    if anchors:
        centroids, bound = _bind(centroids, anchors, add=count is None)
        if count is None and expected is not None:
            centroids, bound = _trim(centroids, bound, anchors, expected)
    labels, centroids = _kmeans(vectors, weights, centroids, {c: anchors[key] for c, key in bound.items()})
    heard = np.bincount(labels, weights, minlength=len(centroids))
    keep = [c for c in range(len(centroids)) if c < partition.k or heard[c] >= ANCHOR_HEARD]
    if len(keep) < len(centroids):  # an enrolled voice of its own that is not heard
        centroids, bound = centroids[keep], {keep.index(c): key for c, key in bound.items() if c in keep}
        labels, centroids = _kmeans(vectors, weights, centroids, {c: anchors[key] for c, key in bound.items()})
    return Clusters(labels, centroids, bound)


def split_run(emb: SpeechEmbeddings, clusters: Clusters, inside: np.ndarray) -> Clusters | None:
    """Re-examine the windows ``inside`` one long turn: if they hold a second voice, give it a cluster.

    The windows are split in two; when the halves sound like two people (centroids < ``SAME_VOICE``,
    both cohesive, the smaller at least ``MIN_SPLIT`` seconds), the half less like the turn's voice
    joins the cluster it matches (>= ``SAME_VOICE``) or becomes a new one, and k-means runs again.
    """
    vectors, weights = emb.vectors[inside], (emb.ends - emb.starts)[inside]
    if len(vectors) < 8:
        return None
    halves = _Partition.of(vectors, weights, _Grouped(vectors).labels(2, 2))
    if halves.k < 2 or halves.closest >= SAME_VOICE or halves.cohesion.min() < MIXED:
        return None
    seconds = np.bincount(halves.labels, weights, minlength=2)
    own = int(np.bincount(clusters.labels[inside], minlength=len(clusters.centroids)).argmax())
    other = int(np.argmin(halves.centroids @ clusters.centroids[own]))
    if seconds[other] < MIN_SPLIT:
        return None
    match = clusters.centroids @ halves.centroids[other]
    match[own] = -1.0
    if match.max() >= SAME_VOICE:
        return None  # already a voice of its own: the turn is k-means' choice, not a missing voice
    centroids = np.vstack([clusters.centroids, halves.centroids[other]])
    pulls = {c: centroids[c] for c in clusters.anchors}
    labels, centroids = _kmeans(emb.vectors, emb.ends - emb.starts, centroids, pulls)
    return Clusters(labels, centroids, dict(clusters.anchors))
