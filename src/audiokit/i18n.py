"""Message translation: German by default, English when the locale asks for it.

Wrap every user-facing literal in ``_()`` where it is written and format after translating::

    raise ConfigError(_("{path} is not a show folder").format(path=path), _("run audiokit init"))

The catalog is ``locale/de/LC_MESSAGES/audiokit.po`` (compiled to ``.mo``, shipped in the package);
``scripts/i18n_catalog.py`` extracts new messages and compiles it.
"""

from __future__ import annotations

import gettext
import os
import sys
from functools import cache
from pathlib import Path

DOMAIN = "audiokit"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("de", "en")
# gettext's order: the first of these that is set decides (LANGUAGE may list several, colon-separated).
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language() -> str:
    """``de`` or ``en``: ``AUDIOKIT_LANG`` if set, else English only if the locale names English first."""
    forced = os.environ.get("AUDIOKIT_LANG", "").strip().lower()
    if forced in LANGUAGES:
        return forced
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = entry.strip().lower()[:2]
            if code in LANGUAGES:
                return code
        return "de"
    return "de"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for ``lang``; English is the source language and needs none."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the user's language."""
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog where it is defined (a table at import); ``_()`` it where shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """``singular`` or ``plural`` for ``count``, in the user's language."""
    return translations(language()).ngettext(singular, plural, count)


def translate_click() -> None:
    """Route click's own messages ("Usage:", "Missing argument", ...) through this catalog.

    click marks them with the stdlib's global ``gettext``/``ngettext``, which only knows the
    environment's locale (English without one); its modules bind those names at import, so they
    are rebound here to honour audiokit's German default.
    """
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = _  # type: ignore[attr-defined]
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = ngettext  # type: ignore[attr-defined]
