"""Autosave with a version history: every change is a snapshot, undo survives restarts.

The canonical ``transcript.json`` is only ever replaced atomically. Beside it,
``.transcript-history/`` keeps one gzip snapshot per version and ``index.json`` (the versions, each
with its parent, and the head). A change is written in the order snapshot → index → transcript,
so a process killed at any point leaves a complete transcript that is one of the versions; on the
next start :meth:`History.load` finds which one by its hash.

Every change names the ETag (SHA-256 of the file's bytes) it was based on; when the file changed
on disk meanwhile — another editor tab, ``audiokit import-text``, a new transcription — the change
is refused with :class:`ChangedOnDisk` instead of overwriting it.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import gzip
import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import TranscriptError
from ..glossary import GLOSSARY_FILE, read_glossary_text, write_glossary_text
from ..i18n import _
from ..transcript import Transcript, now_iso
from ..transcript import load as load_transcript
from ..workspace import HISTORY_DIR

log = logging.getLogger("audiokit")

MAX_VERSIONS = 200


class ChangedOnDisk(TranscriptError):
    """The transcript file is no longer the version the change was based on."""

    def __init__(self, path: Path, etag: str) -> None:
        super().__init__(
            _("{path} was changed meanwhile (by another window or program)").format(path=path),
            _("reload it and make the change again"),
        )
        self.etag = etag


@dataclass
class Version:
    """One saved state of the transcript; ``glossary`` is the change to the show's glossary made with
    it (``{"show": folder, "before": text or None, "after": text}``), undone and redone with it."""

    n: int
    parent: int | None
    label: str
    time: str
    sha256: str
    glossary: dict[str, Any] | None = None


class History:
    """The version history of one transcript file; safe across threads and processes."""

    def __init__(self, transcript_path: Path) -> None:
        self.path = Path(transcript_path)
        self.folder = self.path.parent / HISTORY_DIR
        self._stamp: tuple[int, int, int] | None = None
        self._sha = ""
        self._parsed: tuple[str, Transcript] | None = None  # the last transcript read or written, by ETag

    def etag(self) -> str:
        """SHA-256 of the transcript file as it is on disk now (cached while its stat is unchanged)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError as exc:
            raise TranscriptError(
                _("{path} does not exist").format(path=self.path), _("run 'audiokit build' to transcribe first")
            ) from exc
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
        if stamp != self._stamp:
            self._sha = hashlib.sha256(self.path.read_bytes()).hexdigest()
            self._stamp = stamp
        return self._sha

    def load(self) -> tuple[Transcript, str]:
        """The current transcript (yours to change) and its ETag; records it as a version if new."""
        with self._locked():
            self._reconcile()
            etag = self.etag()
            if self._parsed is None or self._parsed[0] != etag:
                self._parsed = (etag, load_transcript(self.path))
            return _clone(self._parsed[1]), etag

    def versions(self) -> list[Version]:
        """All kept versions, oldest first."""
        return self._read_index()[1]

    def head(self) -> int | None:
        """The number of the version the transcript file holds."""
        return self._read_index()[0]

    def snapshot(self, n: int) -> Transcript:
        """The transcript as it was in version ``n``."""
        return Transcript.from_dict(json.loads(self._snapshot_bytes(n)), f"version {n}")

    def commit(
        self, transcript: Transcript, label: str, *, expected: str | None, glossary: dict[str, Any] | None = None
    ) -> str:
        """Save ``transcript`` as a new version; ``expected`` is the ETag it was based on (None: any).
        ``glossary``: the change to the show's glossary made with it (see :class:`Version`)."""
        with self._locked():
            head = self._check(expected)
            etag = self._write(transcript.to_json(), label, head, glossary)
            self._parsed = (etag, _clone(transcript))
            return etag

    def undo(self, *, expected: str | None) -> str:
        """Go back to the version before the current one."""
        with self._locked():
            head = self._check(expected)
            versions = self.versions()
            current = _find(versions, head)
            if current is None or current.parent is None or _find(versions, current.parent) is None:
                raise TranscriptError(_("there is no older version"), _("nothing to undo"))
            etag = self._move(current.parent)
            _switch_glossary(current.glossary, "after", "before")
            return etag

    def redo(self, *, expected: str | None) -> str:
        """Go forward to the newest version made from the current one."""
        with self._locked():
            head = self._check(expected)
            children = [v for v in self.versions() if v.parent == head]
            if not children:
                raise TranscriptError(_("there is no newer version"), _("nothing to redo"))
            etag = self._move(children[-1].n)
            _switch_glossary(children[-1].glossary, "before", "after")
            return etag

    def restore(self, n: int, *, expected: str | None) -> str:
        """Make version ``n`` current again, as a new version (so the restore can be undone)."""
        with self._locked():
            head = self._check(expected)
            if _find(self.versions(), n) is None:
                raise TranscriptError(
                    _("version {n} is not in the history").format(n=n), _("pick one of the listed versions")
                )
            return self._write(self._snapshot_bytes(n), f"Version {n} wiederhergestellt", head)

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return atomic.exclusive(self.folder / ".lock")

    def _check(self, expected: str | None) -> int:
        """Refuse a change based on another file state; return the head version."""
        current = self.etag()
        if expected is not None and expected != current:
            raise ChangedOnDisk(self.path, current)
        return self._reconcile()

    def _reconcile(self) -> int:
        """Point the head at the version the file holds, recording the file if it is new; return the head."""
        etag = self.etag()
        head, versions = self._read_index()
        current = _find(versions, head)
        if current is not None and current.sha256 == etag:
            return current.n
        same = [v for v in versions if v.sha256 == etag]
        if same:
            self._write_index(same[-1].n, versions)
            return same[-1].n
        data = self.path.read_bytes()
        load_transcript(self.path)  # never record a broken file
        label = "Ausgangsstand" if not versions else "Außerhalb des Editors geändert"
        return self._add(data, label, head)

    def _write(self, data: bytes, label: str, parent: int, glossary: dict[str, Any] | None = None) -> str:
        self._add(data, label, parent, glossary)
        atomic.write_bytes(self.path, data)
        return self.etag()

    def _add(self, data: bytes, label: str, parent: int | None, glossary: dict[str, Any] | None = None) -> int:
        versions = self.versions()
        n = versions[-1].n + 1 if versions else 1
        versions.append(Version(n, parent, label, now_iso(), hashlib.sha256(data).hexdigest(), glossary))
        atomic.write_bytes(self._snapshot_path(n), gzip.compress(data, 6))
        for old in versions[:-MAX_VERSIONS]:
            with contextlib.suppress(FileNotFoundError):
                self._snapshot_path(old.n).unlink()
        self._write_index(n, versions[-MAX_VERSIONS:])
        log.debug("transcript version %d: %s", n, label)
        return n

    def _move(self, n: int) -> str:
        data = self._snapshot_bytes(n)
        self._write_index(n, self.versions())
        atomic.write_bytes(self.path, data)
        return self.etag()

    def _snapshot_path(self, n: int) -> Path:
        return self.folder / f"v{n:06d}.json.gz"

    def _snapshot_bytes(self, n: int) -> bytes:
        try:
            return gzip.decompress(self._snapshot_path(n).read_bytes())
        except (OSError, EOFError) as exc:
            raise TranscriptError(
                _("version {n} cannot be read ({exc})").format(n=n, exc=exc), _("pick another version")
            ) from exc

    def _read_index(self) -> tuple[int | None, list[Version]]:
        path = self.folder / "index.json"
        if not path.exists():
            return None, []
        try:
            data = json.loads(path.read_text("utf-8"))
            return data["head"], [Version(**v) for v in data["versions"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise TranscriptError(
                _("{path} is broken ({exc})").format(path=path, exc=exc),
                _("delete {folder} to start a new history").format(folder=self.folder),
            ) from exc

    def _write_index(self, head: int, versions: list[Version]) -> None:
        data = {"head": head, "versions": [asdict(v) for v in versions]}
        atomic.write_text(self.folder / "index.json", json.dumps(data, ensure_ascii=False, indent=1))


def _switch_glossary(change: dict[str, Any] | None, old: str, new: str) -> None:
    """Put the glossary from the ``old`` text of ``change`` to its ``new`` one, unless it was changed since."""
    if change is None:
        return
    show = Path(change["show"])
    if read_glossary_text(show) == change[old]:
        write_glossary_text(show, change[new])
    else:
        log.warning(_("%s was changed since; its rules are left as they are"), show / GLOSSARY_FILE)


def _find(versions: list[Version], n: int | None) -> Version | None:
    return next((v for v in versions if v.n == n), None)


def _clone(t: Transcript) -> Transcript:
    """A copy that shares nothing mutable with ``t`` (many times faster than deepcopy)."""
    segments = [dataclasses.replace(s, words=[copy.copy(w) for w in s.words]) for s in t.segments]
    return dataclasses.replace(
        t, speakers=[copy.copy(s) for s in t.speakers], segments=segments, provenance=copy.deepcopy(t.provenance)
    )
