"""Reading TOML files, and editing them with tomlkit so that the user's comments, order and layout stay."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def read_toml(path: Path) -> dict[str, Any]:
    """Parse ``path`` (a UTF-8 byte order mark is allowed); a missing, unreadable or broken one: ConfigError."""
    if not path.is_file():
        raise ConfigError(f"{path} does not exist", "run 'audiokit init' / 'audiokit new' or check the folder")
    try:
        return tomllib.loads(path.read_text("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: broken TOML ({exc})", "fix the syntax at the line given") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})", "save it as UTF-8 text") from exc


def edit_toml(path: Path, change: Callable[[Any], None], fix: str) -> None:
    """Apply ``change`` to the tomlkit document of ``path`` (none yet: an empty one) and write it back
    atomically. What ``change`` leaves alone stays as it was, comments included; ``fix`` tells the user
    what to do if tomlkit cannot make the change faithfully."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    text = path.read_text("utf-8-sig") if path.exists() else ""  # a byte order mark is dropped
    try:
        doc = tomlkit.parse(text)
        change(doc)
        new_text = tomlkit.dumps(doc)
        faithful = tomllib.loads(new_text) == doc.unwrap()
    except (TOMLKitError, tomllib.TOMLDecodeError):
        faithful = False
    if not faithful:
        raise ConfigError(f"{path} cannot be changed automatically", fix)
    atomic.write_text(path, new_text)  # keeps the file's mode
