"""Publishing one episode: its transcript exports, ``chapters.json``, ``shownotes.html``, the episode
page and ``publish.json`` (what the show's feed and start page need), beside the mastered audio.

The audio and its master.json belong to the mastering: publishing only reads them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import atomic
from ..errors import PublishError
from ..exports import EXPORT_FORMATS, export_transcript
from ..mastering.manifest import MasterManifest, read_master
from ..timefmt import timestamp
from ..transcript import Transcript
from ..transcript import load as load_transcript
from ..workspace import Chapter, Episode, Show
from .chapters import chapters_json, episode_chapters
from .markup import markdown_html
from .placeholders import check_placeholders
from .settings import PublishSettings, publish_settings
from .shownotes import Download, render_shownotes
from .site import render_episode_page
from .speakers import person, published_speakers

log = logging.getLogger("audiokit")

MANIFEST = "publish.json"
TRANSCRIPT_STEM = "transcript"
TRANSCRIPT_LABELS = {"vtt": "WebVTT", "srt": "SRT", "json": "JSON", "html": "HTML", "txt": "Text"}
"""Transcript exports in the order the feed and pages offer them."""


@dataclass
class EpisodeManifest:
    """What publishing an episode wrote, for the show's feed and start page (``publish.json``)."""

    audio: str
    mime: str
    duration: float
    summary_html: str
    transcripts: dict[str, str] = field(default_factory=dict)  # format -> file name
    chapters: list[dict[str, Any]] = field(default_factory=list)
    chapters_file: str = ""
    shownotes_file: str = "shownotes.html"
    audio_bytes: int = -1  # size of the audio this manifest describes
    people: list[dict[str, Any]] = field(default_factory=list)  # who speaks, as the transcript names them

    @classmethod
    def load(cls, path: Path) -> EpisodeManifest:
        return cls(**json.loads(path.read_text("utf-8")))


def url(show: Show, *parts: str) -> str:
    """The published URL of a file below the show's base URL."""
    return "/".join([show.base_url, *(quote(p) for p in parts)])


def audio_chapters(
    episode: Episode, transcript: Transcript | None, offset: float, duration: float, settings: PublishSettings
) -> list[Chapter]:
    """The episode's chapters: those of episode.toml, else (when ``auto_chapters``) chapters proposed
    from the transcript, without those after the end of the audio (``duration`` s)."""
    chapters = episode_chapters(
        episode, transcript, offset=offset, auto=settings.auto_chapters, min_gap=settings.chapter_min_gap
    )
    if episode.chapters or all(c.start < duration for c in chapters):
        return chapters
    log.info("%s: proposed chapters after the end of the audio left out", episode.slug)
    return [c for c in chapters if c.start < duration]


def load_episode_transcript(episode: Episode) -> Transcript | None:
    """The episode's transcript, None when it has none."""
    return load_transcript(episode.transcript_path) if episode.transcript_path.is_file() else None


def publish_episode(show: Show, episode: Episode, folder: Path) -> EpisodeManifest:
    """Write the published files of ``episode`` into ``folder``, which holds its mastered audio."""
    master = read_master(folder, episode)
    settings = publish_settings(show, episode)
    transcript = load_episode_transcript(episode)
    people = published_speakers(episode, transcript)
    check_placeholders(episode, people)
    files = _write_exports(folder, transcript, master.offset)
    chapters = _write_chapters(folder, episode, transcript, master, settings)
    absolute = [Download(TRANSCRIPT_LABELS[f], url(show, episode.slug, n)) for f, n in files.items()]
    shownotes = render_shownotes(
        episode,
        people=people,
        chapters=chapters,
        links=settings.links,
        page_url=url(show, episode.slug) + "/",
        transcripts=absolute,
    )
    atomic.write_text(folder / "shownotes.html", shownotes)
    relative = [Download(TRANSCRIPT_LABELS[f], quote(n)) for f, n in files.items()]
    page = render_episode_page(
        episode,
        audio=quote(master.audio),
        audio_mime=master.mime,
        duration=master.duration,
        people=people,
        chapters=chapters,
        transcript=transcript,
        offset=master.offset,
        links=settings.links,
        downloads=relative,
    )
    atomic.write_text(folder / "index.html", page)
    manifest = EpisodeManifest(
        audio=master.audio,
        mime=master.mime,
        duration=master.duration,
        summary_html=markdown_html(episode.description),
        transcripts=files,
        chapters=[dataclasses.asdict(c) for c in chapters],
        chapters_file="chapters.json" if chapters else "",
        audio_bytes=(folder / master.audio).stat().st_size,
        people=[person(p) for p in people],
    )
    atomic.write_text(folder / MANIFEST, json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=1))
    return manifest


def _write_exports(folder: Path, transcript: Transcript | None, offset: float) -> dict[str, str]:
    """Every transcript export (stale ones removed when there is no transcript); format -> file name."""
    files: dict[str, str] = {}
    for fmt in TRANSCRIPT_LABELS:
        target = folder / f"{TRANSCRIPT_STEM}{EXPORT_FORMATS[fmt].suffix}"
        if transcript is None:
            target.unlink(missing_ok=True)
            continue
        atomic.write_text(target, export_transcript(transcript, fmt, offset=offset))
        files[fmt] = target.name
    return files


def _write_chapters(
    folder: Path, episode: Episode, transcript: Transcript | None, master: MasterManifest, settings: PublishSettings
) -> list[Chapter]:
    """The episode's chapters, written to chapters.json (removed when there are none). A chapter of
    episode.toml after the end of the audio is an error."""
    chapters = audio_chapters(episode, transcript, master.offset, master.duration, settings)
    late = next((c for c in chapters if c.start >= master.duration), None)
    if late is not None:
        raise PublishError(
            f"{episode.file}: chapter {late.title!r} starts at {timestamp(late.start)}, after the end "
            f"of the audio ({timestamp(master.duration)})",
            "correct its start in [[chapters]] (times count on the published audio)",
        )
    target = folder / "chapters.json"
    if chapters:
        atomic.write_text(target, chapters_json(chapters))
    else:
        target.unlink(missing_ok=True)
    return chapters
