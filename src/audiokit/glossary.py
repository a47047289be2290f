"""A show's glossary (``<show>/glossary.toml``): terms that bias recognition and replacement rules.

::

    terms = ["ePA", "Gematik", "Telematikinfrastruktur"]

    [replace]
    "E-Pa" = "ePA"

Replacements are literal text (no patterns). Writing the file keeps the user's comments and layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import atomic
from .config.schema import Glossary
from .config.tomlio import edit_toml, read_toml
from .config.validate import Place, convert
from .errors import ConfigError
from .i18n import _

__all__ = ["GLOSSARY_FILE", "Glossary", "add_replacement", "load_glossary"]
GLOSSARY_FILE = "glossary.toml"


def load_glossary(show_dir: Path) -> Glossary:
    """Read ``show_dir/glossary.toml``; no file means an empty glossary."""
    path = Path(show_dir) / GLOSSARY_FILE
    return convert(read_toml(path), Glossary, Place(path)) if path.exists() else Glossary()


def read_glossary_text(show_dir: Path) -> str | None:
    """The glossary file as it is (None when there is none): to put it back after a refused change."""
    try:
        return (Path(show_dir) / GLOSSARY_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            _("{value} cannot be read ({exc})").format(value=Path(show_dir) / GLOSSARY_FILE, exc=exc),
            _("save it as UTF-8 text"),
        ) from exc


def write_glossary_text(show_dir: Path, text: str | None) -> None:
    """Put the glossary file back to ``text`` (None: no file)."""
    path = Path(show_dir) / GLOSSARY_FILE
    if text is None:
        path.unlink(missing_ok=True)
    else:
        atomic.write_text(path, text)


def add_replacement(show_dir: Path, wrong: str, right: str) -> Glossary:
    """Add "always replace ``wrong`` with ``right``" and remember ``right`` as a term; the file keeps
    its comments and layout."""
    glossary = load_glossary(show_dir)  # a broken file is reported, not overwritten
    glossary.replacements[wrong] = right
    if right not in glossary.terms:
        glossary.terms.append(right)

    def change(doc: Any) -> None:
        import tomlkit

        if "terms" not in doc:
            doc["terms"] = glossary.terms
        elif right not in doc["terms"]:
            doc["terms"].append(right)
        if "replace" not in doc:
            doc["replace"] = tomlkit.table()
        if doc["replace"].get(wrong) != right:
            doc["replace"][wrong] = right

    edit_toml(Path(show_dir) / GLOSSARY_FILE, change, _("edit glossary.toml by hand"))
    return glossary
