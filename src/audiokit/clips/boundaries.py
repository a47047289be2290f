"""Where a clip may start and end: in the silence between two words, never inside one. A requested
time moves to the best boundary within ``SNAP_SECONDS``: a sentence end (``.``, ``!``, ``?``, the end
of a turn, the start or end of the speech) before a pause, else a pause of ``PAUSE`` seconds, else any
gap between words; the nearest of the best kind wins, and a time already in such a gap stays."""

from __future__ import annotations

from dataclasses import dataclass

from ..exports import SENTENCE_END
from ..transcript import Transcript

SNAP_SECONDS = 1.5
PAUSE = 0.3  # seconds of silence between words that make a pause
PAD = 0.2  # seconds of the pause kept before the first and after the last word


@dataclass(frozen=True)
class Gap:
    """The silence from ``start`` to ``end`` between two words; ``kind`` 0 after a sentence, 1 a pause, 2 any."""

    start: float
    end: float
    kind: int


def gaps(transcript: Transcript, length: float) -> list[Gap]:
    """The silences between the words of ``transcript`` (and before the first, after the last) in time order."""
    words = sorted(
        ((w, w is s.words[-1]) for s in transcript.segments for w in s.words if w.text.strip()),
        key=lambda item: item[0].start,
    )
    if not words:
        return []
    found: list[Gap] = []
    last_end, sentence = 0.0, True
    for word, turn_end in words:
        if word.start > last_end:
            pause = word.start - last_end >= PAUSE or not found
            found.append(Gap(last_end, word.start, 0 if sentence and pause else 1 if pause else 2))
        last_end = max(last_end, word.end)
        sentence = turn_end or word.text.rstrip().endswith(SENTENCE_END)
    found.append(Gap(last_end, max(length, last_end), 0))
    return found


def snap(at: float, gaps_: list[Gap], *, is_start: bool) -> float:
    """``at`` moved into the best gap within SNAP_SECONDS (see the module docstring); ``at`` itself when
    there is none. Moved, a start keeps PAD of the silence before the next word, an end PAD after the
    last (half of a shorter gap)."""
    best: tuple[int, float, float] | None = None
    for gap in gaps_:
        if gap.start <= at <= gap.end:
            place = at
        else:
            keep = min(PAD, (gap.end - gap.start) / 2)
            place = gap.end - keep if is_start else gap.start + keep
        if abs(place - at) <= SNAP_SECONDS and (best is None or (gap.kind, abs(place - at)) < best[:2]):
            best = (gap.kind, abs(place - at), place)
    return at if best is None else best[2]
