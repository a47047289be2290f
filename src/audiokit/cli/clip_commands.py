"""``audiokit clip``: render a passage of an episode as a video (or audio) clip for social media."""

from __future__ import annotations

from pathlib import Path

import click

from ..clips import LAYOUTS, render_clip
from ..editor import open_episode
from .main import cli, echo_result, progress_factory


@cli.command()
@click.argument("episode_dir", metavar="EPISODE", type=click.Path(exists=True, file_okay=False, path_type=Path))
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
