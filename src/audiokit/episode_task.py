"""One episode's stages as a self-contained task, for a worker without the show's file system.

The client packs what the stages read: the show's files (without the other episodes' folders and
the build output), the episode's folder, and the episode's files in the staging view (internal
ones such as master.json included), each with its modification time. The worker unpacks them into
a temporary folder of the same layout, runs the stages there with :func:`audiokit.stages.chain.run_chain`
and sends back every file they wrote or removed; the client writes those (atomically, keeping the
worker's modification times, so the fingerprints agree) into the staging view and the show.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import atomic
from .errors import AudiokitError
from .i18n import _
from .stages import BuildContext, BuildOptions, Stage
from .stages.chain import StageResult, run_chain
from .stamps import tree_stamps
from .workspace import EPISODE_FILE, Episode, load_episode, load_show

log = logging.getLogger("audiokit")

Files = dict[str, tuple[bytes, int]]
"""Relative path -> (content, modification time in ns)."""


def _no_report(message: list[Any]) -> None:
    """Report nothing (outside a worker)."""


report_progress: Callable[[list[Any]], None] = _no_report
"""Where a worker sends ``[slug, fraction of the episode done]`` (msgpack-able); set by the executor in each worker."""


@dataclass
class EpisodeTask:
    """Everything a worker needs to run the episode stages of one episode."""

    slug: str
    folder: str  # the episode's folder, relative to the show
    stages: list[Stage]
    options: BuildOptions
    records: dict[str, Any]  # the episode's build state
    show_files: Files
    out_files: Files  # relative to the output folder: <slug>/…


@dataclass
class TaskResult:
    """What the stages did, their new state, and the files they wrote (or removed)."""

    results: list[StageResult]
    records: dict[str, Any]
    show_files: Files = field(default_factory=dict)
    out_files: Files = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # below the output folder
    logs: list[tuple[int, str]] = field(default_factory=list)


def _read(root: Path, relatives: Any) -> Files:
    return {f: ((root / f).read_bytes(), (root / f).stat().st_mtime_ns) for f in relatives}


def _walk(folder: Path, root: Path, skip: Callable[[Path], bool] = lambda p: False) -> list[str]:
    found = []
    for dirpath, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not skip(Path(dirpath, d))]
        found += [
            Path(dirpath, n).relative_to(root).as_posix()
            for n in names
            if Path(dirpath, n).is_file() and not skip(Path(dirpath, n))
        ]
    return found


def pack(
    ctx: BuildContext, stages: list[Stage], episode: Episode, records: dict[str, Any], published: Path
) -> EpisodeTask:
    """The task of ``episode``: the show's files it may read and its files in the staging view."""
    show_dir = ctx.show.dir
    own, published = episode.dir.resolve(), published.resolve()

    def skip(path: Path) -> bool:
        if path.parent == show_dir and path.name.startswith("."):
            return True  # version control, editor files
        if path.parent.resolve() == published.parent and path.name.startswith(f".{published.name}."):
            return True  # the build's staging copy, bookkeeping and lock
        if path.is_dir() and path.resolve() != own and (path / EPISODE_FILE).is_file():
            return True  # another episode
        return path.resolve() == published

    return EpisodeTask(
        episode.slug,
        own.relative_to(show_dir).as_posix(),
        stages,
        ctx.options,
        records,
        _read(show_dir, _walk(show_dir, show_dir, skip)),
        _read(ctx.out, _walk(ctx.episode_out(episode), ctx.out)),
    )


def _safe(root: Path, relative: str) -> Path:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        raise AudiokitError(
            _("a worker sent a file outside the build: {relative!r}").format(relative=relative),
            _("check that the workers run the same audiokit version as this machine"),
        )
    return root / pure


def _write(root: Path, files: Files) -> None:
    for relative, (data, mtime) in files.items():
        target = _safe(root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(target, data)
        os.utime(target, ns=(mtime, mtime))


def unpack(ctx: BuildContext, result: TaskResult) -> None:
    """Write what a worker sent into the staging view (``ctx.out``) and the show, then log its lines."""
    try:
        _write(ctx.out, result.out_files)
        for relative in result.removed:
            _safe(ctx.out, relative).unlink(missing_ok=True)
        _write(ctx.show.dir, result.show_files)
    except OSError as exc:
        raise atomic.os_error(exc, _("cannot write what a worker built into {out}").format(out=ctx.out)) from exc
    for level, message in result.logs:
        log.log(level, "%s", message)


def _progress(slug: str, stage_count: int, stage: list[int]) -> Callable[[str, float], Callable[[float], None]]:
    """A progress factory that reports the episode's fraction done, at most twice a second."""

    def factory(label: str, total: float) -> Callable[[float], None]:
        last = [0.0]

        def update(done: float) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.5 or done >= total:
                last[0] = now
                report_progress([slug, float(stage[0] + min(1.0, done / total if total else 1.0)) / stage_count])

        return update

    return factory


def run_task(task: EpisodeTask) -> TaskResult:
    """Run the task's stages in a temporary copy of its files (in a worker process)."""
    collect = logging.handlers.BufferingHandler(sys.maxsize)  # the worker's log lines go back with the result
    collect.setLevel(logging.INFO)
    log.addHandler(collect)
    try:
        with tempfile.TemporaryDirectory(prefix="audiokit-task-") as tmp:
            show_dir, out = Path(tmp, "show"), Path(tmp, "out")
            for root, files in ((show_dir, task.show_files), (out, task.out_files)):
                root.mkdir()
                _write(root, files)
            (out / task.slug).mkdir(exist_ok=True)
            try:
                show = load_show(show_dir)
                episode = load_episode(show, show_dir / task.folder)
            except AudiokitError as exc:
                return TaskResult([StageResult(task.slug, task.stages[0].name, "failed", exc)], task.records)
            stage = [0]
            ctx = BuildContext(show, out, task.options, _progress(task.slug, len(task.stages), stage), [episode])
            show_before, out_before = tree_stamps(show_dir, show_dir), tree_stamps(out, out)
            results, records = run_chain(
                ctx, task.stages, episode, task.records, started=lambda index: stage.__setitem__(0, index)
            )
            report_progress([task.slug, 1.0])
            show_after, out_after = tree_stamps(show_dir, show_dir), tree_stamps(out, out)
            changed = {f for f, stamp in show_after.items() if show_before.get(f) != stamp}
            written = {f for f, stamp in out_after.items() if out_before.get(f) != stamp}
            return TaskResult(
                results,
                records,
                show_files=_read(show_dir, changed),
                out_files=_read(out, written),
                removed=sorted(set(out_before) - set(out_after)),
                logs=[(record.levelno, record.getMessage()) for record in collect.buffer],
            )
    finally:
        log.removeHandler(collect)
