"""Plain-text tables: columns padded to the width their characters take on screen."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: combining marks (a decomposed "ü") none, wide characters two."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def table(rows: list[list[str]], gap: int = 2) -> str:
    """``rows`` as lines, every column but a row's last padded to the widest cell of its column."""
    widths: dict[int, int] = {}
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths.get(i, 0), display_width(cell))
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row[:-1])]
        lines.append((" " * gap).join([*cells, *row[-1:]]))
    return "\n".join(lines)
