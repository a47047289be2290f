"""``audiokit transcribe`` and ``audiokit export``."""

from __future__ import annotations

from pathlib import Path

import click

from .. import atomic
from ..config.schema import DEVICES
from ..editor import open_episode
from ..exports import EXPORT_FORMATS, export_transcript, find_transcript, transcript_beside
from ..outputs import check_output_file
from ..transcript import load
from ..transcription import transcribe_file, write_transcript
from ..workspace import EPISODE_FILE
from .main import cli, echo_result, progress_factory


@cli.command()
@click.argument("target", metavar="EPISODE_OR_AUDIO", type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Whisper model: embedded, a size name, or a local CTranslate2 folder.")
@click.option("--device", type=click.Choice(DEVICES), help="Where Whisper runs.")
@click.option("--language", default="de", show_default=True, help="Language of a bare audio file.")
@click.option(
    "--speakers",
    type=click.IntRange(1, 20),
    help="Number of voices in a bare audio file [default: as many as are heard, up to 8].",
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
        path = write_transcript(
            open_episode(target), model=model, device=device, progress=progress, keep_edited=not force
        )
    else:
        path = check_output_file(output or transcript_beside(target), [target])
        transcript = transcribe_file(
            target, language=language, speakers=speakers, model=model, device=device, progress=progress
        )
        transcript.save(path)
    echo_result(path)


@cli.command()
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
