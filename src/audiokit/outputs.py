"""Where a command may write: never over one of its inputs, never over a show's source files.

A show's sources are ``show.toml``, ``glossary.toml``, every file a setting names (cover, voice samples,
jingles …; ``config.schema.path_keys``), the user's ``templates/`` and, per episode folder, ``episode.toml``, the recording or tracks, the canonical
``transcript.json`` and its version history. The TOML files are read raw (no validation), so
even a show with a broken episode keeps its files protected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .config.schema import path_keys
from .config.tomlio import read_toml
from .errors import AudiokitError, ConfigError
from .glossary import GLOSSARY_FILE
from .i18n import _
from .workspace import EPISODE_FILE, HISTORY_DIR, SHOW_FILE, TRANSCRIPT_FILE

_PATH_KEYS = path_keys()  # cover, recording, track, voice_sample, intro, outro …


def find_show(path: Path) -> Path | None:
    """The show folder (with show.toml) that is ``path`` or holds it; None outside any show."""
    for folder in (path, *path.parents):
        if (folder / SHOW_FILE).is_file():
            return folder
    return None


def _named_paths(data: Any, folder: Path) -> Iterator[Path]:
    """Every path a TOML table names under a path key (also in [[hosts]], [[speakers]] …)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _PATH_KEYS and isinstance(value, str) and value.strip() and "\x00" not in value:
                yield (folder / value.replace("\\", "/")).resolve()
            else:
                yield from _named_paths(value, folder)
    elif isinstance(data, list):
        for item in data:
            yield from _named_paths(item, folder)


def _toml_paths(file: Path) -> Iterator[Path]:
    try:
        yield from _named_paths(read_toml(file), file.parent)
    except AudiokitError:
        return  # a broken file still protects its fixed names


def episode_folders(show_dir: Path) -> list[Path]:
    """Every folder of the show holding an episode.toml."""
    return sorted(p.parent.resolve() for p in show_dir.glob(f"*/{EPISODE_FILE}"))


def source_files(show_dir: Path) -> set[Path]:
    """The files of the show in ``show_dir`` that no command may write over (resolved paths)."""
    show_dir = show_dir.resolve()
    files = {show_dir / SHOW_FILE, show_dir / GLOSSARY_FILE, *_toml_paths(show_dir / SHOW_FILE)}
    templates = show_dir / "templates"
    if templates.is_dir():
        files.update(p.resolve() for p in templates.rglob("*") if p.is_file())
    for folder in episode_folders(show_dir):
        files.update({folder / EPISODE_FILE, folder / TRANSCRIPT_FILE, *_toml_paths(folder / EPISODE_FILE)})
    return files


def _is_protected(target: Path, show_dir: Path) -> bool:
    in_bookkeeping = HISTORY_DIR in target.parts or ".audiokit" in target.relative_to(show_dir).parts
    return in_bookkeeping or target in source_files(show_dir)


def lock_file(out: Path) -> Path:
    """The lock a build or a publish of the output folder ``out`` holds while it runs."""
    return out.parent / f".{out.name}.lock"


def check_output_file(target: Path | str, inputs: Iterable[Path | str] = (), *, allowed: Path | None = None) -> Path:
    """Return ``target`` if a command may write it: not one of ``inputs``, not a show's source file.

    ``allowed`` is a source file the command is meant to write (e.g. an episode's transcript.json).
    """
    target = Path(target)
    resolved = target.resolve()
    fix = _("choose another output file (-o/--out); sources are only ever read")
    if any(resolved == Path(p).resolve() for p in inputs):
        raise ConfigError(_("{target} is an input of this command and would be overwritten").format(target=target), fix)
    if allowed is not None and resolved == Path(allowed).resolve():
        return target
    show_dir = find_show(resolved.parent)  # resolved, as the path it is found in
    if show_dir is not None and _is_protected(resolved, show_dir):
        raise ConfigError(
            _("{target} is a source file of the show in {show_dir} and would be overwritten").format(
                target=target, show_dir=show_dir
            ),
            fix,
        )
    return target


def check_output_folder(out: Path | str, show_dir: Path | str) -> Path:
    """Return ``out`` if a build of ``show_dir`` may replace it as a whole.

    Refused: the show itself, a folder that holds the show (``.``, a parent), a folder inside an
    episode folder, and any folder holding a source file of the show.
    """
    out, show_dir = Path(out).resolve(), Path(show_dir).resolve()
    fix = _("build into a folder of its own, such as SHOW/public (the default) or ../public")
    if out == show_dir or out in show_dir.parents:
        what = (
            _("--out {out} is the show folder; the build replaces its output folder as a whole")
            if out == show_dir
            else _("--out {out} is a folder holding the show; the build replaces its output folder as a whole")
        )
        raise ConfigError(what.format(out=out), fix)
    for folder in episode_folders(show_dir):
        if out == folder or folder in out.parents:
            raise ConfigError(
                _("--out {out} lies inside the episode folder {name}").format(out=out, name=folder.name), fix
            )
    other = find_show(out)
    if other is not None and other != show_dir:
        raise ConfigError(_("--out {out} lies inside another show ({other})").format(out=out, other=other), fix)
    for path in sorted(source_files(show_dir)):
        if out in path.parents:
            raise ConfigError(
                _("--out {out} holds {name}, a source file of the show").format(out=out, name=path.name), fix
            )
    return out
