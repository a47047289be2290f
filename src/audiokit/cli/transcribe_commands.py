"""``audiokit transcribe`` and ``audiokit export``."""

from __future__ import annotations

from pathlib import Path

import click

from .. import atomic
from ..editor import open_episode
from ..exports import EXPORT_FORMATS, export_transcript
from ..transcript import load
from ..transcript_text import to_text
from ..transcription import transcribe_file, write_transcript
from ..workspace import EPISODE_FILE
from .main import cli, progress_factory


@cli.command()
@click.argument("target", metavar="EPISODE_OR_AUDIO", type=click.Path(exists=True, path_type=Path))
@click.option("--model", help="Whisper model: embedded, a size name, or a local CTranslate2 folder.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), help="Where Whisper runs.")
@click.option("--language", default="de", show_default=True, help="Language of a bare audio file.")
@click.option("--speakers", type=click.IntRange(1, 20),
              help="Number of voices in a bare audio file [default: as many as are heard, up to 8].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Transcript of a bare audio file [default: AUDIO.transcript.json beside it].")
@click.option("--force", is_flag=True, help="Transcribe again over an edited transcript (a backup is kept).")
@click.pass_context
def transcribe(ctx: click.Context, target: Path, model: str | None, device: str | None, language: str,
               speakers: int | None, output: Path | None, force: bool) -> None:
    """Transcribe an episode folder into its transcript.json, or a bare audio file.

    Prints the path of the transcript written.
    """
    progress = progress_factory(ctx)
    if target.is_dir():
        if not (target / EPISODE_FILE).is_file():
            raise click.BadParameter(f"{target} has no {EPISODE_FILE}", param_hint="EPISODE_OR_AUDIO")
        path = write_transcript(open_episode(target), model=model, device=device, progress=progress,
                                keep_edited=not force)
    else:
        path = output or target.with_name(target.stem + ".transcript.json")
        transcript = transcribe_file(target, language=language, speakers=speakers, model=model, device=device,
                                     progress=progress)
        transcript.save(path)
    click.echo(path)


@cli.command()
@click.argument("episode_dir", metavar="EPISODE", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="txt", show_default=True)
@click.option("--timestamps/--no-timestamps", default=False, show_default=True,
              help="Text export: put [hh:mm:ss] before each turn (the other formats always carry times).")
@click.option("--offset", type=float, default=0.0, show_default=True,
              help="Seconds added to every time (the published audio's intro offset).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write [default: stdout].")
def export(episode_dir: Path, fmt: str, timestamps: bool, offset: float, output: Path | None) -> None:
    """Export the transcript of EPISODE as text, SRT, WebVTT, Podcasting 2.0 JSON or HTML."""
    transcript = load(open_episode(episode_dir).transcript_path)
    if fmt == "txt" and not timestamps:
        text = to_text(transcript, offset=offset)
    else:
        text = export_transcript(transcript, fmt, offset=offset)
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic.write_text(output, text)
