"""Stable identifiers: the show's podcast:guid (UUIDv5 of the feed URL, kept once set) and episode GUIDs."""

from __future__ import annotations

import logging
import re
import sys
import uuid

from .. import atomic
from ..errors import ConfigError
from ..workspace import Show

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

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
    """The show's podcast:guid; computed from ``feed_url`` and written into show.toml the first time.

    The spec wants the GUID never to change, even when the feed moves: once stored in show.toml
    it wins over the URL. The line goes before the first key, so comments and layout stay intact.
    """
    if show.podcast_guid:
        return show.podcast_guid
    guid = podcast_guid(feed_url)
    text = show.file.read_text("utf-8-sig")  # a byte order mark is dropped with the rewrite
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), len(lines))
    lines.insert(at, f'podcast_guid = "{guid}"  # Podcasting 2.0 GUID of this show: keep it when the URL changes\n')
    new_text = "".join(lines)
    try:
        ok = tomllib.loads(new_text) == {**tomllib.loads(text), "podcast_guid": guid}
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:
        raise ConfigError(
            f"{show.file}: cannot add podcast_guid automatically",
            f'add this line before the first [table]: podcast_guid = "{guid}"',
        )
    atomic.write_text(show.file, new_text)  # keeps the file's mode
    log.info("%s: stored podcast_guid %s", show.file, guid)
    show.podcast_guid = guid
    return guid
