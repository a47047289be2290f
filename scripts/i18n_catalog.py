"""Keep the German message catalog in step with the code (needs GNU gettext: xgettext, msgmerge, msgfmt).

python scripts/i18n_catalog.py extract   # new and changed _() messages into audiokit.po (untranslated)
python scripts/i18n_catalog.py compile   # audiokit.po -> audiokit.mo (shipped in the package)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/audiokit/locale/de/LC_MESSAGES/audiokit.po"
KEYWORDS = ["--keyword=_", "--keyword=N_", "--keyword=ngettext:1,2"]


# click's own messages ("Usage:", "Missing argument ...") are translated in this catalog too (see i18n.py)
CLICK_MODULES = ["core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "_termui_impl"]


def extract() -> None:
    import click

    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "src/audiokit").rglob("*.py"))
    sources += [str(Path(click.__file__).parent / f"{name}.py") for name in CLICK_MODULES]
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "audiokit.pot"
        subprocess.run(
            [
                "xgettext",
                "--language=Python",
                "--from-code=UTF-8",
                "--no-wrap",
                "--no-location",
                "--sort-output",
                *KEYWORDS,
            ]
            + ["--add-comments=TRANSLATORS", "--package-name=audiokit", "-o", str(pot), *sources],
            cwd=ROOT,
            check=True,
        )
        if PO.exists():
            subprocess.run(
                [
                    "msgmerge",
                    "--quiet",
                    "--update",
                    "--backup=none",
                    "--no-wrap",
                    "--no-location",
                    "--sort-output",
                    str(PO),
                    str(pot),
                ],
                check=True,
            )
        else:
            PO.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["msginit", "--no-translator", "--no-wrap", "--locale=de_DE.UTF-8", "-i", str(pot), "-o", str(PO)],
                check=True,
            )


def compile_catalog() -> None:
    subprocess.run(["msgfmt", "--check", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)


if __name__ == "__main__":
    {"extract": extract, "compile": compile_catalog}[sys.argv[1]]()
