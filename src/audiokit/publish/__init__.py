"""Publishing: shownotes, chapters, the Podcasting 2.0 feed, the listener site and its check."""

from .chapters import chapters_json, episode_chapters, propose_chapters
from .check import Problem, artwork_problem, check_site
from .feed import FeedChannel, FeedItem, TranscriptLink, render_feed
from .guid import episode_guid, keep_podcast_guid, podcast_guid
from .settings import Link, PublishSettings, publish_settings
from .shownotes import render_shownotes
from .site import render_episode_page, render_index
from .stage import PublishEpisodeStage, PublishShowStage

__all__ = [
    "FeedChannel",
    "FeedItem",
    "Link",
    "Problem",
    "PublishEpisodeStage",
    "PublishSettings",
    "PublishShowStage",
    "TranscriptLink",
    "artwork_problem",
    "chapters_json",
    "check_site",
    "episode_chapters",
    "episode_guid",
    "keep_podcast_guid",
    "podcast_guid",
    "propose_chapters",
    "publish_settings",
    "render_episode_page",
    "render_feed",
    "render_index",
    "render_shownotes",
]
