"""The publishing stages: "publish" per episode (exports, chapters, shownotes, page) and "site" once
(cover, feed, start page, assets). Fingerprints are file stamps and settings only, so an unchanged
show is recognised without reading any audio."""

from __future__ import annotations

import dataclasses
import json
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..mastering.manifest import MANIFEST as MASTER_MANIFEST
from ..mastering.manifest import load_manifest
from ..publish.episode import MANIFEST, publish_episode, validate_episode
from ..publish.show import cover_name, publish_show, validate_show
from ..publish.site import ASSETS, ICONS
from ..stamps import file_stamp
from ..templating import templates_dir
from ..workspace import FEED_FILE, Episode, Show
from .base import BuildContext, EpisodeStage, ShowStage

VERSION = 2
"""Bump when the published output changes for the same inputs, so every episode is rebuilt."""


def _audio_stamp(folder: Path) -> Any:
    master = load_manifest(folder)
    return None if master is None else file_stamp(folder / master.audio)


try:
    PACKAGE_VERSION = version("audiokit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    PACKAGE_VERSION = "source"


def _common(show: Show) -> dict[str, Any]:
    """What all published files depend on: audiokit, the show's metadata and settings (not podcast_guid,
    stored on the first build) and the templates."""
    fields = {f.name: getattr(show, f.name) for f in dataclasses.fields(show)}
    fields = {k: v for k, v in fields.items() if k not in ("podcast_guid", "settings", "dir")}
    templates = []
    for root in (templates_dir(), show.dir / "templates"):
        for dirpath, _, files in os.walk(root):  # nothing for a missing folder
            templates += [
                [os.path.relpath(Path(dirpath, f), root), file_stamp(Path(dirpath, f))] for f in sorted(files)
            ]
    return {
        "version": [VERSION, PACKAGE_VERSION],
        "show": json.loads(json.dumps({**fields, "publish": show.settings.get("publish", {})}, default=str)),
        "templates": templates,
    }


class PublishEpisodeStage(EpisodeStage):
    """Exports, chapters, shownotes and the episode page of one episode."""

    name = "publish"
    internal = (MANIFEST,)  # read by the show stage and the next build, never published

    def fingerprint(self, ctx: BuildContext, episode: Episode) -> Any:
        validate_episode(episode)
        folder = ctx.episode_out(episode)
        return {
            **_common(ctx.show),
            "episode": file_stamp(episode.file),
            "master": file_stamp(folder / MASTER_MANIFEST),
            "audio": _audio_stamp(folder),
            "transcript": file_stamp(episode.transcript_path),
        }

    def outputs(self, ctx: BuildContext, episode: Episode) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / MANIFEST, folder / "index.html", folder / "shownotes.html"]

    def run(self, ctx: BuildContext, episode: Episode) -> None:
        publish_episode(ctx.show, episode, ctx.episode_out(episode))


class PublishShowStage(ShowStage):
    """Cover, feed.xml, the start page and the site assets."""

    name = "site"

    def fingerprint(self, ctx: BuildContext, episode: None) -> Any:
        validate_show(ctx.show, ctx.episodes)
        episodes = []
        for ep in ctx.episodes:
            folder = ctx.episode_out(ep)
            episodes.append([ep.slug, file_stamp(ep.file), file_stamp(folder / MANIFEST), _audio_stamp(folder)])
        show = ctx.show
        return {**_common(show), "guid": show.podcast_guid, "cover": file_stamp(show.cover), "episodes": episodes}

    def outputs(self, ctx: BuildContext, episode: None) -> list[Path]:
        files = [FEED_FILE, "index.html", cover_name(ctx.show), *ICONS, *(f"assets/{name}" for name in ASSETS)]
        return [ctx.out / name for name in files]

    def run(self, ctx: BuildContext, episode: None) -> None:
        publish_show(ctx.show, ctx.episodes, ctx.out)
