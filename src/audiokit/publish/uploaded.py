"""What was uploaded where: for each target, the size and MD5 of every file the server got and checked, kept
beside the built folder in ``.<out>.uploads.json`` (never uploaded). The local files' MD5s are kept there
too, by size and modification time, so an unchanged MP3 is not read again."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic


@dataclass(frozen=True)
class FileStamp:
    """A file's size, MD5 and (for local files) modification time in nanoseconds."""

    size: int
    md5: str
    mtime_ns: int = 0

    def same_content(self, other: FileStamp | None) -> bool:
        return other is not None and (other.size, other.md5) == (self.size, self.md5)


@dataclass
class UploadState:
    """The bookkeeping of one built folder: the files each target holds, and the local files' stamps."""

    path: Path
    targets: dict[str, dict[str, FileStamp]] = field(default_factory=dict)
    local: dict[str, FileStamp] = field(default_factory=dict)

    def save(self) -> None:
        """Write the state atomically: a publish killed at any point leaves the last complete state."""
        data = {
            "targets": {url: {n: asdict(s) for n, s in sorted(files.items())} for url, files in self.targets.items()},
            "local": {n: asdict(s) for n, s in sorted(self.local.items())},
        }
        atomic.write_text(self.path, json.dumps(data, indent=1))


def state_file(out: Path) -> Path:
    """The bookkeeping file of the built folder ``out``: beside it, so it is never uploaded."""
    return out.parent / f".{out.name}.uploads.json"


def load_state(out: Path) -> UploadState:
    """The state of ``out``; empty when there is none (or it cannot be read: then everything is sent again)."""
    path = state_file(out)
    try:
        data = json.loads(path.read_text("utf-8"))
        targets = {url: _stamps(files) for url, files in data["targets"].items()}
        return UploadState(path, targets, _stamps(data["local"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return UploadState(path)


def _stamps(files: dict[str, dict[str, Any]]) -> dict[str, FileStamp]:
    return {name: FileStamp(**stamp) for name, stamp in files.items()}


def local_files(out: Path, known: dict[str, FileStamp]) -> dict[str, FileStamp]:
    """Every file below ``out`` that is published (hidden files are not) with its stamp; a file whose size
    and time match ``known`` keeps its MD5 from there."""
    files: dict[str, FileStamp] = {}
    for folder, dirs, names in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(n for n in names if not n.startswith(".")):
            path = Path(folder, name)
            rel = path.relative_to(out).as_posix()
            stat = path.stat()
            old = known.get(rel)
            if old is not None and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                files[rel] = old
            else:
                files[rel] = FileStamp(stat.st_size, _md5(path), stat.st_mtime_ns)
    return files


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
