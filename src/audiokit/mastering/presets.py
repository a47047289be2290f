"""Mastering presets and settings (declared in :mod:`audiokit.config.schema`), read for an episode from
show.toml, episode.toml and the command line."""

from __future__ import annotations

from typing import Any

from ..config.schema import FORMAT_NAMES, PRESETS, MasteringSettings, Preset
from ..config.validate import Place, convert
from ..i18n import _
from ..paths import resolve_inside
from ..workspace import Episode
from .encode import FORMATS
from .tags import Tags, check_tags

__all__ = ["FORMAT_NAMES", "PRESETS", "MasteringSettings", "Preset", "episode_settings"]


def episode_settings(episode: Episode, **overrides: Any) -> MasteringSettings:
    """Settings of ``episode``: its preset and values from show.toml [mastering], then
    episode.toml [mastering], then ``overrides`` (from the CLI; None values are ignored). A format whose
    tags cannot hold the episode's number is refused here, before any audio work."""
    values: dict[str, Any] = {}
    for table, place in episode.setting_layers("mastering"):
        convert(table, MasteringSettings, place)
        values.update(table)
        for key in [k for k in ("intro", "outro") if k in table]:
            values[key] = path = resolve_inside(episode.show.dir, table[key], place.where(key))
            if not path.is_file():
                fix = _("put the jingle there or correct the path")
                raise place.error(key, _("names {value!r}, which does not exist").format(value=table[key]), fix)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = MasteringSettings.from_preset(values.pop("preset", "podcast"), **values)
    check_tags(Tags(track=episode.number), FORMATS[settings.format], Place(episode.file).where("number"))
    return settings
