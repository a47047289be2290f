"""An episode's ``[[soundbites]]`` rendered as square clips beside its page, each only when needed.

Clips are named ``soundbite-<start in ms>.mp4`` (with their .srt/.vtt and their first frame as
.jpg, the poster of the page's player); ``soundbites.json`` keeps
the key each clip was rendered with, so a clip is rendered again only when its key changes. Clips
of soundbites no longer in episode.toml are removed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import AudiokitError
from ..progress import ProgressFactory, no_progress
from ..timefmt import timestamp
from ..workspace import Episode, Soundbite

MANIFEST = "soundbites.json"
LAYOUT = "square"
CLIP_GLOB = "soundbite-*"


def _clip_key(common: Any, bite: Soundbite) -> str:
    value = [common, round(bite.start, 3), round(bite.duration, 3)]
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def render_soundbites(episode: Episode, folder: Path, common: Any, *, progress: ProgressFactory = no_progress) -> None:
    """Render the soundbites of ``episode`` from the mastered audio in ``folder`` into ``folder``;
    ``common`` (JSON-able) describes what every clip depends on besides its own times."""
    from .render import render_clip  # imported here: rendering pulls in Pillow and the mastering chain

    try:
        rendered = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        rendered = {}
    keys: dict[str, str] = {}
    captions = episode.transcript_path.is_file()
    for bite in episode.soundbites:
        key = keys[bite.clip_name] = _clip_key(common, bite)
        out = folder / bite.clip_name
        if rendered.get(bite.clip_name) == key and out.is_file() and (folder / bite.poster_name).is_file():
            continue
        try:
            render_clip(
                episode,
                bite.start,
                bite.end,
                LAYOUT,
                out,
                captions=captions,
                progress=progress,
                master_dir=folder,
                snap=False,  # the feed and the page give these times; proposals already sit in pauses
                poster=True,
            )
        except AudiokitError as exc:
            raise type(exc)(
                f"{episode.file}: soundbite {bite.title!r} at {timestamp(bite.start)}: {exc.what}", exc.fix
            ) from exc
    stems = {Path(name).stem for name in keys}
    for stale in folder.glob(CLIP_GLOB):
        if stale.stem not in stems:
            stale.unlink()
    atomic.write_text(folder / MANIFEST, json.dumps(keys, indent=1))
