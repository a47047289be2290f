"""What a producer sees while work runs: labelled progress for every phase of a transcription, a bar that
does not run ahead of a clip being decoded again, and off a terminal a plain log with an aligned table."""

from __future__ import annotations

import io
import logging
import re
import sys
import unicodedata
from pathlib import Path

import pytest

from audiokit.cli import cli
from audiokit.cli.main import _Handler, _LazyBar
from audiokit.cli.table import display_width, table
from audiokit.i18n import _
from audiokit.transcription import transcribe_episode
from audiokit.workspace import load_show
from helpers_transcription import INTERVIEW, batched_stops_early, interview_audio, write_show


class Terminal(io.StringIO):
    """What a terminal receives on stderr."""

    def isatty(self) -> bool:
        return True


@pytest.mark.slow
def test_every_transcription_phase_reports_and_the_bar_waits_for_clips_decoded_again(tmp_path, monkeypatch) -> None:
    tracks, _turns = interview_audio(INTERVIEW)
    episode = load_show(write_show(tmp_path, tracks).parent).episodes()[0]
    batched_stops_early(monkeypatch)  # every clip's text ends after its first three words
    events: list[tuple[str, str, float]] = []

    def factory(label: str, total: float):
        events.append(("phase", label, total))
        return lambda done: events.append(("update", label, done))

    class Again(logging.Handler):  # "decoding 4.2 s of speech at 31.0 s again"
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().startswith("decoding ") and record.getMessage().endswith(")"):
                events.append(("again", "", float(record.args[1])))  # type: ignore[index]

    logger = logging.getLogger("audiokit")
    handler = Again(logging.DEBUG)
    level = logger.level
    logger.setLevel(logging.DEBUG)  # setLevel, not the attribute: it clears the logger's isEnabledFor cache
    logger.addHandler(handler)
    try:
        transcript = transcribe_episode(episode, progress=factory)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    phases = [(label, total) for kind, label, total in events if kind == "phase"]
    assert phases[0] == (_("loading the Whisper model"), 1)
    assert (_("transcribing"), transcript.duration) in phases and phases[-1] == (_("naming the speakers"), 1)
    assert {label for kind, label, _d in events if kind == "update"} >= {label for label, _t in phases}
    again = [i for i, event in enumerate(events) if event[0] == "again"]
    assert len(again) >= 2  # more than one clip, each decoded again in part
    for i in again:
        before = [done for kind, label, done in events[:i] if kind == "update" and label == _("transcribing")]
        assert max(before, default=0.0) <= events[i][2] + 0.01, "the bar ran ahead of speech still to decode"
        after = events[i + 1 : next((j for j in again if j > i), len(events))]
        assert any(kind == "update" and done > events[i][2] for kind, _l, done in after), "no progress meanwhile"


def plain_lines(text: str) -> list[str]:
    assert "\r" not in text and "\x1b" not in text, repr(text)
    lines = text.splitlines()
    assert "" not in lines, "a blank line"
    assert [a for a, b in zip(lines, lines[1:]) if a == b] == [], "a doubled line"
    return lines


@pytest.mark.slow
def test_a_build_off_a_terminal_logs_plain_lines_and_an_aligned_table(demo_show: Path, monkeypatch, capsys) -> None:
    log_file = io.StringIO()  # stderr redirected to a file: not a terminal
    monkeypatch.setattr(sys, "stderr", log_file)
    monkeypatch.setattr(_LazyBar, "DELAY", 0.0)  # every phase counts as long
    cli.main(["build", str(demo_show)], standalone_mode=False)
    lines = plain_lines(log_file.getvalue())
    started = [line.removesuffix(" …") for line in lines if line.endswith(" …")]
    assert _("transcribing") in started and _("naming the speakers") in started
    for label in started:  # one line when a phase starts, one when it ends
        assert len([line for line in lines if line.startswith(f"{label}: ")]) == 1, label
    out = plain_lines(capsys.readouterr().out)
    rows = [line for line in out if len(line.split()) == 3]
    assert len(rows) >= 5
    columns = {tuple(m.start() for m in re.finditer(r"(?<=  )\S", row)) for row in rows}
    assert len(columns) == 1, out  # the stage and status columns start at the same place in every row


def test_a_bar_appears_without_updates_and_log_lines_do_not_break_it(monkeypatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_LazyBar, "DELAY", 0.0)
    handler = _Handler(terminal)
    bar = _LazyBar("Modell laden", 10)
    bar.timer.join()  # the timer draws the bar though the work has not reported yet
    assert "Modell laden" in terminal.getvalue()
    handler.emit(logging.LogRecord("audiokit", logging.INFO, __file__, 1, "Hinweis für Sie", None, None))
    bar(5)
    bar.end(done=True)
    written = terminal.getvalue()
    assert "\r\x1b[2KHinweis für Sie\n" in written  # the bar's line is cleared for the message, not left behind
    assert "\n\n" not in written and "100%" in written.split("\r")[-1]


def test_the_table_pads_by_display_width() -> None:
    decomposed = unicodedata.normalize("NFD", "Größe")  # "o" + combining diaeresis: 6 code points, 5 columns
    assert len(decomposed) == 6 and display_width(decomposed) == 5 and display_width("漢字") == 4
    rendered = table([[decomposed, "übersprungen", "x"], ["(show)", "site", "done"], ["ab", "c"]])
    assert rendered.splitlines() == [f"{decomposed}   übersprungen  x", "(show)  site          done", "ab      c"]
