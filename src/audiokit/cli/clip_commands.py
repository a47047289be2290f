"""``audiokit clip`` renders a passage of an episode as a video (or audio) clip for social media;
``audiokit soundbites`` proposes passages to share and writes them into episode.toml."""

from __future__ import annotations

from pathlib import Path

import click

from ..clips import LAYOUTS, render_clip
from ..clips.soundbites import propose_soundbites, write_soundbites
from ..editor import open_episode
from ..i18n import _
from ..timeline import Timeline
from .main import EPISODE, echo_result, out_option, progress_factory


@click.command(
    help=_(
        "Render START…END of EPISODE as an MP4 for LinkedIn, Instagram, YouTube Shorts or Mastodon: "
        "cover, titles, a moving waveform and captions from the transcript, at -14 LUFS / -1 dBTP, with "
        ".srt and .vtt beside it. Cut from the mastered audio when the episode was built, else from the "
        "recording.\n\n"
        "Prints the path of the clip and of its caption files."
    )
)
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option("--start", required=True, help=_("Start in the episode's audio: 12:30, 00:12:30 or 750."))
@click.option("--end", required=True, help=_("End, written like --start (5-180 s after it; 20-90 s work best)."))
@click.option(
    "--layout",
    type=click.Choice(list(LAYOUTS)),
    default="square",
    show_default=True,
    help=_("1080x1080, 1080x1920 or 1920x1080."),
)
@click.option("--no-captions", is_flag=True, help=_("Leave the burned-in captions out."))
@click.option("--audio-only", is_flag=True, help=_("Write an M4A instead of a video."))
@out_option(_("Output file [EPISODE/clips/<slug>-<start>-<end>-<layout>.mp4]."), dir_okay=False)
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


@click.command(
    help=_(
        "Propose soundbites of 20-60 s from the transcript of EPISODE and add them to its episode.toml as"
        " [[soundbites]] (start, duration, title; times on the published audio), for you to keep, edit or"
        " delete.\n\n"
        "Prints one line per soundbite written, and why when it finds fewer than asked for."
    )
)
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option(
    "-n", "count", type=click.IntRange(1, 50), default=5, show_default=True, help=_("How many soundbites to propose.")
)
@click.option(
    "--offset",
    type=float,
    help=_(
        "Seconds added to every recording time, no cuts taken out [default: the published audio's "
        "intro offset and cuts, from master.json, else 0]."
    ),
)
@click.option("--replace", is_flag=True, help=_("Replace the [[soundbites]] episode.toml has (else add to them)."))
def soundbites(episode_dir: Path, count: int, offset: float | None, replace: bool) -> None:
    from ..mastering.manifest import published_timeline

    episode = open_episode(episode_dir)
    timeline = Timeline(offset) if offset is not None else published_timeline(episode)
    bites = propose_soundbites(episode, count, replace=replace, timeline=timeline)
    write_soundbites(episode, bites, replace=replace)
    for bite in bites:
        echo_result(
            _("{start:8.1f} s  {duration:4.1f} s  {title}").format(
                start=bite.start, duration=bite.duration, title=bite.title
            )
        )
