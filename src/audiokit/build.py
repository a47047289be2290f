"""Incremental, atomic builds: run every stage whose inputs changed, publish the output folder in one swap.

A build works in a staging copy of the output folder (hard links, so it is cheap) and renames it
into place only at the end: a build killed midway leaves the previous output untouched. Each stage
declares a JSON fingerprint of its inputs (file sizes and times, settings); a stage whose
fingerprint and outputs are unchanged is skipped, so a second build with no change does no work.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from . import atomic
from .errors import AudiokitError, BuildLockedError
from .workspace import Episode, Show, load_show

log = logging.getLogger("audiokit")

STATE_FILE = ".audiokit-state.json"

ProgressFactory = Callable[[str, float], Callable[[float], None]]
"""``factory(label, total)`` returns ``update(done)``; the CLI turns it into a progress bar."""


def no_progress(label: str, total: float) -> Callable[[float], None]:
    """A progress factory that reports nothing (the default outside the CLI)."""
    return lambda done: None


@dataclass
class BuildContext:
    """What a stage gets: the show, the folder to write into, options and a progress factory."""

    show: Show
    out: Path
    options: dict[str, Any] = field(default_factory=dict)
    progress: ProgressFactory = no_progress
    episodes: list[Episode] = field(default_factory=list)

    def episode_out(self, episode: Episode) -> Path:
        """The output folder of one episode (``out/<slug>/``)."""
        return self.out / episode.slug


class Stage:
    """One step of the pipeline. ``scope`` is "episode" (run per episode) or "show" (once)."""

    name: ClassVar[str] = ""
    scope: ClassVar[str] = "episode"

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        """JSON-able description of everything the output depends on."""
        raise NotImplementedError

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        """Files the stage produces; a missing one makes the stage run again."""
        return []

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        """Write the outputs into ``ctx.out`` (atomically); raise AudiokitError on bad input."""
        raise NotImplementedError


def file_stamp(path: Path | None) -> list[Any] | None:
    """Size and modification time of a file (None if absent): cheap change detection.

    The path itself is left out, so a file keeps its stamp when the staging folder is swapped in.
    """
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class StageResult:
    """What one stage did for one episode (or for the show)."""

    episode: str  # slug, or "" for show stages
    stage: str
    status: str  # "done", "skipped" or "failed"
    error: AudiokitError | None = None


@dataclass
class BuildReport:
    """Every stage's result of one build of ``out``."""

    out: Path
    results: list[StageResult] = field(default_factory=list)

    @property
    def failed(self) -> list[StageResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def changed(self) -> bool:
        return any(r.status == "done" for r in self.results)


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``out``; a second build of the same folder fails at once."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLockedError(f"another build of {out} is running",
                                   "wait for it to finish (or stop it) and run again") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class _Staging:
    """The staging copy of ``out``, made on first write and swapped into place at the end."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.parent / f".{out.name}.staging"
        self.old = out.parent / f".{out.name}.old"
        self.active = False

    def recover(self) -> None:
        """Undo what a killed build left: a half swap or a stale staging folder."""
        if not self.out.exists() and self.old.exists():
            os.rename(self.old, self.out)
        for leftover in (self.path, self.old):
            if leftover.exists():
                shutil.rmtree(leftover)

    def begin(self) -> Path:
        if not self.active:
            if self.out.exists():
                shutil.copytree(self.out, self.path, copy_function=os.link, symlinks=True)
            else:
                self.path.mkdir(parents=True)
            self.active = True
        return self.path

    def commit(self) -> None:
        if self.out.exists():
            os.rename(self.out, self.old)
        os.rename(self.path, self.out)
        shutil.rmtree(self.old, ignore_errors=True)


def _load_state(folder: Path) -> dict[str, dict[str, str]]:
    try:
        return json.loads((folder / STATE_FILE).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def build(
    show_dir: Path | str,
    out: Path | str | None = None,
    *,
    stages: list[Stage] | None = None,
    options: dict[str, Any] | None = None,
    progress: ProgressFactory = no_progress,
    only: list[str] | None = None,
) -> BuildReport:
    """Build ``show_dir`` into ``out`` (default ``<show>/public``), running only what changed.

    ``only`` restricts the build to the named episode slugs. Bad settings (a fingerprint that
    raises) stop the build before any work starts; a stage failing later fails only its episode,
    which is reported while the others still build; the report lists every stage's status.
    """
    from .stages import default_stages

    show = load_show(show_dir)
    out = Path(out) if out is not None else show.dir / "public"
    out = out.resolve()
    stages = default_stages() if stages is None else stages
    episodes = show.episodes()  # validates every episode before any work starts
    if only:
        unknown = sorted(set(only) - {e.slug for e in episodes})
        if unknown:
            raise AudiokitError(f"no episode named {unknown[0]!r}", "give the episode folder name")
    report = BuildReport(out)
    with build_lock(out):
        staging = _Staging(out)
        staging.recover()
        state = _load_state(out)
        ctx = BuildContext(show, out, options or {}, progress, episodes)
        failed: set[str] = set()
        targets: list[tuple[Stage, Episode | None]] = [
            (stage, episode) for stage in stages if stage.scope == "episode"
            for episode in episodes if not only or episode.slug in only
        ]
        targets.sort(key=lambda t: (t[1].slug, stages.index(t[0])))  # type: ignore[union-attr]
        targets += [(stage, None) for stage in stages if stage.scope == "show"]
        for stage, episode in targets:  # bad settings stop the build here, before any work is done
            stage.fingerprint(ctx, episode)
        for stage, episode in targets:
            slug = episode.slug if episode else ""
            if slug in failed:
                continue
            try:
                key = _digest([stage.name, stage.fingerprint(ctx, episode)])
                outputs_present = all(p.exists() for p in stage.outputs(ctx, episode))
                if state.get(slug, {}).get(stage.name) == key and outputs_present:
                    report.results.append(StageResult(slug, stage.name, "skipped"))
                    continue
                ctx.out = staging.begin()
                log.info("%s: %s", slug or show.slug, stage.name)
                stage.run(ctx, episode)
                # recompute: the stage may have changed its own inputs (e.g. wrote transcript.json)
                state.setdefault(slug, {})[stage.name] = _digest([stage.name, stage.fingerprint(ctx, episode)])
            except AudiokitError as exc:
                log.error("%s: %s failed: %s", slug or show.slug, stage.name, exc)
                report.results.append(StageResult(slug, stage.name, "failed", exc))
                state.get(slug, {}).pop(stage.name, None)
                failed.add(slug)
                continue
            report.results.append(StageResult(slug, stage.name, "done"))
        if staging.active:
            atomic.write_text(ctx.out / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))
            staging.commit()
    return report
