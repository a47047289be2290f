"""The static site for listeners: ``index.html`` and ``<slug>/index.html`` from ``templates/site/``.

Pages use only relative links to local files (``assets/site.css``, ``assets/site.js``), so the
folder works from any web server or straight from disk; a show may override any template.
Text is escaped by Jinja's autoescape and stripped of control characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from .. import atomic
from ..exports import turns
from ..timefmt import timestamp
from ..transcript import Transcript
from ..workspace import Chapter, Episode, Show, Speaker
from .markup import clean_text, markdown_html, safe_url
from .settings import Link
from .shownotes import Download, german_date, hosts_and_guests, show_templates

ASSETS = ("site.css", "site.js")


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


def render_episode_page(
    episode: Episode,
    *,
    audio: str,
    audio_mime: str,
    duration: float,
    chapters: list[Chapter],
    transcript: Transcript | None,
    offset: float,
    links: list[Link],
    downloads: list[Download],
    people: list[Speaker] | None = None,
) -> str:
    """The episode page (lives in ``<out>/<slug>/``; ``audio`` and downloads are relative to it).
    ``people``: who speaks (publish.speakers.published_speakers), by default episode.toml's speakers."""
    hosts, guests = hosts_and_guests(episode.speakers if people is None else people)
    return clean_text(
        show_templates(episode.show)
        .get_template("site/episode.html.j2")
        .render(
            root="../",
            show=episode.show,
            episode=episode,
            date=german_date(episode.date),
            iso_date=episode.date.isoformat(),
            duration=timestamp(duration),
            audio=audio,
            audio_mime=audio_mime,
            description=Markup(markdown_html(episode.description)),
            hosts=hosts,
            guests=guests,
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
            soundbites=soundbite_players(episode, audio, duration),
        )
    )


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
                    "fragment": f"{audio}#t={bite.start:.3f},{end:.3f}",
                }
            )
    return players


def render_index(show: Show, *, cover: str, feed_url: str, episodes: list[IndexEntry]) -> str:
    """The start page (``<out>/index.html``), episodes newest first."""
    return clean_text(
        show_templates(show)
        .get_template("site/index.html.j2")
        .render(root="", show=show, cover=cover, feed_url=feed_url, description=show.description, episodes=episodes)
    )


def write_assets(show: Show, out: Path) -> list[Path]:
    """Copy the stylesheet and script (the show's override first) to ``out/assets/``."""
    env = show_templates(show)
    assert env.loader is not None  # templating.environment always gives one
    written = []
    for name in ASSETS:
        source, _, _ = env.loader.get_source(env, f"site/{name}")
        target = out / "assets" / name
        atomic.write_text(target, source)
        written.append(target)
    return written
