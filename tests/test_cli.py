"""The command line through click's CliRunner: exit codes and error texts."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from audiokit.cli import cli


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_init_new_and_validate(runner: CliRunner, tmp_path: Path) -> None:
    show = tmp_path / "werkstatt"
    result = runner.invoke(
        cli,
        [
            "init",
            str(show),
            "--title",
            "Werkstatt Gesundheit",
            "--author",
            "Netzwerk",
            "--base-url",
            "https://example.org/werkstatt",
            "--host",
            "Anna Beispiel",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (show / "show.toml").is_file() and (show / "cover.png").is_file()
    result = runner.invoke(cli, ["new", str(show), "Datenschutz in der Praxis"])
    assert result.exit_code == 0, result.output
    toml = show / "001-datenschutz-in-der-praxis" / "episode.toml"
    assert toml.is_file() and 'name = "Anna Beispiel"' in toml.read_text()
    result = runner.invoke(cli, ["new", str(show), "Zweite Folge"])
    assert "002-zweite-folge" in result.output
    # the new episode has no recording yet: building says exactly what to add
    result = runner.invoke(cli, ["build", str(show), "--out", str(tmp_path / "public")])
    assert result.exit_code == 1
    assert "Error: " in result.output and "aufnahme.wav" in result.output and "—" in result.output


def test_init_refuses_existing_show(runner: CliRunner, tiny_show: Path) -> None:
    result = runner.invoke(
        cli, ["init", str(tiny_show), "--title", "x", "--author", "y", "--base-url", "https://e.org", "--host", "z"]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


@pytest.mark.parametrize(
    ("replacement", "message"), [('title = "Kleine Show\n', "broken TOML"), ("", "key 'title' is missing")]
)
def test_bad_show_toml_is_one_line_error(
    runner: CliRunner, tiny_show: Path, tmp_path: Path, replacement, message
) -> None:
    toml = tiny_show / "show.toml"
    toml.write_text(toml.read_text().replace('title = "Kleine Show"\n', replacement))
    result = runner.invoke(cli, ["build", str(tiny_show), "--out", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_unreadable_cover(runner: CliRunner, tiny_show: Path, tmp_path: Path) -> None:
    (tiny_show / "cover.png").unlink()
    result = runner.invoke(cli, ["build", str(tiny_show), "--out", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "cover" in result.output and "1400" in result.output


def test_cover_that_is_not_an_image(runner: CliRunner, tiny_show: Path, tmp_path: Path) -> None:
    (tiny_show / "cover.png").write_text("kein Bild")
    result = runner.invoke(cli, ["build", str(tiny_show), "--out", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "'cover.png', which is not a readable image" in result.output and "JPEG or PNG" in result.output
    assert not (tmp_path / "p").exists()  # refused before any work


def test_missing_recording(runner: CliRunner, tiny_show: Path, tmp_path: Path) -> None:
    (tiny_show / "001-erste-folge" / "aufnahme.wav").unlink()
    result = runner.invoke(cli, ["build", str(tiny_show), "--out", str(tmp_path / "p")])
    assert result.exit_code == 1
    assert "'aufnahme.wav', which does not exist" in result.output


def test_usage_error_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["build"])
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_unknown_episode(runner: CliRunner, tiny_show: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["build", str(tiny_show), "--out", str(tmp_path / "p"), "--episode", "999-nix"])
    assert result.exit_code == 1 and "no episode named '999-nix'" in result.output


def test_every_command_has_help(runner: CliRunner) -> None:
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        command = cli.get_command(ctx, name)
        assert command is not None and command.help, f"{name} has no help text"
        assert runner.invoke(cli, [name, "--help"]).exit_code == 0


def test_every_command_is_listed_with_its_module() -> None:
    """The group loads commands lazily from COMMANDS: a command missing there could not be run."""
    import importlib
    import pkgutil

    import audiokit.cli
    from audiokit.cli.main import COMMANDS

    found = {}
    for info in pkgutil.iter_modules(audiokit.cli.__path__):
        module = importlib.import_module(f"audiokit.cli.{info.name}")
        found |= {c.name: info.name for c in vars(module).values() if isinstance(c, click.Command) and c is not cli}
    assert found == COMMANDS


def test_export_reads_the_transcript_beside_a_bare_audio_file(runner: CliRunner, tmp_path: Path) -> None:
    """Issue 10, item 24: ``export AUDIO`` uses AUDIO.transcript.json, as ``transcribe AUDIO`` writes it."""
    from helpers_publish import sample_transcript
    from synth import write_wav

    audio = write_wav(tmp_path / "interview.wav", np.zeros(8000, np.float32))
    recording = audio.read_bytes()
    result = runner.invoke(cli, ["export", str(audio)])
    assert result.exit_code == 1
    assert "interview.transcript.json is missing" in result.output and "audiokit transcribe" in result.output
    sample_transcript().save(tmp_path / "interview.transcript.json")
    result = runner.invoke(cli, ["export", str(audio), "--format", "vtt"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("WEBVTT") and "<v Clara Vogt>Hallo und willkommen" in result.output
    out = tmp_path / "interview.txt"
    result = runner.invoke(cli, ["export", str(audio), "--timestamps", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").startswith("[0:01] Clara Vogt [Netzwerk Digitale Gesundheit]:\nHallo")
    result = runner.invoke(cli, ["export", str(audio), "-o", str(audio)])
    assert result.exit_code == 1 and "is an input of this command" in result.output
    assert audio.read_bytes() == recording


def test_every_command_spells_its_output_and_whisper_options_the_same() -> None:
    """-o/--out wherever a command writes (or publish reads the build); --model/--device alike everywhere."""
    context = click.Context(cli)
    commands = {name: cli.get_command(context, name) for name in cli.list_commands(context)}
    outs = {name: p.opts for name, c in commands.items() for p in c.params if p.name in ("out", "output")}
    assert set(outs) == {"build", "clip", "export", "master", "publish", "transcribe"}
    assert all(opts == ["-o", "--out"] for opts in outs.values()), outs
    whisper = {
        name: [(p.opts, p.help) for p in c.params if p.name in ("model", "device")] for name, c in commands.items()
    }
    runs_whisper = [w for w in whisper.values() if w]
    assert len(runs_whisper) == 2 and runs_whisper[0] == runs_whisper[1]
