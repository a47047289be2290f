"""Mastering an episode: its settings, tags from show and episode metadata, and the build stage
that writes ``<out>/<slug>/<slug>.<ext>`` and ``master.json``."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import nh3
from markdown_it import MarkdownIt

from .. import atomic
from ..build import BuildContext, ProgressFactory, Stage, file_stamp, no_progress
from ..workspace import Episode
from .encode import FORMATS
from .master import MasterResult, master_file
from .multitrack import master_tracks
from .presets import MasteringSettings, episode_settings
from .tags import Tags

ALGORITHM = 1  # raise when a change to the mastering should rebuild every episode
MANIFEST = "master.json"


def plain_text(markdown: str) -> str:
    """Markdown as plain text, for a tag comment."""
    text = nh3.clean(MarkdownIt().render(markdown), tags=set())
    return " ".join(html.unescape(text).split())


def episode_tags(episode: Episode) -> Tags:
    """Tags of an episode's audio: show and episode metadata, the show cover, the chapters."""
    show = episode.show
    return Tags(title=episode.title, artist=show.author, album=show.title, date=episode.date.date().isoformat(),
                track=episode.number, comment=plain_text(episode.description), language=show.language,
                cover=show.cover, chapters=list(episode.chapters))


def audio_name(episode: Episode, settings: MasteringSettings) -> str:
    return f"{episode.slug}{FORMATS[settings.format].suffix}"


def master_episode(episode: Episode, out_dir: Path, settings: MasteringSettings | None = None, *,
                   progress: ProgressFactory = no_progress) -> MasterResult:
    """Master ``episode`` (one recording or one track per speaker) into ``out_dir``: the tagged audio
    and master.json, both written atomically. Audio of another format left from earlier is removed."""
    settings = settings or episode_settings(episode)
    out_dir = Path(out_dir)
    target = out_dir / audio_name(episode, settings)
    tags = episode_tags(episode)
    if episode.multitrack:
        result = master_tracks(episode.audio_inputs, target, settings, tags=tags, progress=progress)
    else:
        result = master_file(episode.recording, target, settings, tags=tags, progress=progress)
    atomic.write_text(out_dir / MANIFEST, json.dumps(result.manifest(), indent=1, ensure_ascii=False) + "\n")
    for fmt in FORMATS.values():
        stale = out_dir / f"{episode.slug}{fmt.suffix}"
        if stale != target:
            stale.unlink(missing_ok=True)  # unlinks a name in the staging copy, never the published file
    return result


class MasterStage(Stage):
    """Build stage "master": loudness-normalised, levelled, tagged audio per episode."""

    name = "master"
    scope = "episode"

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        settings = episode_settings(episode)
        tags = episode_tags(episode)
        return {
            "algorithm": ALGORITHM,
            "inputs": [file_stamp(p) for p in episode.audio_inputs],
            "jingles": [file_stamp(settings.intro), file_stamp(settings.outro)],
            "settings": settings.fingerprint(),
            "tags": {**vars(tags), "cover": file_stamp(tags.cover),
                     "chapters": [[c.start, c.title, c.url] for c in tags.chapters]},
        }

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / audio_name(episode, episode_settings(episode)), folder / MANIFEST]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        master_episode(episode, ctx.episode_out(episode), progress=ctx.progress)
