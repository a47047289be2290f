"""Settings from a TOML file or the command line checked against the schema: every problem is one
ConfigError naming the file, the key, what is wrong and how to fix it. The helpers below read what a
declaration says (the core type behind ``Annotated``/``Optional``, its merged ``msgspec.Meta``) and name it
for users ("a whole number", "one of …"), for these messages and for the reference."""

from __future__ import annotations

import datetime as dt
import math
import re
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import msgspec

from ..cleantext import strip_controls
from ..errors import ConfigError
from ..i18n import N_, _

T = TypeVar("T")
_UNKNOWN = N_("is not a known setting")
_ERROR_RE = re.compile(r"(?P<text>.*?)(?: - at `(?:key` in `)?\$(?P<path>[^`]*)`)?", re.DOTALL)
_STEP_RE = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_META_KEYS = ("ge", "le", "pattern", "tz", "description", "examples")
_KINDS = {
    bool: N_("true or false"),
    int: N_("a whole number"),
    float: N_("a number"),
    str: N_("a string"),
    dt.datetime: N_("a date and time"),
    Path: N_("a file path"),
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
        return N_("a list of tables") if is_struct(get_args(core)[0]) else N_("a list")
    if get_origin(core) is dict or is_struct(core):
        return N_("a table")
    return _KINDS.get(core, getattr(core, "__name__", str(core)))


def bounds(meta: dict[str, Any], translate: Callable[[str], str] = _) -> str:
    """The range of ``meta`` in words ("from -40 to -5 LUFS", "at least 1"); "" without one. The settings
    reference passes ``translate=str``: it is written in English."""
    low, high = meta.get("ge"), meta.get("le")
    if low is not None and high is not None:
        text = translate(N_("from {low:g} to {high:g}")).format(low=low, high=high)
    elif low is not None or high is not None:
        at_least, at_most = translate(N_("at least {low:g}")), translate(N_("at most {high:g}"))
        text = at_least.format(low=low) if low is not None else at_most.format(high=high)
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


@dataclass(frozen=True)
class Place:
    """Where settings come from: a TOML file (None: the command line) and the table in it (``"hosts[0]."``)."""

    file: Path | None = None
    table: str = ""

    def where(self, key: str) -> str:
        key = f"{self.table}{key}"
        return (
            _("{file}: key '{key}'").format(file=self.file, key=key)
            if self.file
            else _("setting '{key}'").format(key=key)
        )

    def error(self, key: str, what: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.where(key)} {what}", fix)

    def inside(self, key: str) -> Place:
        return Place(self.file, f"{self.table}{key}.")


def convert(given: Mapping[str, Any], schema: type[T], place: Place = Place()) -> T:
    """``given`` as ``schema``, its text without control characters (file paths stay as written: they are
    refused, not changed). Known keys are checked first, so a misspelt required key is reported as missing."""
    data: dict[str, Any] = _clean(given, schema, place, "")
    unknown: ConfigError | None = None
    while True:
        try:
            result = msgspec.convert(data, schema, dec_hook=_path)
        except msgspec.ValidationError as exc:
            steps, what, fix = _problem(str(exc), data, schema)
            error = place.error(_key(steps), what, fix)
            if what != _(_UNKNOWN):
                raise error from None
            unknown = unknown or error
            parent = data
            for step in steps[:-1]:
                parent = parent[step]
            del parent[steps[-1]]  # look for other problems without it
            continue
        if unknown is not None:
            raise unknown
        return result


def layered(schema: type, layers: Iterable[tuple[Mapping[str, Any], Place]]) -> dict[str, Any]:
    """The keys of all ``layers`` (later ones win), each layer checked against ``schema`` on its own so
    that an error names the file it is in."""
    values: dict[str, Any] = {}
    for data, place in layers:
        convert(data, schema, place)
        values.update(data)
    return values


def _path(kind_: type, value: Any) -> Any:
    if kind_ is Path and isinstance(value, (str, Path)):
        return Path(value)
    raise TypeError(f"Expected `{kind_.__name__}`")


def _fits(value: Any, annotation: Any) -> bool:
    try:
        msgspec.convert(value, annotation, dec_hook=_path)
    except msgspec.ValidationError:
        return False
    return True


def _clean(value: Any, annotation: Any, place: Place, key: str) -> Any:
    """A copy of ``value`` with control characters stripped from its text; a NUL character is refused."""
    if isinstance(value, str):
        if "\x00" in value:
            raise place.error(key, _("contains a NUL character"), _("remove it"))
        return value if split(annotation)[1].get("path") else strip_controls(value)
    if isinstance(value, dict):
        return {k: _clean(v, child(annotation, k), place, f"{key}.{k}".lstrip(".")) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, child(annotation, i), place, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def _key(steps: list[Any]) -> str:
    return "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in steps).lstrip(".")


def _problem(message: str, data: Any, schema: Any) -> tuple[list[Any], str, str]:
    """The key path, what is wrong and the fix, from one of msgspec's messages."""
    found = _ERROR_RE.fullmatch(message)
    assert found is not None  # the pattern matches any text
    steps: list[Any] = []
    value, annotation = data, schema
    field, field_type = 0, schema  # the declared key the problem is in (steps[:field]) and its type
    for name, index in _STEP_RE.findall(found["path"] or ""):
        step: Any = name or (int(index) if index != "..." else None)
        if step is None:  # a value of a table with free keys: the first one that does not fit
            step = next(k for k, v in value.items() if not _fits(v, child(annotation, k)))
        steps.append(step)
        if is_struct(split(annotation)[0]):
            field, field_type = len(steps), child(annotation, step)
        value, annotation = value[step], child(annotation, step)
    text = found["text"]
    missing = re.fullmatch(r"Object (missing required|contains unknown) field `(.+)`", text)
    if missing:
        steps.append(missing[2])
        if missing[1] == "missing required":
            fix = _("add it, for example: {key} = {value}").format(
                key=missing[2], value=example(child(annotation, missing[2]))
            )
            return steps, _("is missing"), fix
        known = ", ".join(f.encode_name for f in msgspec.structs.fields(split(annotation)[0]))
        return steps, _(_UNKNOWN), _("use one of: {known}").format(known=known)
    core, meta = split(annotation)
    for_example = _("for example: {key} = {value}").format(
        key=steps[field - 1] if field else "", value=example(field_type)
    )
    if isinstance(value, float) and not math.isfinite(value):
        return steps, _("is {value}, not a finite number").format(value=value), for_example
    if get_origin(core) is Literal:
        return (
            steps,
            _("is {value!r}").format(value=value),
            _("use one of: {known}").format(known=", ".join(map(str, get_args(core)))),
        )
    if "timezone" in text:
        return steps, _("has no time zone"), _("add the UTC offset, {for_example}").format(for_example=for_example)
    if "matching regex" in text:
        if not value.strip():
            return steps, _("is empty"), _("fill it in, {for_example}").format(for_example=for_example)
        what = _("is {value!r}, not {kind}").format(value=value, kind=_(meta.get("kind", N_("valid"))))
        return steps, what, _(meta["fix"]) if "fix" in meta else for_example
    if re.match(r"Expected `\w+` [<>]", text):
        if meta.get("unit") and "ge" in meta and "le" in meta:
            what = _("is outside {low:g}…{high:g} {unit}").format(low=meta["ge"], high=meta["le"], unit=meta["unit"])
            return steps, what, _("give a number {bounds}").format(bounds=bounds(meta))
        return steps, _("is {value!r}").format(value=value), _("give {bounds}").format(bounds=bounds(meta))
    table = _key(steps[:field])
    if kind(field_type) == "a list of tables":
        what = _("must be {kind}").format(kind=_(kind(annotation)))
        return steps, what, _("write each entry as a [[{table}]] table").format(table=table)
    if kind(annotation) == "a table":
        return steps, _("must be a table"), _("write it as [{table}] with its keys below").format(table=table)
    return steps, _("must be {kind}").format(kind=_(kind(annotation))), for_example
