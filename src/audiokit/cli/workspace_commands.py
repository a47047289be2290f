"""``audiokit init``, ``new``, ``build``, ``check`` (the built folder) and ``settings`` (their reference)."""

from __future__ import annotations

from pathlib import Path

import click

from ..build import build as run_build
from ..i18n import N_, _
from ..publish.check import check_site
from ..scaffold import init_show, new_episode
from ..stages import BuildOptions
from ..workspace import EPISODE_FILE, load_show
from .main import echo_result, is_quiet, out_option, progress_factory, whisper_options
from .table import table

STATUS_WORDS = (
    N_("done"),
    N_("skipped"),
    N_("failed"),
    N_("reviewed"),
    N_("unreviewed, labelled"),
    N_("unreviewed, held back"),
)
"""The statuses in build's table, for the catalog: translated as the table is printed (stage names stay, they are
the commands' names)."""


@click.command(help=_("Create a show in FOLDER (show.toml and a placeholder cover)."))
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", required=True, help=_("Name of the show."))
@click.option("--author", required=True, help=_("Publisher shown in podcast apps."))
@click.option("--base-url", required=True, help=_("https:// address where the built site will be served."))
@click.option("--host", required=True, help=_("Name of the host."))
@click.option("--organisation", default="", help=_("The host's organisation."))
@click.option("--email", default="", help=_("Owner e-mail for podcast directories."))
def init(folder: Path, title: str, author: str, base_url: str, host: str, organisation: str, email: str) -> None:
    show = init_show(
        folder, title=title, author=author, base_url=base_url, host=host, organisation=organisation, owner_email=email
    )
    echo_result(show.file)


@click.command(help=_("Create a new episode TITLE in SHOW from the episode template."))
@click.argument("show_dir", metavar="SHOW", type=click.Path(file_okay=False, path_type=Path))
@click.argument("title")
@click.option("--slug", help=_("Folder name of the episode (a-z, 0-9, -); derived from the title if omitted."))
def new(show_dir: Path, title: str, slug: str | None) -> None:
    folder = new_episode(load_show(show_dir), title, slug=slug)
    echo_result(folder / EPISODE_FILE)


@click.command(
    help=_(
        "Run every stage for every episode of SHOW whose inputs changed (or whose outputs are gone).\n\n"
        "An episode still waiting for its recording (or marked draft = true) is left out with a note."
    )
)
@click.argument("show_dir", metavar="SHOW", type=click.Path(file_okay=False, path_type=Path))
@out_option(_("Output folder [default: SHOW/public]."), file_okay=False)
@click.option("--episode", "only", multiple=True, help=_("Build only this episode (repeatable)."))
@whisper_options
@click.option("--force", is_flag=True, help=_("Run every stage again, changed or not."))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help=_("Build this many episodes at once, in processes on this machine."),
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help=_(
        "Build the episodes on the Dask cluster at ADDRESS [default: $AUDIOKIT_CLUSTER, "
        "else [build] cluster in show.toml]."
    ),
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
    rows = [
        [r.episode or _("(show)"), r.stage, _(r.status), *([str(r.error)] if r.error else [])] for r in report.results
    ]
    rows += [[slug, "review", _(status)] for slug, status in report.reviews.items()]
    if rows and not is_quiet(ctx):
        echo_result(table(rows))
    if report.failed:
        first = report.failed[0]
        raise click.ClickException(
            _("{len_failed} stage(s) failed, first {value}/{stage}: {error}").format(
                len_failed=len(report.failed), value=first.episode or "show", stage=first.stage, error=first.error
            )
        )
    echo_result(
        _("built {out}").format(out=report.out) if report.changed else _("{out} is up to date").format(out=report.out)
    )


@click.command(
    help=_(
        "Check the built folder PUBLIC: feed rules, artwork, enclosure sizes, linked files.\n\n"
        "Prints one line per problem and exits with status 1 if there is any."
    )
)
@click.argument("public", metavar="PUBLIC", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check(public: Path) -> None:
    problems = check_site(public)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(_("{public}: no problems found").format(public=public))


@click.command(
    help=_(
        "Print the settings reference as Markdown: every key of show.toml, episode.toml and glossary.toml"
        " with its type, range, default and meaning (docs/settings.md is this text)."
    )
)
def settings() -> None:
    from ..config.reference import reference

    click.echo(reference(), nl=False)
