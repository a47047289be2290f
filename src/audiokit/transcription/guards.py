"""Hallucination guards: decoding options that keep Whisper from drifting, and clean-up of what slips through.

Silence and room tone never reach the decoder (Silero VAD drops them); each window is decoded
without conditioning on the previous text, so one bad window cannot start a loop that runs to the
end of a long file; segments that fail Whisper's own compression-ratio / no-speech tests are
re-decoded or dropped; what remains is checked for the stock phrases Whisper invents on
non-speech and for repeated n-gram loops.
"""

from __future__ import annotations

import re
from typing import Any

from ..transcript import Word

DECODE_OPTIONS: dict[str, Any] = {
    "vad_filter": True,
    "condition_on_previous_text": False,
    "compression_ratio_threshold": 2.4,
    "log_prob_threshold": -1.0,
    "no_speech_threshold": 0.6,
}
"""Passed to every ``WhisperModel.transcribe`` call."""

MAX_TAIL = 2.0
"""Seconds of speech after a clip's last word beyond which the batched decoder stopped too early."""

# Whole segments that Whisper invents on non-speech (credits of the subtitles it was trained on).
_STOCK = re.compile(
    r"\W*|untertitel(ung)? (im auftrag |der |des |von |by ).{0,50}|copyright \w+( \d{4})?|.*\bamara\.org\b.*"
    r"|(ard|zdf|wdr|ndr|swr|mdr|funk)( \d{4})?|vielen dank (fürs|für's|für das|für ihr) zu(schauen|sehen)",
    re.IGNORECASE,
)

MAX_REPEATS = 2
"""An n-gram may follow itself this often; further copies are a loop and are removed."""


def is_stock_phrase(text: str) -> bool:
    """True for a segment that is nothing but a phrase Whisper invents on non-speech."""
    return bool(_STOCK.fullmatch(re.sub(r"[.!?,\s]+$", "", text.strip())))


def is_silence(no_speech_prob: float, avg_logprob: float) -> bool:
    """Whisper's own test for a segment decoded from non-speech (the batched decoder does not apply it)."""
    return (no_speech_prob > DECODE_OPTIONS["no_speech_threshold"]
            and avg_logprob < DECODE_OPTIONS["log_prob_threshold"])


def _key(word: Word) -> str:
    return re.sub(r"\W+", "", word.text.lower())


def remove_loops(words: list[Word], max_n: int = 8) -> list[Word]:
    """Drop copies of any 1..``max_n``-word n-gram repeated more than ``MAX_REPEATS`` times in a row."""
    keys = [_key(w) for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        for n in range(1, max_n + 1):
            gram = keys[i:i + n]
            if len(gram) < n or not any(gram):
                break
            copies = 1
            while keys[i + copies * n:i + (copies + 1) * n] == gram:
                copies += 1
            if copies > MAX_REPEATS:
                for j in range(i + MAX_REPEATS * n, i + copies * n):
                    keep[j] = False
                i += copies * n - 1
                break
        i += 1
    return [w for w, k in zip(words, keep) if k]
