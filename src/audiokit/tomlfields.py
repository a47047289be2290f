"""Typed access to a parsed TOML table; every error names the file, the key and the fix."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path
from typing import Any

from .cleantext import strip_controls
from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def read_toml(path: Path) -> dict[str, Any]:
    """Parse ``path`` (a UTF-8 byte order mark is allowed); a missing, unreadable or broken file raises
    ConfigError."""
    if not path.is_file():
        raise ConfigError(f"{path} does not exist", "run 'audiokit init' / 'audiokit new' or check the folder")
    try:
        return tomllib.loads(path.read_text("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: broken TOML ({exc})", "fix the syntax at the line given") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})", "save it as UTF-8 text") from exc


_TYPE_NAMES = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    list: "a list",
    dict: "a table",
}


class Fields:
    """A TOML table with its location, handing out typed values."""

    def __init__(self, data: dict[str, Any], file: Path, prefix: str = "") -> None:
        self.data = data
        self.file = file
        self.prefix = prefix
        self._used: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.file}: key '{self.prefix}{key}'"

    def error(self, key: str, what: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.where(key)} {what}", fix)

    def get(self, key: str, kind: type, default: Any = ..., example: str = "") -> Any:
        self._used.add(key)
        if key not in self.data:
            if default is ...:
                raise self.error(key, "is missing", f"add it, for example: {key} = {example or '…'}")
            return default
        value = self.data[key]
        ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise self.error(
                key, f"must be {_TYPE_NAMES.get(kind, kind.__name__)}", f"for example: {key} = {example or '…'}"
            )
        if kind is float and not math.isfinite(value):
            raise self.error(key, f"is {value}, not a finite number", f"for example: {key} = {example or '…'}")
        if kind is str and "\x00" in value:
            raise self.error(key, "contains a NUL character", "remove it")
        return value

    def text(self, key: str, default: Any = ..., example: str = '"…"') -> Any:
        """A string without control characters (BEL, ESC … would reach the exports and the feed)."""
        value = self.path(key, default, example)
        return strip_controls(value) if isinstance(value, str) else value

    def path(self, key: str, default: Any = ..., example: str = '"…"') -> Any:
        """A string as written (a path keeps its control characters, so that it is refused, not changed)."""
        value = self.get(key, str, default, example)
        if isinstance(value, str) and default is ... and not strip_controls(value).strip():
            raise self.error(key, "is empty", f"fill it in, for example: {key} = {example}")
        return value

    def datetime(self, key: str, default: Any = ...) -> dt.datetime | None:
        example = "2026-11-10T18:00:00+01:00"
        value = self.get(key, dt.datetime, default, example)
        if value is None or value is default:
            return value
        if value.tzinfo is None:
            raise self.error(key, "has no time zone", f"add the UTC offset, for example: {key} = {example}")
        return value

    def table(self, key: str) -> Fields:
        value = self.get(key, dict, {}, "{ … }")
        return Fields(value, self.file, f"{self.prefix}{key}.")

    def tables(self, key: str) -> list[Fields]:
        value = self.get(key, list, [], f"[[{key}]]")
        if not all(isinstance(v, dict) for v in value):
            raise self.error(key, "must be a list of tables", f"write each entry as a [[{self.prefix}{key}]] table")
        return [Fields(v, self.file, f"{self.prefix}{key}[{i}].") for i, v in enumerate(value)]

    def strings(self, key: str, default: Any = ...) -> list[str]:
        value = self.get(key, list, default, '["…", "…"]')
        if not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings", f'for example: {key} = ["…", "…"]')
        return list(value)

    def reject_unknown(self) -> None:
        """Raise for keys that are not part of the schema (usually typos)."""
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            key = unknown[0]
            raise self.error(key, "is not a known setting", "check the spelling against the template in templates/")
