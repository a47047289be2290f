"""The "soundbites" stage: each ``[[soundbites]]`` of an episode as a square clip beside its page. A clip is
rendered again only when what it shows changed: its times, the sound of the mastered audio (master.json's
"source" and offset, not its tags), the transcript, the cover or the titles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..clips.soundbite_clips import LAYOUT, MANIFEST, render_soundbites
from ..mastering.manifest import load_manifest
from ..stamps import file_stamp
from ..workspace import Episode
from .base import BuildContext, EpisodeStage

VERSION = 2
"""Bump when the clips change for the same inputs, so every clip is rendered again."""


class SoundbiteStage(EpisodeStage):
    """Render the episode's soundbites into clips, only those whose clip is missing or out of date."""

    name = "soundbites"
    internal = (MANIFEST,)

    def _common(self, ctx: BuildContext, episode: Episode) -> dict[str, Any]:
        """What every clip of the episode depends on besides its own times (a re-tag keeps the sound)."""
        folder, show = ctx.episode_out(episode), ctx.show
        master = load_manifest(folder)
        return {
            "version": VERSION,
            "layout": LAYOUT,
            "sound": None
            if master is None
            else [master.source or file_stamp(folder / master.audio), master.offset, master.cuts],
            "transcript": file_stamp(episode.transcript_path),
            "look": [show.title, episode.title, file_stamp(show.cover)],
        }

    def fingerprint(self, ctx: BuildContext, episode: Episode) -> Any:
        return {**self._common(ctx, episode), "bites": [[b.start, b.duration, b.title] for b in episode.soundbites]}

    def outputs(self, ctx: BuildContext, episode: Episode) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / name for b in episode.soundbites for name in (b.clip_name, b.poster_name)]

    def run(self, ctx: BuildContext, episode: Episode) -> None:
        render_soundbites(episode, ctx.episode_out(episode), self._common(ctx, episode), progress=ctx.progress)
