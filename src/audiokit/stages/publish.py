"""The publishing stages: "publish" per episode (exports, chapters, shownotes, page) and "site" once
(cover, feed, start page, assets). Fingerprints are file stamps and settings only, so an unchanged
show is recognised without reading any audio."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from pathlib import Path
from typing import Any

from ..mastering.manifest import MANIFEST as MASTER_MANIFEST
from ..mastering.manifest import load_manifest
from ..publish.episode import MANIFEST, publish_episode
from ..publish.show import cover_name, publish_show
from ..publish.validate import validate_episode, validate_show
from ..stamps import file_stamp
from ..templating import templates_dir
from ..workspace import FEED_FILE, Episode, Show
from .base import BuildContext, EpisodeStage, ShowStage

VERSION = 2
"""Bump when the published output changes for the same inputs, so every episode is rebuilt."""


def _audio_stamp(folder: Path) -> Any:
    master = load_manifest(folder)
    return None if master is None else file_stamp(folder / master.audio)


def _template_stamps(show: Show) -> list[Any]:
    stamps = []
    for root in (templates_dir(), show.dir / "templates"):
        if root.is_dir():
            for dirpath, _, files in os.walk(root):
                stamps += [
                    [os.path.relpath(os.path.join(dirpath, f), root), file_stamp(Path(dirpath, f))]
                    for f in sorted(files)
                ]
    return stamps


def _show_fields(show: Show) -> dict[str, Any]:
    """The show's metadata without podcast_guid (stored on the first build) and settings."""
    fields = {
        f.name: getattr(show, f.name)
        for f in dataclasses.fields(show)
        if f.name not in ("podcast_guid", "settings", "dir")
    }
    fields["publish"] = show.settings.get("publish", {})
    return json.loads(json.dumps(fields, default=str))


@functools.lru_cache(maxsize=1)
def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("audiokit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "source"


class PublishEpisodeStage(EpisodeStage):
    """Exports, chapters, shownotes and the episode page of one episode."""

    name = "publish"
    internal = (MANIFEST,)  # read by the show stage and the next build, never published

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        assert episode is not None
        validate_episode(episode)
        folder = ctx.episode_out(episode)
        return {
            "version": [VERSION, _package_version()],
            "show": _show_fields(ctx.show),
            "episode": file_stamp(episode.file),
            "master": file_stamp(folder / MASTER_MANIFEST),
            "audio": _audio_stamp(folder),
            "transcript": file_stamp(episode.transcript_path),
            "templates": _template_stamps(ctx.show),
        }

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        assert episode is not None
        folder = ctx.episode_out(episode)
        return [folder / MANIFEST, folder / "index.html", folder / "shownotes.html"]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        assert episode is not None
        publish_episode(ctx.show, episode, ctx.episode_out(episode))


class PublishShowStage(ShowStage):
    """Cover, feed.xml, the start page and the site assets."""

    name = "site"

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        validate_show(ctx.show)
        episodes = []
        for ep in ctx.episodes:
            folder = ctx.episode_out(ep)
            episodes.append([ep.slug, file_stamp(ep.file), file_stamp(folder / MANIFEST), _audio_stamp(folder)])
        return {
            "version": [VERSION, _package_version()],
            "show": _show_fields(ctx.show),
            "guid": ctx.show.podcast_guid,
            "cover": file_stamp(ctx.show.cover),
            "episodes": episodes,
            "templates": _template_stamps(ctx.show),
        }

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        return [
            ctx.out / FEED_FILE,
            ctx.out / "index.html",
            ctx.out / cover_name(ctx.show),
            *(ctx.out / "assets" / name for name in ("site.css", "site.js")),
        ]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        publish_show(ctx.show, ctx.episodes, ctx.out)
