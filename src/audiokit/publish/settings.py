"""The ``[publish]`` table of show.toml and episode.toml (declared in :mod:`audiokit.config.schema`)."""

from __future__ import annotations

from ..config.schema import Link, PublishSettings, ShowPublish
from ..config.validate import Place, convert, layered
from ..workspace import Episode, Show

__all__ = ["Link", "PublishSettings", "publish_settings"]


def publish_settings(show: Show, episode: Episode | None = None) -> PublishSettings:
    """``[publish]`` of show.toml, overridden by the episode's own table; errors name file and key."""
    values = layered(ShowPublish, [(show.settings.get("publish", {}), Place(show.file, "publish."))])
    if episode is not None:
        values.update(
            layered(PublishSettings, [(episode.settings.get("publish", {}), Place(episode.file, "publish."))])
        )
    return convert(values, PublishSettings)
