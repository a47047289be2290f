"""``import audiokit`` offers everything the CLI does (that it stays light: tests/test_layers.py)."""

from __future__ import annotations

import audiokit


def test_every_public_name_resolves() -> None:
    for name in audiokit.__all__:
        assert getattr(audiokit, name) is not None, name
