"""``audiokit transcribe``, ``export``, ``edit`` (the browser editor) and ``import-text`` (the text round trip)."""

from __future__ import annotations

import logging
import webbrowser
from pathlib import Path

import click

from .. import atomic
from ..config.schema import DEVICES, MAX_SPEAKERS
from ..editor import EditorServer, History, import_text, open_episode
from ..editor.textimport import read_text_file
from ..exports import EXPORT_FORMATS, export_transcript, find_transcript, transcript_beside
from ..outputs import check_output_file
from ..speakers.clustering import MAX_SPEAKERS as MAX_ESTIMATED
from ..transcript import load
from ..transcription import transcribe_file, write_transcript
from ..workspace import EPISODE_FILE, check_episode_folder
from .main import EPISODE, echo_result, progress_factory

log = logging.getLogger("audiokit")


@click.command()
@click.argument("target", metavar="EPISODE_OR_AUDIO", type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Whisper model: embedded, a size name, or a local CTranslate2 folder.")
@click.option("--device", type=click.Choice(DEVICES), help="Where Whisper runs.")
@click.option("--language", default="de", show_default=True, help="Language of a bare audio file.")
@click.option(
    "--speakers",
    type=click.IntRange(1, MAX_SPEAKERS),
    help=f"Number of voices in a bare audio file [default: as many as are heard, up to {MAX_ESTIMATED}].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Transcript of a bare audio file [default: AUDIO.transcript.json beside it].",
)
@click.option("--force", is_flag=True, help="Transcribe again over an edited transcript (a backup is kept).")
@click.pass_context
def transcribe(
    ctx: click.Context,
    target: Path,
    model: str | None,
    device: str | None,
    language: str,
    speakers: int | None,
    output: Path | None,
    force: bool,
) -> None:
    """Transcribe an episode folder into its transcript.json, or a bare audio file.

    Prints the path of the transcript written.
    """
    progress = progress_factory(ctx)
    if target.is_dir():
        if not (target / EPISODE_FILE).is_file():
            raise click.BadParameter(f"{target} has no {EPISODE_FILE}", param_hint="EPISODE_OR_AUDIO")
        episode = open_episode(target)
        path = write_transcript(episode, model=model, device=device, progress=progress, keep_edited=not force)
    else:
        path = check_output_file(output or transcript_beside(target), [target])
        transcript = transcribe_file(
            target, language=language, speakers=speakers, model=model, device=device, progress=progress
        )
        transcript.save(path)
    echo_result(path)


@click.command()
@click.argument("target", metavar="EPISODE_OR_AUDIO", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="txt", show_default=True)
@click.option(
    "--timestamps/--no-timestamps",
    default=False,
    show_default=True,
    help="Text export: put [hh:mm:ss] before each turn (the other formats always carry times).",
)
@click.option(
    "--offset",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds added to every time (the published audio's intro offset).",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write [default: stdout]."
)
def export(target: Path, fmt: str, timestamps: bool, offset: float, output: Path | None) -> None:
    """Export the transcript of an episode folder, or of a bare audio file (its AUDIO.transcript.json),
    as text, SRT, WebVTT, Podcasting 2.0 JSON or HTML."""
    source = find_transcript(target)
    if output is not None:
        check_output_file(output, [source, target])
    text = export_transcript(load(source), fmt, offset=offset, timestamps=timestamps)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic.write_text(output, text)


@click.command()
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 takes a free one).",
)
@click.option("--no-browser", is_flag=True, help="Only print the address; do not open a browser.")
@click.pass_context
def edit(ctx: click.Context, episode_dir: Path, port: int, no_browser: bool) -> None:
    """Correct the transcript of EPISODE in the browser (local only; Ctrl+C stops)."""
    check_episode_folder(episode_dir)
    episode = open_episode(episode_dir)
    server = EditorServer(episode, port=port, progress=progress_factory(ctx))
    echo_result(server.url)
    log.info("editing %s — stop with Ctrl+C", episode.transcript_path)
    if not no_browser:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    finally:
        server.close()


@click.command("import-text")
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.argument("text_file", metavar="FILE.txt", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_text_command(episode_dir: Path, text_file: Path) -> None:
    """Bring a corrected text export FILE.txt back into the transcript of EPISODE.

    Unchanged words keep their times, changed words are re-timed, renamed speaker headers rename
    the speaker. The previous transcript stays in the version history ('audiokit edit' restores it).
    """
    check_episode_folder(episode_dir)
    episode = open_episode(episode_dir)
    text = read_text_file(text_file)
    history = History(episode.transcript_path)
    transcript, etag = history.load()
    history.commit(import_text(transcript, text), f"Text importiert: {text_file.name}", expected=etag)
    echo_result(episode.transcript_path)
