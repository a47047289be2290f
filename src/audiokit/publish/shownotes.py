"""Shownotes: an HTML fragment from ``templates/shownotes.html.j2`` (a show's templates/ may override it).

Everything that goes in — description Markdown, names, titles, links — is cleaned, and the
rendered fragment is sanitised once more, so the feed and the pages get only harmless markup.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..people import HOST_ROLES
from ..templating import environment
from ..timefmt import timestamp
from ..workspace import Chapter, Episode, Show, Speaker
from .markup import markdown_html, sanitize
from .settings import Link

TEMPLATE = "shownotes.html.j2"
MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@dataclass
class Download:
    """A file offered for download: its label (``WebVTT``) and URL."""

    label: str
    url: str


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


def hosts_and_guests(people: list[Speaker]) -> tuple[list[Speaker], list[Speaker]]:
    """``people`` split into hosts (host, cohost, moderator) and guests."""
    hosts = [s for s in people if s.role in HOST_ROLES]
    return hosts, [s for s in people if s.role not in HOST_ROLES]


def render_shownotes(
    episode: Episode,
    *,
    chapters: list[Chapter],
    links: list[Link],
    page_url: str,
    transcripts: list[Download],
    people: list[Speaker] | None = None,
) -> str:
    """The shownotes of ``episode`` as a sanitised HTML fragment (German headings by default).
    ``people``: who speaks (publish.speakers.published_speakers), by default episode.toml's speakers."""
    hosts, guests = hosts_and_guests(episode.speakers if people is None else people)
    html = (
        show_templates(episode.show)
        .get_template(TEMPLATE)
        .render(
            show=episode.show,
            episode=episode,
            date=german_date(episode.date),
            description=Markup(markdown_html(episode.description)),
            hosts=hosts,
            guests=guests,
            chapters=[{"time": timestamp(c.start), "start": c.start, "title": c.title, "url": c.url} for c in chapters],
            links=links,
            page_url=page_url,
            transcripts=transcripts,
        )
    )
    return sanitize(html).strip() + "\n"
