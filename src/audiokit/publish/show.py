"""Publishing the show: the cover, ``feed.xml``, the start page and the site assets, from what
publishing each episode left (``publish.json``) and its mastered audio."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from PIL import Image

from .. import atomic
from ..errors import ConfigError, PublishError
from ..exports import EXPORT_FORMATS
from ..i18n import _
from ..images import open_image
from ..mastering.manifest import MasterManifest, read_master
from ..timefmt import timestamp
from ..workspace import FEED_FILE, Chapter, Episode, Show, Speaker
from .categories import category_problem
from .check import artwork_problem, is_placeholder_cover
from .episode import MANIFEST, EpisodeManifest, cover_name, og_locale, publish_settings, show_publish, site_links, url
from .feed import FeedChannel, FeedItem, TranscriptLink, render_feed
from .guid import episode_guid, keep_podcast_guid, podcast_guid
from .markup import markdown_html, plain_text
from .site import IndexEntry, Social, german_date, render_index, share_text, write_assets, write_icons

log = logging.getLogger("audiokit")


def check_cover(show: Show) -> None:
    """Raise PublishError unless the cover is square JPEG/PNG artwork of 1400-3000 px."""
    if problem := artwork_problem(show.cover, need_rgb=False):
        raise PublishError(
            _("{file}: cover {name}: {problem}").format(file=show.file, name=show.cover.name, problem=problem),
            _("use a square JPEG or PNG of 1400-3000 px in RGB colours"),
        )


def validate_show(show: Show, episodes: list[Episode]) -> None:
    """Check the show's cover, categories and ``[publish]`` table (language, URLs, GUID: load_show) and
    that its ``episodes`` have GUIDs of their own; the build calls this from the stage's fingerprint, so
    a bad cover stops it before any audio work."""
    check_cover(show)
    for value in show.categories:
        if problem := category_problem(value):
            raise ConfigError(
                _("{file}: key 'categories': {problem}").format(file=show.file, problem=problem),
                _('use Apple\'s categories, written "Category" or "Category/Subcategory"'),
            )
    publish_settings(show)
    show_publish(show)
    check_guids(show, episodes)


def check_guids(show: Show, episodes: list[Episode]) -> None:
    """Refuse two episodes with one GUID (a ``[publish] guid`` kept from a previous host, or the one
    computed): podcast apps would merge them or drop one."""
    show_guid = show.podcast_guid or podcast_guid(url(show, FEED_FILE))
    seen: dict[str, Episode] = {}
    for episode in episodes:
        guid = _guid(show, episode, show_guid)
        if guid in seen:
            raise ConfigError(
                _("{file} and {file2} give the episode the same GUID {guid!r}").format(
                    file=seen[guid].file, file2=episode.file, guid=guid
                ),
                _("keep [publish] guid only in the episode that had it at the previous host"),
            )
        seen[guid] = episode


def _guid(show: Show, episode: Episode, show_guid: str) -> str:
    """The episode's RSS guid: its ``[publish] guid``, else computed under the show's ``show_guid``."""
    return publish_settings(show, episode).guid.strip() or episode_guid(show_guid, episode.slug)


def publish_cover(show: Show, out: Path) -> Path:
    """Validate the show's cover and copy it to ``out``; re-saved when its colours or format do not fit: a
    cover in another colour mode (RGBA, palette, CMYK) is flattened to RGB, and a JPEG named ``.png`` (or
    the reverse) is saved in the format its name promises. The source stays untouched."""
    check_cover(show)
    target = out / cover_name(show)
    fmt = "JPEG" if target.suffix == ".jpg" else "PNG"
    with open_image(show.cover) as image, atomic.atomic_path(target) as tmp:
        if image.mode == "RGB" and image.format == fmt:
            shutil.copyfile(show.cover, tmp)
        else:
            log.info(_("%s: cover saved as RGB %s (was %s %s)"), show.slug, fmt, image.mode, image.format)
            rgba = image.convert("RGBA")
            rgb = Image.new("RGB", image.size, (255, 255, 255))
            rgb.paste(rgba, mask=rgba.getchannel("A"))
            rgb.save(tmp, format=fmt, quality=92)
    if is_placeholder_cover(show.cover):
        log.warning(
            _("%s: %s is the placeholder cover 'audiokit init' made: podcast directories want the show's own"),
            show.slug,
            show.cover.name,
        )
    for stale in {"cover.jpg", "cover.png"} - {target.name}:
        (out / stale).unlink(missing_ok=True)
    return target


def publish_show(show: Show, episodes: list[Episode], out: Path) -> None:
    """Write the cover, feed.xml, index.html and the site assets into ``out``; ``out/<slug>/`` holds
    each published episode (an episode not published yet is left out with a warning)."""
    check_guids(show, episodes)
    cover = publish_cover(show, out)
    feed_url = url(show, FEED_FILE)
    channel = FeedChannel(show, feed_url, show.base_url + "/", url(show, cover.name), keep_podcast_guid(show, feed_url))
    items, entries = [], []
    for ep in episodes:
        folder = out / ep.slug
        if (published := _published(ep, folder)) is None:
            continue
        master, manifest = published
        items.append(_item(show, ep, folder, master, manifest, channel.guid))
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
    atomic.write_bytes(out / FEED_FILE, render_feed(channel, items))
    entries.sort(key=lambda e: e.iso_date, reverse=True)
    site = site_links(show)
    social = Social(
        show.title,
        share_text(markdown_html(show.description)) or show.title,
        show.base_url + "/",
        url(show, cover.name),
        "website",
        og_locale(show.language),
    )
    page = render_index(
        show, cover=cover.name, feed_url=site.feed_url, episodes=entries, subscribe=site.subscribe, social=social
    )
    atomic.write_text(out / "index.html", page)
    write_icons(cover, out)
    write_assets(show, out)


def _item(
    show: Show, ep: Episode, folder: Path, master: MasterManifest, manifest: EpisodeManifest, show_guid: str
) -> FeedItem:
    guid = _guid(show, ep, show_guid)
    transcripts = [
        TranscriptLink(url(show, ep.slug, name), EXPORT_FORMATS[fmt].mime, "captions" if fmt == "vtt" else "")
        for fmt, name in manifest.transcripts.items()
    ]
    return FeedItem(
        episode=ep,
        guid=guid,
        page_url=url(show, ep.slug) + "/",
        audio_url=url(show, ep.slug, master.audio),
        audio_length=(folder / master.audio).stat().st_size,
        audio_mime=master.mime,
        duration=master.duration,
        summary_html=manifest.summary_html,
        shownotes_html=(folder / manifest.shownotes_file).read_text("utf-8"),
        chapters=[Chapter(**c) for c in manifest.chapters],
        chapters_url=url(show, ep.slug, manifest.chapters_file) if manifest.chapters_file else "",
        transcripts=transcripts,
        people=[Speaker(**p) for p in manifest.people] if manifest.people else list(ep.speakers),
    )


def _published(episode: Episode, folder: Path) -> tuple[MasterManifest, EpisodeManifest] | None:
    """The mastered audio and the manifest of a published episode; None (with a warning) for one not
    published yet. The enclosure comes from master.json and the file itself, so the feed links the
    audio that is there, even when publishing the episode failed after its mastering."""
    if not (folder / MANIFEST).is_file():
        log.warning(_("%s: not published yet (no %s), left out of the feed"), episode.slug, MANIFEST)
        return None
    master = read_master(folder, episode)
    try:
        manifest = EpisodeManifest(**json.loads((folder / MANIFEST).read_text("utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise PublishError(
            _("episode {slug!r}: {value} is broken ({exc})").format(
                slug=episode.slug, value=folder / MANIFEST, exc=exc
            ),
            _("delete it and run 'audiokit build' again"),
        ) from exc
    if manifest.audio != master.audio or manifest.audio_bytes != (folder / master.audio).stat().st_size:
        log.warning(
            _("%s: the page, chapters and transcripts are from an earlier build (publishing the new audio failed)"),
            episode.slug,
        )
    return master, manifest
