"""Times in seconds as text, and back.

One rule for every written time: round to the millisecond, then cut to the digits shown. So the page,
the text export, the subtitles, the chapters and the tags agree on the second of every moment, and a
link to a shown second never starts more than half a millisecond after the moment it stands for.
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


def timestamp(seconds: float, digits: int = 0) -> str:
    """``mm:ss`` below an hour, ``h:mm:ss`` from one: the form podcast apps turn into seek links."""
    text = clock(seconds, digits)
    return text[3:] if text.startswith("00:") else text.lstrip("0")


def parse_clock(text: str) -> float:
    """Seconds from ``ss``, ``mm:ss`` or ``hh:mm:ss``, each part possibly with decimals (the caller
    checks the form)."""
    seconds = 0.0
    for part in text.strip().split(":"):
        seconds = seconds * 60 + float(part)
    return seconds
