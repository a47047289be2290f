"""``audiokit cuts`` lists an episode's cuts, proposes fillers and long pauses, applies and takes them back."""

from __future__ import annotations

from pathlib import Path

import click

from ..editor import open_episode
from ..editor.cuts import list_cuts, propose_cuts, set_applied
from ..i18n import _
from ..timefmt import timestamp
from ..timeline import Cut
from .main import EPISODE, echo_result


def cut_line(cut: Cut) -> str:
    """One cut as a tab-separated line: id, start, end, length, reason, state."""
    state = "applied" if cut.applied else "proposed"
    return f"{cut.id}\t{timestamp(cut.start, 2)}\t{timestamp(cut.end, 2)}\t{cut.length:.2f} s\t{cut.reason}\t{state}"


@click.command(
    help=_(
        "List the cuts of EPISODE: ranges of the recording left out of the published audio, one line each"
        " (id, start, end, length, reason, applied or proposed). The recording is never changed; the next"
        " build masters the audio without the applied cuts, and every time published follows them. Each "
        "change is a version of the transcript, so the editor's undo takes it back too."
    )
)
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option("--propose", is_flag=True, help=_("Add fillers (äh, ähm, öhm, hm) and long pauses as proposals."))
@click.option("--apply", "apply_ids", multiple=True, metavar="ID", help=_("Apply the cut ID (repeatable)."))
@click.option("--apply-all", is_flag=True, help=_("Apply every cut."))
@click.option("--undo", "undo_ids", multiple=True, metavar="ID", help=_("Take the cut ID back: its audio stays in."))
def cuts(
    episode_dir: Path, propose: bool, apply_ids: tuple[str, ...], apply_all: bool, undo_ids: tuple[str, ...]
) -> None:
    episode = open_episode(episode_dir)
    if propose:
        propose_cuts(episode)
    if apply_ids or apply_all:
        set_applied(episode, None if apply_all else apply_ids, True)
    if undo_ids:
        set_applied(episode, undo_ids, False)
    echo_result("\n".join(cut_line(c) for c in list_cuts(episode)) or _("no cuts"))
