"""The one mapping between the recording's timeline and the published audio's.

The published audio is the recording with its leading silence trimmed, an intro jingle before it
(together: ``offset``) and the applied cuts removed. :class:`Timeline` maps a recording time to the
published time and back and tells whether a recording time was cut; every consumer of times
(transcript exports, chapters, soundbites, clips, the site) goes through it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

REASONS = ("edit", "filler", "pause", "cough")


@dataclass
class Cut:
    """A range [``start``, ``end``) of the recording (seconds) left out of the published audio, why
    (one of :data:`REASONS`) and whether it is applied (a proposal is not, until accepted)."""

    id: str
    start: float
    end: float
    reason: str = "edit"
    applied: bool = True

    @property
    def length(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "reason": self.reason,
            "applied": self.applied,
        }


def merged(ranges: Iterable[tuple[float, float]], gap: float = 0.0) -> list[tuple[float, float]]:
    """``ranges`` sorted, empty ones dropped, overlapping ones (or ones closer than ``gap``) joined."""
    out: list[tuple[float, float]] = []
    for start, end in sorted((s, e) for s, e in ranges if e > s):
        if out and start <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@dataclass
class Timeline:
    """Recording time ↔ published time: ``offset`` seconds added, the ``cuts`` (recording seconds,
    applied ones only, as rendered) taken out."""

    offset: float = 0.0
    cuts: list[tuple[float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cuts = merged(self.cuts)
        self._starts = [s for s, _ in self.cuts]
        self._before = [0.0]  # seconds removed before cut i
        for s, e in self.cuts:
            self._before.append(self._before[-1] + e - s)
        self._kept = [s - b for s, b in zip(self._starts, self._before, strict=False)]  # published cut points

    @property
    def removed(self) -> float:
        """Seconds the cuts take out."""
        return self._before[-1]

    def cut_at(self, t: float) -> tuple[float, float] | None:
        """The cut holding recording time ``t``, or None."""
        i = bisect.bisect_right(self._starts, t) - 1
        return self.cuts[i] if i >= 0 and t < self.cuts[i][1] else None

    def inside(self, t: float) -> bool:
        """Whether recording time ``t`` was cut out."""
        return self.cut_at(t) is not None

    def published(self, t: float) -> float:
        """The published time of recording time ``t`` (a time inside a cut maps to where the cut was)."""
        i = bisect.bisect_right(self._starts, t) - 1
        if i < 0:
            return t + self.offset
        start, end = self.cuts[i]
        return (start - self._before[i] if t < end else t - self._before[i + 1]) + self.offset

    def recording(self, p: float) -> float:
        """The recording time heard at published time ``p`` (the inverse of :meth:`published`)."""
        q = p - self.offset
        i = bisect.bisect_right(self._kept, q) - 1
        return q if i < 0 else q + self._before[i + 1]
