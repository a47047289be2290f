"""Mastering presets as data, and the typed settings built from a preset, show.toml/episode.toml and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..paths import resolve_inside
from ..tomlfields import Fields
from ..workspace import Episode


@dataclass(frozen=True)
class Preset:
    """A loudness target: integrated loudness (LUFS), true-peak ceiling (dBTP), channels, and
    whether a mono signal is measured as dual-mono (as heard on two speakers, +3 dB)."""

    name: str
    target: float
    true_peak: float
    channels: int
    dual_mono: bool
    description: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("podcast", -16.0, -1.0, 2, True, "Apple/AES podcast delivery: -16 LUFS, -1 dBTP, stereo"),
        Preset(
            "podcast-mono", -19.0, -1.0, 1, False, "mono podcast: -19 LUFS measured as mono (= -16 on two speakers)"
        ),
        Preset("broadcast", -23.0, -1.0, 2, True, "EBU R128 broadcast: -23 LUFS, -1 dBTP"),
    )
}

FORMAT_NAMES = ("mp3", "m4a", "opus", "flac", "wav")  # each is also the file suffix


@dataclass
class MasteringSettings:
    """Everything that shapes a master. Start from a preset with ``from_preset``."""

    preset: str = "podcast"
    target: float = -16.0
    true_peak: float = -1.0
    channels: int = 2
    dual_mono: bool = True
    format: str = "mp3"
    bitrate: int | None = None  # kbit/s; None = the format's default for the channel count
    sample_rate: int | None = None  # None = keep the recording's sample rate
    leveller: bool = True
    max_boost: float = 15.0  # dB the leveller may raise a quiet speaker
    highpass: float = 70.0  # Hz; 0 switches the rumble filter off
    trim_silence: bool = True
    intro: Path | None = None
    outro: Path | None = None
    crossfade: float = 0.3  # seconds between a jingle and the recording
    custom: list[str] = field(default_factory=list)  # keys set beyond the preset

    @classmethod
    def from_preset(cls, name: str = "podcast", **overrides: Any) -> MasteringSettings:
        """The preset ``name`` with ``overrides`` (None values are ignored); bad values raise ConfigError."""
        preset = PRESETS.get(name)
        if preset is None:
            raise ConfigError(f"unknown mastering preset {name!r}", f"use one of: {', '.join(PRESETS)}")
        settings = cls(
            preset=name,
            target=preset.target,
            true_peak=preset.true_peak,
            channels=preset.channels,
            dual_mono=preset.dual_mono,
        )
        overrides = {k: v for k, v in overrides.items() if v is not None}
        for key, value in overrides.items():
            problem = check(key, value)
            if problem:
                raise ConfigError(f"mastering setting {key} = {value!r} {problem[0]}", problem[1])
        settings = replace(settings, **overrides)
        settings.custom = sorted(k for k, v in overrides.items() if getattr(preset, k, v) != v)
        return settings

    @property
    def label(self) -> str:
        """The preset name, marked custom when values beyond it were set."""
        return f"{self.preset} (custom: {', '.join(self.custom)})" if self.custom else self.preset

    def fingerprint(self) -> dict[str, Any]:
        """JSON-able view of every setting (jingle paths as strings)."""
        return {
            f.name: str(v) if isinstance(v, Path) else v
            for f in fields(self)
            if (v := getattr(self, f.name)) is not None
        }


def _between(low: float, high: float, unit: str) -> Callable[[Any], tuple[str, str] | None]:
    def test(value: Any) -> tuple[str, str] | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            return f"is outside {low:g}…{high:g} {unit}".rstrip(), f"give a number from {low:g} to {high:g}"
        return None

    return test


def _one_of(*allowed: Any) -> Callable[[Any], tuple[str, str] | None]:
    def test(value: Any) -> tuple[str, str] | None:
        if isinstance(value, bool) or value not in allowed:
            return "is not allowed", f"use one of: {', '.join(map(str, allowed))}"
        return None

    return test


def _flag(value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, bool) else ("must be true or false", "write true or false")


def _path(value: Any) -> tuple[str, str] | None:
    return None if isinstance(value, Path) else ("must be a file path", 'for example: intro = "jingles/intro.wav"')


_CHECKS: dict[str, Callable[[Any], tuple[str, str] | None]] = {
    "target": _between(-40, -5, "LUFS"),
    "true_peak": _between(-12, 0, "dBTP"),
    "channels": _one_of(1, 2),
    "dual_mono": _flag,
    "format": _one_of(*FORMAT_NAMES),
    "bitrate": _between(16, 512, "kbit/s"),
    "sample_rate": _one_of(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000),
    "leveller": _flag,
    "max_boost": _between(0, 30, "dB"),
    "highpass": _between(0, 300, "Hz"),
    "trim_silence": _flag,
    "intro": _path,
    "outro": _path,
    "crossfade": _between(0, 5, "s"),
}

# TOML key -> (type, example)
_TOML_KEYS: dict[str, tuple[type, str]] = {
    "preset": (str, '"podcast"'),
    "target": (float, "-16"),
    "true_peak": (float, "-1"),
    "channels": (int, "2"),
    "dual_mono": (bool, "true"),
    "format": (str, '"mp3"'),
    "bitrate": (int, "128"),
    "sample_rate": (int, "48000"),
    "leveller": (bool, "true"),
    "max_boost": (float, "15"),
    "highpass": (float, "70"),
    "trim_silence": (bool, "true"),
    "intro": (str, '"jingles/intro.wav"'),
    "outro": (str, '"jingles/outro.wav"'),
    "crossfade": (float, "0.3"),
}


def check(key: str, value: Any) -> tuple[str, str] | None:
    """Why ``value`` is not valid for setting ``key`` as (what, fix), or None if it is."""
    test = _CHECKS.get(key)
    if test is None:
        return "is not a known setting", f"use one of: {', '.join(_TOML_KEYS)}"
    return test(value)


def _read_table(table: dict[str, Any], file: Path, show_dir: Path) -> dict[str, Any]:
    f = Fields(table, file, "mastering.")
    values: dict[str, Any] = {}
    for key, (kind, example) in _TOML_KEYS.items():
        if key not in table:
            continue
        value = f.get(key, kind, example=example)
        if key in ("intro", "outro"):
            value = resolve_inside(show_dir, value, f.where(key))
            if not value.is_file():
                raise f.error(
                    key, f"names {table[key]!r}, which does not exist", "put the jingle there or correct the path"
                )
        elif key == "preset":
            if value not in PRESETS:
                raise f.error(key, f"is {value!r}", f"use one of: {', '.join(PRESETS)}")
        else:
            problem = check(key, value)
            if problem:
                raise f.error(key, problem[0], problem[1])
        values[key] = value
    f.reject_unknown()
    return values


def episode_settings(episode: Episode, **overrides: Any) -> MasteringSettings:
    """Settings of ``episode``: its preset and values from show.toml [mastering], then
    episode.toml [mastering], then ``overrides`` (from the CLI; None values are ignored)."""
    show = episode.show
    values = _read_table(show.settings.get("mastering", {}), show.file, show.dir)
    values.update(_read_table(episode.settings.get("mastering", {}), episode.file, show.dir))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return MasteringSettings.from_preset(values.pop("preset", "podcast"), **values)
