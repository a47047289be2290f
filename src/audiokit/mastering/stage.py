"""Mastering an episode: its settings, tags from show and episode metadata, and the build stage
that writes ``<out>/<slug>/<slug>.<ext>`` and ``master.json``."""

from __future__ import annotations

import hashlib
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
from .tags import Tags, write_tagged_copy

ALGORITHM = 1  # raise when a change to the mastering should rebuild every episode
MANIFEST = "master.json"


def plain_text(markdown: str) -> str:
    """Markdown as plain text, for a tag comment."""
    text = nh3.clean(MarkdownIt().render(markdown), tags=set())
    return " ".join(html.unescape(text).split())


def episode_tags(episode: Episode) -> Tags:
    """Tags of an episode's audio: show and episode metadata, the show cover, the chapters."""
    show = episode.show
    return Tags(
        title=episode.title,
        artist=show.author,
        album=show.title,
        date=episode.date.date().isoformat(),
        track=episode.number,
        comment=plain_text(episode.description),
        language=show.language,
        cover=show.cover,
        chapters=list(episode.chapters),
    )


def audio_name(episode: Episode, settings: MasteringSettings) -> str:
    """File name of the episode's mastered audio: ``<slug>.<format suffix>``."""
    return f"{episode.slug}{FORMATS[settings.format].suffix}"


def master_episode(
    episode: Episode,
    out_dir: Path,
    settings: MasteringSettings | None = None,
    *,
    progress: ProgressFactory = no_progress,
    source: str = "",
) -> MasterResult:
    """Master ``episode`` (one recording or one track per speaker) into ``out_dir``: the tagged audio
    and master.json, both written atomically. Audio of another format left from earlier is removed.
    ``source`` (a fingerprint of the inputs) is kept in master.json to recognise a tags-only change."""
    settings = settings or episode_settings(episode)
    out_dir = Path(out_dir)
    target = out_dir / audio_name(episode, settings)
    tags = episode_tags(episode)
    if episode.multitrack:
        result = master_tracks(episode.audio_inputs, target, settings, tags=tags, progress=progress)
    else:
        result = master_file(episode.recording, target, settings, tags=tags, progress=progress)
    _write_manifest(out_dir, {**result.manifest(), **({"source": source} if source else {})})
    for fmt in FORMATS.values():
        stale = out_dir / f"{episode.slug}{fmt.suffix}"
        if stale != target:
            stale.unlink(missing_ok=True)  # unlinks a name in the staging copy, never the published file
    return result


def _sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic.write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


class MasterStage(Stage):
    """Build stage "master": loudness-normalised, levelled, tagged audio per episode. When only the
    tags changed (title, chapters, cover …), the existing audio is re-tagged instead of re-mastered."""

    name = "master"
    scope = "episode"
    internal = (MANIFEST,)  # read by the publish stages and the next build, never published

    def _source(self, episode: Episode, settings: MasteringSettings) -> str:
        """Fingerprint of everything the sound depends on."""
        return _sha256(
            {
                "algorithm": ALGORITHM,
                "inputs": [file_stamp(p) for p in episode.audio_inputs],
                "jingles": [file_stamp(settings.intro), file_stamp(settings.outro)],
                "settings": settings.fingerprint(),
            }
        )

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        tags = episode_tags(episode)
        return {
            "source": self._source(episode, episode_settings(episode)),
            "tags": {
                **vars(tags),
                "cover": file_stamp(tags.cover),
                "chapters": [[c.start, c.title, c.url] for c in tags.chapters],
            },
        }

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / audio_name(episode, episode_settings(episode)), folder / MANIFEST]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        folder = ctx.episode_out(episode)
        settings = episode_settings(episode)
        source = self._source(episode, settings)
        audio = folder / audio_name(episode, settings)
        try:
            manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            manifest = {}
        if manifest.get("source") == source and manifest.get("audio") == audio.name and audio.is_file():
            write_tagged_copy(audio, audio, episode_tags(episode))
            _write_manifest(folder, {**manifest, "bytes": audio.stat().st_size})
        else:
            master_episode(episode, folder, settings, progress=ctx.progress, source=source)
