"""The browser transcript editor and the plain-text round trip.

``EditorServer(episode).start()`` serves the editor for one episode on 127.0.0.1;
``import_text(transcript, text)`` brings a corrected text export back with its word timings.
"""

from __future__ import annotations

from pathlib import Path

from ..workspace import Episode, load_episode, load_show
from .history import ChangedOnDisk, History, Version
from .server import EditorServer
from .textimport import import_text


def open_episode(folder: Path | str) -> Episode:
    """The episode in ``folder``, whose parent folder is the show."""
    folder = Path(folder).resolve()
    return load_episode(load_show(folder.parent), folder)


__all__ = ["ChangedOnDisk", "EditorServer", "History", "Version", "import_text", "open_episode"]
