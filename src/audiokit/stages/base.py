"""The stage API: a build step per episode (:class:`EpisodeStage`) or per show (:class:`ShowStage`). A stage
declares a JSON fingerprint of its inputs, the files it produces and how to make them; :mod:`audiokit.build`
decides what runs and publishes the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from ..progress import ProgressFactory, no_progress
from ..workspace import Episode, Show


@dataclass(frozen=True)
class BuildOptions:
    """Overrides for the whole build (from the command line): the Whisper model and device."""

    model: str | None = None
    device: str | None = None


@dataclass
class BuildContext:
    """What a stage gets: the show, the folder to write into, options and a progress factory."""

    show: Show
    out: Path
    options: BuildOptions = field(default_factory=BuildOptions)
    progress: ProgressFactory = no_progress
    episodes: list[Episode] = field(default_factory=list)

    def episode_out(self, episode: Episode) -> Path:
        """The output folder of one episode (``out/<slug>/``)."""
        return self.out / episode.slug


E = TypeVar("E", Episode, None)


class Stage(Generic[E]):
    """One step of the pipeline, run per episode (``scope`` "episode") or once (``scope`` "show", with
    ``episode`` None). ``internal`` names files it writes for later stages or builds (in the episode's
    output folder, or in ``out`` for a show stage) that are not published."""

    name: ClassVar[str] = ""
    scope: ClassVar[str] = "episode"
    internal: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self, ctx: BuildContext, episode: E) -> Any:
        """JSON-able description of everything the output depends on."""
        raise NotImplementedError

    def outputs(self, ctx: BuildContext, episode: E) -> list[Path]:
        """Files the stage produces; a missing one makes the stage run again."""
        return []

    def run(self, ctx: BuildContext, episode: E) -> None:
        """Write the outputs into ``ctx.out`` (atomically); raise AudiokitError on bad input."""
        raise NotImplementedError


class EpisodeStage(Stage[Episode]):
    """A stage run once per episode, writing into ``ctx.episode_out(episode)``."""

    scope = "episode"


class ShowStage(Stage[None]):
    """A stage run once per build after the episode stages, writing into ``ctx.out``."""

    scope = "show"
