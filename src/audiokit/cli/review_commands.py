"""``audiokit review`` marks an episode's transcript as reviewed, or with ``--undo`` as unreviewed again."""

from __future__ import annotations

from pathlib import Path

import click

from ..editor import open_episode
from ..editor.review import set_review
from ..i18n import _
from .main import EPISODE, echo_result


@click.command(
    help=_(
        "Mark the transcript of EPISODE as reviewed (checked by a person), or with --undo as unreviewed. "
        "[publish] unreviewed_transcripts in show.toml decides whether an unreviewed transcript is "
        'published ("label", the default: labelled as made automatically) or held back ("hold"); the next'
        " build publishes the change."
    )
)
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option("--undo", is_flag=True, help=_("Mark the transcript as unreviewed again."))
def review(episode_dir: Path, undo: bool) -> None:
    episode = open_episode(episode_dir)
    transcript = set_review(episode, not undo)
    echo_result(f"{episode.slug}\t{transcript.review}")
