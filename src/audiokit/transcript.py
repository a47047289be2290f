"""The canonical transcript: typed dataclasses and a versioned JSON schema (``schemas/transcript-4.schema.json``).

Version 2 gives every segment a stable id (``t<n>``); a version-1 file is read with its segments
numbered ``t1``, ``t2``, … in order. Version 3 adds the cuts (:class:`audiokit.timeline.Cut`), kept with
the transcript so that the editor's history undoes them like any other change; a version-2 file is
read without cuts. Version 4 adds the review state (``review``: "unreviewed" or "reviewed"); a
version-3 file is read as unreviewed.
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
from .i18n import _
from .people import speaker_label
from .timeline import Cut, Timeline

FORMAT = "audiokit-transcript"
VERSION = 4
REVIEW_STATES = ("unreviewed", "reviewed")
_GIVEN_ID = re.compile(r"t([0-9]{1,9})")
_CUT_ID = re.compile(r"c([0-9]{1,9})")


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
    """Speakers, segments, the cuts, where the transcript came from and whether a person has checked it
    (``review``: "unreviewed", as every machine transcript starts, or "reviewed")."""

    language: str
    duration: float
    speakers: list[TranscriptSpeaker] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    cuts: list[Cut] = field(default_factory=list)
    review: str = "unreviewed"

    @property
    def reviewed(self) -> bool:
        return self.review == "reviewed"

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

    def new_cut_id(self) -> str:
        """An id no cut has: ``c<n>``, counting on from the highest."""
        return f"c{max((int(m[1]) for c in self.cuts if (m := _CUT_ID.fullmatch(c.id))), default=0) + 1}"

    def cut(self, cut_id: str) -> Cut:
        """The cut with id ``cut_id``."""
        for c in self.cuts:
            if c.id == cut_id:
                return c
        raise TranscriptError(
            _("there is no cut {cut_id!r}").format(cut_id=cut_id), _("run 'audiokit cuts EPISODE' to list the cuts")
        )

    @property
    def applied_cuts(self) -> list[tuple[float, float]]:
        """The ranges of the applied cuts (recording seconds), for mastering and the timeline."""
        return [(c.start, c.end) for c in self.cuts if c.applied]

    def speaker(self, speaker_id: str) -> TranscriptSpeaker:
        for s in self.speakers:
            if s.id == speaker_id:
                return s
        raise TranscriptError(
            _("segment names unknown speaker {speaker_id!r}").format(speaker_id=speaker_id),
            _("add it to the speakers list"),
        )

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
            "cuts": [c.to_dict() for c in sorted(self.cuts, key=lambda c: (c.start, c.end))],
            "review": self.review,
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
            cuts=[Cut(**c) for c in data.get("cuts", [])],
            review=data["review"],
        )
        if len({c.id for c in transcript.cuts}) < len(transcript.cuts):
            raise TranscriptError(
                _("{source}: two cuts have the same id").format(source=source), _("give each its own id")
            )
        if bad := next((c for c in transcript.cuts if c.end <= c.start), None):
            raise TranscriptError(
                _("{source}: cut {id!r} ends before it starts").format(source=source, id=bad.id),
                _("correct or remove it"),
            )
        ids = set()
        for segment in transcript.segments:
            transcript.speaker(segment.speaker)
            if segment.id in ids:
                raise TranscriptError(
                    _("{source}: two segments have the id {id!r}").format(source=source, id=segment.id),
                    _("give each its own id"),
                )
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
    """Older ``data`` as version 4: version 1's segments numbered ``t1``, ``t2``, … in order; no cuts
    before version 3; unreviewed before version 4."""
    if isinstance(data, dict) and data.get("version") == 1 and isinstance(data.get("segments"), list):
        segments = [{"id": f"t{n}", **s} if isinstance(s, dict) else s for n, s in enumerate(data["segments"], 1)]
        data = {**data, "version": 2, "segments": segments}
    if isinstance(data, dict) and data.get("version") == 2:
        data = {**data, "version": 3, "cuts": []}
    if isinstance(data, dict) and data.get("version") == 3:
        data = {**data, "version": VERSION, "review": "unreviewed"}
    return data


def on_timeline(transcript: Transcript, timeline: Timeline) -> Transcript:
    """A copy of ``transcript`` with its times on the published audio (``timeline``): words inside a
    cut left out, turns left with no words dropped. What every export, chapter, soundbite and page uses."""
    segments = []
    for s in transcript.segments:
        words = [
            Word(w.text, timeline.published(w.start), timeline.published(w.end), w.probability)
            for w in s.words
            if not timeline.inside((w.start + w.end) / 2)
        ]
        if words or not s.words:
            start = words[0].start if words else timeline.published(s.start)
            end = words[-1].end if words else timeline.published(s.end)
            segments.append(Segment(s.speaker, start, max(start, end), words, s.overlap, s.id))
    return Transcript(
        transcript.language,
        max(0.0, timeline.published(transcript.duration)),
        [TranscriptSpeaker(**vars(sp)) for sp in transcript.speakers],
        segments,
        dict(transcript.provenance),
        [],
        transcript.review,
    )


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON schema of the transcript format (version 4)."""
    text = resources.files("audiokit").joinpath(f"schemas/transcript-{VERSION}.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(data: Any, source: str = "transcript") -> None:
    """Raise TranscriptError unless ``data`` matches the schema."""
    import jsonschema

    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema()).iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or _("(top level)")
        raise TranscriptError(
            _("{source}: invalid transcript at {where}: {message}").format(
                source=source, where=where, message=error.message
            ),
            _("restore it from the version history or transcribe again"),
        )


def load(path: Path) -> Transcript:
    """Read and validate a transcript JSON file."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError as exc:
        raise TranscriptError(
            _("{path} does not exist").format(path=path), _("run 'audiokit transcribe' first")
        ) from exc
    except (ValueError, OSError) as exc:
        raise TranscriptError(
            _("{path} is not valid JSON ({exc})").format(path=path, exc=exc), _("restore it from the version history")
        ) from exc
    return Transcript.from_dict(data, str(path))


def now_iso() -> str:
    """The current time as an ISO 8601 string with zone, for provenance fields."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
