"""What a declaration in the schema says: the core type behind ``Annotated``/``Optional``, its merged
``msgspec.Meta`` and how to name it for users ("a whole number", "one of …")."""

from __future__ import annotations

import datetime as dt
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

_META_KEYS = ("ge", "le", "pattern", "tz", "description", "examples")
_KINDS = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    dt.datetime: "a date and time",
    Path: "a file path",
}


def split(annotation: Any) -> tuple[Any, dict[str, Any]]:
    """The core type of ``annotation`` (``None`` dropped from unions) and the merged keys of its Metas;
    ``extra`` is flattened in (``unit``, ``kind``, ``fix``, ``path``)."""
    meta: dict[str, Any] = {}
    while True:
        origin, args = get_origin(annotation), get_args(annotation)
        if origin is Annotated:
            annotation = args[0]
            for m in args[1:]:
                meta.update({k: getattr(m, k) for k in _META_KEYS if getattr(m, k) is not None})
                meta.update(m.extra or {})
        elif origin in (Union, types.UnionType) and type(None) in args:
            rest = tuple(a for a in args if a is not type(None))
            annotation = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007 - built at run time
        else:
            return annotation, meta


def is_struct(core: Any) -> bool:
    return isinstance(core, type) and issubclass(core, msgspec.Struct)


def child(annotation: Any, step: str | int) -> Any:
    """The annotation of ``step`` (a key or an index) inside a value of ``annotation``; Any if unknown."""
    core, _ = split(annotation)
    if is_struct(core):
        return next((f.type for f in msgspec.structs.fields(core) if f.encode_name == step), Any)
    if get_origin(core) is list:
        return get_args(core)[0]
    if get_origin(core) is dict:
        return get_args(core)[1]
    return Any


def kind(annotation: Any) -> str:
    """The user's name for values of ``annotation``."""
    core, meta = split(annotation)
    if "kind" in meta:
        return str(meta["kind"])
    if get_origin(core) is Literal:
        return "one of " + ", ".join(map(str, get_args(core)))
    if get_origin(core) in (Union, types.UnionType):
        return " or ".join(kind(a) for a in get_args(core))
    if get_origin(core) is list:
        return "a list of tables" if is_struct(get_args(core)[0]) else "a list"
    if get_origin(core) is dict or is_struct(core):
        return "a table"
    return _KINDS.get(core, getattr(core, "__name__", str(core)))


def bounds(meta: dict[str, Any]) -> str:
    """The range of ``meta`` in words ("from -40 to -5 LUFS", "at least 1"); "" without one."""
    low, high = meta.get("ge"), meta.get("le")
    if low is not None and high is not None:
        text = f"from {low:g} to {high:g}"
    elif low is not None or high is not None:
        text = f"at least {low:g}" if low is not None else f"at most {high:g}"
    else:
        return ""
    return f"{text} {meta.get('unit', '')}".strip()


def toml_value(value: Any) -> str:
    """``value`` written as in a TOML file."""
    import tomlkit  # only for messages and the reference

    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table.as_string()
    return tomlkit.item(value).as_string()


def example(annotation: Any) -> str:
    """A value for ``annotation`` as TOML: its first example, else "…"."""
    examples = split(annotation)[1].get("examples")
    return toml_value(examples[0]) if examples else "…"
