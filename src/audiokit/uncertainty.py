"""Which recognised words the editor marks as uncertain, for the reviewer to check first.

Whisper's word probability is the mean over the word's tokens, so a long compound with one wrong
token keeps a high one: words of ``LONG`` letters or more are marked below ``LONG_THRESHOLD``, the
others below ``THRESHOLD``. A word that spells a glossary term, a speaker's name or an organisation
exactly is not marked: such words are rare, so Whisper is unsure of them even when the prompt made
it write them right. Measured with ``benchmarks/bench_uncertainty.py`` (487 words, 55 errors, Whisper
base; espeak-ng German and real German speech): a plain ``p < 0.6`` marks 60 % of the errors with a
precision of 38 %; this rule marks 67 % with 44 % (real speech alone: 40 %/57 % → 55 %/52 %).
"""

from __future__ import annotations

from collections.abc import Iterable

THRESHOLD = 0.6
"""A word shorter than ``LONG`` letters whose probability is below this is uncertain."""
LONG = 8
LONG_THRESHOLD = 0.8
"""A word of ``LONG`` letters or more whose probability is below this is uncertain."""

_PUNCTUATION = ".,!?;:…\"'„“”»«()"


def term_words(terms: Iterable[str]) -> frozenset[str]:
    """The single words of ``terms`` ("Clara Vogt" gives "Clara" and "Vogt")."""
    return frozenset(w.strip(_PUNCTUATION) for t in terms for w in t.split())


def is_uncertain(text: str, probability: float, terms: frozenset[str] = frozenset()) -> bool:
    """Whether a word of ``text`` recognised with ``probability`` is marked; ``terms`` from :func:`term_words`."""
    word = text.strip(_PUNCTUATION)
    return probability < (LONG_THRESHOLD if len(word) >= LONG else THRESHOLD) and word not in terms
