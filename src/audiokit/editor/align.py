"""Re-time edited text against the recognised words: unchanged words keep their exact times.

The old and the new word sequences are compared with :class:`difflib.SequenceMatcher` on a
normalised key (case and surrounding punctuation ignored), so fixing ``epa`` to ``ePA.`` keeps the
word's time. A run of changed words that replaces as many old words takes their times one by
one; any other run is spread over the span of the words it replaced, or over the gap between its
neighbours when it replaced nothing.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Sequence
from dataclasses import dataclass

from ..transcript import Word

_STRIP = string.punctuation + "„“”‚‘’»«–—…"


def word_key(text: str) -> str:
    """The comparison key of a word: case-folded, without surrounding punctuation."""
    return text.strip(_STRIP).casefold() or text


def tokens(text: str) -> list[str]:
    """Split edited text into words (any whitespace separates)."""
    return text.split()


@dataclass
class Aligned:
    """The re-timed words and, per word, the index of the old word whose time it kept (or None)."""

    words: list[Word]
    source: list[int | None]


def align(old: Sequence[Word], new: Sequence[str], *, start: float, end: float) -> Aligned:
    """Re-time the ``new`` words against the ``old`` ones inside ``[start, end]``."""
    matcher = difflib.SequenceMatcher(None, [word_key(w.text) for w in old],
                                      [word_key(t) for t in new], autojunk=False)
    words: list[Word] = []
    source: list[int | None] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2)):
                w = old[i]
                keep = tag == "equal" or w.text == new[j]
                words.append(Word(new[j], w.start, w.end, w.probability if keep else 1.0))
                source.append(i)
            continue
        if tag == "delete":
            continue
        if tag == "replace":
            lo, hi = old[i1].start, old[i2 - 1].end
        else:  # insert: the gap between the neighbours
            lo = words[-1].end if words else start
            hi = old[i1].start if i1 < len(old) else end
        lo = max(lo, words[-1].end if words else start)
        words += _spread(new[j1:j2], lo, max(lo, hi))
        source += [None] * (j2 - j1)
    return Aligned(words, source)


def _spread(texts: Sequence[str], lo: float, hi: float) -> list[Word]:
    """Share ``[lo, hi]`` among ``texts`` in proportion to their length."""
    weights = [len(t) + 1 for t in texts]
    total = sum(weights)
    out, cursor = [], lo
    for text, weight in zip(texts, weights):
        step = (hi - lo) * weight / total
        out.append(Word(text, round(cursor, 3), round(cursor + step, 3), 1.0))
        cursor += step
    out[-1].end = round(hi, 3)
    return out
