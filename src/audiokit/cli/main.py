"""The click group, logging set-up, error handling and progress bars shared by all commands."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

import click

from ..errors import AudiokitError

log = logging.getLogger("audiokit")


class AudiokitGroup(click.Group):
    """Turns every AudiokitError into ``Error: <what> — <fix>`` and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AudiokitError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=AudiokitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for ffmpeg commands).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors; no progress bars.")
@click.version_option(package_name="audiokit")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Produce German talk podcasts: master, transcribe with speaker names, edit, publish."""
    level = logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbose else "%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    ctx.obj = {"quiet": quiet}


class _LazyBar:
    """A click progress bar on stderr that appears only once work has taken over two seconds."""

    DELAY = 2.0

    def __init__(self, label: str, total: float) -> None:
        self.label, self.total = label, max(total, 1e-9)
        self.started = time.monotonic()
        self.bar = None
        self.shown = 0

    def __call__(self, done: float) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY:
                return
            self.bar = click.progressbar(length=1000, label=self.label, file=sys.stderr, show_eta=True)
            self.bar.render_progress()
        target = min(1000, int(1000 * done / self.total))
        if target > self.shown:
            self.bar.update(target - self.shown)
            self.shown = target
        if target >= 1000:
            self.bar.render_finish()


def progress_factory(ctx: click.Context) -> Callable[[str, float], Callable[[float], None]]:
    """The ProgressFactory for library calls: lazy bars, or nothing with --quiet."""
    if ctx.find_root().obj and ctx.find_root().obj.get("quiet"):
        return lambda label, total: (lambda done: None)
    return _LazyBar


def main() -> None:
    cli(prog_name="audiokit")
