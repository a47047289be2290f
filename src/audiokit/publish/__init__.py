"""Publishing: shownotes, chapters, the Podcasting 2.0 feed, the listener site and its check. The modules
load on first use, so importing one (e.g. ``audiokit.publish.guid``) does not pull in feedgen, lxml,
Pillow or jinja2."""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    name: module
    for module, names in {
        "chapters": "chapters_json episode_chapters propose_chapters",
        "check": "Problem artwork_problem check_site",
        "episode": "PublishSettings publish_episode publish_settings",
        "feed": "FeedChannel FeedItem TranscriptLink render_feed",
        "guid": "episode_guid keep_podcast_guid podcast_guid",
        "show": "publish_show",
        "site": "Link render_episode_page render_index render_shownotes",
        "upload": "UploadPlan UploadReport upload_folder upload_show",
    }.items()
    for name in names.split()
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
