"""The build stages, in pipeline order, over the stage API of :mod:`audiokit.stages.base`. Each stage module
holds only its Stage classes; the work is done by the domain packages."""

from __future__ import annotations

from .base import BuildContext, BuildOptions, EpisodeStage, ShowStage, Stage


def default_stages() -> list[Stage]:
    """Every stage ``audiokit build`` runs, in pipeline order."""
    from .master import MasterStage
    from .publish import PublishEpisodeStage, PublishShowStage
    from .soundbites import SoundbiteStage
    from .transcribe import TranscriptionStage

    return [TranscriptionStage(), MasterStage(), SoundbiteStage(), PublishEpisodeStage(), PublishShowStage()]


__all__ = ["BuildContext", "BuildOptions", "EpisodeStage", "ShowStage", "Stage", "default_stages"]
