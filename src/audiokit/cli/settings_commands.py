"""``audiokit settings``: the reference of every key in show.toml, episode.toml and glossary.toml."""

from __future__ import annotations

import click

from .main import cli


@cli.command()
def settings() -> None:
    """Print the settings reference as Markdown: every key of show.toml, episode.toml and
    glossary.toml with its type, range, default and meaning (docs/settings.md is this text)."""
    from ..config.reference import reference

    click.echo(reference(), nl=False)
