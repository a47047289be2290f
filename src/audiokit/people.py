"""How a person is shown and which part they play: the ``Name [Organisation]`` label, the host roles, and
whether two spellings name the same person."""

from __future__ import annotations

import difflib
import re

HOST_ROLES = ("host", "cohost", "moderator")
"""The roles that lead the talk: listed as hosts, named by speaking first, never a guest's chapter."""

TITLES = frozenset("dr prof pd dipl ing mag med phil rer nat habil hon mba msc bsc frau herr".split())
"""Academic titles and forms of address left out when names are compared (``Dr. Sabine Wolff``)."""
_SIMILAR = 0.85  # difflib ratio from which two names are one spelt differently (a typo fixed)


def speaker_label(name: str, organisation: str = "") -> str:
    """``Name [Organisation]``; the name alone when there is no organisation."""
    return f"{name} [{organisation}]" if organisation else name


def name_key(name: str) -> list[str]:
    """The words of ``name`` that identify the person: casefolded, titles and forms of address left out."""
    return [w for w in re.findall(r"\w+", name.casefold()) if w not in TITLES]


def same_person(a: str, b: str) -> bool:
    """True when names ``a`` and ``b`` name one person: equal but for titles (``Dr. Sabine Wolff`` and
    ``Sabine Wolff``), one a part of the other with the same surname (``Frau Wolff``), or a typo apart
    (``Sabine Wolf``). Numbered labels (``Sprecher 1``, ``Sprecher 2``) are never alike."""
    ka, kb = name_key(a), name_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if any(c.isdigit() for c in a + b):
        return False
    if ka[-1] == kb[-1] and (set(ka) <= set(kb) or set(kb) <= set(ka)):
        return True
    return difflib.SequenceMatcher(None, " ".join(ka), " ".join(kb)).ratio() >= _SIMILAR
