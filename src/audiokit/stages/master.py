"""The "master" stage: each episode's audio, mastered and tagged with its final metadata and chapters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..mastering.episode import audio_name, episode_cuts, episode_tags, master_episode, retag
from ..mastering.manifest import MANIFEST, MasterManifest, load_manifest
from ..mastering.presets import MasteringSettings, episode_settings
from ..publish.episode import audio_chapters, load_episode_transcript, publish_settings
from ..stamps import digest, file_stamp
from ..workspace import Chapter, Episode
from .base import BuildContext, EpisodeStage

ALGORITHM = 2  # raise when a change to the mastering should rebuild every episode


def sound_source(episode: Episode, settings: MasteringSettings) -> str:
    """Fingerprint of everything the sound depends on (kept in master.json)."""
    return digest(
        {
            "algorithm": ALGORITHM,
            "inputs": [file_stamp(p) for p in episode.audio_inputs],
            "jingles": [file_stamp(settings.intro), file_stamp(settings.outro)],
            "settings": settings.fingerprint(),
            "cuts": [[round(a, 3), round(b, 3)] for a, b in episode_cuts(episode)],
        }
    )


class MasterStage(EpisodeStage):
    """Loudness-normalised, levelled audio per episode in ``<out>/<slug>/`` and its master.json, tagged
    with the episode's metadata, the cover and the chapters it is published with (from episode.toml,
    or proposed from the transcript). When only the tags changed, the audio is re-tagged, not re-mastered."""

    name = "master"
    internal = (MANIFEST,)  # read by the later stages and the next build, never published

    def _proposing(self, ctx: BuildContext, episode: Episode) -> Any:
        """What proposed chapters depend on; None when episode.toml has chapters or proposing is off."""
        settings = publish_settings(ctx.show, episode)
        if episode.chapters or not settings.auto_chapters:
            return None
        return [settings.chapter_min_gap, file_stamp(episode.transcript_path)]

    def _proposed(self, ctx: BuildContext, episode: Episode, master: MasterManifest) -> list[Chapter]:
        if self._proposing(ctx, episode) is None:
            return []
        settings = publish_settings(ctx.show, episode)
        return audio_chapters(episode, load_episode_transcript(episode), master.timeline, master.duration, settings)

    def fingerprint(self, ctx: BuildContext, episode: Episode) -> Any:
        tags = episode_tags(episode)
        return {
            "source": sound_source(episode, episode_settings(episode)),
            "tags": {
                **vars(tags),
                "cover": file_stamp(tags.cover),
                "chapters": [[c.start, c.title, c.url] for c in tags.chapters],
            },
            "proposed_chapters": self._proposing(ctx, episode),
        }

    def outputs(self, ctx: BuildContext, episode: Episode) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / audio_name(episode, episode_settings(episode)), folder / MANIFEST]

    def run(self, ctx: BuildContext, episode: Episode) -> None:
        folder = ctx.episode_out(episode)
        settings = episode_settings(episode)
        source = sound_source(episode, settings)
        master = load_manifest(folder)
        if (
            master is not None
            and master.source == source
            and master.audio == audio_name(episode, settings)
            and (folder / master.audio).is_file()
        ):
            retag(folder, master, episode_tags(episode, self._proposed(ctx, episode, master) or None))
            return
        master = master_episode(episode, folder, settings, progress=ctx.progress, source=source)
        proposed = self._proposed(ctx, episode, master)  # proposals need the offset of the new master
        if proposed:
            retag(folder, master, episode_tags(episode, proposed))
