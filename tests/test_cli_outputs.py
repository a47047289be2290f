"""Command line: no output over an input or a source, OSErrors as one line, progress bars,
-q, a failed init."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audiokit.cli import cli
from audiokit.cli.main import _LazyBar
from audiokit.transcript import Transcript, now_iso
from synth import write_wav

EPISODE = "001-erste-folge"


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error_line(result) -> bool:
    return (
        result.exit_code == 1
        and result.output.startswith("Error: ")
        and " — " in result.output
        and result.output.count("\n") == 1
        and "Traceback" not in result.output
    )


@pytest.fixture
def gappy_recording(tmp_path: Path) -> Path:
    """78 s of noisy bursts with stretches of digital silence between them."""
    rng = np.random.default_rng(1)
    burst = np.arange(22050 * 7) / 22050
    parts = []
    for _ in range(6):
        parts += [0.3 * rng.standard_normal(burst.size) * np.abs(np.sin(3 * burst)), np.zeros(22050 * 6)]
    return write_wav(tmp_path / "gap.wav", np.concatenate(parts))


def test_no_command_writes_over_an_input_or_a_source_file(tiny_show: Path, tmp_path: Path) -> None:
    episode = tiny_show / EPISODE
    Transcript("de", 1.0, [], [], {"audiokit": "test", "created": now_iso()}).save(episode / "transcript.json")
    voice = tiny_show / "voices" / "anna.wav"
    voice.parent.mkdir()
    voice.write_bytes((episode / "aufnahme.wav").read_bytes())
    toml = tiny_show / "show.toml"
    toml.write_text(toml.read_text() + 'voice_sample = "voices/anna.wav"\n')
    sources = {p: p.read_bytes() for p in tiny_show.rglob("*") if p.is_file()}
    recording = episode / "aufnahme.wav"
    for args in (
        ["transcribe", recording, "-o", recording],
        ["transcribe", voice, "-o", episode / "episode.toml"],
        ["export", episode, "-o", recording],
        ["export", episode, "-o", episode / "transcript.json"],
        ["export", episode, "-o", tiny_show / "show.toml"],
        ["export", episode, "--format", "txt", "-o", tiny_show / "cover.png"],
        ["export", episode, "-o", tiny_show / "glossary.toml"],
        ["master", recording, "--out", voice],
        ["master", voice, "--out", tmp_path / "link.wav"],
    ):
        if args[-1] == tmp_path / "link.wav":
            args[-1].symlink_to(recording)  # a symlink to a source is that source
        result = run(*args)
        assert one_error_line(result), (args, result.output)
        assert "source file" in result.output or "input" in result.output
    assert {p: p.read_bytes() for p in tiny_show.rglob("*") if p.is_file()} == sources
    result = run("export", episode, "-o", episode / "transcript.txt")  # a new file beside the sources is fine
    assert result.exit_code == 0 and (episode / "transcript.txt").is_file()


def test_an_os_error_is_one_error_line(tiny_show: Path, tmp_path: Path) -> None:
    episode = tiny_show / EPISODE
    Transcript("de", 1.0, [], [], {"audiokit": "test", "created": now_iso()}).save(episode / "transcript.json")
    assert one_error_line(run("export", episode, "-o", "/proc/version"))
    (tmp_path / "datei").write_text("x")
    assert one_error_line(run("export", episode, "-o", tmp_path / "datei" / "t.txt"))  # a file as folder


class Terminal(io.StringIO):
    """What a terminal receives on stderr."""

    def isatty(self) -> bool:
        return True


def test_progress_bars_end_at_100_percent_on_their_own_line(
    gappy_recording: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_LazyBar, "DELAY", 0.0)  # show the bar at once
    cli.main(["master", str(gappy_recording), "--out", str(tmp_path / "m.mp3")], standalone_mode=False)
    written = terminal.getvalue()
    bars = written.split("\r")
    assert "100%" in bars[-1]
    assert written.endswith("\x1b[?25h\n")  # the cursor is shown again and the line is ended
    assert written.count("\x1b[?25l") >= 1
    assert capsys.readouterr().out == f"{tmp_path / 'm.mp3'}\n"


def test_quiet_prints_only_the_result(gappy_recording: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from audiokit.cli import main; main()",
            "-q",
            "master",
            str(gappy_recording),
            "--out",
            str(tmp_path / "m.mp3"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and result.stdout == f"{tmp_path / 'm.mp3'}\n"
    assert result.stderr == ""  # no RuntimeWarning from the leveller on digital silence


@pytest.mark.slow
def test_quiet_build_prints_no_stage_table(tiny_show: Path) -> None:
    result = CliRunner().invoke(cli, ["-q", "build", str(tiny_show)])
    assert result.exit_code == 0, result.output
    assert result.output == f"built {tiny_show / 'public'}\n"


def test_a_refused_init_leaves_nothing_behind(tmp_path: Path) -> None:
    show = tmp_path / "show"
    args = ["init", show, "--title", "Werkstatt", "--author", "Netzwerk", "--host", "Anna Beispiel"]
    result = run(*args, "--base-url", "http://example.org/werkstatt")
    assert one_error_line(result) and "https://" in result.output
    assert not show.exists()
    existing = tmp_path / "vorhanden"
    existing.mkdir()
    (existing / "notizen.txt").write_text("meins")
    assert run("init", existing, *args[2:], "--base-url", "ftp://x").exit_code == 1
    assert sorted(p.name for p in existing.iterdir()) == ["notizen.txt"]
    result = run(*args, "--base-url", "https://example.org/werkstatt")
    assert result.exit_code == 0, result.output
    assert (show / "show.toml").is_file() and (show / "cover.png").is_file()
