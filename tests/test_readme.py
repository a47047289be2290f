"""The README's examples against the real command line and library.

Every ``audiokit …`` command in a shell block is parsed by the click command it names, in a folder
that holds the files the examples read (the demo show, a recording, a corrected text, a site): the
command, every option, every choice and every input must exist. Commands quoted in the text must
exist with the options they show, and the names the Python example uses must be in the library. The
cheap examples run and must print what the README shows under them.
"""

from __future__ import annotations

import ast
import re
import shlex
import shutil
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

import audiokit
from audiokit.cli import cli
from audiokit.cli.main import COMMANDS
from audiokit.stages import default_stages
from synth import write_wav

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
SHELL_OPERATOR = re.compile(r"^[();<>|&]+$")
RUN = ("init", "new")
"""Examples cheap enough to run, in the README's order (new needs the show init made)."""


def _commands(line: str) -> list[list[str]]:
    """The ``audiokit`` commands in a shell line: ``a && audiokit x | head`` gives ``[["x"]]``."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split, lexer.commenters = True, "#"
    commands, words = [], []
    for token in [*lexer, ";"]:
        if SHELL_OPERATOR.match(token):
            if words[:1] == ["audiokit"]:
                commands.append(words[1:])
            words = []
        else:
            words.append(token)
    return commands


def _block_examples() -> list[tuple[list[str], list[str]]]:
    """Each command of the README's shell blocks with the output lines shown under it."""
    examples: list[tuple[list[str], list[str]]] = []
    for language, body in FENCE.findall(README):
        if language not in ("bash", "console"):
            continue
        for line in body.replace("\\\n", " ").splitlines():
            if language == "console" and not line.startswith("$ "):
                if examples:
                    examples[-1][1].append(line)
                continue
            examples += [(args, []) for args in _commands(line.removeprefix("$ "))]
    return examples


def _prose_examples() -> list[list[str]]:
    """The commands quoted in the README's text: ```audiokit build SHOW --workers 4```, ```build --force```."""
    spans = re.findall(r"`([^`\n]+)`", FENCE.sub("", README))
    commands = [
        args for span in spans for args in _commands(span if span.startswith("audiokit ") else f"audiokit {span}")
    ]
    return [args for args in commands if args and args[0] in COMMANDS]


BLOCKS = _block_examples()


def test_the_readme_has_examples_of_every_command():
    assert {args[0] for args, _ in BLOCKS} >= set(COMMANDS)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    """A folder with the inputs the examples name: the demo show, a recording, a text, a site."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "episodes", folder / "episodes", ignore=shutil.ignore_patterns("public", ".*"))
    write_wav(folder / "aufnahme.wav", np.zeros(8000, np.float32))
    (folder / "korrigiert.txt").write_text("Clara Vogt:\nHallo.\n", "utf-8")
    (folder / "public").mkdir()
    return folder


@pytest.mark.parametrize(("args", "output"), BLOCKS, ids=[shlex.join(args) for args, _ in BLOCKS])
def test_a_readme_command_parses(args, output, sandbox, monkeypatch):
    monkeypatch.chdir(sandbox)
    at = next(i for i, arg in enumerate(args) if not arg.startswith("-"))  # -q, -v go before the command
    with cli.make_context("audiokit", args[: at + 1]) as ctx:
        command = cli.get_command(ctx, args[at])
        assert command is not None, f"no command {args[at]!r}"
        command.make_context(args[at], args[at + 1 :], parent=ctx).close()


@pytest.mark.parametrize("args", _prose_examples(), ids=shlex.join)
def test_a_command_in_the_text_exists_with_its_options(args):
    command = cli.get_command(click.Context(cli), args[0])
    assert command is not None
    known = {opt for param in [*cli.params, *command.params] for opt in [*param.opts, *param.secondary_opts]}
    assert [a for a in args[1:] if a.startswith("-") and a not in known] == []


def test_the_readme_build_runs_the_stages_build_runs():
    row = re.compile(r"(\S+)  +(\w+)  +(\w+)")  # the stage table: episode, stage, status in aligned columns
    [output] = [o for a, o in BLOCKS if a[0] == "build" and any(row.fullmatch(line) for line in o)]
    started = [m[1] for line in output if (m := re.fullmatch(r"[\w-]+: (\w+)", line))]
    table = [m[2] for line in output if (m := row.fullmatch(line))]
    assert started == table == [stage.name for stage in default_stages()]


def test_the_readme_links_to_files_that_exist():
    links = re.findall(r"\]\(([^)#:]+)\)", README)
    assert links and [link for link in links if not (ROOT / link).exists()] == []


def test_the_library_example_uses_names_the_library_has():
    [code] = [body for language, body in FENCE.findall(README) if language == "python"]
    used = {
        n.attr for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Attribute) and ast.unparse(n.value) == "audiokit"
    }
    assert used and [name for name in sorted(used) if not hasattr(audiokit, name)] == []


def _run(args: list[str]) -> list[str]:
    """What ``audiokit args`` prints (stdout, else the error), paths relative to the current folder."""
    result = CliRunner().invoke(cli, args)
    return (result.stdout or result.stderr).replace(f"{Path.cwd()}/", "").splitlines()


@pytest.mark.parametrize(("args", "output"), [(a, o) for a, o in BLOCKS if a[0] in RUN], ids=RUN)
def test_a_cheap_readme_command_prints_what_the_readme_shows(args, output, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for earlier in RUN[: RUN.index(args[0])]:
        _run(next(a for a, _ in BLOCKS if a[0] == earlier))
    assert _run(args) == output


def test_the_readme_error_example_is_what_a_date_without_time_zone_gives(sandbox, tmp_path, monkeypatch):
    [(args, output)] = [(a, o) for a, o in BLOCKS if o[:1] and o[0].startswith("Error: ")]
    shutil.copytree(sandbox / "episodes", tmp_path / "episodes")
    toml = tmp_path / "episodes" / "001-epa-im-praxisalltag" / "episode.toml"
    toml.write_text(toml.read_text("utf-8").replace("T18:00:00+01:00", "T18:00:00"), "utf-8")
    monkeypatch.chdir(tmp_path)
    assert _run(args) == output
