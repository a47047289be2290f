"""``audiokit transcribe``, ``export``, ``edit`` (the browser editor) and ``import-text`` (the text round trip)."""

from __future__ import annotations

import logging
import webbrowser
from pathlib import Path

import click

from .. import atomic
from ..config.schema import MAX_SPEAKERS
from ..editor import EditorServer, History, import_text, open_episode
from ..editor.textimport import read_text_file
from ..exports import EXPORT_FORMATS, export_transcript, find_transcript, transcript_beside
from ..i18n import _
from ..outputs import check_output_file
from ..speakers.clustering import MAX_SPEAKERS as MAX_ESTIMATED
from ..timeline import Timeline
from ..transcript import load, on_timeline
from ..transcription import transcribe_file, write_transcript
from ..workspace import EPISODE_FILE, check_episode_folder
from .main import EPISODE, echo_result, out_option, progress_factory, whisper_options

log = logging.getLogger("audiokit")


@click.command(
    help=_(
        "Transcribe an episode folder into its transcript.json, or a bare audio file.\n\n"
        "Prints the path of the transcript written."
    )
)
@click.argument("target", metavar="EPISODE_OR_AUDIO", type=click.Path(exists=True, path_type=Path))
@whisper_options
@click.option("--language", default="de", show_default=True, help=_("Language of a bare audio file."))
@click.option(
    "--speakers",
    type=click.IntRange(1, MAX_SPEAKERS),
    help=_("Number of voices in a bare audio file [default: as many as are heard, up to {MAX_ESTIMATED}].").format(
        MAX_ESTIMATED=MAX_ESTIMATED
    ),
)
@out_option(_("Transcript of a bare audio file [default: AUDIO.transcript.json beside it]."), dir_okay=False)
@click.option("--force", is_flag=True, help=_("Transcribe again over an edited transcript (a backup is kept)."))
@click.pass_context
def transcribe(
    ctx: click.Context,
    target: Path,
    model: str | None,
    device: str | None,
    language: str,
    speakers: int | None,
    out: Path | None,
    force: bool,
) -> None:
    progress = progress_factory(ctx)
    if target.is_dir():
        if not (target / EPISODE_FILE).is_file():
            raise click.BadParameter(
                _("{target} has no {EPISODE_FILE}").format(target=target, EPISODE_FILE=EPISODE_FILE),
                param_hint="EPISODE_OR_AUDIO",
            )
        episode = open_episode(target)
        path = write_transcript(episode, model=model, device=device, progress=progress, keep_edited=not force)
    else:
        path = check_output_file(out or transcript_beside(target), [target])
        transcript = transcribe_file(
            target, language=language, speakers=speakers, model=model, device=device, progress=progress
        )
        transcript.save(path)
    echo_result(path)


@click.command(
    help=_(
        "Export the transcript of an episode folder, or of a bare audio file (its AUDIO.transcript.json),"
        " as text, SRT, WebVTT, Podcasting 2.0 JSON or HTML. An episode's times are those of its "
        "published audio once it is built or mastered (the build's transcripts, cut words left out)."
    )
)
@click.argument("target", metavar="EPISODE_OR_AUDIO", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="txt", show_default=True)
@click.option(
    "--timestamps/--no-timestamps",
    default=False,
    show_default=True,
    help=_("Text export: put [hh:mm:ss] before each turn (the other formats always carry times)."),
)
@click.option(
    "--offset",
    type=float,
    help=_(
        "Seconds added to every recording time, no cuts taken out [default: an episode's published "
        "audio (master.json's intro offset and cuts), else 0]."
    ),
)
@out_option(_("File to write [default: stdout]."), dir_okay=False)
def export(target: Path, fmt: str, timestamps: bool, offset: float | None, out: Path | None) -> None:
    from ..mastering.manifest import published_timeline

    source = find_transcript(target)
    if out is not None:
        check_output_file(out, [source, target])
    if offset is not None or not target.is_dir():
        timeline = Timeline(offset or 0.0)
    else:
        timeline = published_timeline(open_episode(target))
    text = export_transcript(on_timeline(load(source), timeline), fmt, timestamps=timestamps)
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic.write_text(out, text)


@click.command(help=_("Correct the transcript of EPISODE in the browser (local only; Ctrl+C stops)."))
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help=_("Port on 127.0.0.1 (0 takes a free one)."),
)
@click.option("--no-browser", is_flag=True, help=_("Only print the address; do not open a browser."))
@click.pass_context
def edit(ctx: click.Context, episode_dir: Path, port: int, no_browser: bool) -> None:
    check_episode_folder(episode_dir)
    episode = open_episode(episode_dir)
    server = EditorServer(episode, port=port, progress=progress_factory(ctx))
    echo_result(server.url)
    log.info(_("editing %s — stop with Ctrl+C"), episode.transcript_path)
    if not no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    finally:
        server.close()


@click.command(
    "import-text",
    help=_(
        "Bring a corrected text export FILE.txt back into the transcript of EPISODE.\n\n"
        "Unchanged words keep their times, changed words are re-timed, renamed speaker headers rename the"
        " speaker. The previous transcript stays in the version history ('audiokit edit' restores it)."
    ),
)
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.argument("text_file", metavar="FILE.txt", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_text_command(episode_dir: Path, text_file: Path) -> None:
    check_episode_folder(episode_dir)
    episode = open_episode(episode_dir)
    text = read_text_file(text_file)
    history = History(episode.transcript_path)
    transcript, etag = history.load()
    history.commit(import_text(transcript, text), f"Text importiert: {text_file.name}", expected=etag)
    echo_result(episode.transcript_path)
