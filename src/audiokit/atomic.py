"""Atomic file output (write to a temp file in the same folder, then rename over the target) and
exclusive locks between processes (``flock`` on a lock file).

Every failure of the file system here becomes an :class:`AudiokitError` that names the file and
how to fix it (:func:`os_error`), never a bare ``OSError``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import AudiokitError
from .i18n import N_, _

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once at import: os.umask can only be read by setting it

_FIXES = {
    **dict.fromkeys((errno.EACCES, errno.EPERM), N_("make the folder writable (chmod u+w) or choose another place")),
    errno.EROFS: N_("the disk is mounted read-only: choose another place"),
    errno.ENOSPC: N_("free some disk space and run again"),
    errno.EDQUOT: N_("free some disk space (quota exceeded) and run again"),
    errno.ENOENT: N_("check that the folder exists"),
    errno.EISDIR: N_("give a file name, not a folder"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder: correct the path"),
    errno.ENAMETOOLONG: N_("choose a shorter name"),
    **dict.fromkeys((errno.EEXIST, errno.ENOTEMPTY), N_("remove it or choose another name")),
}


def os_error(exc: OSError, doing: str) -> AudiokitError:
    """``exc`` as an AudiokitError: ``doing`` says what failed ("cannot write /x/y.mp3")."""
    reason = exc.strerror or str(exc) or exc.__class__.__name__
    fix = _FIXES.get(exc.errno or 0, N_("check the path and its permissions"))
    return AudiokitError(f"{doing} ({reason})", _(fix))


@contextlib.contextmanager
def atomic_path(target: Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    The temp file keeps the target's suffix (ffmpeg picks the container from it). On any
    exception the temp file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.stem[:40]}.part-", suffix=target.suffix if suffix is None else suffix, dir=target.parent
        )
        os.close(fd)
    except OSError as exc:
        raise os_error(exc, _("cannot write {target}").format(target=target)) from exc
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        try:
            os.chmod(tmp_path, _mode_for(target))
            os.replace(tmp_path, target)
        except OSError as exc:
            raise os_error(exc, _("cannot write {target}").format(target=target)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's mode; a new file gets the usual 0666 minus the umask (not mkstemp's 0600)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_UMASK


def write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (fsync'd before the rename)."""
    with atomic_path(target) as tmp:
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise os_error(exc, _("cannot write {target}").format(target=target)) from exc


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``target`` atomically."""
    write_bytes(target, text.encode("utf-8"))


def make_writable(folder: Path) -> None:
    """Give the owner write access to ``folder`` and every folder below it (files keep their mode)."""
    os.chmod(folder, stat.S_IMODE(os.lstat(folder).st_mode) | stat.S_IRWXU)
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                make_writable(Path(entry.path))


def remove_tree(folder: Path) -> None:
    """Delete ``folder`` and everything in it, also when a crashed run left it read-only."""
    if not folder.exists() and not folder.is_symlink():
        return
    try:
        try:
            shutil.rmtree(folder)
        except PermissionError:
            make_writable(folder)
            shutil.rmtree(folder)
    except OSError as exc:
        raise os_error(exc, _("cannot remove the leftover {folder}").format(folder=folder)) from exc


@contextlib.contextmanager
def exclusive(path: Path, *, busy: AudiokitError | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created when missing) while the block runs. Wait while another
    process holds it or, given ``busy``, raise that at once instead."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a")
    except OSError as exc:
        raise os_error(exc, _("cannot create the lock file {path}").format(path=path)) from exc
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
