"""``master.json``: what mastering an episode wrote, read by the later stages and the next build."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic
from ..errors import PublishError
from ..i18n import _
from ..timeline import Timeline
from ..transcript import load as load_transcript
from ..workspace import Episode

log = logging.getLogger("audiokit")

MANIFEST = "master.json"
VERSION = 3


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
            version=int(data.get("version", VERSION)),
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


def master_places(episode: Episode) -> list[tuple[Path, Path]]:
    """Where the master of ``episode`` is looked for, first found wins: (folder of master.json, folder
    of the audio) of 'audiokit build' (default --out SHOW/public, its bookkeeping beside it), then of
    'audiokit master EPISODE'."""
    show = episode.show.dir
    return [
        (show / ".public.audiokit" / episode.slug, show / "public" / episode.slug),
        (episode.dir / "master", episode.dir / "master"),
    ]


def published_timeline(episode: Episode) -> Timeline:
    """Recording time ↔ time in the published audio of ``episode``: its master.json's offset and cuts (the
    first of :func:`master_places`); the recording's own times before it is mastered."""
    for folder, _audio in master_places(episode):
        master = load_manifest(folder)
        if master is not None:
            return master.timeline
    if episode.transcript_path.is_file() and load_transcript(episode.transcript_path).applied_cuts:
        log.warning(
            _(
                "%s is not mastered yet: times are on the recording, its applied cuts not taken out; "
                "run 'audiokit build' for the published times"
            ),
            episode.slug,
        )
    return Timeline()


def read_master(folder: Path, episode: Episode, audio_folder: Path | None = None) -> MasterManifest:
    """The mastered audio of ``episode`` (master.json in ``folder``, the audio in ``audio_folder``,
    by default the same); a clear error when there is none."""
    fix = _(
        "add the recording named in {file} and run 'audiokit build' so the mastering stage produces the audio (publishing needs mastered audio)"
    ).format(file=episode.file)
    path = folder / MANIFEST
    try:
        master = MasterManifest.from_json(path.read_text("utf-8"))
    except FileNotFoundError:
        raise PublishError(
            _("episode {slug!r} has no mastered audio ({path} is missing)").format(slug=episode.slug, path=path), fix
        ) from None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PublishError(
            _("episode {slug!r}: {path} is broken ({exc})").format(slug=episode.slug, path=path, exc=exc), fix
        ) from exc
    audio = (audio_folder or folder) / master.audio
    if Path(master.audio).name != master.audio or not audio.is_file():
        raise PublishError(
            _("episode {slug!r}: the mastered audio {audio} is missing").format(slug=episode.slug, audio=audio), fix
        )
    return master
