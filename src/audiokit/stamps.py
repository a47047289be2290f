"""Cheap change detection: file sizes and modification times instead of the content, and fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


def file_stamp(path: Path | None) -> list[Any] | None:
    """Size and modification time of a file (None if absent).

    The path itself is left out, so a file keeps its stamp when the staging folder is swapped in.
    """
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def tree_stamps(folder: Path, root: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``folder`` (relative to ``root``) with its inode and mtime."""
    found = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            found[os.path.relpath(os.path.join(dirpath, name), root)] = (st.st_ino, st.st_mtime_ns)
    return found


def digest(value: Any) -> str:
    """SHA-256 of a JSON-able value (keys sorted): a fingerprint in one string."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
