"""The canonical transcript: typed dataclasses and a versioned JSON schema (``schemas/transcript-1.schema.json``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import atomic
from .cleantext import strip_controls
from .errors import TranscriptError

FORMAT = "audiokit-transcript"
VERSION = 1


@dataclass
class Word:
    """One recognised word: its span in seconds on the recording's timeline and its confidence."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Segment:
    """One speaker turn. The words are the truth; ``text`` is derived from them."""

    speaker: str
    start: float
    end: float
    words: list[Word] = field(default_factory=list)
    overlap: bool = False

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class TranscriptSpeaker:
    """A speaker as the transcript knows it; ``source`` tells how the name was found."""

    id: str
    name: str
    organisation: str = ""
    role: str = ""
    confidence: float = 0.0
    source: str = "unresolved"

    @property
    def label(self) -> str:
        return f"{self.name} [{self.organisation}]" if self.organisation else self.name


@dataclass
class Transcript:
    """Speakers, segments and where the transcript came from."""

    language: str
    duration: float
    speakers: list[TranscriptSpeaker] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    def speaker(self, speaker_id: str) -> TranscriptSpeaker:
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        raise TranscriptError(f"segment names unknown speaker {speaker_id!r}", "add it to the speakers list")

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "language": self.language,
            "duration": round(self.duration, 3),
            "speakers": [vars(s).copy() for s in self.speakers],
            "segments": [
                {
                    "speaker": s.speaker,
                    "start": round(s.start, 3),
                    "end": round(s.end, 3),
                    "text": s.text,
                    **({"overlap": True} if s.overlap else {}),
                    "words": [
                        {
                            "text": w.text,
                            "start": round(w.start, 3),
                            "end": round(w.end, 3),
                            "probability": round(w.probability, 4),
                        }
                        for w in s.words
                    ],
                }
                for s in self.segments
            ],
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "transcript") -> Transcript:
        """The validated transcript of ``data``; control characters in names and words are dropped."""
        validate(data, source)
        transcript = cls(
            language=data["language"],
            duration=float(data["duration"]),
            speakers=[
                TranscriptSpeaker(
                    **{
                        **s,
                        "name": strip_controls(s["name"]),
                        "organisation": strip_controls(s.get("organisation", "")),
                    }
                )
                for s in data["speakers"]
            ],
            segments=[
                Segment(
                    s["speaker"],
                    float(s["start"]),
                    float(s["end"]),
                    [Word(**{**w, "text": strip_controls(w["text"])}) for w in s["words"]],
                    bool(s.get("overlap", False)),
                )
                for s in data["segments"]
            ],
            provenance=dict(data["provenance"]),
        )
        for segment in transcript.segments:
            transcript.speaker(segment.speaker)
        return transcript

    def save(self, path: Path) -> None:
        """Write the transcript atomically as UTF-8 JSON."""
        atomic.write_text(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON schema of transcript format version 1."""
    text = resources.files("audiokit").joinpath("schemas/transcript-1.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(data: Any, source: str = "transcript") -> None:
    """Raise TranscriptError unless ``data`` matches the schema."""
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema()).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise TranscriptError(
            f"{source}: invalid transcript at {where}: {error.message}",
            "restore it from the version history or transcribe again",
        )


def load(path: Path) -> Transcript:
    """Read and validate a transcript JSON file."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise TranscriptError(f"{path} does not exist", "run 'audiokit transcribe' first") from exc
    except (ValueError, OSError) as exc:
        raise TranscriptError(f"{path} is not valid JSON ({exc})", "restore it from the version history") from exc
    return Transcript.from_dict(data, str(path))


def now_iso() -> str:
    """The current time as an ISO 8601 string with zone, for provenance fields."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
