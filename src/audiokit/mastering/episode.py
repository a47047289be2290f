"""Mastering an episode: tags from show and episode metadata, the tagged audio and its master.json."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import nh3
from markdown_it import MarkdownIt

from ..progress import ProgressFactory, no_progress
from ..transcript import load as load_transcript
from ..workspace import Chapter, Episode
from .encode import FORMATS
from .manifest import MasterManifest
from .master import master_file
from .multitrack import master_tracks
from .presets import MasteringSettings, episode_settings
from .tags import Tags, write_tagged_copy


def plain_text(markdown: str) -> str:
    """Markdown as plain text, for a tag comment."""
    text = nh3.clean(MarkdownIt().render(markdown), tags=set())
    return " ".join(html.unescape(text).split())


def episode_tags(episode: Episode, chapters: list[Chapter] | None = None) -> Tags:
    """Tags of an episode's audio: show and episode metadata, show cover, chapters (default: episode.toml's)."""
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
        chapters=list(episode.chapters if chapters is None else chapters),
    )


def episode_cuts(episode: Episode) -> list[tuple[float, float]]:
    """The applied cuts of the episode's transcript (recording seconds); none without a transcript."""
    path = episode.transcript_path
    return load_transcript(path).applied_cuts if path.is_file() else []


def audio_name(episode: Episode, settings: MasteringSettings) -> str:
    """File name of the episode's mastered audio: ``<slug>.<format suffix>``."""
    return f"{episode.slug}{FORMATS[settings.format].suffix}"


def master_episode(
    episode: Episode,
    out_dir: Path,
    settings: MasteringSettings | None = None,
    *,
    tags: Tags | None = None,
    progress: ProgressFactory = no_progress,
    source: str = "",
    cuts: Sequence[tuple[float, float]] | None = None,
) -> MasterManifest:
    """Master ``episode`` (one recording or one track per speaker) into ``out_dir``: the audio with
    ``tags`` (default :func:`episode_tags`) and master.json, both written atomically. Audio of another
    format left from earlier is removed. ``source`` (a fingerprint of what the sound depends on) is
    kept in master.json, so that a later change of the tags alone can :func:`retag` instead. ``cuts``
    (recording seconds) are left out; by default the applied cuts of the episode's transcript."""
    settings = settings or episode_settings(episode)
    out_dir = Path(out_dir)
    target = out_dir / audio_name(episode, settings)
    tags = tags or episode_tags(episode)
    cuts = episode_cuts(episode) if cuts is None else cuts
    if episode.recording is None:  # one track per speaker
        result = master_tracks(episode.audio_inputs, target, settings, tags=tags, cuts=cuts, progress=progress)
    else:
        result = master_file(episode.recording, target, settings, tags=tags, cuts=cuts, progress=progress)
    manifest = MasterManifest(**result.manifest(), source=source)
    manifest.save(out_dir)
    for stale in {out_dir / f"{episode.slug}{fmt.suffix}" for fmt in FORMATS.values()} - {target}:
        stale.unlink(missing_ok=True)  # unlinks a name in the staging copy, never the published file
    return manifest


def retag(folder: Path, manifest: MasterManifest, tags: Tags) -> MasterManifest:
    """Write the mastered audio in ``folder`` again with ``tags`` (as a new file) and its master.json."""
    audio = folder / manifest.audio
    write_tagged_copy(audio, audio, tags)
    manifest.bytes = audio.stat().st_size
    manifest.save(folder)
    return manifest
