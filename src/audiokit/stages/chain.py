"""Running a chain of stages for one episode (or the show): skip what is current, record what ran. A stage's
record in the build state is the digest of its fingerprint and the files it owns below the output folder."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import atomic
from ..errors import AudiokitError
from ..i18n import _
from ..stamps import digest, tree_stamps
from ..workspace import Episode
from .base import BuildContext, Stage

log = logging.getLogger("audiokit")


@dataclass
class StageResult:
    """What one stage did for one episode (or for the show)."""

    episode: str  # slug, or "" for show stages
    stage: str
    status: str  # "done", "skipped" or "failed"
    error: AudiokitError | None = None


def is_current(ctx: BuildContext, stage: Stage, episode: Episode | None, record: Any) -> bool:
    """Whether ``stage`` can be skipped: its fingerprint is the recorded one and its files are there."""
    if not record or record.get("key") != digest([stage.name, stage.fingerprint(ctx, episode)]):
        return False
    return all(p.exists() for p in [*stage.outputs(ctx, episode), *(ctx.out / f for f in record.get("files", []))])


def stage_record(ctx: BuildContext, stage: Stage, episode: Episode | None, files: list[str]) -> dict[str, Any]:
    """The state entry of a stage that ran: its fingerprint now (it may have changed its own inputs,
    e.g. written transcript.json) and the files it owns below ``ctx.out``."""
    return {"key": digest([stage.name, stage.fingerprint(ctx, episode)]), "files": sorted(files)}


def run_chain(
    ctx: BuildContext,
    stages: list[Stage],
    episode: Episode | None,
    records: dict[str, Any],
    started: Callable[[int], None] = lambda index: None,
) -> tuple[list[StageResult], dict[str, Any]]:
    """Run (or skip) ``stages`` in order for one episode (None: the show), from its state ``records``; stop
    at the first failure (the last result). ``started(i)`` is called before stage ``i`` runs."""
    slug = episode.slug if episode else ""
    records = dict(records)
    results: list[StageResult] = []
    folder = ctx.episode_out(episode) if episode else ctx.out
    for index, stage in enumerate(stages):
        record = records.get(stage.name)
        try:
            if is_current(ctx, stage, episode, record):
                results.append(StageResult(slug, stage.name, "skipped"))
                continue
            log.info(_("%s: %s"), slug or ctx.show.slug, stage.name)
            started(index)
            before = tree_stamps(folder, ctx.out)
            try:
                stage.run(ctx, episode)
            except OSError as exc:
                raise atomic.os_error(exc, _("{name} could not write its output").format(name=stage.name)) from exc
            after = tree_stamps(folder, ctx.out)
            written = {f for f, stamp in after.items() if before.get(f) != stamp}
            kept = {f for f in record.get("files", []) if f in after} if isinstance(record, dict) else set()
            records[stage.name] = stage_record(ctx, stage, episode, [*written, *kept])
        except AudiokitError as exc:
            log.error(_("%s: %s failed: %s"), slug or ctx.show.slug, stage.name, exc)
            results.append(StageResult(slug, stage.name, "failed", exc))
            break
        results.append(StageResult(slug, stage.name, "done"))
    return results, records
