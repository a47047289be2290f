"""Hallucination guards: decoding options that keep Whisper from drifting, and clean-up of what slips through.

Only what is provably not speech is removed. Silence and room tone never reach the decoder
(only Silero VAD speech is decoded); each window is decoded without conditioning on the previous
text, so one bad window cannot start a loop that runs to the end of a long file; what comes back
is checked for the stock phrases Whisper invents on non-speech and for repeated n-gram loops.
A batched clip that loops or fails Whisper's log-probability test is decoded again (sequentially,
with temperature fallback); text that is still improbable is kept with lowered word probabilities
(``doubtful``), so that the editor marks it for a listener instead of the transcript losing it.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..transcript import Word

log = logging.getLogger("audiokit")

DECODE_OPTIONS: dict[str, Any] = {
    "vad_filter": True,
    "condition_on_previous_text": False,
    "compression_ratio_threshold": 2.4,
    "log_prob_threshold": -1.0,
    "no_speech_threshold": 0.6,
}
"""Whisper's decoding options; audiokit applies the no-speech test itself (``improbable``): as doubt, not removal."""

MAX_GAP = 2.0
"""Seconds of a clip's speech without a word (at its start, between words, after the last) to decode again."""

DOUBT = 0.5
"""Word probabilities of text that failed Whisper's quality tests twice are multiplied by this (editor: < 0.6 is low)."""

# Whole segments that Whisper invents on non-speech (credits of the subtitles it was trained on).
_STOCK = re.compile(
    r"\W*|untertitel(ung)? (im auftrag |der |des |von |by ).{0,50}|copyright \w+( \d{4})?|.*\bamara\.org\b.*"
    r"|(ard|zdf|wdr|ndr|swr|mdr|funk)( \d{4})?|vielen dank (fürs|für's|für das|für ihr) zu(schauen|sehen)",
    re.IGNORECASE,
)

MAX_REPEATS = 2
"""An n-gram may follow itself this often; further copies are a loop and are removed."""


@dataclass
class RecognitionStats:
    """What the guards did to one recognition: the ``recognition`` entry of a transcript's provenance.

    ``removed``: passages removed, by reason ("stock phrase", "loop"); ``removed_words``: their words;
    ``redecoded``: spans decoded a second time, by reason ("stopped early", "skipped", "failed");
    ``doubtful``: words kept with lowered probabilities because their text failed twice.
    """

    removed: Counter[str] = field(default_factory=Counter)
    removed_words: int = 0
    redecoded: Counter[str] = field(default_factory=Counter)
    doubtful: int = 0

    def remove(self, reason: str, words: list[Word], at: float) -> None:
        """Count (and log at debug) one passage removed at ``at`` seconds."""
        self.removed[reason] += 1
        self.removed_words += len(words)
        log.debug("removed at %.1f s (%s): %s", at, reason, " ".join(w.text for w in words))

    def __iadd__(self, other: RecognitionStats) -> RecognitionStats:
        self.removed += other.removed
        self.removed_words += other.removed_words
        self.redecoded += other.redecoded
        self.doubtful += other.doubtful
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "removed": dict(self.removed),
            "removed_words": self.removed_words,
            "redecoded": dict(self.redecoded),
            "doubtful_words": self.doubtful,
        }


def is_stock_phrase(text: str) -> bool:
    """True for a segment that is nothing but a phrase Whisper invents on non-speech."""
    return bool(_STOCK.fullmatch(re.sub(r"[.!?,\s]+$", "", text.strip())))


def improbable(segment: Any) -> bool:
    """Whisper's log-probability test on a decoded segment (its no-speech test needs a log probability this low too)."""
    return bool(segment.avg_logprob < DECODE_OPTIONS["log_prob_threshold"])


def has_loop(words: list[Word]) -> bool:
    """True if ``remove_loops`` would remove something from ``words``."""
    return len(remove_loops(words)) < len(words)


def doubtful(words: list[Word]) -> list[Word]:
    """``words`` with their probabilities lowered by ``DOUBT``, so that the editor marks them as uncertain."""
    return [dataclasses.replace(w, probability=w.probability * DOUBT) for w in words]


def remove_loops(words: list[Word], max_n: int = 8, stats: RecognitionStats | None = None) -> list[Word]:
    """Drop copies of any 1..``max_n``-word n-gram repeated more than ``MAX_REPEATS`` times in a row."""
    keys = [re.sub(r"\W+", "", w.text.lower()) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        for n in range(1, max_n + 1):
            gram = keys[i : i + n]
            if len(gram) < n or not any(gram):
                break
            copies = 1
            while keys[i + copies * n : i + (copies + 1) * n] == gram:
                copies += 1
            if copies > MAX_REPEATS:
                for j in range(i + MAX_REPEATS * n, i + copies * n):
                    keep[j] = False
                if stats is not None:
                    stats.remove("loop", words[i + MAX_REPEATS * n : i + copies * n], words[i].start)
                i += copies * n - 1
                break
        i += 1
    return [w for w, k in zip(words, keep) if k]
