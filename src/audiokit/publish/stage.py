"""Publishing build stages.

``PublishEpisodeStage`` (per episode) reads ``<out>/<slug>/master.json`` and the transcript and
writes the transcript exports, ``chapters.json``, ``shownotes.html``, the episode page and a small
manifest ``publish.json``. ``PublishShowStage`` (once) copies the cover, writes ``feed.xml``,
``index.html`` and the site assets from the manifests. Fingerprints are file stamps and settings
only, so an unchanged show is recognised without reading any audio.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PIL import Image

from .. import atomic
from ..build import BuildContext, Stage, file_stamp
from ..errors import PublishError
from ..exports import EXPORT_FORMATS, export_transcript
from ..templating import templates_dir
from ..transcript import Transcript
from ..transcript import load as load_transcript
from ..workspace import Chapter, Episode, Show, Speaker
from .chapters import chapters_json, episode_chapters, timestamp
from .feed import FeedChannel, FeedItem, TranscriptLink, render_feed
from .guid import episode_guid, keep_podcast_guid
from .markup import markdown_html, plain_text
from .placeholders import check_placeholders
from .settings import PublishSettings, publish_settings
from .shownotes import Download, german_date, render_shownotes
from .site import IndexEntry, render_episode_page, render_index, write_assets
from .speakers import person, published_speakers
from .validate import check_cover, validate_episode, validate_show

log = logging.getLogger("audiokit")

VERSION = 2
"""Bump when the published output changes for the same inputs, so every episode is rebuilt."""
MANIFEST = "publish.json"
TRANSCRIPT_STEM = "transcript"
TRANSCRIPT_LABELS = {"vtt": "WebVTT", "srt": "SRT", "json": "JSON", "html": "HTML", "txt": "Text"}
"""Transcript exports in the order the feed and pages offer them."""
FEED = "feed.xml"


@dataclass
class Master:
    """What the mastering stage reports in master.json."""

    audio: str
    mime: str
    duration: float
    offset: float = 0.0


@dataclass
class Manifest:
    """What the episode stage published, for the show stage (``<out>/<slug>/publish.json``)."""

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
    def load(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text("utf-8")))


def read_master(folder: Path, episode: Episode, audio_folder: Path | None = None) -> Master:
    """The mastered audio of ``episode`` (master.json in ``folder``, the audio in ``audio_folder``,
    by default the same); a clear error when there is none."""
    fix = (
        f"add the recording named in {episode.file} and run 'audiokit build' so the mastering stage "
        "produces the audio (publishing needs mastered audio)"
    )
    path = folder / "master.json"
    try:
        data = json.loads(path.read_text("utf-8"))
        master = Master(
            str(data["audio"]),
            str(data.get("mime", "audio/mpeg")),
            float(data["duration"]),
            float(data.get("offset", 0.0)),
        )
    except FileNotFoundError:
        raise PublishError(f"episode {episode.slug!r} has no mastered audio ({path} is missing)", fix) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(f"episode {episode.slug!r}: {path} is broken ({exc})", fix) from exc
    audio = (audio_folder or folder) / master.audio
    if Path(master.audio).name != master.audio or not audio.is_file():
        raise PublishError(f"episode {episode.slug!r}: the mastered audio {audio} is missing", fix)
    return master


def _audio_stamp(folder: Path) -> Any:
    try:
        name = json.loads((folder / "master.json").read_text("utf-8")).get("audio", "")
    except (FileNotFoundError, ValueError):
        return None
    return file_stamp(folder / name) if isinstance(name, str) and name else None


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


def _url(show: Show, *parts: str) -> str:
    return "/".join([show.base_url, *(quote(p) for p in parts)])


class PublishEpisodeStage(Stage):
    """Exports, chapters, shownotes and the episode page of one episode."""

    name = "publish"
    scope = "episode"
    internal = (MANIFEST,)  # read by the show stage and the next build, never published

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        validate_episode(episode)
        folder = ctx.episode_out(episode)
        return {
            "version": [VERSION, _package_version()],
            "show": _show_fields(ctx.show),
            "episode": file_stamp(episode.file),
            "master": file_stamp(folder / "master.json"),
            "audio": _audio_stamp(folder),
            "transcript": file_stamp(episode.transcript_path),
            "templates": _template_stamps(ctx.show),
        }

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        folder = ctx.episode_out(episode)
        return [folder / MANIFEST, folder / "index.html", folder / "shownotes.html"]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        folder = ctx.episode_out(episode)
        master = read_master(folder, episode)
        settings = publish_settings(ctx.show, episode)
        transcript = load_transcript(episode.transcript_path) if episode.transcript_path.is_file() else None
        people = published_speakers(episode, transcript)
        check_placeholders(episode, people)
        files = _write_exports(folder, transcript, master.offset)
        chapters = _write_chapters(folder, episode, transcript, master, settings)
        from ..mastering.stage import episode_tags  # imported here: mastering pulls in scipy
        from ..mastering.tags import write_tagged_copy

        tags = episode_tags(episode)
        tags.chapters = chapters  # the final ones: from episode.toml, or proposed from the transcript
        write_tagged_copy(folder / master.audio, folder / master.audio, tags)
        _update_master_bytes(folder, master)

        absolute = [Download(TRANSCRIPT_LABELS[f], _url(ctx.show, episode.slug, n)) for f, n in files.items()]
        shownotes = render_shownotes(
            episode,
            people=people,
            chapters=chapters,
            links=settings.links,
            page_url=_url(ctx.show, episode.slug) + "/",
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

        manifest = Manifest(
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


def _update_master_bytes(folder: Path, master: Master) -> None:
    """Keep master.json's "bytes" equal to the audio's size after re-tagging changed it."""
    path = folder / "master.json"
    data = json.loads(path.read_text("utf-8"))
    data["bytes"] = (folder / master.audio).stat().st_size
    atomic.write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


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
    folder: Path, episode: Episode, transcript: Transcript | None, master: Master, settings: PublishSettings
) -> list[Chapter]:
    """The episode's chapters, written to chapters.json (removed when there are none). A chapter of
    episode.toml after the end of the audio is an error; a proposed one is left out."""
    chapters = episode_chapters(
        episode, transcript, offset=master.offset, auto=settings.auto_chapters, min_gap=settings.chapter_min_gap
    )
    late = next((c for c in chapters if c.start >= master.duration), None)
    if late is not None and episode.chapters:
        raise PublishError(
            f"{episode.file}: chapter {late.title!r} starts at {timestamp(late.start)}, after the end "
            f"of the audio ({timestamp(master.duration)})",
            "correct its start in [[chapters]] (times count on the published audio)",
        )
    if late is not None:
        log.info("%s: proposed chapters after the end of the audio left out", episode.slug)
        chapters = [c for c in chapters if c.start < master.duration]
    target = folder / "chapters.json"
    if chapters:
        atomic.write_text(target, chapters_json(chapters))
    else:
        target.unlink(missing_ok=True)
    return chapters


def cover_name(show: Show) -> str:
    """The published file name of the cover: ``cover.png`` or ``cover.jpg``."""
    return "cover.jpg" if show.cover.suffix.lower() in (".jpg", ".jpeg") else "cover.png"


def publish_cover(show: Show, out: Path) -> Path:
    """Validate the show's cover and copy it to ``out``; re-saved when its colours or format do not fit.

    A cover in another colour mode (RGBA, palette, CMYK) is flattened to RGB, and a JPEG named
    ``.png`` (or the reverse) is saved in the format its name promises; the source stays untouched.
    """
    check_cover(show)
    target = out / cover_name(show)
    fmt = "JPEG" if target.suffix == ".jpg" else "PNG"
    with Image.open(show.cover) as image, atomic.atomic_path(target) as tmp:
        if image.mode == "RGB" and image.format == fmt:
            shutil.copyfile(show.cover, tmp)
        else:
            log.info("%s: cover saved as RGB %s (was %s %s)", show.slug, fmt, image.mode, image.format)
            rgba = image.convert("RGBA")
            rgb = Image.new("RGB", image.size, (255, 255, 255))
            rgb.paste(rgba, mask=rgba.getchannel("A"))
            rgb.save(tmp, format=fmt, quality=92)
    for stale in {"cover.jpg", "cover.png"} - {target.name}:
        (out / stale).unlink(missing_ok=True)
    return target


class PublishShowStage(Stage):
    """Cover, feed.xml, the start page and the site assets."""

    name = "site"
    scope = "show"

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
            ctx.out / FEED,
            ctx.out / "index.html",
            ctx.out / cover_name(ctx.show),
            *(ctx.out / "assets" / name for name in ("site.css", "site.js")),
        ]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        show = ctx.show
        cover = publish_cover(show, ctx.out)
        feed_url = _url(show, FEED)
        channel = FeedChannel(
            show, feed_url, show.base_url + "/", _url(show, cover.name), keep_podcast_guid(show, feed_url)
        )
        items, entries = [], []
        for ep in ctx.episodes:
            folder = ctx.episode_out(ep)
            published = _published(ep, folder)
            if published is None:
                continue
            master, manifest = published
            items.append(self._item(show, ep, folder, master, manifest, channel.guid))
            entries.append(
                IndexEntry(
                    ep.slug,
                    ep.title,
                    ep.number,
                    german_date(ep.date),
                    ep.date.isoformat(),
                    timestamp(master.duration),
                    plain_text(manifest.summary_html),
                )
            )
        atomic.write_bytes(ctx.out / FEED, render_feed(channel, items))
        entries.sort(key=lambda e: e.iso_date, reverse=True)
        atomic.write_text(
            ctx.out / "index.html", render_index(show, cover=cover.name, feed_url=feed_url, episodes=entries)
        )
        write_assets(show, ctx.out)

    @staticmethod
    def _item(show: Show, ep: Episode, folder: Path, master: Master, manifest: Manifest, show_guid: str) -> FeedItem:
        guid = publish_settings(show, ep).guid or episode_guid(show_guid, ep.slug)
        transcripts = [
            TranscriptLink(_url(show, ep.slug, name), EXPORT_FORMATS[fmt].mime, "captions" if fmt == "vtt" else "")
            for fmt, name in manifest.transcripts.items()
        ]
        return FeedItem(
            episode=ep,
            guid=guid,
            page_url=_url(show, ep.slug) + "/",
            audio_url=_url(show, ep.slug, master.audio),
            audio_length=(folder / master.audio).stat().st_size,
            audio_mime=master.mime,
            duration=master.duration,
            summary_html=manifest.summary_html,
            shownotes_html=(folder / manifest.shownotes_file).read_text("utf-8"),
            chapters=[Chapter(**c) for c in manifest.chapters],
            chapters_url=_url(show, ep.slug, manifest.chapters_file) if manifest.chapters_file else "",
            transcripts=transcripts,
            people=[Speaker(**p) for p in manifest.people] if manifest.people else list(ep.speakers),
        )


def _published(episode: Episode, folder: Path) -> tuple[Master, Manifest] | None:
    """The mastered audio and the manifest of a published episode; None (with a warning) for one not
    published yet. The enclosure comes from master.json and the file itself, so the feed links the
    audio that is there, even when publishing the episode failed after its mastering."""
    if not (folder / MANIFEST).is_file():
        log.warning("%s: not published yet (no %s), left out of the feed", episode.slug, MANIFEST)
        return None
    master = read_master(folder, episode)
    try:
        manifest = Manifest.load(folder / MANIFEST)
    except (OSError, ValueError, TypeError) as exc:
        raise PublishError(
            f"episode {episode.slug!r}: {folder / MANIFEST} is broken ({exc})",
            "delete it and run 'audiokit build' again",
        ) from exc
    if manifest.audio != master.audio or manifest.audio_bytes != (folder / master.audio).stat().st_size:
        log.warning(
            "%s: the page, chapters and transcripts are from an earlier build (publishing the new audio failed)",
            episode.slug,
        )
    return master, manifest
