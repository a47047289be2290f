"""HTML from ``templates/`` (a show's templates/ may override any file): the shownotes fragment, with its
input cleaned and its output sanitised once more, and the listeners' site, ``index.html`` and
``<slug>/index.html``, whose text is escaped by Jinja and stripped of control characters. Pages link only to
local files by relative links (``assets/site.css``), so the folder works from any web server or from disk."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup
from PIL import Image

from .. import atomic
from ..config.schema import Link
from ..exports import turns
from ..images import open_image
from ..people import HOST_ROLES
from ..templating import environment
from ..timefmt import timestamp
from ..transcript import Transcript
from ..workspace import Chapter, Episode, Show, Speaker
from .markup import clean_text, markdown_html, plain_text, safe_url, sanitize

ASSETS = ("site.css", "site.js")
ICONS = {"favicon.png": 64, "apple-touch-icon.png": 180}
"""The icons made from the cover: file name -> side in px."""
DESCRIPTION_CHARS = 200  # og:description: what link previews show
MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()


@dataclass
class Download:
    """A file offered for download: its label (``WebVTT``) and URL."""

    label: str
    url: str


@dataclass
class Social:
    """What a shared link shows (``og:`` and ``twitter:`` tags): absolute URLs, plain text."""

    title: str
    description: str
    url: str
    image: str
    type: str = "website"
    locale: str = "de_DE"
    audio: str = ""
    audio_type: str = ""


@dataclass
class SiteLinks:
    """What every page offers: the feed's address and the subscribe buttons (Apple, Spotify, a podcast app)."""

    feed_url: str
    subscribe: list[Download]


@dataclass
class IndexEntry:
    """One episode on the start page."""

    slug: str
    title: str
    number: int
    date: str
    iso_date: str
    duration: str
    summary: str


@functools.lru_cache(maxsize=8)
def _environment(override: Path, exists: bool) -> jinja2.Environment:
    """Cached per (folder, whether it exists): a templates/ folder created later is picked up."""
    return environment(override, html=True)


def show_templates(show: Show) -> jinja2.Environment:
    """The HTML template environment of ``show`` (its templates/ first), compiled templates cached."""
    override = show.dir / "templates"
    return _environment(override, override.is_dir())


def german_date(value: dt.datetime) -> str:
    """``10. November 2026``."""
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def _render_episode(template: str, episode: Episode, people: list[Speaker] | None, **context: Any) -> str:
    """``template`` with what every episode template gets; ``people``: who speaks (the published speakers
    of :mod:`.episode`), by default episode.toml's speakers."""
    people = episode.speakers if people is None else people
    page = show_templates(episode.show).get_template(template)
    return page.render(
        show=episode.show,
        episode=episode,
        date=german_date(episode.date),
        description=Markup(markdown_html(episode.description)),
        hosts=[s for s in people if s.role in HOST_ROLES],
        guests=[s for s in people if s.role not in HOST_ROLES],
        **context,
    )


def render_shownotes(
    episode: Episode,
    *,
    chapters: list[Chapter],
    links: list[Link],
    page_url: str,
    transcripts: list[Download],
    people: list[Speaker] | None = None,
    transcript_note: str = "",
) -> str:
    """The shownotes of ``episode`` as a sanitised HTML fragment (German headings by default);
    ``transcript_note`` labels the transcript (one nobody has reviewed)."""
    html = _render_episode(
        "shownotes.html.j2",
        episode,
        people,
        chapters=[{"time": timestamp(c.start), "start": c.start, "title": c.title, "url": c.url} for c in chapters],
        links=links,
        page_url=page_url,
        transcripts=transcripts,
        transcript_note=transcript_note,
    )
    return sanitize(html).strip() + "\n"


def render_episode_page(
    episode: Episode,
    *,
    audio: str,
    audio_mime: str,
    duration: float,
    chapters: list[Chapter],
    transcript: Transcript | None,
    offset: float,
    transcript_note: str = "",
    links: list[Link],
    downloads: list[Download],
    people: list[Speaker] | None = None,
    site: SiteLinks | None = None,
    social: Social | None = None,
    cover: str = "cover.png",
    audio_bytes: int = -1,
) -> str:
    """The episode page (lives in ``<out>/<slug>/``; ``audio`` and downloads are relative to it, ``cover`` to
    the site's root); ``site``: the subscribe section, ``social``: the tags of a shared link,
    ``transcript_note``: the label of a transcript nobody has reviewed."""
    page = _render_episode(
        "site/episode.html.j2",
        episode,
        people,
        root="../",
        cover=cover,
        audio_label=audio_label(audio, audio_bytes),
        social=social,
        feed_url=site.feed_url if site else "",
        subscribe=site.subscribe if site else [],
        iso_date=episode.date.isoformat(),
        duration=timestamp(duration),
        audio=audio,
        audio_mime=audio_mime,
        chapters=[
            {"start": round(c.start, 3), "time": timestamp(c.start), "title": c.title, "url": safe_url(c.url)}
            for c in chapters
        ],
        turns=[
            {
                "start": round(t.start, 3),
                "time": timestamp(t.start),
                "name": t.speaker.name,
                "organisation": t.speaker.organisation,
                "text": t.text,
            }
            for t in (turns(transcript, offset=offset) if transcript else [])
        ],
        links=links,
        downloads=downloads,
        transcript_note=transcript_note,
        soundbites=soundbite_players(episode, audio, duration),
    )
    return clean_text(page)


def soundbite_players(episode: Episode, audio: str, duration: float) -> list[dict[str, Any]]:
    """Each soundbite that starts within the audio: its rendered clip (beside the page) and, should the
    clip be missing, the passage of the episode audio as a media fragment ``#t=start,end``."""
    players = []
    for bite in episode.soundbites:
        if bite.start < duration:
            end = min(bite.end, duration)
            players.append(
                {
                    "title": bite.title,
                    "time": timestamp(bite.start),
                    "start": round(bite.start, 3),
                    "end": round(end, 3),
                    "clip": quote(bite.clip_name),
                    "poster": quote(bite.poster_name),
                    "fragment": f"{audio}#t={bite.start:.3f},{end:.3f}",
                }
            )
    return players


def render_index(
    show: Show,
    *,
    cover: str,
    feed_url: str,
    episodes: list[IndexEntry],
    subscribe: list[Download] | None = None,
    social: Social | None = None,
) -> str:
    """The start page (``<out>/index.html``), episodes newest first."""
    return clean_text(
        show_templates(show)
        .get_template("site/index.html.j2")
        .render(
            root="",
            show=show,
            cover=cover,
            feed_url=feed_url,
            subscribe=subscribe or [],
            social=social,
            description=show.description,
            episodes=episodes,
        )
    )


def subscribe_links(feed_url: str, *, apple: str = "", spotify: str = "") -> list[Download]:
    """The subscribe buttons: Apple Podcasts and Spotify where the show is listed there, and the feed
    opened in the listener's podcast app (``podcast://``, which Apple Podcasts and most apps take)."""
    links = [Download("Apple Podcasts", safe_url(apple))] if safe_url(apple) else []
    links += [Download("Spotify", safe_url(spotify))] if safe_url(spotify) else []
    return [*links, Download("In Podcast-App öffnen", "podcast://" + feed_url.split("://", 1)[-1])]


def share_text(html: str) -> str:
    """The plain text of sanitised ``html``, cut at a word to what link previews show."""
    text = plain_text(html)
    if len(text) <= DESCRIPTION_CHARS:
        return text
    return text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,.;:–-") + " …"


def audio_label(audio: str, size: int) -> str:
    """``MP3, 12,3 MB``: the format (from the file name) and, when known, the size."""
    kind = audio.rsplit(".", 1)[-1].upper() if "." in audio else "Audio"
    return f"{kind}, {size / 1e6:.1f} MB".replace(".", ",") if size >= 0 else kind


def write_icons(cover: Path, out: Path) -> None:
    """The site's icons (``favicon.png``, ``apple-touch-icon.png``) made from the published ``cover``."""
    with open_image(cover) as image:
        rgb = image.convert("RGB")
    for name, side in ICONS.items():
        with atomic.atomic_path(out / name) as tmp:
            rgb.resize((side, side), Image.Resampling.LANCZOS).save(tmp, format="PNG", optimize=True)


def write_assets(show: Show, out: Path) -> None:
    """Copy the stylesheet and script (the show's override first) to ``out/assets/``."""
    env = show_templates(show)
    assert env.loader is not None  # templating.environment always gives one
    for name in ASSETS:
        atomic.write_text(out / "assets" / name, env.loader.get_source(env, f"site/{name}")[0])
