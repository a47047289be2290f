"""Words with speaker labels → speaker turns (``Segment``): one per run of a speaker, split at long pauses."""

from __future__ import annotations

from collections.abc import Sequence

from ..transcript import Segment, Word


def _runs(words: list[Word], labels: list[str], max_pause: float) -> list[Segment]:
    segments: list[Segment] = []
    for word, label in zip(words, labels):
        last = segments[-1] if segments else None
        if last is None or last.speaker != label or word.start - last.end > max_pause:
            segments.append(Segment(label, word.start, word.end, [word]))
        else:
            last.words.append(word)
            last.end = max(last.end, word.end)
    return segments


def build_segments(
    words: list[Word],
    labels: list[str],
    *,
    word_tracks: list[int] | None = None,
    max_pause: float = 2.0,
    overlaps: Sequence[tuple[float, float]] = (),
) -> list[Segment]:
    """Group time-ordered ``words`` into turns of their speaker ``labels``.

    Single track: a new turn starts when the speaker changes or after a pause over ``max_pause``;
    turns that touch one of the ``overlaps`` (spans where two voices were heard at once) are flagged.
    Multitrack (``word_tracks``): each track is grouped on its own, so a short reply spoken over
    someone else's turn does not cut that turn in two; turns that overlap in time are flagged.
    """
    if len(labels) != len(words) or (word_tracks is not None and len(word_tracks) != len(words)):
        raise ValueError("one label (and track) per word is needed")
    if word_tracks is None:
        runs = _runs(words, labels, max_pause)
        for segment in runs:
            segment.overlap = any(start < segment.end and end > segment.start for start, end in overlaps)
        return runs
    segments: list[Segment] = []
    for track in sorted(set(word_tracks)):
        chosen = [i for i, t in enumerate(word_tracks) if t == track]
        segments += _runs([words[i] for i in chosen], [labels[i] for i in chosen], max_pause)
    segments.sort(key=lambda s: (s.start, s.end))
    latest: Segment | None = None  # the segment reaching furthest so far
    for segment in segments:
        if latest is not None and segment.start < latest.end and segment.speaker != latest.speaker:
            segment.overlap = latest.overlap = True
        if latest is None or segment.end > latest.end:
            latest = segment
    return segments
