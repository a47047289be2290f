"""``audiokit edit`` (the browser editor) and ``audiokit import-text`` (the text round trip)."""

from __future__ import annotations

import logging
import webbrowser
from pathlib import Path

import click

from ..editor import EditorServer, History, import_text, open_episode
from ..editor.textimport import read_text_file
from .main import cli, echo_result, progress_factory

log = logging.getLogger("audiokit")

EPISODE = click.Path(exists=True, file_okay=False, path_type=Path)


@cli.command()
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


@cli.command("import-text")
@click.argument("episode_dir", metavar="EPISODE", type=EPISODE)
@click.argument("text_file", metavar="FILE.txt", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_text_command(episode_dir: Path, text_file: Path) -> None:
    """Bring a corrected text export FILE.txt back into the transcript of EPISODE.

    Unchanged words keep their times, changed words are re-timed, renamed speaker headers rename
    the speaker. The previous transcript stays in the version history ('audiokit edit' restores it).
    """
    episode = open_episode(episode_dir)
    text = read_text_file(text_file)
    history = History(episode.transcript_path)
    transcript, etag = history.load()
    history.commit(import_text(transcript, text), f"Text importiert: {text_file.name}", expected=etag)
    echo_result(episode.transcript_path)
