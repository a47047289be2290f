"""The click group, logging set-up, error handling and progress bars shared by all commands."""

from __future__ import annotations

import importlib
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..atomic import os_error
from ..errors import AudiokitError
from ..progress import ProgressFactory, no_progress

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

log = logging.getLogger("audiokit")

EPISODE = click.Path(exists=True, file_okay=False, path_type=Path)
"""An episode folder as a command argument."""


# the module of each command, imported when the command runs: `audiokit master` loads no Whisper or Pillow
COMMANDS = {
    **dict.fromkeys(["init", "new", "build", "check", "settings"], "workspace_commands"),
    **dict.fromkeys(["transcribe", "export", "edit", "import-text"], "transcribe_commands"),
    **dict.fromkeys(["clip", "soundbites"], "clip_commands"),
    "master": "master_commands",
    "publish": "publish_commands",
    "cuts": "cut_commands",
}


class AudiokitGroup(click.Group):
    """Loads commands on first use; turns every AudiokitError (and OSError) into ``Error: <what> — <fix>``
    and exit code 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"{__package__}.{COMMANDS[name]}")
        return next(c for c in vars(module).values() if isinstance(c, click.Command) and c.name == name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AudiokitError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:
            what = f"cannot use {exc.filename}" if exc.filename else "a file operation failed"
            raise click.ClickException(str(os_error(exc, what))) from exc
        finally:
            end_progress(done=False)  # an error ends the bar's line where it stood


class _Handler(logging.StreamHandler):
    """Log lines on stderr that start on a line of their own, also while a progress bar is drawn."""

    def emit(self, record: logging.LogRecord) -> None:
        if _LazyBar.active is not None and _LazyBar.active.bar is not None:
            self.stream.write("\n")
            _LazyBar.active.bar._last_line = None  # draw the bar again below the message
        super().emit(record)


@click.group(cls=AudiokitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for ffmpeg commands).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no progress bars, notes or tables.")
@click.version_option(package_name="audiokit")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Produce German talk podcasts: master, transcribe with speaker names, edit, publish."""
    level = logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO
    handler = _Handler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbose else "%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    warnings.showwarning = _log_warning
    ctx.obj = {"quiet": quiet}


def _log_warning(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
    """A library's Python warning as one line of audiokit's log, not Python's text with a source line."""
    log.warning("%s: %s", category.__name__, message)


def is_quiet(ctx: click.Context) -> bool:
    """True with ``-q``: print only the result a command exists for (a path, JSON), or errors."""
    return bool(ctx.find_root().obj and ctx.find_root().obj.get("quiet"))


class _LazyBar:
    """A click progress bar on stderr that appears only once work has taken over two seconds.

    One bar is active at a time: a new one completes the one before (its work is done), and
    :func:`end_progress` ends the last one before a command prints its result.
    """

    DELAY = 2.0
    active: _LazyBar | None = None

    def __init__(self, label: str, total: float) -> None:
        end_progress(done=True)
        self.label, self.total = label, max(total, 1e-9)
        self.started = time.monotonic()
        self.bar: ProgressBar[int] | None = None
        self.shown = 0
        type(self).active = self

    def __call__(self, done: float) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY:
                return
            self.bar = click.progressbar(length=1000, label=self.label, file=sys.stderr, show_eta=True)
            self.bar.render_progress()
        self._move(self.bar, min(1000, int(1000 * done / self.total)))

    def _move(self, bar: ProgressBar[int], target: int) -> None:
        if target > self.shown:
            bar.update(target - self.shown)
            self.shown = target

    def end(self, done: bool) -> None:
        """Finish the bar's line (at 100 % when the work is ``done``) and show the cursor again."""
        if self.bar is not None:
            if done:
                self._move(self.bar, 1000)
            self.bar.render_finish()
        if type(self).active is self:
            type(self).active = None


def end_progress(*, done: bool = True) -> None:
    """End the active progress bar, if any: call before printing a result."""
    if _LazyBar.active is not None:
        _LazyBar.active.end(done)


def progress_factory(ctx: click.Context) -> ProgressFactory:
    """The ProgressFactory for library calls: lazy bars, or nothing with --quiet."""
    return no_progress if is_quiet(ctx) else _LazyBar


def echo_result(text: object) -> None:
    """Print a command's result on stdout, on a line of its own after any progress bar."""
    end_progress(done=True)
    click.echo(text)


def main() -> None:
    cli(prog_name="audiokit")
