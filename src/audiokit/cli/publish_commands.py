"""``audiokit check``: validate a published folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..publish.check import check_site
from .main import cli


@cli.command()
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
