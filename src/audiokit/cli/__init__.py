"""The ``audiokit`` command line: a thin click layer over the library."""

from .main import cli, main

__all__ = ["cli", "main"]
