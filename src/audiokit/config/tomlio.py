"""Reading TOML files, and editing them with tomlkit so that the user's comments, order and layout stay."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import ConfigError
from ..i18n import _

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MAX_DEPTH = 32
"""Tables and lists nested deeper than this are refused before parsing (tomllib recurses per level)."""
_STRING = r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
_KEY = rf"(?:[A-Za-z0-9_-]+|{_STRING})"
_TOKEN = re.compile(
    rf'(?P<long>"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\')|#[^\n]*|(?P<key>{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*)'
    r"|(?P<open>[\[{]+)|(?P<close>[\]}])|(?P<newline>\n)",
    re.DOTALL,
)


def too_deep(text: str) -> int:
    """The line where TOML ``text`` first nests tables and lists (table names, dotted keys, brackets and
    braces together) more than MAX_DEPTH levels deep, or 0. Strings and comments do not count."""
    line, table, header, fresh = 1, 0, False, True
    dots = [0]  # per open bracket: the dots in the last key inside it
    for token in _TOKEN.finditer(text):
        kind, value = token.lastgroup, token.group()
        if kind == "newline":
            line, header, fresh = line + 1, False, True
            continue
        if kind == "long":
            line += value.count("\n")
        elif kind == "open":
            header = header or (fresh and len(dots) == 1)  # [table] or [[array of tables]]
            dots += [0] * len(value)
        elif kind == "close" and len(dots) > 1:
            dots.pop()
        elif kind == "key":
            dots[-1] = re.sub(_STRING, "", value).count(".")
            table = len(dots) - 1 + dots[-1] if header else table
        fresh = False
        if (0 if header else table) + len(dots) - 1 + sum(dots) > MAX_DEPTH:
            return line
    return 0


def _read_text(path: Path) -> str:
    """The text of ``path`` without a byte order mark; too deeply nested TOML is refused."""
    text = path.read_text("utf-8-sig")
    if line := too_deep(text):
        raise ConfigError(
            _("{path}: line {line}: tables and lists nested more than {MAX_DEPTH} levels deep").format(
                path=path, line=line, MAX_DEPTH=MAX_DEPTH
            ),
            _("write the settings as plain tables and lists (audiokit settings shows every key)"),
        )
    return text


def read_toml(path: Path) -> dict[str, Any]:
    """Parse ``path`` (a UTF-8 byte order mark is allowed); a missing, unreadable, broken or too deeply
    nested one: ConfigError."""
    if not path.is_file():
        raise ConfigError(
            _("{path} does not exist").format(path=path), _("run 'audiokit init' / 'audiokit new' or check the folder")
        )
    try:
        return tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path}: broken TOML ({exc})").format(path=path, exc=exc), _("fix the syntax at the line given")
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("{path}: cannot be read ({exc})").format(path=path, exc=exc), _("save it as UTF-8 text")
        ) from exc


def edit_toml(path: Path, change: Callable[[Any], None], fix: str) -> None:
    """Apply ``change`` to the tomlkit document of ``path`` (none yet: an empty one) and write it back
    atomically. What ``change`` leaves alone stays as it was, comments included; ``fix`` tells the user
    what to do if tomlkit cannot make the change faithfully."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    text = _read_text(path) if path.exists() else ""  # a byte order mark is dropped
    try:
        doc = tomlkit.parse(text)
        change(doc)
        new_text = tomlkit.dumps(doc)
        faithful = tomllib.loads(new_text) == doc.unwrap()
    except (TOMLKitError, tomllib.TOMLDecodeError):
        faithful = False
    if not faithful:
        raise ConfigError(_("{path} cannot be changed automatically").format(path=path), fix)
    atomic.write_text(path, new_text)  # keeps the file's mode
