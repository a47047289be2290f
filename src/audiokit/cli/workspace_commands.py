"""``audiokit init``, ``new``, ``build``, ``check`` (the built folder) and ``settings`` (their reference)."""

from __future__ import annotations

from pathlib import Path

import click

from ..build import build as run_build
from ..config.schema import DEVICES
from ..publish.check import check_site
from ..scaffold import init_show, new_episode
from ..stages import BuildOptions
from ..workspace import EPISODE_FILE, load_show
from .main import echo_result, is_quiet, progress_factory


@click.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", required=True, help="Name of the show.")
@click.option("--author", required=True, help="Publisher shown in podcast apps.")
@click.option("--base-url", required=True, help="https:// address where the built site will be served.")
@click.option("--host", required=True, help="Name of the host.")
@click.option("--organisation", default="", help="The host's organisation.")
@click.option("--email", default="", help="Owner e-mail for podcast directories.")
def init(folder: Path, title: str, author: str, base_url: str, host: str, organisation: str, email: str) -> None:
    """Create a show in FOLDER (show.toml and a placeholder cover)."""
    show = init_show(
        folder, title=title, author=author, base_url=base_url, host=host, organisation=organisation, owner_email=email
    )
    echo_result(show.file)


@click.command()
@click.argument("show_dir", metavar="SHOW", type=click.Path(file_okay=False, path_type=Path))
@click.argument("title")
@click.option("--slug", help="Folder name of the episode (a-z, 0-9, -); derived from the title if omitted.")
def new(show_dir: Path, title: str, slug: str | None) -> None:
    """Create a new episode TITLE in SHOW from the episode template."""
    folder = new_episode(load_show(show_dir), title, slug=slug)
    echo_result(folder / EPISODE_FILE)


@click.command()
@click.argument("show_dir", metavar="SHOW", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder [default: SHOW/public].")
@click.option("--episode", "only", multiple=True, help="Build only this episode (repeatable).")
@click.option("--model", help="Whisper model: embedded, a size name, or a local CTranslate2 folder.")
@click.option("--device", type=click.Choice(DEVICES), help="Where Whisper runs.")
@click.option("--force", is_flag=True, help="Run every stage again, changed or not.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Build this many episodes at once, in processes on this machine.",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Build the episodes on the Dask cluster at ADDRESS [default: $AUDIOKIT_CLUSTER, "
    "else [build] cluster in show.toml].",
)
@click.pass_context
def build(
    ctx: click.Context,
    show_dir: Path,
    out: Path | None,
    only: tuple[str, ...],
    model: str | None,
    device: str | None,
    force: bool,
    workers: int,
    cluster: str | None,
) -> None:
    """Run every stage for every episode of SHOW whose inputs changed (or whose outputs are gone).

    An episode still waiting for its recording (or marked draft = true) is left out with a note.
    """
    report = run_build(
        show_dir,
        out,
        options=BuildOptions(model=model or None, device=device or None),
        progress=progress_factory(ctx),
        only=list(only),
        force=force,
        workers=workers,
        cluster=cluster,
    )
    if not is_quiet(ctx):
        for r in report.results:
            echo_result("\t".join([r.episode or "(show)", r.stage, r.status, *([str(r.error)] if r.error else [])]))
    if report.failed:
        first = report.failed[0]
        raise click.ClickException(
            f"{len(report.failed)} stage(s) failed, first {first.episode or 'show'}/{first.stage}: {first.error}"
        )
    echo_result(f"built {report.out}" if report.changed else f"{report.out} is up to date")


@click.command()
@click.argument("public", metavar="PUBLIC", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(public: Path) -> None:
    """Check the built folder PUBLIC: feed rules, artwork, enclosure sizes, linked files.

    Prints one line per problem and exits with status 1 if there is any.
    """
    problems = check_site(public)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"{public}: no problems found")


@click.command()
def settings() -> None:
    """Print the settings reference as Markdown: every key of show.toml, episode.toml and
    glossary.toml with its type, range, default and meaning (docs/settings.md is this text)."""
    from ..config.reference import reference

    click.echo(reference(), nl=False)
