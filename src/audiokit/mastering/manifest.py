"""``master.json``: what mastering an episode wrote, read by the later stages and the next build."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import PublishError
from ..timeline import Timeline
from ..workspace import Episode

MANIFEST = "master.json"
VERSION = 3
"""Version 1 (before audiokit 0.3) had no "version"; it reads the same. Version 3 adds "cuts"."""


@dataclass
class MasterManifest:
    """The mastered audio of an episode: file name, MIME type, length (s), size, timeline offset, the
    cuts left out (recording seconds, as rendered), loudness statistics and, in a build, the
    fingerprint of what the sound depends on."""

    audio: str
    mime: str
    duration: float
    bytes: int
    offset: float = 0.0  # add to a recording-timeline time to get the time in the audio
    loudness: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    cuts: list[list[float]] = field(default_factory=list)
    version: int = VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> MasterManifest:
        """Parse master.json; ValueError, KeyError or TypeError when it is broken."""
        data = json.loads(text)
        return cls(
            audio=str(data["audio"]),
            mime=str(data.get("mime", "audio/mpeg")),
            duration=float(data["duration"]),
            bytes=int(data.get("bytes", -1)),
            offset=float(data.get("offset", 0.0)),
            cuts=[[float(a), float(b)] for a, b in data.get("cuts", [])],
            loudness=dict(data.get("loudness", {})),
            source=str(data.get("source", "")),
            version=int(data.get("version", 1)),
        )

    @property
    def timeline(self) -> Timeline:
        """Recording time ↔ time in this audio."""
        return Timeline(self.offset, [(a, b) for a, b in self.cuts])

    def save(self, folder: Path) -> None:
        atomic.write_text(folder / MANIFEST, self.to_json())


def load_manifest(folder: Path) -> MasterManifest | None:
    """The manifest in ``folder``; None when there is none or it cannot be read."""
    try:
        return MasterManifest.from_json((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def read_master(folder: Path, episode: Episode, audio_folder: Path | None = None) -> MasterManifest:
    """The mastered audio of ``episode`` (master.json in ``folder``, the audio in ``audio_folder``,
    by default the same); a clear error when there is none."""
    fix = (
        f"add the recording named in {episode.file} and run 'audiokit build' so the mastering stage "
        "produces the audio (publishing needs mastered audio)"
    )
    path = folder / MANIFEST
    try:
        master = MasterManifest.from_json(path.read_text("utf-8"))
    except FileNotFoundError:
        raise PublishError(f"episode {episode.slug!r} has no mastered audio ({path} is missing)", fix) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(f"episode {episode.slug!r}: {path} is broken ({exc})", fix) from exc
    audio = (audio_folder or folder) / master.audio
    if Path(master.audio).name != master.audio or not audio.is_file():
        raise PublishError(f"episode {episode.slug!r}: the mastered audio {audio} is missing", fix)
    return master
