"""Re-time edited text against the recognised words: unchanged words keep their exact times.

The old and the new word sequences are compared on a normalised key (case and surrounding
punctuation ignored), so fixing ``epa`` to ``ePA.`` keeps the word's time. Long texts are first
anchored on runs of words that occur once in both (patience diff: the longest chain of such runs in
the same order); only the stretches between anchors go to :class:`difflib.SequenceMatcher`, so a
whole-episode import stays near-linear. A run of changed words that replaces as many old words takes their times one by
one; any other run is spread over the span of the words it replaced, or over the gap between its
neighbours when it replaced nothing.
"""

from __future__ import annotations

import bisect
import difflib
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..transcript import Word

_STRIP = string.punctuation + "„“”‚‘’»«–—…"
DIRECT = 250_000
"""Stretches of at most this many old × new words are compared directly (difflib is quadratic)."""

MAX_DEPTH = 100
"""Anchoring within anchoring goes this deep at most (a bound for pathological texts)."""

Opcode = tuple[str, int, int, int, int]


def word_key(text: str) -> str:
    """The comparison key of a word: case-folded, without surrounding punctuation."""
    return text.strip(_STRIP).casefold() or text


@dataclass
class Aligned:
    """The re-timed words and, per word, the index of the old word whose time it kept (or None)."""

    words: list[Word]
    source: list[int | None]


def align(old: Sequence[Word], new: Sequence[str], *, start: float, end: float) -> Aligned:
    """Re-time the ``new`` words against the ``old`` ones inside ``[start, end]``."""
    words: list[Word] = []
    source: list[int | None] = []
    for tag, i1, i2, j1, j2 in opcodes([word_key(w.text) for w in old], [word_key(t) for t in new]):
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


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """How to turn ``a`` into ``b``, as :meth:`difflib.SequenceMatcher.get_opcodes` says it."""
    ops: list[Opcode] = []
    _diff(a, b, 0, len(a), 0, len(b), ops)
    merged: list[Opcode] = []
    for op in ops:
        if merged and op[0] == merged[-1][0] == "equal":
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def _diff(
    a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int, ops: list[Opcode], depth: int = 0
) -> None:
    """Append the opcodes of ``a[i1:i2]`` → ``b[j1:j2]`` to ``ops``."""
    start_i, start_j = i1, j1
    while i1 < i2 and j1 < j2 and a[i1] == b[j1]:
        i1, j1 = i1 + 1, j1 + 1
    if i1 > start_i:
        ops.append(("equal", start_i, i1, start_j, j1))
    end_i, end_j = i2, j2
    while i2 > i1 and j2 > j1 and a[i2 - 1] == b[j2 - 1]:
        i2, j2 = i2 - 1, j2 - 1
    if i1 == i2 and j1 == j2:
        pass
    elif i1 == i2 or j1 == j2:
        ops.append(("insert" if i1 == i2 else "delete", i1, i2, j1, j2))
    elif (i2 - i1) * (j2 - j1) <= DIRECT:
        matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
        ops += [(tag, i1 + p1, i1 + p2, j1 + q1, j1 + q2) for tag, p1, p2, q1, q2 in matcher.get_opcodes()]
    else:
        anchors = _anchors(a, b, i1, i2, j1, j2) if depth < MAX_DEPTH else []
        if not anchors:  # nothing to hold on to: the whole stretch counts as rewritten
            ops.append(("replace", i1, i2, j1, j2))
        else:
            pi, pj = i1, j1
            for i, j in anchors:
                _diff(a, b, pi, i, pj, j, ops, depth + 1)
                ops.append(("equal", i, i + 1, j, j + 1))
                pi, pj = i + 1, j + 1
            _diff(a, b, pi, i2, pj, j2, ops, depth + 1)
    if i2 < end_i:
        ops.append(("equal", i2, end_i, j2, end_j))


def _anchors(a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Runs of four words (else two, else single words) found exactly once in ``a[i1:i2]`` and once
    in ``b[j1:j2]``: the longest chain of them in the same order, by their starts. Longer runs first:
    a pair of words can recur by chance where a deletion joined two words."""
    for k in (4, 2, 1):
        grams_a = [tuple(a[i : i + k]) for i in range(i1, i2 - k + 1)]
        grams_b = [tuple(b[j : j + k]) for j in range(j1, j2 - k + 1)]
        count_a, count_b = Counter(grams_a), Counter(grams_b)
        where_b = {g: j1 + n for n, g in enumerate(grams_b) if count_b[g] == 1}
        pairs = [(i1 + n, where_b[g]) for n, g in enumerate(grams_a) if count_a[g] == 1 and g in where_b]
        if pairs:
            return _longest_chain(pairs)
    return []


def _longest_chain(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (ordered by i) whose j increase too."""
    tails: list[int] = []  # tails[k]: the pair ending the best run of length k + 1 found so far
    tail_j: list[int] = []  # its j, for the binary search
    back: list[int] = []
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tail_j, j)
        back.append(tails[k - 1] if k else -1)
        if k == len(tails):
            tails.append(n)
            tail_j.append(j)
        else:
            tails[k], tail_j[k] = n, j
    run, n = [], tails[-1] if tails else -1
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    return run[::-1]


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
