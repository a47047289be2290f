"""A show's glossary (``<show>/glossary.toml``): terms that bias recognition and replacement rules.

::

    terms = ["ePA", "Gematik", "Telematikinfrastruktur"]

    [replace]
    "E-Pa" = "ePA"

Replacements are literal text (no patterns). Writing the file keeps the user's comments and layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError

from . import atomic
from .errors import ConfigError
from .tomlfields import Fields, read_toml

GLOSSARY_FILE = "glossary.toml"


@dataclass
class Glossary:
    """Domain terms and names, and "always replace X with Y" rules."""

    terms: list[str] = field(default_factory=list)
    replacements: dict[str, str] = field(default_factory=dict)

    def apply(self, text: str) -> str:
        """Apply every replacement to ``text`` (whole words, case-sensitive, literally)."""
        for wrong, right in self.replacements.items():
            text = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", lambda _, r=right: r, text)
        return text


def load_glossary(show_dir: Path) -> Glossary:
    """Read ``show_dir/glossary.toml``; no file means an empty glossary."""
    path = Path(show_dir) / GLOSSARY_FILE
    if not path.exists():
        return Glossary()
    f = Fields(read_toml(path), path)
    replace = f.table("replace")
    glossary = Glossary(f.strings("terms", []), {k: replace.text(k) for k in replace.data})
    f.reject_unknown()
    return glossary


def read_glossary_text(show_dir: Path) -> str | None:
    """The glossary file as it is (None when there is none): to put it back after a refused change."""
    try:
        return (Path(show_dir) / GLOSSARY_FILE).read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{Path(show_dir) / GLOSSARY_FILE} cannot be read ({exc})", "save it as UTF-8 text") from exc


def write_glossary_text(show_dir: Path, text: str | None) -> None:
    """Put the glossary file back to ``text`` (None: no file)."""
    path = Path(show_dir) / GLOSSARY_FILE
    if text is None:
        path.unlink(missing_ok=True)
    else:
        atomic.write_text(path, text)


def save_glossary(show_dir: Path, glossary: Glossary) -> None:
    """Write the glossary atomically, keeping the comments and layout of the existing file."""
    path = Path(show_dir) / GLOSSARY_FILE
    load_glossary(show_dir)  # a broken file is reported, not overwritten
    try:
        doc = tomlkit.parse(read_glossary_text(show_dir) or "")
    except TOMLKitError as exc:  # pragma: no cover - load_glossary refused it already
        raise ConfigError(f"{path}: broken TOML ({exc})", "fix the syntax at the line given") from exc
    if list(doc.get("terms", [])) != glossary.terms:
        if "terms" in doc:
            terms = doc["terms"]
            for term in [t for t in terms if t not in glossary.terms]:
                terms.remove(term)
            terms.extend(t for t in glossary.terms if t not in terms)
        else:
            doc["terms"] = glossary.terms
    if "replace" not in doc:
        doc["replace"] = tomlkit.table()
    table = doc["replace"]
    for wrong in [k for k in table if k not in glossary.replacements]:
        del table[wrong]
    for wrong, right in glossary.replacements.items():
        if table.get(wrong) != right:
            table[wrong] = right
    atomic.write_text(path, tomlkit.dumps(doc))


def add_replacement(show_dir: Path, wrong: str, right: str) -> Glossary:
    """Add "always replace ``wrong`` with ``right``" and remember ``right`` as a term."""
    glossary = load_glossary(show_dir)
    glossary.replacements[wrong] = right
    if right not in glossary.terms:
        glossary.terms.append(right)
    save_glossary(show_dir, glossary)
    return glossary
