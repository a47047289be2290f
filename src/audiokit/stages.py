"""The pipeline, in order: each entry is a build stage (see ``audiokit.build.Stage``)."""

from __future__ import annotations

from .build import Stage


def default_stages() -> list[Stage]:
    """Every stage ``audiokit build`` runs, in pipeline order."""
    from .clips.stage import SoundbiteStage
    from .mastering.stage import MasterStage
    from .publish.stage import PublishEpisodeStage, PublishShowStage
    from .transcription.stage import TranscriptionStage

    return [MasterStage(), TranscriptionStage(), SoundbiteStage(), PublishEpisodeStage(), PublishShowStage()]
