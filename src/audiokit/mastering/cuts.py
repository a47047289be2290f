"""Cuts in the streamed render: each removed range is skipped, its two edges moved to the nearest
zero crossing (within a few milliseconds) and joined with a short equal-power crossfade, so that no
click is heard. Only the audio around a cut is held; the rest streams through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from .jingles import equal_power_fades

FADE_SECONDS = 0.01
SEARCH_SECONDS = 0.003  # how far an edge may move to reach a zero crossing


def frame_ranges(
    cuts: Sequence[tuple[float, float]], rate: int, first: int, last: int, *, fade: int, search: int
) -> list[tuple[int, int]]:
    """``cuts`` (seconds) as frame ranges of the program that keeps source frames ``first``…``last``:
    clipped to it, counted from ``first``; cuts closer than a crossfade and its search are joined, and
    one too short to crossfade left out."""
    ranges: list[tuple[int, int]] = []
    for start, end in sorted(cuts):
        a, b = max(round(start * rate), first) - first, min(round(end * rate), last) - first
        if b - a < 2 * fade:
            continue
        if ranges and a - ranges[-1][1] < fade + 2 * search:
            ranges[-1] = (ranges[-1][0], max(b, ranges[-1][1]))
        else:
            ranges.append((a, b))
    return ranges


def zero_crossing(audio: np.ndarray, near: int, search: int) -> int:
    """The frame within ``search`` of ``near`` where the (channel-summed) signal crosses zero, the
    quietest one if it never does."""
    lo, hi = max(0, near - search), min(len(audio) - 1, near + search)
    if hi <= lo:
        return max(0, min(near, len(audio)))
    mono = audio[lo : hi + 1].sum(axis=1)
    sign = np.signbit(mono)
    crossings = np.flatnonzero(sign[1:] != sign[:-1]) + lo + 1
    if len(crossings):
        return int(crossings[np.argmin(np.abs(crossings - near))])
    return lo + int(np.argmin(np.abs(mono)))


class _Reader:
    """Blocks as one stream of frames: take or drop the next frames, look ahead."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self.blocks = blocks
        self.buf: np.ndarray | None = None
        self.pos = 0  # stream frame of buf[0]
        self.channels = 1

    def fill(self, upto: int) -> None:
        """Hold at least frames up to ``upto`` (fewer at the end of the stream)."""
        while self.buf is None or self.pos + len(self.buf) < upto:
            block = next(self.blocks, None)
            if block is None:
                if self.buf is None:
                    self.buf = np.zeros((0, self.channels), np.float32)
                return
            self.channels = block.shape[1]
            self.buf = block if self.buf is None or not len(self.buf) else np.concatenate([self.buf, block])

    def take(self, upto: int) -> Iterator[np.ndarray]:
        """The frames from here up to ``upto``, streamed."""
        while True:
            if self.buf is not None and self.pos + len(self.buf) >= upto:
                n = upto - self.pos
                if n > 0:
                    yield self.buf[:n]
                    self.buf, self.pos = self.buf[n:], upto
                return
            if self.buf is not None and len(self.buf):
                yield self.buf
                self.pos += len(self.buf)
            self.buf = next(self.blocks, None)
            if self.buf is None:
                return
            self.channels = self.buf.shape[1]

    def drop(self, upto: int) -> None:
        for _ in self.take(upto):
            pass

    def window(self, lo: int, hi: int) -> np.ndarray:
        """Held frames ``lo``…``hi`` (fewer at the end of the stream)."""
        self.fill(hi)
        assert self.buf is not None and lo >= self.pos
        return self.buf[lo - self.pos : hi - self.pos]


def with_cuts(
    program: Iterator[np.ndarray],
    ranges: list[tuple[int, int]],
    fade: int,
    search: int,
    rendered: list[tuple[int, int]],
) -> Iterator[np.ndarray]:
    """``program`` without the frame ``ranges`` (from :func:`frame_ranges`), each joined by a ``fade``
    frame crossfade at zero crossings; ``rendered`` receives the ranges as actually removed."""
    if not ranges:
        yield from program
        return
    reader = _Reader(program)
    rendered.clear()
    out_curve, in_curve = equal_power_fades(fade)
    for a, b in ranges:
        lo = max(reader.pos, a - search)
        yield from reader.take(lo)
        head = reader.window(lo, a + search + fade)
        a2 = lo + zero_crossing(head, a - lo, search)
        a2 = min(a2, lo + max(0, len(head) - fade))
        yield from reader.take(a2)
        outgoing = reader.window(a2, a2 + fade).copy()
        reader.drop(b - search)
        tail = reader.window(reader.pos, b + search + fade)
        if len(tail) < search + fade:  # the cut reaches the end: fade out and stop
            rendered.append((a2 + len(outgoing), reader.pos + len(tail)))
            yield outgoing * out_curve[: len(outgoing)]
            return
        b2 = reader.pos + zero_crossing(tail, b - reader.pos, search)
        b2 = min(b2, reader.pos + len(tail) - fade)
        reader.drop(b2)
        incoming = reader.window(b2, b2 + fade)
        n = min(len(outgoing), len(incoming))
        rendered.append((a2, b2))
        yield outgoing[:n] * out_curve[:n] + incoming[:n] * in_curve[:n]
        reader.drop(b2 + n)
    yield from reader.take(2**62)
