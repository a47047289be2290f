"""The ``audiokit`` command line: a thin click layer over the library."""

from . import (
    clip_commands,  # noqa: F401  (registers clip)
    editor_commands,  # noqa: F401  (registers edit, import-text)
    master_commands,  # noqa: F401  (registers master)
    publish_commands,  # noqa: F401  (registers check)
    settings_commands,  # noqa: F401  (registers settings)
    soundbite_commands,  # noqa: F401  (registers soundbites)
    transcribe_commands,  # noqa: F401  (registers transcribe, export)
    workspace_commands,  # noqa: F401  (registers init, new, build)
)
from .main import cli, main

__all__ = ["cli", "main"]
