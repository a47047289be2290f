"""The ``audiokit`` command line: a thin click layer over the library."""

from .main import cli, main
from . import workspace_commands  # noqa: F401  (registers init, new, build)
from . import clip_commands  # noqa: F401  (registers clip)
from . import editor_commands  # noqa: F401  (registers edit, import-text)
from . import master_commands  # noqa: F401  (registers master)
from . import publish_commands  # noqa: F401  (registers check)
from . import transcribe_commands  # noqa: F401  (registers transcribe, export)
from . import soundbite_commands  # noqa: F401  (registers soundbites)

__all__ = ["cli", "main"]
