"""The ``[publish]`` table of show.toml and episode.toml (the episode's keys win)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..tomlfields import Fields
from ..workspace import Episode, Show


@dataclass
class Link:
    """A link for the shownotes."""

    title: str
    url: str


@dataclass
class PublishSettings:
    """How an episode is published.

    ``links``: shownote links (``[[publish.links]]`` with title and url); ``auto_chapters``: propose
    chapters from the transcript when episode.toml has none; ``chapter_min_gap``: shortest proposed
    chapter in seconds; ``guid``: keep an episode's GUID from a previous host (episode.toml only).
    """

    links: list[Link] = field(default_factory=list)
    auto_chapters: bool = True
    chapter_min_gap: float = 30.0
    guid: str = ""


def _parse(data: dict[str, Any], f: Fields, episode_level: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "links" in data:
        values["links"] = []
        for link in f.tables("links"):
            url = link.text("url", example='"https://example.org/artikel"')
            if not url.startswith(("https://", "http://", "mailto:")):
                raise link.error("url", f"is {url!r}", "give a full https:// address")
            values["links"].append(Link(link.text("title", example='"Artikel zum Thema"'), url))
            link.reject_unknown()
    if "auto_chapters" in data:
        values["auto_chapters"] = f.get("auto_chapters", bool, example="true")
    if "chapter_min_gap" in data:
        gap = f.get("chapter_min_gap", float, example="30")
        if gap < 0:
            raise f.error("chapter_min_gap", "is negative", "give seconds, for example: chapter_min_gap = 30")
        values["chapter_min_gap"] = gap
    if episode_level and "guid" in data:
        values["guid"] = f.text("guid", example='"urn:uuid:…"')
    f.reject_unknown()
    return values


def publish_settings(show: Show, episode: Episode | None = None) -> PublishSettings:
    """Parse ``[publish]`` of show.toml, overridden by the episode's own table; errors name file and key."""
    show_table = show.settings.get("publish", {})
    values = _parse(show_table, Fields(show_table, show.file, "publish."), False)
    if episode is not None:
        table = episode.settings.get("publish", {})
        values.update(_parse(table, Fields(table, episode.file, "publish."), True))
    return PublishSettings(**values)
