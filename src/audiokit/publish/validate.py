"""Everything about publishing that can be checked before any audio work: the build calls these from
the publishing stages' fingerprints, so a bad cover or a template placeholder stops it at once."""

from __future__ import annotations

from ..errors import ConfigError, PublishError
from ..workspace import Episode, Show
from .categories import category_problem
from .check import artwork_problem
from .placeholders import check_placeholders
from .settings import publish_settings


def check_cover(show: Show) -> None:
    """Raise PublishError unless the cover is square JPEG/PNG artwork of 1400-3000 px."""
    problem = artwork_problem(show.cover, need_rgb=False)
    if problem:
        raise PublishError(
            f"{show.file}: cover {show.cover.name}: {problem}",
            "use a square JPEG or PNG of 1400-3000 px in RGB colours",
        )


def validate_show(show: Show) -> None:
    """The show's cover, categories and ``[publish]`` table (language, URLs, GUID: load_show)."""
    check_cover(show)
    for value in show.categories:
        problem = category_problem(value)
        if problem:
            raise ConfigError(
                f"{show.file}: key 'categories': {problem}",
                'use Apple\'s categories, written "Category" or "Category/Subcategory"',
            )
    publish_settings(show)


def validate_episode(episode: Episode) -> None:
    """The episode's ``[publish]`` table and template text still waiting to be replaced."""
    publish_settings(episode.show, episode)
    check_placeholders(episode, episode.speakers)
