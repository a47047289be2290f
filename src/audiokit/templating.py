"""Jinja2 environment over the project's ``templates/`` folder (a show may override any file)."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2


def templates_dir() -> Path:
    """The installed templates (``audiokit/templates``) or, in a source checkout, ``templates/``."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def environment(override: Path | None = None, *, html: bool = False) -> jinja2.Environment:
    """An environment that looks in ``override`` (a show's ``templates/``) first."""
    paths = [p for p in (override, templates_dir()) if p is not None and p.is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["toml"] = lambda value: json.dumps(value, ensure_ascii=False)
    return env
