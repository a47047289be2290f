"""Exclusive locks between processes: ``flock`` on a lock file, created when missing."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from .atomic import os_error
from .errors import AudiokitError


@contextlib.contextmanager
def exclusive(path: Path, *, busy: AudiokitError | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` while the block runs. Wait while another process holds it or,
    given ``busy``, raise that at once instead."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a")
    except OSError as exc:
        raise os_error(exc, f"cannot create the lock file {path}") from exc
    with fh:
        if busy is None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        else:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise busy from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)  # also for processes forked meanwhile, which share the open file
