"""Mastering presets and settings (declared in :mod:`audiokit.config.schema`), read for an episode from
show.toml, episode.toml and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config.schema import FORMAT_NAMES, PRESETS, MasteringSettings, Preset
from ..config.validate import Place, convert
from ..paths import resolve_inside
from ..workspace import Episode

__all__ = ["FORMAT_NAMES", "PRESETS", "MasteringSettings", "Preset", "episode_settings"]


def episode_settings(episode: Episode, **overrides: Any) -> MasteringSettings:
    """Settings of ``episode``: its preset and values from show.toml [mastering], then
    episode.toml [mastering], then ``overrides`` (from the CLI; None values are ignored)."""
    values: dict[str, Any] = {}
    for table, place in episode.setting_layers("mastering"):
        convert(table, MasteringSettings, place)
        values.update(table)
        values.update({k: _jingle(episode.show.dir, table[k], place, k) for k in ("intro", "outro") if k in table})
    values.update({k: v for k, v in overrides.items() if v is not None})
    return MasteringSettings.from_preset(values.pop("preset", "podcast"), **values)


def _jingle(show_dir: Path, relative: str, place: Place, key: str) -> Path:
    path = resolve_inside(show_dir, relative, place.where(key))
    if not path.is_file():
        raise place.error(key, f"names {relative!r}, which does not exist", "put the jingle there or correct the path")
    return path
