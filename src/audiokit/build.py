"""Incremental, atomic builds: run every stage whose inputs changed, publish the output folder in one swap.

A build works in a staging copy of the output folder (hard links, so it is cheap) and renames it
into place only at the end: a build killed at any point leaves the previous output (or, once the
swap has begun, the new one) whole, and the next build finishes or discards what was left. A stage
whose JSON fingerprint of its inputs (file sizes and times, settings) is unchanged and whose files
are all still there is skipped, so a second build with no change does no work.

Bookkeeping (the build state, each stage's ``internal`` files such as master.json) lives beside
the output in ``.<out>.audiokit/``, never in the published folder; stages still find those files in
their output folder while they run.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import atomic
from .errors import AudiokitError, BuildLockedError, ConfigError
from .i18n import _
from .outputs import check_output_folder, lock_file
from .progress import ProgressFactory, no_progress
from .stages import BuildContext, BuildOptions, Stage, default_stages
from .stages.chain import StageResult, run_chain
from .workspace import EPISODE_FILE, SHOW_FILE, Episode, load_episodes, load_show, shown_parent, unused_audio

log = logging.getLogger("audiokit")

STATE_FILE = "state.json"


@dataclass
class BuildReport:
    """Every stage's result of one build of ``out``; ``drafts`` maps a left-out episode to why, ``reviews``
    a built episode to how its transcript is published (:func:`audiokit.publish.episode.review_status`)."""

    out: Path
    results: list[StageResult] = field(default_factory=list)
    drafts: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> list[StageResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def changed(self) -> bool:
        return any(r.status == "done" for r in self.results)


def build_lock(out: Path) -> contextlib.AbstractContextManager[None]:
    """Hold an exclusive lock for ``out``; a second build of the same folder fails at once."""
    busy = BuildLockedError(
        _("another build of {out} is running").format(out=out), _("wait for it to finish (or stop it) and run again")
    )
    return atomic.exclusive(lock_file(out), busy=busy)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or hard links not allowed: a real copy
        shutil.copy2(src, dst)


class _Swap:
    """The staging view of ``out`` and its bookkeeping, and the swap that publishes them.

    The view is ``out`` plus the internal files kept in ``.<out>.audiokit/``. On commit the
    internal files move back there, a marker file says "the new state is complete", and both
    folders are renamed into place; a build killed after the marker is finished by the next one,
    a build killed before it is discarded.
    """

    def __init__(self, out: Path, internal_names: set[str]) -> None:
        self.out = out
        self.internal = out.parent / f".{out.name}.audiokit"
        self.view = out.parent / f".{out.name}.staging"
        self.internal_new = out.parent / f".{out.name}.audiokit.staging"
        self.marker = out.parent / f".{out.name}.commit"
        # (live folder, its new version, where the live one goes during the swap)
        self.pairs = [
            (self.internal, self.internal_new, out.parent / f".{out.name}.audiokit.old"),
            (self.out, self.view, out.parent / f".{out.name}.old"),
        ]
        self.names = internal_names

    def recover(self) -> None:
        """Finish a swap a killed build had begun, or throw away what it left."""
        try:
            if self.marker.exists():
                self._swap()
            for _live, new, old in self.pairs:
                atomic.remove_tree(new)
                atomic.remove_tree(old)
        except OSError as exc:
            raise atomic.os_error(exc, _("cannot clean up after the last build of {out}").format(out=self.out)) from exc

    def state(self) -> dict[str, Any]:
        try:
            return json.loads((self.internal / STATE_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    def begin(self) -> Path:
        """Make the staging view: ``out`` and the internal files (as hard links), all writable."""
        try:
            self.view.mkdir(parents=True)
            self._link("")
        except OSError as exc:
            error = atomic.os_error(
                exc, _("cannot make the staging copy {view} of {out}").format(view=self.view, out=self.out)
            )
            with contextlib.suppress(AudiokitError):
                self.discard()
            raise error from exc
        return self.view

    def restore(self, sub: str) -> None:
        """Put ``out/<sub>`` and its internal files back into the view as the last build left them
        (a failed episode keeps what was published of it; one never published leaves nothing)."""
        atomic.remove_tree(self.view / sub)
        try:
            self._link(sub)
        except OSError as exc:
            raise atomic.os_error(
                exc, _("cannot restore {value} from {value2}").format(value=self.view / sub, value2=self.out / sub)
            ) from exc

    def _link(self, sub: str) -> None:
        """Hard-link ``out/<sub>``, then the internal files of ``<sub>``, into the view, all writable
        (the published folder may be read-only)."""
        for source, ignore in ((self.out / sub, None), (self.internal / sub, self._skip_in_view)):
            if source.is_dir():
                shutil.copytree(
                    source,
                    self.view / sub,
                    copy_function=_link_or_copy,
                    symlinks=True,
                    dirs_exist_ok=True,
                    ignore=ignore,
                )
        if (self.view / sub).is_dir():
            atomic.make_writable(self.view / sub)

    def _skip_in_view(self, folder: str, names: list[str]) -> set[str]:
        """A file the output folder holds too is newer there; the build state stays out of the view."""
        target = self.view / Path(folder).relative_to(self.internal)
        return {n for n in names if (n == STATE_FILE and Path(folder) == self.internal) or (target / n).is_file()}

    def commit(self, state: dict[str, Any]) -> None:
        """Publish the view: internal files and the state to ``.<out>.audiokit``, the rest to ``out``."""
        try:
            self.internal_new.mkdir()
            for dirpath, _dirs, files in os.walk(self.view):
                for name in files:
                    if name in self.names:
                        src = Path(dirpath, name)
                        dst = self.internal_new / src.relative_to(self.view)
                        dst.parent.mkdir(parents=True, exist_ok=True)
                        os.rename(src, dst)
            atomic.write_text(self.internal_new / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))
            atomic.write_text(self.marker, "")
            self._swap()
        except OSError as exc:
            raise atomic.os_error(exc, _("cannot put the new build into place at {out}").format(out=self.out)) from exc

    def _swap(self) -> None:
        for live, new, old in self.pairs:
            if new.exists():
                if live.exists():
                    atomic.remove_tree(old)
                    os.rename(live, old)
                os.rename(new, live)
        self.marker.unlink()
        for _live, _new, old in self.pairs:
            atomic.remove_tree(old)

    def discard(self) -> None:
        """Throw the view away, unless the swap has begun (then the next build finishes it)."""
        if not self.marker.exists():
            atomic.remove_tree(self.view)
            atomic.remove_tree(self.internal_new)


def build(
    show_dir: Path | str,
    out: Path | str | None = None,
    *,
    stages: list[Stage] | None = None,
    options: BuildOptions | None = None,
    progress: ProgressFactory = no_progress,
    only: list[str] | None = None,
    force: bool = False,
    workers: int = 1,
    cluster: str | None = None,
) -> BuildReport:
    """Build ``show_dir`` into ``out`` (default ``<show>/public``), running only what changed.

    ``only`` restricts the build to the named episode slugs; ``force`` runs every stage again.
    ``workers`` > 1 builds that many episodes at once in local processes; ``cluster`` (or
    ``AUDIOKIT_CLUSTER``, or ``[build] cluster`` in show.toml) is the address of a Dask scheduler
    whose workers build the episodes instead (see :mod:`audiokit.executors`).
    Bad settings (a fingerprint that raises) stop the build before any work starts. A stage failing
    later fails only its episode: the episode keeps what the last build published of it while the
    others still build. A failing show stage (feed, site) publishes nothing: ``out`` stays as it was.
    The report lists every stage's status and the drafts left out.
    """
    given = Path(show_dir)
    if (given / EPISODE_FILE).is_file() and not (given / SHOW_FILE).is_file():
        raise ConfigError(
            _("{given} is an episode folder, not a show folder").format(given=given),
            _(
                "build the show that holds it: audiokit build {shown_parent_given} (add --episode {name} to build only this episode)"
            ).format(shown_parent_given=shown_parent(given), name=given.resolve().name),
        )
    show = load_show(show_dir)
    out = check_output_folder(Path(out) if out is not None else show.dir / "public", show.dir)
    stages = default_stages() if stages is None else stages
    everything = load_episodes(show, drafts=True)  # validates every episode before any work starts
    drafts = {e.slug: e.draft_reason for e in everything if e.draft_reason}
    episodes = [e for e in everything if not e.draft_reason]
    for slug, reason in drafts.items():
        log.warning(_("%s: left out, a draft: %s"), slug, reason)
    for episode in episodes:
        if stray := unused_audio(episode):
            log.warning(
                _("%s: %s not named in %s, so not used — name it as recording (or a speaker's track) or move it away"),
                episode.slug,
                ", ".join(p.name for p in stray),
                EPISODE_FILE,
            )
    if unknown := sorted(set(only or ()) - {e.slug for e in episodes}):
        what = (
            _("no episode named {slug!r} to build (a draft: {reason})").format(
                slug=unknown[0], reason=drafts[unknown[0]]
            )
            if unknown[0] in drafts
            else _("no episode named {slug!r} to build").format(slug=unknown[0])
        )
        raise AudiokitError(what, _("give the folder name of an episode with its recording"))
    if drafts and not episodes:
        slug, reason = next(iter(drafts.items()))
        raise ConfigError(
            _("no episode is ready to build: {slug}: {reason}").format(slug=slug, reason=reason),
            _("put the recording into the episode folder (named in episode.toml) and build again"),
        )
    report = BuildReport(out, drafts=drafts)
    from .executors import open_executor
    from .publish.episode import review_status

    with build_lock(out), open_executor(show, workers, cluster) as executor:
        swap = _Swap(out, {name for stage in stages for name in stage.internal})
        swap.recover()
        state = {} if force else swap.state()
        ctx = BuildContext(show, swap.begin(), options or BuildOptions(), progress, episodes)
        try:
            chosen = sorted((e for e in episodes if not only or e.slug in only), key=lambda e: e.slug)
            report.results = _run_stages(ctx, stages, chosen, state, swap, executor)
            report.reviews = {e.slug: status for e in chosen if (status := review_status(e))}
            if any(not r.episode for r in report.failed):
                log.error(_("nothing published: %s stays as the last build left it"), out)
                swap.discard()
            elif report.changed or not (swap.internal / STATE_FILE).exists():
                swap.commit(state)
            else:
                swap.discard()
        except BaseException:
            with contextlib.suppress(AudiokitError):
                swap.discard()
            raise
    return report


def _run_stages(
    ctx: BuildContext, stages: list[Stage], chosen: list[Episode], state: dict[str, Any], swap: _Swap, executor: Any
) -> list[StageResult]:
    """Run (or skip) every stage for the ``chosen`` episodes and the show, updating ``state``; a failed
    episode is put back as it was published. Episode stages run episode by episode here, or on
    ``executor`` (see :mod:`audiokit.executors`), which runs whole episodes in parallel."""
    all_results: list[StageResult] = []
    per_episode = [s for s in stages if s.scope == "episode"]
    per_show = [s for s in stages if s.scope == "show"]
    errors: list[ConfigError] = []
    for stage, episode in [*((s, e) for e in chosen for s in per_episode), *((s, None) for s in per_show)]:
        try:
            stage.fingerprint(ctx, episode)  # bad settings stop the build here, before any work is done
        except ConfigError as exc:  # every file's problems at once, not one per build
            if str(exc) not in map(str, errors):
                errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ConfigError(  # the fix first, so that the first line reads "Error: <what> — <fix>"
            _("{len_errors} problems in the show's files").format(len_errors=len(errors)),
            _("correct them all, then build again") + ":\n" + "\n".join(f"  {e}" for e in errors),
        )
    published = json.loads(json.dumps(state))  # the state that goes with the files in ``out``
    outcomes: Iterator[tuple[str, list[StageResult], dict[str, Any]]]
    if executor is None:
        outcomes = ((e.slug, *run_chain(ctx, per_episode, e, state.get(e.slug, {}))) for e in chosen)
    else:
        from .executors import run_episodes

        outcomes = run_episodes(executor, ctx, per_episode, chosen, state, swap.out)
    for slug, results, records in outcomes:
        all_results += results
        if not results or results[-1].status != "failed":
            state[slug] = records
            continue
        swap.restore(slug)  # never publish a half-built episode: it stays as it was
        # a stage that wrote nothing into the output (transcription writes into the show) keeps its new
        # record: the restore did not undo its work
        elsewhere = {name: r for name, r in records.items() if isinstance(r, dict) and not r["files"]}
        state[slug] = {**published.get(slug, {}), **elsewhere}
    results, state[""] = run_chain(ctx, per_show, None, state.get("", {}))
    if not state[""]:
        del state[""]
    return all_results + results
