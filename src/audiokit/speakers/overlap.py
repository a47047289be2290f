"""Two voices at once on a single track: windows that sound like a mix of two clusters at a turn change.

The encoder embeds a window where two people talk near the sum of their voices, so such a window
matches the normalised sum of two centroids better than either centroid alone. Alone this
fires now and then inside one person's speech too; it counts only where the speaker changes
within ``CONTEXT`` seconds. On the real-voice round tables of ``benchmarks/bench_diarization.py``
it finds about half of the 1 s overlaps, and three in four of its marks are real overlaps.
"""

from __future__ import annotations

import numpy as np

from .clustering import Clusters
from .embeddings import SpeechEmbeddings

MARGIN = 0.01  # how much better the pair must match than the best single voice
CONTEXT = 1.6  # seconds around the window in which the speaker must change


def overlap_spans(emb: SpeechEmbeddings, clusters: Clusters) -> list[tuple[float, float]]:
    """Spans (seconds) of the windows that hold two voices at once, merged where they touch."""
    centroids = clusters.centroids
    k = len(centroids)
    if k < 2 or not len(emb.vectors):
        return []
    a, b = np.triu_indices(k, 1)
    pairs = centroids[a] + centroids[b]
    pairs /= np.linalg.norm(pairs, axis=1, keepdims=True)
    single = emb.vectors @ centroids.T
    evidence = (emb.vectors @ pairs.T).max(axis=1) - single.max(axis=1)
    order = np.argsort(emb.starts)
    starts, ends, labels = emb.starts[order], emb.ends[order], single.argmax(axis=1)[order]
    spans: list[list[float]] = []
    for i in np.flatnonzero(evidence[order] > MARGIN):
        near = labels[np.abs(starts - starts[i]) <= CONTEXT]
        if (near != near[0]).any():
            if spans and starts[i] <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], float(ends[i]))
            else:
                spans.append([float(starts[i]), float(ends[i])])
    return [(x, y) for x, y in spans]
