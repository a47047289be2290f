"""Stable identifiers: the show's podcast:guid (UUIDv5 of the feed URL, kept once set) and episode GUIDs."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from ..config.tomlio import edit_toml
from ..i18n import _
from ..workspace import Show

log = logging.getLogger("audiokit")

PODCAST_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""The namespace the Podcasting 2.0 spec fixes for podcast:guid."""


def podcast_guid(feed_url: str) -> str:
    """UUIDv5 of the feed URL without scheme and trailing slashes (Podcasting 2.0 podcast:guid)."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(PODCAST_NAMESPACE, bare))


def episode_guid(show_guid: str, slug: str) -> str:
    """An episode's RSS guid: a UUIDv5 of its slug under the show's podcast:guid (independent of URLs)."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(show_guid), slug)}"


def keep_podcast_guid(show: Show, feed_url: str) -> str:
    """The show's podcast:guid; computed from ``feed_url`` and written into show.toml the first time. The
    spec wants the GUID never to change, even when the feed moves: once stored in show.toml it wins over
    the URL. The key goes before the first one in the file; comments and layout stay."""
    if show.podcast_guid:
        return show.podcast_guid
    guid = podcast_guid(feed_url)

    def add(doc: Any) -> None:
        import tomlkit

        item = tomlkit.item(guid)
        item.comment(_("Podcasting 2.0 GUID of this show: keep it when the URL changes"))
        item.trivia.comment_ws = "  "
        first = next((i for i, (key, _) in enumerate(doc.body) if key is not None), None)
        if first is None or "podcast_guid" in doc:  # an empty podcast_guid = "" is filled in where it is
            doc["podcast_guid"] = item
        else:  # tomlkit has no public insert (python-poetry/tomlkit#7)
            doc._insert_at(first, "podcast_guid", item)

    edit_toml(show.file, add, _('add this line before the first [table]: podcast_guid = "{guid}"').format(guid=guid))
    log.info(_("%s: stored podcast_guid %s"), show.file, guid)
    show.podcast_guid = guid
    return guid
