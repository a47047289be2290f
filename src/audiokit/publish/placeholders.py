"""Text of ``templates/episode.toml.j2`` that the user is meant to replace: never published."""

from __future__ import annotations

from ..errors import ConfigError
from ..workspace import Episode, Speaker

PLACEHOLDER_NAME = "Gast Vorname Nachname"
PLACEHOLDER_ORGANISATION = "Organisation"
PLACEHOLDER_DESCRIPTION = "Worum geht es in dieser Folge?"
PLACEHOLDERS = (PLACEHOLDER_NAME, PLACEHOLDER_DESCRIPTION)
"""The placeholders distinctive enough to look for in published files (``audiokit check``)."""


def check_placeholders(episode: Episode, people: list[Speaker]) -> None:
    """Raise ConfigError if the description or one of ``people`` still holds template text."""
    if PLACEHOLDER_DESCRIPTION in episode.description:
        raise _placeholder(episode, "description", PLACEHOLDER_DESCRIPTION)
    for speaker in people:
        if speaker.name == PLACEHOLDER_NAME or speaker.organisation == PLACEHOLDER_ORGANISATION:
            raise _placeholder(episode, "speakers", speaker.label)


def _placeholder(episode: Episode, key: str, text: str) -> ConfigError:
    return ConfigError(
        f"{episode.file}: key '{key}' still holds the template's placeholder {text!r}",
        "replace it with the real text, or mark the episode as not ready: draft = true",
    )
