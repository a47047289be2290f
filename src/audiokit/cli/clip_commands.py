"""``audiokit clip`` renders a passage of an episode as a video (or audio) clip for social media;
``audiokit soundbites`` proposes passages to share and writes them into episode.toml."""

from __future__ import annotations

from pathlib import Path

import click

from ..clips import LAYOUTS, render_clip
from ..clips.soundbites import propose_soundbites, write_soundbites
from ..editor import open_episode
from .main import EPISODE, echo_result, is_quiet, progress_factory


@click.command()
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option("--start", required=True, help="Start in the episode's audio: 12:30, 00:12:30 or 750.")
@click.option("--end", required=True, help="End, written like --start (5-180 s after it; 20-90 s work best).")
@click.option(
    "--layout",
    type=click.Choice(list(LAYOUTS)),
    default="square",
    show_default=True,
    help="1080x1080, 1080x1920 or 1920x1080.",
)
@click.option("--no-captions", is_flag=True, help="Leave the burned-in captions out.")
@click.option("--audio-only", is_flag=True, help="Write an M4A instead of a video.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file [EPISODE/clips/<slug>-<start>-<end>-<layout>.mp4].",
)
@click.pass_context
def clip(
    ctx: click.Context,
    episode_dir: Path,
    start: str,
    end: str,
    layout: str,
    no_captions: bool,
    audio_only: bool,
    out: Path | None,
) -> None:
    """Render START…END of EPISODE as an MP4 for LinkedIn, Instagram, YouTube Shorts or Mastodon:
    cover, titles, a moving waveform and captions from the transcript, at -14 LUFS / -1 dBTP, with
    .srt and .vtt beside it. Cut from the mastered audio when the episode was built, else from the
    recording.

    Prints the path of the clip and of its caption files.
    """
    result = render_clip(
        open_episode(episode_dir),
        start,
        end,
        layout,
        out,
        captions=not no_captions,
        audio_only=audio_only,
        progress=progress_factory(ctx),
    )
    for path in (result.path, *result.sidecars):
        echo_result(path)


@click.command()
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
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
