"""``audiokit soundbites``: propose passages to share and write them into episode.toml."""

from __future__ import annotations

from pathlib import Path

import click

from ..clips.soundbites import propose_soundbites, write_soundbites
from ..editor import open_episode
from .main import cli, echo_result, is_quiet


@cli.command()
@click.argument("episode_dir", metavar="EPISODE", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-n", "count", type=click.IntRange(1, 50), default=5, show_default=True, help="How many soundbites to propose."
)
@click.option(
    "--offset",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds added to every time (the published audio's intro offset, master.json's \"offset\").",
)
@click.option("--replace", is_flag=True, help="Replace the [[soundbites]] episode.toml has (else add to them).")
@click.pass_context
def soundbites(ctx: click.Context, episode_dir: Path, count: int, offset: float, replace: bool) -> None:
    """Propose soundbites of 15-60 s from the transcript of EPISODE and add them to its episode.toml
    as [[soundbites]] (start, duration, title), for you to keep, edit or delete.

    Prints one line per soundbite written.
    """
    episode = open_episode(episode_dir)
    bites = propose_soundbites(episode, count, offset=offset, replace=replace)
    write_soundbites(episode, bites, replace=replace)
    if not bites and not is_quiet(ctx):
        click.echo("no passage of 15-60 s between pauses found", err=True)
    for bite in bites:
        echo_result(f"{bite.start:8.1f} s  {bite.duration:4.1f} s  {bite.title}")
