"""Writing an episode's transcript.json: only when what it depends on changed, never over an editor's work.

What a transcript depends on (the audio's content, the settings, the glossary, the speakers and
their voice samples) is kept as a digest in its provenance ("inputs"), so the transcript itself
says whether it is current: a build into another output folder, or after ``audiokit transcribe``,
finds it so and does not run Whisper again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import atomic
from ..glossary import GLOSSARY_FILE
from ..i18n import _
from ..models import sha256_file
from ..progress import ProgressFactory
from ..stamps import digest
from ..transcript import Transcript, load
from ..workspace import Episode
from .pipeline import audio_digest, load_settings, transcribe_episode

log = logging.getLogger("audiokit")


def _previous(path: Path) -> dict[str, Any]:
    """The provenance of the transcript at ``path``; {} if there is none, {"edited": …} if unreadable."""
    try:
        return dict(json.loads(path.read_text("utf-8"))["provenance"])
    except FileNotFoundError:
        return {}
    except (ValueError, OSError, KeyError, TypeError):
        return {"edited": "unreadable"}


def content_digest(path: Path | None) -> str | None:
    """SHA-256 of a file (None if absent)."""
    return sha256_file(path) if path is not None and path.is_file() else None


def transcript_inputs(
    episode: Episode,
    *,
    model: str | None = None,
    device: str | None = None,
    identify: Callable[[Path | None], Any] = content_digest,
) -> dict[str, Any]:
    """Everything the transcript of ``episode`` depends on, each file as ``identify`` tells it: by
    content (the default, kept in the provenance), or by :func:`~audiokit.stamps.file_stamp` (cheap)."""
    settings = load_settings(episode, model=model, device=device)
    return {
        "audio": [identify(p) for p in episode.audio_inputs],
        "language": episode.show.language,
        "settings": settings.as_dict(),
        "glossary": identify(episode.show.dir / GLOSSARY_FILE),
        "speakers": [[s.name, s.organisation, s.role, identify(s.voice_sample)] for s in episode.speakers],
        "speaker_count": episode.speaker_count,
    }


def write_transcript(
    episode: Episode,
    *,
    model: str | None = None,
    device: str | None = None,
    progress: ProgressFactory | None = None,
    keep_edited: bool = True,
) -> Path:
    """Transcribe ``episode`` into ``episode.transcript_path`` (atomically), unless it is current.

    Unless ``keep_edited`` is False, a transcript made from the same inputs (their digest is its
    provenance "inputs", see :func:`transcript_inputs`) is kept, and so is an edited one (provenance
    "edited") of unchanged audio. An edited transcript that is replaced is saved as
    ``transcript.edited-<time>.json`` first. A new transcript of the same audio keeps the cuts of the old one.
    """
    path = episode.transcript_path
    previous = _previous(path)
    edited = bool(previous.get("edited"))
    if edited and keep_edited and previous.get("audio_sha256") == audio_digest(episode)[0]:
        log.warning(
            _(
                "%s: kept the edited transcript (the audio is unchanged); "
                "run 'audiokit transcribe --force' to transcribe again"
            ),
            episode.slug,
        )
        return path
    inputs = digest(transcript_inputs(episode, model=model, device=device))
    if keep_edited and previous.get("inputs") == inputs:
        log.info(_("%s: the transcript is current"), episode.slug)
        return path
    transcript: Transcript = transcribe_episode(episode, model=model, device=device, progress=progress)
    transcript.provenance["inputs"] = inputs
    if previous.get("audio_sha256") == transcript.provenance.get("audio_sha256"):
        transcript.cuts = load(path).cuts  # recording times: they hold for the same audio
    if edited:
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        backup = path.with_name(f"transcript.edited-{stamp}.json")
        atomic.write_bytes(backup, path.read_bytes())
        log.warning(
            _("%s: the edited transcript was replaced; the editor's version is kept as %s"), episode.slug, backup.name
        )
    transcript.save(path)
    return path
