"""How a person is shown and which part they play: the ``Name [Organisation]`` label and the host roles."""

from __future__ import annotations

HOST_ROLES = ("host", "cohost", "moderator")
"""The roles that lead the talk: listed as hosts, named by speaking first, never a guest's chapter."""


def speaker_label(name: str, organisation: str = "") -> str:
    """``Name [Organisation]``; the name alone when there is no organisation."""
    return f"{name} [{organisation}]" if organisation else name
