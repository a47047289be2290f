"""The ``transcribe`` build stage, and writing an episode's transcript without losing an editor's work."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from .. import atomic
from ..build import BuildContext, ProgressFactory, Stage, file_stamp
from ..glossary import GLOSSARY_FILE
from ..transcript import Transcript
from ..workspace import Episode
from .pipeline import audio_digest, transcribe_episode
from .settings import load_settings

log = logging.getLogger("audiokit")


def _previous(path: Path) -> dict[str, Any] | None:
    """The provenance of the transcript at ``path``; None if there is none, {"edited": …} if unreadable."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return dict(data["provenance"])
    except FileNotFoundError:
        return None
    except (ValueError, OSError, KeyError, TypeError):
        return {"edited": "unreadable"}


def write_transcript(
    episode: Episode,
    *,
    model: str | None = None,
    device: str | None = None,
    progress: ProgressFactory | None = None,
    keep_edited: bool = True,
) -> Path:
    """Transcribe ``episode`` into ``episode.transcript_path`` (atomically).

    An edited transcript (provenance "edited") of unchanged audio is kept when ``keep_edited``;
    otherwise a copy of it is saved as ``transcript.edited-<time>.json`` before it is replaced.
    """
    path = episode.transcript_path
    previous = _previous(path)
    edited = previous is not None and bool(previous.get("edited"))
    if edited and keep_edited and previous.get("audio_sha256") == audio_digest(episode)[0]:
        log.warning(
            "%s: kept the edited transcript (the audio is unchanged); "
            "run 'audiokit transcribe --force' to transcribe again",
            episode.slug,
        )
        return path
    transcript: Transcript = transcribe_episode(episode, model=model, device=device, progress=progress)
    if edited:
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        backup = path.with_name(f"transcript.edited-{stamp}.json")
        atomic.write_bytes(backup, path.read_bytes())
        log.warning(
            "%s: the edited transcript was replaced; the editor's version is kept as %s", episode.slug, backup.name
        )
    transcript.save(path)
    return path


class TranscriptionStage(Stage):
    """Writes ``<episode>/transcript.json`` when the audio, speakers, settings or glossary change."""

    name = "transcribe"
    scope = "episode"

    def fingerprint(self, ctx: BuildContext, episode: Episode | None) -> Any:
        assert episode is not None
        settings = load_settings(episode, model=ctx.options.get("model"), device=ctx.options.get("device"))
        return {
            "audio": [file_stamp(p) for p in episode.audio_inputs],
            "language": episode.show.language,
            "settings": settings.as_dict(),
            "glossary": file_stamp(episode.show.dir / GLOSSARY_FILE),
            "speakers": [[s.name, s.organisation, s.role, file_stamp(s.voice_sample)] for s in episode.speakers],
            "speaker_count": episode.speaker_count,
        }

    def outputs(self, ctx: BuildContext, episode: Episode | None) -> list[Path]:
        assert episode is not None
        return [episode.transcript_path]

    def run(self, ctx: BuildContext, episode: Episode | None) -> None:
        assert episode is not None
        write_transcript(
            episode, model=ctx.options.get("model"), device=ctx.options.get("device"), progress=ctx.progress
        )
