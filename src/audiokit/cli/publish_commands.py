"""``audiokit publish``: upload the built show to a web space or bucket."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import _
from ..publish.upload import upload_show
from .main import echo_result, is_quiet, out_option, progress_factory


@click.command(
    help=_(
        "Upload the built SHOW: only what changed, media and pages first, feed.xml last.\n\n"
        "Passwords come from $AUDIOKIT_PUBLISH_PASSWORD (user: $AUDIOKIT_PUBLISH_USER or in the URL) or "
        "from ~/.netrc ($AUDIOKIT_NETRC), for s3:// also from the AWS variables; never from show.toml."
    )
)
@click.argument("show_dir", metavar="SHOW", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--to",
    "target",
    metavar="URL",
    help=_("sftp://, ftp(s)://, webdav(s):// or s3:// address [default: [publish] target in show.toml]."),
)
@out_option(_("The built folder [default: SHOW/public]."), file_okay=False)
@click.option("--delete", is_flag=True, help=_("Remove files from the server that the show no longer has."))
@click.option("--dry-run", is_flag=True, help=_("Only list what would be uploaded and removed."))
@click.pass_context
def publish(
    ctx: click.Context, show_dir: Path, target: str | None, out: Path | None, delete: bool, dry_run: bool
) -> None:
    report = upload_show(show_dir, out, to=target, delete=delete, dry_run=dry_run, progress=progress_factory(ctx))
    plan = report.plan
    if dry_run or not is_quiet(ctx):
        for name in plan.uploads:
            echo_result(_("upload\t{name}").format(name=name))
        for name in plan.removals:
            echo_result(_("remove\t{name}").format(name=name))
    if plan.stray and not is_quiet(ctx):
        click.echo(
            _("{len_stray} file(s) on the server are not in the show; --delete removes them").format(
                len_stray=len(plan.stray)
            ),
            err=True,
        )
    numbers = {"uploads": len(plan.uploads), "removals": len(plan.removals), "unchanged": plan.unchanged}
    if dry_run:
        echo_result(_("dry run: {uploads} to upload, {removals} to remove, {unchanged} unchanged").format(**numbers))
    elif report.changed:
        echo_result(
            _("published to {target}: {uploads} uploaded, {removals} removed, {unchanged} unchanged").format(
                target=plan.target, **numbers
            )
        )
    else:
        echo_result(_("{target} is up to date").format(target=plan.target))
