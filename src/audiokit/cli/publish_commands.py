"""``audiokit publish``: upload the built show to a web space or bucket."""

from __future__ import annotations

from pathlib import Path

import click

from ..publish.upload import upload_show
from .main import echo_result, is_quiet, progress_factory


@click.command()
@click.argument("show_dir", metavar="SHOW", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--to",
    "target",
    metavar="URL",
    help="sftp://, ftp(s)://, webdav(s):// or s3:// address [default: [publish] target in show.toml].",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="The built folder [default: SHOW/public]."
)
@click.option("--delete", is_flag=True, help="Remove files from the server that the show no longer has.")
@click.option("--dry-run", is_flag=True, help="Only list what would be uploaded and removed.")
@click.pass_context
def publish(
    ctx: click.Context, show_dir: Path, target: str | None, out: Path | None, delete: bool, dry_run: bool
) -> None:
    """Upload the built SHOW: only what changed, media and pages first, feed.xml last.

    Passwords come from $AUDIOKIT_PUBLISH_PASSWORD (user: $AUDIOKIT_PUBLISH_USER or in the URL) or from
    ~/.netrc ($AUDIOKIT_NETRC), for s3:// also from the AWS variables; never from show.toml.
    """
    report = upload_show(show_dir, out, to=target, delete=delete, dry_run=dry_run, progress=progress_factory(ctx))
    plan = report.plan
    if dry_run or not is_quiet(ctx):
        for name in plan.uploads:
            echo_result(f"upload\t{name}")
        for name in plan.removals:
            echo_result(f"remove\t{name}")
    if plan.stray and not is_quiet(ctx):
        click.echo(f"{len(plan.stray)} file(s) on the server are not in the show; --delete removes them", err=True)
    counts = f"{len(plan.uploads)} uploaded, {len(plan.removals)} removed, {plan.unchanged} unchanged"
    if dry_run:
        echo_result(f"dry run: {counts.replace('uploaded', 'to upload').replace('removed', 'to remove')}")
    elif report.changed:
        echo_result(f"published to {plan.target}: {counts}")
    else:
        echo_result(f"{plan.target} is up to date")
