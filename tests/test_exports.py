"""Transcript exports: every format, readable cues, monotonic times, offsets, escaping."""

from __future__ import annotations

import html.parser
import json
import re

import pytest

from audiokit.errors import TranscriptError
from audiokit.exports import EXPORT_FORMATS, MAX_CUE_CHARS, MAX_CUE_SECONDS, cues, export_transcript
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker
from audiokit.transcript_text import parse_text, turns
from helpers_publish import TURNS, sample_transcript, timed_words

STAMP = r"(\d\d):(\d\d):(\d\d)[.,](\d{3})"


def seconds(match: tuple[str, ...]) -> float:
    h, m, s, ms = (int(x) for x in match)
    return h * 3600 + m * 60 + s + ms / 1000


def cue_times(text: str) -> list[tuple[float, float]]:
    return [(seconds(m[:4]), seconds(m[4:])) for m in re.findall(STAMP + " --> " + STAMP, text)]


def test_formats_have_suffix_and_mime():
    assert {f: (s.suffix, s.mime) for f, s in EXPORT_FORMATS.items()} == {
        "txt": (".txt", "text/plain"),
        "srt": (".srt", "application/x-subrip"),
        "vtt": (".vtt", "text/vtt"),
        "json": (".json", "application/json"),
        "html": (".html", "text/html"),
    }


def test_unknown_format_is_a_clear_error():
    with pytest.raises(TranscriptError, match="unknown transcript export format 'docx'"):
        export_transcript(sample_transcript(), "docx")


def test_long_turns_split_at_word_boundaries_and_times_never_go_back():
    transcript = sample_transcript()
    result = cues(transcript)
    words = [w.text for w in transcript.words]
    assert " ".join(c.text for c in result).split() == words  # nothing lost, nothing cut inside a word
    assert len(result) > len(transcript.segments)  # the long turn was split
    for cue in result:
        assert len(cue.text) <= MAX_CUE_CHARS
        assert cue.end - cue.start <= MAX_CUE_SECONDS + 1
    for before, after in zip(result, result[1:]):
        assert before.start_ms < before.end_ms <= after.start_ms


def test_overlapping_segments_still_give_monotonic_cues():
    speakers = [TranscriptSpeaker("A", "Anna"), TranscriptSpeaker("B", "Ben")]
    first, second = timed_words("eins zwei drei vier fünf", 10.0), timed_words("dazwischen gerufen", 10.5)
    transcript = Transcript(
        "de",
        20.0,
        speakers,
        [Segment("B", 10.5, 11.3, second), Segment("A", 10.0, 12.0, first)],
        {"audiokit": "t", "created": "x"},
    )
    times = cue_times(export_transcript(transcript, "vtt"))
    assert len(times) == 2
    assert times[0][0] == 10.0  # sorted by start
    assert times[0][1] <= times[1][0] and times[1][0] < times[1][1]


def test_vtt_voice_tags_carry_speaker_names_and_offset():
    vtt = export_transcript(sample_transcript(), "vtt", offset=12.5)
    assert vtt.startswith("WEBVTT\n\n")
    voices = re.findall(r"<v ([^>]+)>", vtt)
    assert voices[0] == "Clara Vogt"  # the name alone: apps show the voice as the speaker's name
    assert "Jana Albers" in voices
    assert cue_times(vtt)[0][0] == pytest.approx(TURNS[0][1] + 12.5)
    assert vtt.count("<v ") == vtt.count("</v>") == len(cue_times(vtt))


def test_vtt_and_srt_escape_markup_and_arrows():
    speakers = [TranscriptSpeaker("A", "Anna <b>", "R&D")]
    words = timed_words("a < b && c --> d", 1.0)
    transcript = Transcript("de", 5.0, speakers, [Segment("A", 1.0, 4.0, words)], {"audiokit": "t", "created": "x"})
    vtt = export_transcript(transcript, "vtt")
    assert "<v Anna &lt;b&gt;>a &lt; b &amp;&amp; c --&gt; d</v>" in vtt
    assert vtt.count("-->") == 1  # only the timing line
    srt = export_transcript(transcript, "srt")
    assert srt.count("-->") == 1 and "c → d" in srt


def test_srt_numbers_cues_and_names_speaker_changes():
    srt = export_transcript(sample_transcript(), "srt", offset=2.0)
    blocks = srt.strip().split("\n\n")
    assert [b.split("\n")[0] for b in blocks] == [str(i) for i in range(1, len(blocks) + 1)]
    assert blocks[0].split("\n")[2].startswith("Clara Vogt: ")
    assert re.search(r"^00:00:03,000 --> ", blocks[0].split("\n")[1])
    named = [b for b in blocks if re.search(r"\n(Clara Vogt|Jana Albers|Tobias Reimann): ", b)]
    assert len(named) == len(TURNS)  # one name per speaker change, not per cue
    assert all(len(line) <= 60 for b in blocks for line in b.split("\n")[2:])


def test_json_is_podcasting20_transcript():
    data = json.loads(export_transcript(sample_transcript(), "json", offset=1.0))
    assert data["version"] == "1.0.0"
    first = data["segments"][0]
    assert set(first) == {"speaker", "startTime", "endTime", "body"}
    assert first["speaker"] == "Clara Vogt"
    assert first["startTime"] == pytest.approx(TURNS[0][1] + 1.0)
    starts = [s["startTime"] for s in data["segments"]]
    assert starts == sorted(starts)


def test_txt_round_trips_through_the_text_form():
    text = export_transcript(sample_transcript(), "txt")
    parsed = parse_text(text)
    assert [(t.name, t.organisation) for t in parsed][:2] == [
        ("Clara Vogt", "Netzwerk Digitale Gesundheit"),
        ("Jana Albers", "Praxisgemeinschaft Nordstadt"),
    ]
    assert [t.start for t in parsed] == [float(int(start)) for _, start, _ in TURNS]
    assert parsed[1].text == TURNS[1][2]


def test_html_has_cite_time_and_paragraph_per_turn():
    doc = export_transcript(sample_transcript(), "html", offset=0.0)

    class Collect(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

    collector = Collect()
    collector.feed(doc)
    assert collector.tags.count("cite") == collector.tags.count("time") == collector.tags.count("p") == len(TURNS)
    assert "<cite>Jana Albers [Praxisgemeinschaft Nordstadt]:</cite>" in doc
    assert '<time datetime="PT8.000S">0:08</time>' in doc


def test_turns_join_consecutive_segments_of_one_speaker():
    transcript = sample_transcript([("S1", 0.0, "Erster Satz."), ("S1", 3.0, "Zweiter Satz."), ("S2", 6.0, "Antwort.")])
    joined = turns(transcript, offset=1.0)
    assert [(t.speaker.name, t.text, t.start) for t in joined] == [
        ("Clara Vogt", "Erster Satz. Zweiter Satz.", 1.0),
        ("Jana Albers", "Antwort.", 7.0),
    ]
