"""The click group, logging set-up, error handling and progress bars shared by all commands."""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..atomic import os_error
from ..errors import AudiokitError
from ..i18n import _, translate_click
from ..progress import ProgressFactory, no_progress

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

log = logging.getLogger("audiokit")
translate_click()

EPISODE = click.Path(exists=True, file_okay=False, path_type=Path)
"""An episode folder as a command argument."""


def whisper_options(command: Any) -> Any:
    """``--model`` and ``--device``, spelled and explained once for every command that runs Whisper."""
    from ..config.schema import DEVICES

    command = click.option("--device", type=click.Choice(DEVICES), help=_("Where Whisper runs."))(command)
    return click.option("--model", help=_("Whisper model: embedded, a size name, or a local CTranslate2 folder."))(
        command
    )


def out_option(help: str, *, file_okay: bool = True, dir_okay: bool = True) -> Any:
    """``-o/--out``, the one spelling of where a command writes (or, for ``publish``, what it uploads)."""
    return click.option(
        "-o", "--out", type=click.Path(file_okay=file_okay, dir_okay=dir_okay, path_type=Path), help=help
    )


# the module of each command, imported when the command runs: `audiokit master` loads no Whisper or Pillow
COMMANDS = {
    **dict.fromkeys(["init", "new", "build", "check", "settings"], "workspace_commands"),
    **dict.fromkeys(["transcribe", "export", "edit", "import-text"], "transcribe_commands"),
    **dict.fromkeys(["clip", "soundbites"], "clip_commands"),
    "master": "master_commands",
    "publish": "publish_commands",
    "cuts": "cut_commands",
    "review": "review_commands",
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
            what = (
                _("cannot use {filename}").format(filename=exc.filename)
                if exc.filename
                else _("a file operation failed")
            )
            raise click.ClickException(str(os_error(exc, what))) from exc
        finally:
            end_progress(done=False)  # an error ends the bar's line where it stood


class _Handler(logging.StreamHandler):
    """Log lines on stderr, each on a line of its own: a progress bar drawn on a terminal is cleared for the
    message and drawn again below it."""

    def emit(self, record: logging.LogRecord) -> None:
        with _LazyBar.lock:
            bar = _LazyBar.active.bar if _LazyBar.active is not None else None
            if bar is None:
                super().emit(record)
                return
            self.stream.write("\r\x1b[2K")  # carriage return, erase the line
            super().emit(record)
            bar._last_line = None
            bar.render_progress()


@click.group(
    cls=AudiokitGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=_("Produce German talk podcasts: master, transcribe with speaker names, edit, publish."),
)
@click.option("-v", "--verbose", count=True, help=_("More log output (-vv for ffmpeg commands)."))
@click.option("-q", "--quiet", is_flag=True, help=_("Only errors: no progress bars, notes or tables."))
@click.version_option(package_name="audiokit")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO
    handler = _Handler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbose else "%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    warnings.showwarning = _log_warning
    ctx.obj = {"quiet": quiet}


def _log_warning(message: Warning | str, category: type[Warning], *_args: Any, **_kwargs: Any) -> None:
    """A library's Python warning as one line of audiokit's log, not Python's text with a source line."""
    log.warning(_("%s: %s"), category.__name__, message)


def is_quiet(ctx: click.Context) -> bool:
    """True with ``-q``: print only the result a command exists for (a path, JSON), or errors."""
    return bool(ctx.find_root().obj and ctx.find_root().obj.get("quiet"))


class _LazyBar:
    """Progress on stderr for work that has taken over two seconds, also when it reports nothing meanwhile.

    On a terminal a click progress bar with an ETA; off one (a file, a CI log) one plain line when the work
    is seen to take long and one when it ends. One bar is active at a time: a new one completes the one
    before (its work is done), and :func:`end_progress` ends the last one before a command prints its result.
    """

    DELAY = 2.0
    active: _LazyBar | None = None
    lock = threading.RLock()  # the bars, their timer and the log handler write to stderr one at a time

    def __init__(self, label: str, total: float) -> None:
        end_progress(done=True)
        self.label, self.total = label, max(total, 1e-9)
        self.started = time.monotonic()
        self.stream = sys.stderr
        self.bar: ProgressBar[int] | None = None
        self.announced = False  # off a terminal: the start line is written
        self.shown = 0
        type(self).active = self
        self.timer = threading.Timer(self.DELAY, self._appear)
        self.timer.daemon = True
        self.timer.start()

    def _appear(self) -> None:
        with self.lock:
            if type(self).active is self:
                self._show()

    def _show(self) -> None:
        """The bar (on a terminal) or the start line (off one), once."""
        if self.stream.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=1000, label=self.label, file=self.stream, show_eta=True)
                self.bar.render_progress()
        elif not self.announced:
            self.announced = True
            click.echo(f"{self.label} …", file=self.stream)

    def __call__(self, done: float) -> None:
        with self.lock:
            if time.monotonic() - self.started < self.DELAY:
                return
            self._show()
            if self.bar is not None:
                self._move(self.bar, min(1000, int(1000 * done / self.total)))

    def _move(self, bar: ProgressBar[int], target: int) -> None:
        if target > self.shown:
            bar.update(target - self.shown)
            self.shown = target

    def end(self, done: bool) -> None:
        """Finish the bar's line (at 100 % when the work is ``done``) and show the cursor again; off a
        terminal, write the end line of work whose start line was written."""
        self.timer.cancel()
        with self.lock:
            if self.bar is not None:
                if done:
                    self._move(self.bar, 1000)
                self.bar.render_finish()
            elif self.announced:
                seconds = round(time.monotonic() - self.started)
                ended = _("{label}: done ({seconds} s)") if done else _("{label}: stopped ({seconds} s)")
                click.echo(ended.format(label=self.label, seconds=seconds), file=self.stream)
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
