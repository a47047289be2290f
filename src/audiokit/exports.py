"""Transcript exports for listeners and apps: plain text, SRT, WebVTT, Podcasting 2.0 JSON and HTML.

Every export shifts the transcript's times by ``offset``; for the published audio, give it the
transcript on that audio's timeline (:func:`audiokit.transcript.on_timeline` with master.json's
offset and cuts). Long turns are split into readable cues at word boundaries; cue times never go
backwards and cues never overlap.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import TranscriptError
from .i18n import _
from .timefmt import clock, milliseconds, timestamp
from .transcript import Transcript, TranscriptSpeaker
from .transcript_text import to_text, turns
from .workspace import EPISODE_FILE, TRANSCRIPT_FILE

MAX_CUE_CHARS = 84
"""Two subtitle lines of 42 characters."""
MAX_CUE_SECONDS = 7.0
LINE_CHARS = 42
SENTENCE_END = (".", "?", "!", "…")


@dataclass(frozen=True)
class ExportFormat:
    """A transcript file type: the file suffix and its MIME type (as podcast:transcript wants it)."""

    suffix: str
    mime: str


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "txt": ExportFormat(".txt", "text/plain"),
    "srt": ExportFormat(".srt", "application/x-subrip"),
    "vtt": ExportFormat(".vtt", "text/vtt"),
    "json": ExportFormat(".json", "application/json"),
    "html": ExportFormat(".html", "text/html"),
}


@dataclass
class Cue:
    """One subtitle: a speaker and a short run of words, times in milliseconds on the published audio."""

    speaker: TranscriptSpeaker
    start_ms: int
    end_ms: int
    text: str

    @property
    def start(self) -> float:
        return self.start_ms / 1000

    @property
    def end(self) -> float:
        return self.end_ms / 1000


def cues(
    transcript: Transcript, *, offset: float = 0.0, max_chars: int = MAX_CUE_CHARS, max_seconds: float = MAX_CUE_SECONDS
) -> list[Cue]:
    """Split every segment into cues of at most ``max_chars`` / ``max_seconds`` at word boundaries.

    A cue also ends after a sentence once it holds half of ``max_chars``. Times are clamped so
    that each cue starts no earlier than the previous one ends and lasts at least 1 ms.
    """
    result: list[Cue] = []
    for segment in sorted(transcript.segments, key=lambda s: (s.start, s.end)):
        speaker = transcript.speaker(segment.speaker)
        group: list = []
        for word in (w for w in segment.words if w.text.strip()):
            if group:
                text_len = len(" ".join(w.text for w in group)) + 1 + len(word.text)
                too_long = text_len > max_chars or word.end - group[0].start > max_seconds
                sentence = group[-1].text.endswith(SENTENCE_END) and text_len > max_chars // 2
                if too_long or sentence:
                    result.append(_cue(speaker, group, offset))
                    group = []
            group.append(word)
        if group:
            result.append(_cue(speaker, group, offset))
    previous_end = 0
    for cue in result:
        cue.start_ms = max(cue.start_ms, previous_end)
        cue.end_ms = max(cue.end_ms, cue.start_ms + 1)
        previous_end = cue.end_ms
    return result


def _cue(speaker: TranscriptSpeaker, words: list, offset: float) -> Cue:
    text = " ".join(" ".join(w.text.split()) for w in words)
    return Cue(speaker, milliseconds(words[0].start + offset), milliseconds(max(w.end for w in words) + offset), text)


def _lines(text: str) -> str:
    """Break a cue into two lines near the middle when it is longer than one subtitle line."""
    if len(text) <= LINE_CHARS or " " not in text:
        return text
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - len(text) // 2))
    return text[:cut] + "\n" + text[cut + 1 :]


def _srt(transcript: Transcript, offset: float) -> str:
    blocks, previous = [], None
    for number, cue in enumerate(cues(transcript, offset=offset), start=1):
        text = cue.text.replace("-->", "→")
        if cue.speaker.id != previous:
            text = f"{cue.speaker.name}: {text}"
            previous = cue.speaker.id
        times = f"{clock(cue.start, 3, separator=',')} --> {clock(cue.end, 3, separator=',')}"
        blocks.append(f"{number}\n{times}\n{_lines(text)}\n")
    return "\n".join(blocks)


def _vtt(transcript: Transcript, offset: float) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues(transcript, offset=offset):
        voice = html.escape(" ".join(cue.speaker.name.split()))  # apps show the voice as the name
        text = html.escape(_lines(cue.text), quote=False)
        blocks.append(f"{clock(cue.start, 3)} --> {clock(cue.end, 3)}\n<v {voice}>{text}</v>\n")
    return "\n".join(blocks)


def _json(transcript: Transcript, offset: float) -> str:
    segments = [
        {"speaker": cue.speaker.name, "startTime": cue.start, "endTime": cue.end, "body": cue.text}
        for cue in cues(transcript, offset=offset)
    ]
    return json.dumps({"version": "1.0.0", "segments": segments}, ensure_ascii=False, indent=1) + "\n"


def _html(transcript: Transcript, offset: float) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(transcript.language)}">',
        '<head><meta charset="utf-8"><title>Transkript</title></head>',
        "<body>",
    ]
    for turn in turns(transcript, offset=offset):
        parts += [
            f"<cite>{html.escape(turn.speaker.label)}:</cite>",
            f'<time datetime="PT{turn.start:.3f}S">{timestamp(turn.start)}</time>',
            f"<p>{html.escape(turn.text)}</p>",
        ]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


_EXPORTERS: dict[str, Callable[[Transcript, float], str]] = {"srt": _srt, "vtt": _vtt, "json": _json, "html": _html}


def export_transcript(transcript: Transcript, fmt: str, *, offset: float = 0.0, timestamps: bool = True) -> str:
    """Render ``transcript`` as ``fmt`` (a key of EXPORT_FORMATS), times shifted by ``offset`` seconds.
    ``timestamps=False`` leaves the ``[m:ss]`` out of the text form (the others always carry times)."""
    if fmt == "txt":
        return to_text(transcript, timestamps=timestamps, offset=offset)
    if fmt not in _EXPORTERS:
        raise TranscriptError(
            _("unknown transcript export format {fmt!r}").format(fmt=fmt),
            _("use one of: {value}").format(value=", ".join(EXPORT_FORMATS)),
        )
    return _EXPORTERS[fmt](transcript, offset)


def transcript_beside(audio: Path) -> Path:
    """Where the transcript of a bare audio file lives: ``x.transcript.json`` beside ``x.wav``."""
    return audio.with_name(audio.stem + ".transcript.json")


def find_transcript(target: Path | str) -> Path:
    """The transcript JSON of ``target``: an episode folder's transcript.json, the one beside a bare
    audio file (``transcript_beside``), or ``target`` itself when it is a transcript JSON file."""
    target = Path(target)
    if target.is_dir():
        if not (target / EPISODE_FILE).is_file():
            raise TranscriptError(
                _("{target} is not an episode folder (it has no episode.toml)").format(target=target),
                _("give an episode folder, an audio file or its .transcript.json"),
            )
        return target / TRANSCRIPT_FILE
    if target.suffix.lower() == ".json":
        return target
    path = transcript_beside(target)
    if not path.is_file():
        raise TranscriptError(
            _("{target} has no transcript ({name} is missing)").format(target=target, name=path.name),
            _("run 'audiokit transcribe {target}' first").format(target=target),
        )
    return path
