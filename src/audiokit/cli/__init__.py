"""The ``audiokit`` command line: a thin click layer over the library."""

from .main import cli, main
from . import workspace_commands  # noqa: F401  (registers init, new, build)

__all__ = ["cli", "main"]
