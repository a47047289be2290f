"""Who speaks when in one recording, before any words are known: voices, turns and overlaps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..ffmpeg import Progress
from ..transcript import Word
from .clustering import MAX_SPEAKERS, Clusters, cluster_windows
from .embeddings import SpeechEmbeddings, embed_speech
from .overlap import overlap_spans
from .resegment import resegment

STEP = 0.2  # seconds: the grain of the turns


@dataclass
class Voices:
    """The speech of a recording, embedded and clustered into voices."""

    emb: SpeechEmbeddings
    clusters: Clusters

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


def find_voices(
    path: Path, *, count: int | None = None, max_speakers: int = MAX_SPEAKERS, progress: Progress | None = None
) -> Voices:
    """Embed the speech of ``path`` and cluster it into ``count`` voices (or as many as are heard)."""
    emb = embed_speech(path, progress=progress)
    return Voices(emb, cluster_windows(emb, count=count, max_speakers=max_speakers))


def diarize(
    path: Path, *, speaker_count: int | None = None, max_speakers: int = MAX_SPEAKERS, progress: Progress | None = None
) -> Diarization:
    """Turns of every voice in ``path``; the speech is cut into ``STEP`` pieces given a voice like words are."""
    voices = find_voices(path, count=speaker_count, max_speakers=max_speakers, progress=progress)
    pieces = [
        Word("", float(t), float(min(t + STEP, end)))
        for start, end in voices.emb.regions
        for t in np.arange(start, end, STEP)
    ]
    labels = resegment(pieces, voices.emb, voices.clusters)
    turns: list[tuple[float, float, int]] = []
    for piece, label in zip(pieces, labels.tolist()):
        if turns and turns[-1][2] == label and piece.start - turns[-1][1] < 1e-6:
            turns[-1] = (turns[-1][0], piece.end, label)
        else:
            turns.append((piece.start, piece.end, label))
    return Diarization(turns, voices.overlaps)
