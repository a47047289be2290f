"""The plain-text transcript form editors know: ``Name [Organisation]:`` then the turn.

::

    Clara Vogt [Netzwerk Digitale Gesundheit]:
    Hallo und herzlich willkommen.

    [0:19] Jana Albers [Praxisgemeinschaft Nordstadt]:
    Danke für die Einladung.

The ``[m:ss]`` prefix (``h:mm:ss`` from an hour, ``audiokit.timefmt.timestamp``) is optional
(``timestamps=True``); ``hh:mm:ss`` is read too. Blocks are separated by blank lines;
a turn may span several lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cleantext import strip_controls
from .errors import TranscriptError
from .i18n import _
from .timefmt import parse_clock, timestamp
from .transcript import Transcript, TranscriptSpeaker

HEADER_RE = re.compile(
    r"^(?:\[(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?)\]\s+)?(?P<name>[^\[\]:\n]+?)(?:\s+\[(?P<org>[^\]\n]*)\])?:\s*$"
)


@dataclass
class TextTurn:
    """One block of a text transcript."""

    name: str
    organisation: str
    text: str
    start: float | None = None


@dataclass
class Turn:
    """Consecutive segments of one speaker, joined (for the text and HTML exports and the episode page)."""

    speaker: TranscriptSpeaker
    start: float
    end: float
    text: str


def turns(transcript: Transcript, *, offset: float = 0.0) -> list[Turn]:
    """Speaker turns: consecutive segments of one speaker joined, times shifted by ``offset``."""
    result: list[Turn] = []
    for segment in (s for s in transcript.segments if s.words):
        if result and result[-1].speaker.id == segment.speaker:
            result[-1].text += " " + segment.text
            result[-1].end = max(result[-1].end, segment.end + offset)
        else:
            speaker = transcript.speaker(segment.speaker)
            result.append(Turn(speaker, max(0.0, segment.start + offset), segment.end + offset, segment.text))
    return result


def to_text(transcript: Transcript, *, timestamps: bool = False, offset: float = 0.0) -> str:
    """Render speaker blocks; consecutive segments of one speaker join into one block."""
    blocks = []
    for turn in turns(transcript, offset=offset):
        header = f"[{timestamp(turn.start)}] {turn.speaker.label}:" if timestamps else f"{turn.speaker.label}:"
        blocks.append(f"{header}\n{turn.text}")
    return "\n\n".join(blocks) + "\n" if blocks else ""


def parse_text(text: str) -> list[TextTurn]:
    """Parse speaker blocks back. A header is the first line of a block (after a blank line).
    Control characters (NUL, BEL …) are dropped."""
    turns: list[TextTurn] = []
    block_start = True
    for number, line in enumerate(strip_controls(text).replace("\r\n", "\n").split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            block_start = True
            continue
        match = HEADER_RE.match(stripped) if block_start else None
        block_start = False
        if match:
            time = match.group("time")
            start = parse_clock(time) if time else None
            turns.append(TextTurn(match.group("name").strip(), (match.group("org") or "").strip(), "", start))
        elif not turns:
            raise TranscriptError(
                _("line {number}: text before the first speaker header").format(number=number),
                _("start the file with a line such as 'Name [Organisation]:'"),
            )
        else:
            turns[-1].text = f"{turns[-1].text} {stripped}".strip()
    return turns
