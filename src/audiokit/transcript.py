"""The canonical transcript: typed dataclasses and a versioned JSON schema (``schemas/transcript-2.schema.json``).

Version 2 gives every segment a stable id (``t<n>``); a version-1 file is read as version 2 with its
segments numbered ``t1``, ``t2``, … in order.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import atomic
from .cleantext import strip_controls
from .errors import TranscriptError
from .people import speaker_label

FORMAT = "audiokit-transcript"
VERSION = 2
_GIVEN_ID = re.compile(r"t([0-9]{1,9})")


@dataclass
class Word:
    """One recognised word: its span in seconds on the recording's timeline and its confidence."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Segment:
    """One speaker turn. The words are the truth; ``text`` is derived from them. ``id`` stays with the
    turn across edits (a split gives the second part a new one, a merge keeps the first); the
    transcript gives a segment without one a new id."""

    speaker: str
    start: float
    end: float
    words: list[Word] = field(default_factory=list)
    overlap: bool = False
    id: str = ""

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "speaker": self.speaker,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            **({"overlap": True} if self.overlap else {}),
            "words": [
                dict(text=w.text, start=round(w.start, 3), end=round(w.end, 3), probability=round(w.probability, 4))
                for w in self.words
            ],
        }


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
        return speaker_label(self.name, self.organisation)


@dataclass
class Transcript:
    """Speakers, segments and where the transcript came from."""

    language: str
    duration: float
    speakers: list[TranscriptSpeaker] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.assign_ids()

    def assign_ids(self) -> None:
        """Give every segment without an id a new one."""
        n = _last_id_number(self.segments)
        for segment in self.segments:
            if not segment.id:
                n += 1
                segment.id = f"t{n}"

    def new_segment_id(self) -> str:
        """An id no segment has: ``t<n>``, counting on from the highest."""
        return f"t{_last_id_number(self.segments) + 1}"

    def speaker(self, speaker_id: str) -> TranscriptSpeaker:
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        raise TranscriptError(f"segment names unknown speaker {speaker_id!r}", "add it to the speakers list")

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (segments without an id get one first)."""
        self.assign_ids()
        return {
            "format": FORMAT,
            "version": VERSION,
            "language": self.language,
            "duration": round(self.duration, 3),
            "speakers": [vars(s).copy() for s in self.speakers],
            "segments": [s.to_dict() for s in self.segments],
            "provenance": self.provenance,
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "transcript") -> Transcript:
        """The validated transcript of ``data``; control characters in names and words are dropped."""
        data = _migrate(data)
        validate(data, source)
        speakers = [TranscriptSpeaker(**s) for s in data["speakers"]]
        for speaker in speakers:
            speaker.name, speaker.organisation = strip_controls(speaker.name), strip_controls(speaker.organisation)
        transcript = cls(
            language=data["language"],
            duration=float(data["duration"]),
            speakers=speakers,
            segments=[
                Segment(
                    s["speaker"],
                    float(s["start"]),
                    float(s["end"]),
                    [Word(**{**w, "text": strip_controls(w["text"])}) for w in s["words"]],
                    bool(s.get("overlap", False)),
                    s["id"],
                )
                for s in data["segments"]
            ],
            provenance=dict(data["provenance"]),
        )
        ids = set()
        for segment in transcript.segments:
            transcript.speaker(segment.speaker)
            if segment.id in ids:
                raise TranscriptError(f"{source}: two segments have the id {segment.id!r}", "give each its own id")
            ids.add(segment.id)
        return transcript

    def to_json(self) -> bytes:
        """The bytes of a transcript file (UTF-8 JSON): the one serialisation every writer uses."""
        return (json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    def save(self, path: Path) -> None:
        """Write the transcript atomically."""
        atomic.write_bytes(path, self.to_json())


def _last_id_number(segments: list[Segment]) -> int:
    return max((int(m[1]) for s in segments if (m := _GIVEN_ID.fullmatch(s.id))), default=0)


def _migrate(data: Any) -> Any:
    """Version-1 ``data`` as version 2: the segments numbered ``t1``, ``t2``, … in order."""
    if isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("segments"), list):
        segments = [{"id": f"t{n}", **s} if isinstance(s, dict) else s for n, s in enumerate(data["segments"], 1)]
        return {**data, "version": VERSION, "segments": segments}
    return data


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON schema of the transcript format (version 2)."""
    text = resources.files("audiokit").joinpath(f"schemas/transcript-{VERSION}.schema.json").read_text("utf-8")
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
