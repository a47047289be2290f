"""Progress reporting: a factory ``(label, total) -> update(done)`` that the CLI turns into a bar."""

from __future__ import annotations

from collections.abc import Callable

ProgressFactory = Callable[[str, float], Callable[[float], None]]
"""``factory(label, total)`` returns ``update(done)``; the CLI turns it into a progress bar."""


def no_progress(label: str, total: float) -> Callable[[float], None]:
    """A progress factory that reports nothing (the default outside the CLI)."""
    return lambda done: None
