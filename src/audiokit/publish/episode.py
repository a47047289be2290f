"""Publishing one episode: its transcript exports, ``chapters.json``, ``shownotes.html``, the episode page
and ``publish.json`` (what the show's feed and start page need), beside the mastered audio. The audio and
its master.json belong to the mastering: publishing only reads them."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import atomic
from ..config.schema import PublishSettings, ShowPublish
from ..config.validate import Place, convert, layered
from ..errors import AudiokitError, PublishError
from ..exports import EXPORT_FORMATS, export_transcript
from ..i18n import _
from ..mastering.manifest import MasterManifest, read_master
from ..people import same_person
from ..timefmt import timestamp
from ..timeline import Timeline
from ..transcript import Transcript, on_timeline
from ..transcript import load as load_transcript
from ..workspace import FEED_FILE, Chapter, Episode, Show, Speaker
from .chapters import chapters_json, episode_chapters
from .check import check_placeholders
from .markup import markdown_html
from .site import Download, SiteLinks, Social, render_episode_page, render_shownotes, share_text, subscribe_links

log = logging.getLogger("audiokit")

MANIFEST = "publish.json"
TRANSCRIPT_LABELS = {"vtt": "WebVTT", "srt": "SRT", "json": "JSON", "html": "HTML", "txt": "Text"}
"""Transcript exports in the order the feed and pages offer them."""
UNREVIEWED_NOTE = "automatisch erstellt, nicht geprüft"
"""How a transcript nobody has reviewed is labelled on the page, in the shownotes and in its WebVTT."""
PERSON_FIELDS = ("name", "organisation", "role", "img", "href")
SHOW_ONLY = ("target", "notify", "apple_podcasts_url", "spotify_url")
"""``[publish]`` keys of the show alone: where it is uploaded and listed, no episode setting."""


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
    transcript_review: str = ""  # the published transcript's review state; "" when none is published


def url(show: Show, *parts: str) -> str:
    """The published URL of a file below the show's base URL."""
    return "/".join([show.base_url, *(quote(p) for p in parts)])


def publish_settings(show: Show, episode: Episode | None = None) -> PublishSettings:
    """``[publish]`` of show.toml, overridden by the episode's own table; errors name file and key."""
    values = layered(ShowPublish, [(show.settings.get("publish", {}), Place(show.file, "publish."))])
    for key in SHOW_ONLY:
        values.pop(key, None)
    if episode is not None:
        values.update(
            layered(PublishSettings, [(episode.settings.get("publish", {}), Place(episode.file, "publish."))])
        )
    return convert(values, PublishSettings)


def show_publish(show: Show) -> ShowPublish:
    """The whole ``[publish]`` table of show.toml, with the keys of the show alone; errors name file and key."""
    return convert(
        layered(ShowPublish, [(show.settings.get("publish", {}), Place(show.file, "publish."))]), ShowPublish
    )


def cover_name(show: Show) -> str:
    """The published file name of the cover: ``cover.png`` or ``cover.jpg``."""
    return "cover.jpg" if show.cover.suffix.lower() in (".jpg", ".jpeg") else "cover.png"


def site_links(show: Show) -> SiteLinks:
    """The feed's address and the subscribe buttons every page of the site shows."""
    settings = show_publish(show)
    feed_url = url(show, FEED_FILE)
    return SiteLinks(
        feed_url, subscribe_links(feed_url, apple=settings.apple_podcasts_url, spotify=settings.spotify_url)
    )


def og_locale(language: str) -> str:
    """``og:locale`` for a language code: ``de`` -> ``de_DE``, ``de-CH`` -> ``de_CH``."""
    parts = language.replace("-", "_").split("_")
    return (
        f"{parts[0].lower()}_{parts[1].upper()}"
        if len(parts) > 1
        else {"en": "en_US"}.get(parts[0].lower(), f"{parts[0].lower()}_{parts[0].upper()}")
    )


def audio_chapters(
    episode: Episode, transcript: Transcript | None, timeline: Timeline, duration: float, settings: PublishSettings
) -> list[Chapter]:
    """The episode's chapters: those of episode.toml, else (when ``auto_chapters``) chapters proposed
    from the transcript (on the audio's ``timeline``), without those after the end of the audio (``duration`` s)."""
    published = None if transcript is None else on_timeline(transcript, timeline)
    chapters = episode_chapters(episode, published, auto=settings.auto_chapters, min_gap=settings.chapter_min_gap)
    if episode.chapters or all(c.start < duration for c in chapters):
        return chapters
    log.info(_("%s: proposed chapters after the end of the audio left out"), episode.slug)
    return [c for c in chapters if c.start < duration]


def published_speakers(episode: Episode, transcript: Transcript | None) -> list[Speaker]:
    """Who speaks, as published (page, shownotes, podcast:person): the named speakers of ``transcript`` who
    say something, in order of appearance, so a speaker renamed in the editor or by import-text is published
    renamed; without a transcript, the speakers of episode.toml. Role, picture and link come from
    episode.toml (or the show's hosts) for the same name, or the one person whose name it spells otherwise
    (``Dr. Sabine Wolff`` keeps the picture of ``Sabine Wolff``); a voice the transcript could not name is
    left out."""
    if transcript is None:
        return list(episode.speakers)
    known = {s.name: s for s in [*episode.show.hosts, *episode.speakers]}
    people: list[Speaker] = []
    seen: set[str] = set()
    for segment in transcript.segments:
        if not segment.words or segment.speaker in seen:
            continue
        seen.add(segment.speaker)
        voice = transcript.speaker(segment.speaker)
        if voice.source == "unresolved" or not voice.name.strip():
            continue
        same = known.get(voice.name) or _alike(known, voice.name) or Speaker(voice.name)
        people.append(Speaker(voice.name, voice.organisation, voice.role or same.role, img=same.img, href=same.href))
    return people


def _alike(known: dict[str, Speaker], name: str) -> Speaker | None:
    """The one listed person ``name`` spells otherwise (a title added, a typo fixed), else None."""
    alike = [s for s in known.values() if same_person(s.name, name)]
    return alike[0] if len(alike) == 1 else None


def validate_episode(episode: Episode) -> None:
    """Check the episode's ``[publish]`` table and refuse template text still waiting to be replaced; the
    build calls this from the stage's fingerprint, so it stops before any audio work."""
    publish_settings(episode.show, episode)
    check_placeholders(episode, episode.speakers)


def load_episode_transcript(episode: Episode) -> Transcript | None:
    """The episode's transcript, None when it has none."""
    return load_transcript(episode.transcript_path) if episode.transcript_path.is_file() else None


def review_status(episode: Episode) -> str:
    """How the episode's transcript is published, for the build's table: "reviewed", "unreviewed, labelled"
    or "unreviewed, held back" ([publish] unreviewed_transcripts); "" without a readable transcript (the stage
    that reads it reports why)."""
    try:
        transcript = load_episode_transcript(episode)
    except AudiokitError:
        return ""
    if transcript is None or transcript.reviewed:
        return transcript.review if transcript else ""
    held = publish_settings(episode.show, episode).unreviewed_transcripts == "hold"
    return "unreviewed, held back" if held else "unreviewed, labelled"


def publish_episode(show: Show, episode: Episode, folder: Path) -> EpisodeManifest:
    """Write the published files of ``episode`` into ``folder``, which holds its mastered audio."""
    master = read_master(folder, episode)
    settings = publish_settings(show, episode)
    transcript = load_episode_transcript(episode)
    people = published_speakers(episode, transcript)
    check_placeholders(episode, people)
    held = transcript is not None and not transcript.reviewed and settings.unreviewed_transcripts == "hold"
    if held:
        log.warning(
            _(
                '%s: transcript not published until it is reviewed ([publish] unreviewed_transcripts = "hold"): '
                "run 'audiokit review %s' or mark it in the editor"
            ),
            episode.slug,
            episode.dir,
        )
    published = None if transcript is None or held else on_timeline(transcript, master.timeline)
    note = UNREVIEWED_NOTE if published is not None and not published.reviewed else ""
    files = _write_exports(folder, published, note)
    chapters = _write_chapters(folder, episode, transcript, master, settings)
    absolute = [Download(TRANSCRIPT_LABELS[f], url(show, episode.slug, n)) for f, n in files.items()]
    shownotes = render_shownotes(
        episode,
        people=people,
        chapters=chapters,
        links=settings.links,
        page_url=url(show, episode.slug) + "/",
        transcripts=absolute,
        transcript_note=note,
    )
    atomic.write_text(folder / "shownotes.html", shownotes)
    relative = [Download(TRANSCRIPT_LABELS[f], quote(n)) for f, n in files.items()]
    social = Social(
        episode.title,
        share_text(markdown_html(episode.description)) or share_text(markdown_html(show.description)),
        url(show, episode.slug) + "/",
        url(show, cover_name(show)),
        "article",
        og_locale(show.language),
        url(show, episode.slug, master.audio),
        master.mime,
    )
    page = render_episode_page(
        episode,
        audio=quote(master.audio),
        audio_mime=master.mime,
        duration=master.duration,
        people=people,
        chapters=chapters,
        transcript=published,
        transcript_note=note,
        offset=0.0,
        links=settings.links,
        downloads=relative,
        site=site_links(show),
        social=social,
        cover=cover_name(show),
        audio_bytes=(folder / master.audio).stat().st_size,
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
        people=[{key: getattr(p, key) for key in PERSON_FIELDS} for p in people],
        transcript_review=published.review if published is not None else "",
    )
    atomic.write_text(folder / MANIFEST, json.dumps(dataclasses.asdict(manifest), ensure_ascii=False, indent=1))
    return manifest


def _write_exports(folder: Path, transcript: Transcript | None, note: str = "") -> dict[str, str]:
    """Every transcript export of ``transcript`` (on the published timeline; stale ones removed when there
    is no transcript); format -> file name. A ``note`` goes into the WebVTT as a NOTE block."""
    files: dict[str, str] = {}
    for fmt in TRANSCRIPT_LABELS:
        target = folder / f"transcript{EXPORT_FORMATS[fmt].suffix}"
        if transcript is None:
            target.unlink(missing_ok=True)
            continue
        text = export_transcript(transcript, fmt)
        if note and fmt == "vtt":
            header, _sep, cues = text.partition("\n\n")
            text = f"{header}\n\nNOTE Transkript {note}\n\n{cues}"
        atomic.write_text(target, text)
        files[fmt] = target.name
    return files


def _write_chapters(
    folder: Path, episode: Episode, transcript: Transcript | None, master: MasterManifest, settings: PublishSettings
) -> list[Chapter]:
    """The episode's chapters, written to chapters.json (removed when there are none). A chapter of
    episode.toml after the end of the audio is an error."""
    chapters = audio_chapters(episode, transcript, master.timeline, master.duration, settings)
    late = next((c for c in chapters if c.start >= master.duration), None)
    if late is not None:
        raise PublishError(
            _(
                "{file}: chapter {title!r} starts at {timestamp_start}, after the end of the audio ({timestamp_duration})"
            ).format(
                file=episode.file,
                title=late.title,
                timestamp_start=timestamp(late.start),
                timestamp_duration=timestamp(master.duration),
            ),
            _("correct its start in [[chapters]] (times count on the published audio)"),
        )
    target = folder / "chapters.json"
    if chapters:
        atomic.write_text(target, chapters_json(chapters))
    else:
        target.unlink(missing_ok=True)
    return chapters
