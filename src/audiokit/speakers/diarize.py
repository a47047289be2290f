"""Who speaks when in one recording, before any words are known: voices, turns and overlaps.

Who speaks each word (or each ``STEP`` of speech) is a Viterbi pass scored against the voice
clusters: each word scores every cluster by the windows that cover it, and a change of speaker
costs little across a pause and much inside continuous speech, so turn changes fall between words.

Two voices at once on a single track: the encoder embeds a window where two people talk near the
sum of their voices, so such a window matches the normalised sum of two centroids better than
either centroid alone. Alone this fires now and then inside one person's speech too; it counts
only where the speaker changes within ``CONTEXT`` seconds. On the real-voice round tables of
``benchmarks/bench_diarization.py`` it finds about half of the 1 s overlaps, and three in four of
its marks are real overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..ffmpeg import Progress
from ..transcript import Word
from .clustering import MAX_SPEAKERS, Clusters, cluster_windows, split_run
from .embeddings import SpeechEmbeddings, embed_speech

STEP = 0.2  # seconds: the grain of the turns
SHARPNESS = 12.0  # log-likelihood per unit of cosine similarity
CHANGE_IN_SPEECH = 3.0  # cost of a speaker change between two words of one speech region
CHANGE_AT_PAUSE = 0.5  # … and across a pause
MARGIN = 0.01  # how much better a pair of voices must match a window than the best single voice
CONTEXT = 1.6  # seconds around the window in which the speaker must change
LONG_TURN = 180.0  # seconds: a turn this long is re-examined for a second voice
MAX_SPLITS = 8  # … at most this many times per recording


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


@dataclass
class Voices:
    """The speech of a recording, embedded and clustered into voices, and the enrolled voices that anchored them."""

    emb: SpeechEmbeddings
    clusters: Clusters
    anchors: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def overlaps(self) -> list[tuple[float, float]]:
        return overlap_spans(self.emb, self.clusters)


@dataclass
class Diarization:
    """Speech turns ``(start, end, voice index)`` and spans where two voices speak at once."""

    turns: list[tuple[float, float, int]]
    overlaps: list[tuple[float, float]]

    @property
    def count(self) -> int:
        return len({voice for _, _, voice in self.turns})


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


def _long_turns(words: list[Word], labels: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) word indices of the turns longer than ``LONG_TURN``, longest first."""
    if not words:
        return []
    change = (np.flatnonzero(np.diff(labels)) + 1).tolist()
    runs = zip([0, *change], [*change, len(words)])
    long = [(a, b) for a, b in runs if words[b - 1].end - words[a].start > LONG_TURN]
    return sorted(long, key=lambda run: words[run[0]].start - words[run[1] - 1].end)


def attribute(words: list[Word], voices: Voices) -> np.ndarray:
    """``resegment``, with every turn over ``LONG_TURN`` re-examined for a second voice (``split_run``).

    A voice found so is added to ``voices.clusters``.
    """
    labels = resegment(words, voices.emb, voices.clusters)
    for _ in range(MAX_SPLITS):
        split = None
        for a, b in _long_turns(words, labels):
            inside = (voices.emb.starts >= words[a].start) & (voices.emb.ends <= words[b - 1].end)
            split = split_run(voices.emb, voices.clusters, inside)
            if split is not None:
                break
        if split is None:
            break
        voices.clusters = split
        labels = resegment(words, voices.emb, split)
    return labels


def find_voices(
    path: Path,
    *,
    count: int | None = None,
    expected: int | None = None,
    anchors: dict[int, np.ndarray] | None = None,
    max_speakers: int = MAX_SPEAKERS,
    progress: Progress | None = None,
) -> Voices:
    """Embed the speech of ``path`` and cluster it into ``count`` voices (or as many as are heard).

    ``expected`` and ``anchors`` are what is known beforehand (see ``cluster_windows``).
    """
    emb = embed_speech(path, progress=progress)
    clusters = cluster_windows(emb, count=count, expected=expected, anchors=anchors, max_speakers=max_speakers)
    return Voices(emb, clusters, anchors or {})


def diarize(
    path: Path, *, speaker_count: int | None = None, max_speakers: int = MAX_SPEAKERS, progress: Progress | None = None
) -> Diarization:
    """Turns of every voice in ``path``; the speech is cut into ``STEP`` pieces given a voice like words are."""
    voices = find_voices(path, count=speaker_count, max_speakers=max_speakers, progress=progress)
    pieces = [
        Word("", float(t), float(min(t + STEP, end)))
        for start, end in voices.emb.faint
        for t in np.arange(start, end, STEP)
    ]
    labels = attribute(pieces, voices)
    turns: list[tuple[float, float, int]] = []
    for piece, label in zip(pieces, labels.tolist()):
        if turns and turns[-1][2] == label and piece.start - turns[-1][1] < 1e-6:
            turns[-1] = (turns[-1][0], piece.end, label)
        else:
            turns.append((piece.start, piece.end, label))
    return Diarization(turns, voices.overlaps)
