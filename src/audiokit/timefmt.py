"""Times in seconds as text, and back.

One rule for every written time: round to the millisecond, then cut to the digits shown (a floor).
So the page, the player, the editor, the text export, the subtitles, the chapters, the feed and the tags
agree on the second of every moment, and a link to a shown second never starts more than half a
millisecond after the moment it stands for. Times shown to people are :func:`timestamp`: ``m:ss``
under an hour, ``h:mm:ss`` from one; ``formatTime`` in the site's and the editor's JavaScript gives
the same strings.
"""

from __future__ import annotations


def milliseconds(seconds: float) -> int:
    """``seconds`` in whole milliseconds, rounded; never negative."""
    return max(0, round(seconds * 1000))


def clock(seconds: float, digits: int = 0, *, separator: str = ".") -> str:
    """``hh:mm:ss`` with ``digits`` (0-3) decimals after ``separator``."""
    whole, fraction = divmod(milliseconds(seconds), 1000)
    text = f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{text}{separator}{fraction // 10 ** (3 - digits):0{digits}d}" if digits else text


def whole_seconds(seconds: float) -> int:
    """The second a moment is shown at: milliseconds rounded, then floored (1.9996 s is 2, 1.9994 s is 1)."""
    return milliseconds(seconds) // 1000


def timestamp(seconds: float, digits: int = 0) -> str:
    """``m:ss`` below an hour, ``h:mm:ss`` from one (``0:59``, ``1:03``, ``1:02:05``), with ``digits`` (0-3)
    decimals: the form people read and podcast apps turn into seek links."""
    whole, fraction = divmod(milliseconds(seconds), 1000)
    hours, minutes = divmod(whole // 60, 60)
    text = f"{hours}:{minutes:02d}:{whole % 60:02d}" if hours else f"{minutes}:{whole % 60:02d}"
    return f"{text}.{fraction // 10 ** (3 - digits):0{digits}d}" if digits else text


def parse_clock(text: str) -> float:
    """Seconds from ``ss``, ``mm:ss`` or ``hh:mm:ss``, each part possibly with decimals (the caller
    checks the form)."""
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds
