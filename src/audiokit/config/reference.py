"""The settings reference in Markdown (``audiokit settings``, docs/settings.md), written from the schema."""

from __future__ import annotations

from typing import Any, get_args, get_origin

import msgspec

from .schema import FILES
from .validate import bounds, is_struct, kind, split, toml_value

HEADER = """# Settings reference

Every key of show.toml, episode.toml and glossary.toml. Generated from `src/audiokit/config/schema.py`
by `audiokit settings`; do not edit by hand.
"""


def reference() -> str:
    """The whole reference: one section per file, one per table in it."""
    parts, seen = [HEADER], set[type]()
    for name, schema in FILES.items():
        parts += _section(f"## {name}", "", schema, seen)
    return "\n".join(parts)


def _table_of(annotation: Any) -> tuple[Any, bool]:
    """The Struct of a table (or of an array of tables, then True), else (None, False)."""
    core = split(annotation)[0]
    if get_origin(core) is list and is_struct(get_args(core)[0]):
        return get_args(core)[0], True
    return (core, False) if is_struct(core) else (None, False)


def _section(heading: str, prefix: str, schema: type, seen: set[type]) -> list[str]:
    seen.add(schema)
    intro = " ".join((schema.__doc__ or "").replace("``", "`").split())
    lines = [heading, "", intro, "", "| Key | Value | Default | Meaning |", "|---|---|---|---|"]
    nested = []
    for f in msgspec.structs.fields(schema):
        table, many = _table_of(f.type)
        name = f"{prefix}{f.encode_name}"
        if table is not None:
            nested.append((f"[[{name}]]" if many else f"[{name}]", f"{name}.", table))
            value = f"{'tables' if many else 'a table'}: `{nested[-1][0]}`"
            lines.append(f"| `{f.encode_name}` | {value} | | {_meaning(f.type)} |")
        else:
            lines.append(f"| `{f.encode_name}` | {_value(f.type)} | {_default(f)} | {_meaning(f.type)} |")
    lines.append("")
    for title, inner, table in nested:
        if table not in seen:
            lines += _section(f"{'#' * (heading.count('#') + 1)} `{title}`", inner, table, seen)
    return lines


def _value(annotation: Any) -> str:
    meta = split(annotation)[1]
    return ", ".join(filter(None, [kind(annotation), bounds(meta, translate=str) or meta.get("unit", "")]))


def _default(f: msgspec.structs.FieldInfo) -> str:
    if f.required:
        return "required"
    value = f.default_factory() if f.default is msgspec.NODEFAULT else f.default
    return "unset" if value is None else f"`{toml_value(value)}`"


def _meaning(annotation: Any) -> str:
    meta = split(annotation)[1]
    examples = meta.get("examples") or []
    shown = ", ".join(f"`{toml_value(e)}`" for e in examples)
    text = meta.get("description", "")
    return text + ("" if text.endswith(".") or not text else ".") + (f" Example: {shown}" if shown else "")
