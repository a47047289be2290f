"""Publishing: shownotes, chapters, the Podcasting 2.0 feed, the listener site and its check.

The modules load on first use, so importing one of them (e.g. ``audiokit.publish.guid``) does not
pull in the feed and site renderers (feedgen, lxml, Pillow, jinja2).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "chapters_json": "chapters",
    "episode_chapters": "chapters",
    "propose_chapters": "chapters",
    "Problem": "check",
    "artwork_problem": "check",
    "check_site": "check",
    "publish_episode": "episode",
    "FeedChannel": "feed",
    "FeedItem": "feed",
    "TranscriptLink": "feed",
    "render_feed": "feed",
    "episode_guid": "guid",
    "keep_podcast_guid": "guid",
    "podcast_guid": "guid",
    "Link": "settings",
    "PublishSettings": "settings",
    "publish_settings": "settings",
    "render_shownotes": "shownotes",
    "publish_show": "show",
    "render_episode_page": "site",
    "render_index": "site",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
