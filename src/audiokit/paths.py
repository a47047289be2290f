"""Slugs and safe paths: nothing named in a TOML file may escape the show folder."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

from .errors import UnsafePathError
from .i18n import _

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def slugify(text: str) -> str:
    """Turn a title into a slug of ``[a-z0-9-]`` (German umlauts transliterated)."""
    text = unicodedata.normalize("NFKD", text.translate(_GERMAN))
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")
    return slug or "episode"


def check_slug(slug: str, where: str = "slug") -> str:
    """Return ``slug`` if it is a safe ``[a-z0-9-]`` slug, else raise UnsafePathError."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise UnsafePathError(
            _("{where}: {slug!r} is not a valid slug").format(where=where, slug=slug),
            _("use only lower-case letters a-z, digits and '-' (for example {value!r})").format(
                value=slugify(str(slug))
            ),
        )
    return slug


def resolve_inside(root: Path, relative: str, where: str) -> Path:
    """Resolve ``relative`` (from a TOML file) against ``root`` and refuse anything outside it."""
    fix = _("give a relative path inside the show folder, such as 'audio/aufnahme.wav'")
    if not isinstance(relative, str) or not relative.strip():
        raise UnsafePathError(_("{where}: the path is empty").format(where=where), fix)
    if "\x00" in relative or any(ord(c) < 32 for c in relative):
        raise UnsafePathError(_("{where}: the path contains control characters").format(where=where), fix)
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", relative) or ".." in pure.parts:  # C:\x is absolute
        raise UnsafePathError(
            _("{where}: {relative!r} points outside the show folder").format(where=where, relative=relative), fix
        )
    root = root.resolve()
    path = (root / pure).resolve()
    if path != root and root not in path.parents:
        raise UnsafePathError(
            _("{where}: {relative!r} leads outside the show folder (symlink?)").format(where=where, relative=relative),
            fix,
        )
    return path
