"""Control characters: stripped from every text that comes in (TOML, transcripts), so none reaches an output."""

from __future__ import annotations

import re

CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""C0 controls except tab, newline and carriage return; DEL; C1 controls; code points XML 1.0 forbids."""


def strip_controls(text: str) -> str:
    """``text`` without the characters of CONTROL_RE."""
    return CONTROL_RE.sub("", text)
