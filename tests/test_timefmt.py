"""One rounding rule for every written time: the page, the exports, the shownotes, the feed and the chapters
name the same second for a moment just before a full second."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pytest

from audiokit.timefmt import clock, milliseconds, parse_clock, timestamp
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker
from helpers_publish import SPEAKERS, master_all, publish, timed_words, tone_mp3, write_show

AWKWARD = {8.9994: 8, 18.9996: 19, 59.9996: 60}
"""A moment and the second it is shown at: rounded to the millisecond, then cut to the second."""


@pytest.mark.parametrize(
    ("seconds", "forms"),
    [
        (0, ("00:00:00", "0:00", "00:00:00.000", "0:00.0")),
        (-0.2, ("00:00:00", "0:00", "00:00:00.000", "0:00.0")),
        (18.95, ("00:00:18", "0:18", "00:00:18.950", "0:18.9")),
        (18.9996, ("00:00:19", "0:19", "00:00:19.000", "0:19.0")),
        (3599.9996, ("01:00:00", "1:00:00", "01:00:00.000", "1:00:00.0")),
        (36_123.4567, ("10:02:03", "10:02:03", "10:02:03.457", "10:02:03.4")),
    ],
)
def test_every_form_rounds_to_the_millisecond_then_cuts(seconds, forms):
    assert (clock(seconds), timestamp(seconds), clock(seconds, 3), timestamp(seconds, 1)) == forms
    assert clock(seconds, 3, separator=",") == forms[2].replace(".", ",")
    assert parse_clock(forms[2]) == pytest.approx(milliseconds(seconds) / 1000, abs=1e-9)


@pytest.mark.parametrize("text", ["90", "01:30", "1:30.5", "00:01:30.25"])
def test_parse_clock_reads_what_clock_writes(text):
    seconds = parse_clock(text)
    assert parse_clock(clock(seconds, 3)) == seconds and parse_clock(timestamp(seconds, 3)) == seconds


def _turns_at(times: list[float]) -> Transcript:
    speakers = [TranscriptSpeaker(**vars(s)) for s in SPEAKERS[:2]]
    segments = []
    for n, start in enumerate(times):
        words = timed_words("Guten Abend und willkommen.", start)
        segments.append(Segment(speakers[n % 2].id, start, words[-1].end, words))
    return Transcript("de", 80.0, speakers, segments, {"audiokit": "test", "created": "2026-11-10T18:00:00+01:00"})


def _seconds(texts: Iterable[str]) -> list[int]:
    return [int(parse_clock(t)) for t in texts]


def test_page_exports_shownotes_feed_and_chapters_show_the_same_second(tmp_path):
    chapters = "".join(f'\n[[chapters]]\nstart = {t}\ntitle = "Kapitel {n}"\n' for n, t in enumerate(AWKWARD))
    show = write_show(tmp_path, chapters=False, extra=chapters)
    _turns_at(list(AWKWARD)).save(show / "001-folge-1" / "transcript.json")
    out = tmp_path / "public"
    master_all(show, out, tone_mp3(tmp_path / "tone.mp3"))
    assert not publish(show, out).failed
    folder = out / "001-folge-1"

    def read(name: str) -> str:
        return (folder / name).read_text("utf-8")

    page = read("index.html")
    shown = {
        "page turns": _seconds(re.findall(r'class="seek ts" data-t="[\d.]+"[^>]*>([^<]+)<', page)),
        "page chapters": _seconds(re.findall(r'class="seek" data-t="[\d.]+"><span class="ts">([^<]+)<', page)),
        "text": _seconds(re.findall(r"^\[([\d:]+)\]", read("transcript.txt"), re.M)),
        "html": _seconds(re.findall(r"<time [^>]*>([^<]+)</time>", read("transcript.html"))),
        "vtt": _seconds(re.findall(r"^([\d:.]+) -->", read("transcript.vtt"), re.M)),
        "srt": _seconds(t.replace(",", ".") for t in re.findall(r"^([\d:,]+) -->", read("transcript.srt"), re.M)),
        "shownotes": _seconds(re.findall(r"<li>([\d:]+) Kapitel", read("shownotes.html"))),
        "feed": _seconds(re.findall(r'<psc:chapter start="([^"]+)"', (out / "feed.xml").read_text("utf-8"))),
        "chapters.json": [int(c["startTime"]) for c in json.loads(read("chapters.json"))["chapters"]],
    }
    assert shown == dict.fromkeys(shown, list(AWKWARD.values()))
