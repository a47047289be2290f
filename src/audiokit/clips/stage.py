"""The build stage "soundbites": each ``[[soundbites]]`` of an episode rendered as a square clip.

Clips go into the episode's output folder as ``soundbite-<start in ms>.mp4`` with their .srt/.vtt,
beside the page that plays them. A clip is rendered again only when what it shows changed: its
times, the sound of the mastered audio (master.json's "source", not its tags), the transcript,
the cover or the titles; ``soundbites.json`` (internal) keeps each clip's key. Clips of soundbites
no longer in episode.toml are removed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from .. import atomic
from ..build import BuildContext, Stage, file_stamp
from ..errors import AudiokitError
from ..publish.chapters import timestamp
from ..workspace import Episode, Soundbite

log = logging.getLogger("audiokit")

VERSION = 1
"""Bump when the clips change for the same inputs, so every clip is rendered again."""
MANIFEST = "soundbites.json"
LAYOUT = "square"
CLIP_GLOB = "soundbite-*"


def _sound(folder: Path) -> Any:
    """What the mastered audio sounds like: master.json's "source" and offset (a re-tag keeps them)."""
    try:
        master = json.loads((folder / "master.json").read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    audio = master.get("audio", "")
    source = master.get("source") or (file_stamp(folder / audio) if isinstance(audio, str) and audio else None)
    return [source, master.get("offset", 0.0)]


def _clip_key(common: Any, bite: Soundbite) -> str:
    value = [common, round(bite.start, 3), round(bite.duration, 3)]
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class SoundbiteStage(Stage):
    """Render the episode's soundbites into clips, only those whose clip is missing or out of date."""

    name = "soundbites"
    scope = "episode"
    internal = (MANIFEST,)

    def _common(self, ctx: BuildContext, episode: Episode) -> dict[str, Any]:
        """What every clip of the episode depends on besides its own times."""
        show = ctx.show
        return {
            "version": VERSION,
            "layout": LAYOUT,
            "sound": _sound(ctx.episode_out(episode)),
            "transcript": file_stamp(episode.transcript_path),
            "look": [show.title, episode.title, file_stamp(show.cover)],
        }

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        return {**self._common(ctx, episode), "bites": [[b.start, b.duration, b.title] for b in episode.soundbites]}

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / b.clip_name for b in episode.soundbites]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        from . import render_clip  # imported here: rendering pulls in Pillow and the mastering chain

        folder = ctx.episode_out(episode)
        common = self._common(ctx, episode)
        try:
            rendered = json.loads((folder / MANIFEST).read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            rendered = {}
        keys: dict[str, str] = {}
        for bite in episode.soundbites:
            key = keys[bite.clip_name] = _clip_key(common, bite)
            if rendered.get(bite.clip_name) == key and (folder / bite.clip_name).is_file():
                continue
            try:
                render_clip(
                    episode,
                    start=bite.start,
                    end=bite.end,
                    layout=LAYOUT,
                    out=folder / bite.clip_name,
                    captions=episode.transcript_path.is_file(),
                    progress=ctx.progress,
                    master_dir=folder,
                )
            except AudiokitError as exc:
                raise type(exc)(
                    f"{episode.file}: soundbite {bite.title!r} at {timestamp(bite.start)}: {exc.what}", exc.fix
                ) from exc
        stems = {Path(name).stem for name in keys}
        for stale in folder.glob(CLIP_GLOB):
            if stale.stem not in stems:
                stale.unlink()
        atomic.write_text(folder / MANIFEST, json.dumps(keys, indent=1))
