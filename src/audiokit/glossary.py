"""A show's glossary (``<show>/glossary.toml``): terms that bias recognition and replacement rules.

::

    terms = ["ePA", "Gematik", "Telematikinfrastruktur"]

    [replace]
    "E-Pa" = "ePA"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from . import atomic
from .tomlfields import Fields, read_toml

GLOSSARY_FILE = "glossary.toml"


@dataclass
class Glossary:
    """Domain terms and names, and "always replace X with Y" rules."""

    terms: list[str] = field(default_factory=list)
    replacements: dict[str, str] = field(default_factory=dict)

    def apply(self, text: str) -> str:
        """Apply every replacement to ``text`` (whole words, case-sensitive)."""
        for wrong, right in self.replacements.items():
            text = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right, text)
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


def save_glossary(show_dir: Path, glossary: Glossary) -> None:
    """Write the glossary atomically."""
    data = {"terms": glossary.terms, "replace": glossary.replacements}
    atomic.write_text(Path(show_dir) / GLOSSARY_FILE, tomli_w.dumps(data))


def add_replacement(show_dir: Path, wrong: str, right: str) -> Glossary:
    """Add "always replace ``wrong`` with ``right``" and remember ``right`` as a term."""
    glossary = load_glossary(show_dir)
    glossary.replacements[wrong] = right
    if right not in glossary.terms:
        glossary.terms.append(right)
    save_glossary(show_dir, glossary)
    return glossary
