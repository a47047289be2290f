"""The "transcribe" stage: each episode's transcript.json in the show, when what it depends on changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..stamps import file_stamp
from ..transcription.write import transcript_inputs, write_transcript
from ..workspace import Episode
from .base import BuildContext, EpisodeStage


class TranscriptionStage(EpisodeStage):
    """Writes ``<episode>/transcript.json`` when the audio, speakers, settings or glossary change. The
    fingerprint compares file stamps, cheaply; Whisper then runs only when the transcript's own provenance
    says it was made from other inputs (see :func:`audiokit.transcription.write_transcript`)."""

    name = "transcribe"

    def fingerprint(self, ctx: BuildContext, episode: Episode) -> Any:
        return transcript_inputs(episode, model=ctx.options.model, device=ctx.options.device, identify=file_stamp)

    def outputs(self, ctx: BuildContext, episode: Episode) -> list[Path]:
        return [episode.transcript_path]

    def run(self, ctx: BuildContext, episode: Episode) -> None:
        write_transcript(episode, model=ctx.options.model, device=ctx.options.device, progress=ctx.progress)
