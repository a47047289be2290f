"""Putting the built show online: only the files that changed, in an order that never breaks the feed.

Media go first, then the episodes' other files, then the show's pages, ``feed.xml`` last: a publish
stopped at any point leaves the old feed, and every file it names, on the server, and the next publish
sends what is still missing. Each file is checked on arrival and renamed into place (see
:mod:`.remote`); what the server holds is kept in the bookkeeping (:mod:`.uploaded`). Files on the
server that the show no longer has are removed only when asked (``delete``), after the new feed is up.
Hidden files are never sent nor removed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import atomic
from ..config.schema import ShowPublish
from ..config.validate import Place, convert
from ..errors import BuildLockedError, ConfigError, PublishError
from ..i18n import _
from ..outputs import lock_file
from ..progress import ProgressFactory, no_progress
from ..workspace import FEED_FILE, load_show
from .check import check_site
from .episode import url
from .notify import ping_hubs
from .remote import PART, open_remote, parse_target, remote_errors
from .uploaded import FileStamp, load_state, local_files

log = logging.getLogger("audiokit")

MEDIA = {".mp3", ".m4a", ".opus", ".ogg", ".flac", ".wav", ".mp4"}


def upload_order(name: str) -> tuple[bool, bool, bool, str]:
    """Sort key of the files to send: media, then the episodes' files, then the show's pages, the feed last."""
    path = PurePosixPath(name)
    return name == FEED_FILE, len(path.parts) == 1, path.suffix.lower() not in MEDIA, name


@dataclass
class UploadPlan:
    """What a publish to ``target`` sends and removes, in that order; ``stray`` are files on the server the
    show does not have (removed only with ``delete``), ``leftovers`` the parts a stopped publish left."""

    target: str
    uploads: list[str] = field(default_factory=list)
    removals: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    unchanged: int = 0
    bytes: int = 0


@dataclass
class UploadReport:
    """A publish: its plan, whether it ran (not a dry run) and the hubs that took the ping."""

    plan: UploadPlan
    done: bool
    notified: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.plan.uploads or self.plan.removals)


def _hidden(name: str) -> bool:
    return any(part.startswith(".") for part in PurePosixPath(name).parts)


def plan_upload(
    target: str, local: dict[str, FileStamp], remote: dict[str, int], sent: dict[str, FileStamp], *, delete: bool
) -> UploadPlan:
    """Compare the built files with the server's (sizes) and the bookkeeping of what it got (MD5s)."""
    plan = UploadPlan(target)
    for name in sorted(local, key=upload_order):
        stamp = local[name]
        if stamp.same_content(sent.get(name)) and remote.get(name) == stamp.size:
            plan.unchanged += 1
        else:
            plan.uploads.append(name)
            plan.bytes += stamp.size
    plan.leftovers = sorted(n for n in remote if n.endswith(PART))
    plan.stray = sorted(n for n in remote if n not in local and not _hidden(n))
    if delete:
        plan.removals, plan.stray = plan.stray, []
    return plan


def upload_folder(
    out: Path,
    target: str,
    *,
    delete: bool = False,
    dry_run: bool = False,
    progress: ProgressFactory = no_progress,
    protect: Iterable[Path] = (),
) -> UploadReport:
    """Upload the built folder ``out`` to ``target`` (see the module's text); ``dry_run`` only plans.
    ``protect`` are folders a credentials file must not lie in (the show, the output)."""
    address = parse_target(target)
    state = load_state(out)
    state.local = local_files(out, state.local)
    remote = open_remote(address, [*protect, out])
    with remote_errors(address, _("list the folder")):
        listing = remote.listing()
    sent = state.targets.setdefault(address.url, {})
    plan = plan_upload(address.url, state.local, listing, sent, delete=delete)
    if dry_run:
        return UploadReport(plan, done=False)
    for name in plan.leftovers:
        with contextlib.suppress(Exception):
            remote.fs.rm_file(remote.path(name))
    update, done = progress(_("uploading to {url}").format(url=address.url), plan.bytes), 0
    for name in plan.uploads:
        stamp = state.local[name]
        with remote_errors(address, _("upload {name}").format(name=name)):
            remote.put(out / name, name, stamp.size, stamp.md5)
        sent[name] = FileStamp(stamp.size, stamp.md5)
        state.save()
        done += stamp.size
        update(done)
        log.debug("%s: sent %s (%d bytes)", address.url, name, stamp.size)
    for name in plan.removals:
        with remote_errors(address, _("remove {name}").format(name=name)):
            remote.remove(name)
        sent.pop(name, None)
        log.debug("%s: removed %s", address.url, name)
    for name in set(sent) - set(state.local):
        del sent[name]
    state.save()
    return UploadReport(plan, done=True)


def upload_show(
    show_dir: Path | str,
    out: Path | str | None = None,
    *,
    to: str | None = None,
    delete: bool = False,
    dry_run: bool = False,
    progress: ProgressFactory = no_progress,
) -> UploadReport:
    """Upload the built show (default ``<show>/public``) to ``to``, else ``[publish] target`` of show.toml,
    once ``audiokit check`` finds no problem in it; then ping the ``[publish] notify`` hubs if the feed
    changed. A build of the same folder waits (and makes a publish wait) until the other is done."""
    show = load_show(show_dir)
    settings = convert(show.settings.get("publish", {}), ShowPublish, Place(show.file, "publish."))
    out = Path(out) if out is not None else show.dir / "public"
    target = to or settings.target
    if not target:
        raise ConfigError(
            _("no upload target for {dir}").format(dir=show.dir),
            _("give --to URL or set [publish] target in show.toml"),
        )
    if not (out / FEED_FILE).is_file():
        raise ConfigError(
            _("{out} holds no built show (no {FEED_FILE})").format(out=out, FEED_FILE=FEED_FILE),
            _("build it first: audiokit build {show_dir}").format(show_dir=show_dir),
        )
    busy = BuildLockedError(
        _("a build or publish of {out} is running").format(out=out), _("wait for it to finish and run again")
    )
    with atomic.exclusive(lock_file(out), busy=busy):
        if problems := check_site(out):
            raise PublishError(
                _("{out} has {len_problems} problem(s), the first: {value}").format(
                    out=out, len_problems=len(problems), value=problems[0]
                ),
                _("see audiokit check {out}; fix them and build again before publishing").format(out=out),
            )
        report = upload_folder(out, target, delete=delete, dry_run=dry_run, progress=progress, protect=[show.dir])
    if report.done and FEED_FILE in report.plan.uploads:
        report.notified = ping_hubs(settings.notify, url(show, FEED_FILE))
    return report
