"""Soundbite proposals: passages between pauses ranked by their score, pitch and level read from real audio,
``[[soundbites]]`` in episode.toml (written with the user's comments kept) and the ``soundbites`` command."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from audiokit.cli import cli
from audiokit.clips.soundbites import (
    MAX_SECONDS,
    MIN_PAUSE,
    MIN_SECONDS,
    PAD,
    measure_prosody,
    pick,
    propose_soundbites,
    rank_passages,
    vocabulary_tokens,
    write_soundbites,
)
from audiokit.errors import ConfigError
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker, now_iso
from audiokit.workspace import Soundbite, load_episode, load_show
from helpers_publish import SPEAKERS, timed_words
from synth import write_wav

SLUG = "001-epa-im-praxisalltag"
NAMES = [
    "Clara Vogt",
    "Jana Albers",
    "Tobias Reimann",
    "Praxisgemeinschaft Nordstadt",
    "ePA",
    "Telematikinfrastruktur",
    "E-Rezept",
]
CLEAN = [
    "Jana Albers arbeitet seit dem Frühjahr mit der ePA in der Praxisgemeinschaft Nordstadt.",
    "Die Telematikinfrastruktur lief anfangs nicht stabil, doch Tobias Reimann half uns mit dem E-Rezept.",
    "Heute spart die ePA in jeder Sprechstunde eine halbe Stunde Arbeit.",
]
FILLERS = [
    "Und äh also das war halt irgendwie so ein bisschen schwierig am Anfang, ähm, sozusagen.",
    "Also man hat halt quasi äh nicht so genau gewusst, wie das eigentlich gehen soll, ne.",
    "Und dann hat man halt irgendwie weitergemacht, äh, und ähm ja, sozusagen gewartet.",
]
QUESTION = ["Was hat denn am meisten Zeit gekostet?"]
ANSWER = [
    "Vor allem die Anmeldung der Karten an den Lesegeräten, jeden Morgen aufs Neue.",
    "Das Team brauchte Wochen, bis jeder Handgriff saß und niemand mehr nachfragen musste.",
]


def turn(speaker: str, start: float, sentences: list[str], pause: float = 0.6, pace: float = 0.6) -> Segment:
    """One speaker's sentences, ``pause`` seconds apart (a word every ``pace`` seconds, 80 % of it spoken)."""
    words = []
    for sentence in sentences:
        words += timed_words(sentence, start, pace)
        start = words[-1].end + pause
    return Segment(speaker, words[0].start, words[-1].end, words)


def known_transcript() -> Transcript:
    segments, start = [], 0.5
    for speaker, sentences in [
        ("S1", ["Willkommen in der Werkstatt."]),
        ("S2", CLEAN),
        ("S3", FILLERS),
        ("S1", QUESTION),
        ("S2", ANSWER),
    ]:
        segments.append(turn(speaker, start, sentences))
        start = segments[-1].end + 1.5
    return Transcript("de", start, [TranscriptSpeaker(**vars(s)) for s in SPEAKERS], segments, {"audiokit": "test"})


def test_passages_are_whole_sentences_between_pauses_and_fillers_rank_below_names():
    transcript = known_transcript()
    words = transcript.words
    passages = rank_passages(transcript, vocabulary_tokens(NAMES))
    assert passages
    for p in passages:
        assert MIN_SECONDS <= p.end - p.start <= MAX_SECONDS
        first, last = words.index(p.words[0]), words.index(p.words[-1])
        assert p.words == words[first : last + 1]
        assert first == 0 or (
            words[first].start - words[first - 1].end >= MIN_PAUSE and words[first - 1].text.endswith((".", "?", "!"))
        )
        assert last == len(words) - 1 or (
            words[last + 1].start - words[last].end >= MIN_PAUSE and words[last].text.endswith((".", "?", "!"))
        )
        assert words[first].start - PAD <= p.start <= words[first].start
        assert words[last].end <= p.end <= words[last].end + PAD
    texts = [p.text for p in passages]
    clean, filler = texts.index(" ".join(CLEAN)), texts.index(" ".join(FILLERS))
    assert clean < filler  # ranked higher
    assert passages[clean].parts["names"] > 0.9 and passages[clean].parts["standalone"] == 1.0
    assert passages[filler].parts["clean"] < 0.2 and passages[filler].parts["standalone"] == 0.5
    assert " ".join(QUESTION + ANSWER) in texts  # a question with its answer
    assert not any(CLEAN[-1] in t and FILLERS[0] in t for t in texts)  # two speakers, no question: never one bite


def test_picks_do_not_overlap_each_other_or_kept_soundbites():
    passages = rank_passages(known_transcript(), vocabulary_tokens(NAMES))
    kept = Soundbite(40.0, 20.0, "schon da")
    bites = pick(passages, 5, offset=2.0, keep=[kept])
    assert bites and bites == sorted(bites, key=lambda b: b.start)
    spans = [(b.start, b.end) for b in [*bites, kept]]
    for i, (a, b) in enumerate(spans):
        assert all(b <= c or d <= a for c, d in spans[i + 1 :])
    assert all(MIN_SECONDS <= b.duration <= MAX_SECONDS + 0.2 for b in bites)
    best = passages[0]  # shifted by the offset onto the published audio
    assert any(abs(b.start - (best.start + 2.0)) < 0.1 for b in bites)
    assert bites[0].title.startswith("Jana Albers: Jana Albers arbeitet")


def harmonic(f0: np.ndarray, rate: int) -> np.ndarray:
    phase = 2 * np.pi * np.cumsum(f0) / rate
    return sum(np.sin(k * phase) / k for k in range(1, 6))


def test_prosody_reads_pitch_and_level_movement_from_the_audio(tmp_path):
    rate = 22050
    steady = 0.2 * harmonic(np.full(3 * rate, 150.0), rate)
    glide = np.geomspace(0.05, 0.4, 3 * rate) * harmonic(np.geomspace(100.0, 250.0, 3 * rate), rate)
    path = write_wav(tmp_path / "stimme.wav", np.concatenate([steady, glide]), rate)
    prosody = measure_prosody([path])
    assert len(prosody.level) == pytest.approx(6 / 0.04, abs=2)
    pitch = prosody.pitch[5:70]
    assert np.nanmedian(pitch) == pytest.approx(12 * np.log2(150 / 100), abs=0.5)  # 150 Hz
    flat_pitch, flat_level = prosody.spread(0.2, 2.8)
    moving_pitch, moving_level = prosody.spread(3.2, 5.8)
    assert flat_pitch < 1 and flat_level < 2
    assert moving_pitch > 10 and moving_level > 10  # 100 → 250 Hz is 16 semitones, 0.05 → 0.4 is 18 dB


def test_proposals_on_the_demo_show_are_written_with_comments_kept(transcribed_demo_show):
    demo_show = transcribed_demo_show
    folder = demo_show / SLUG
    file = folder / "episode.toml"
    file.write_text(
        "# Notiz der Redaktion: Titel noch offen\n"
        + file.read_text("utf-8").replace("[[chapters]]", "# Kapitel von Hand\n[[chapters]]", 1),
        encoding="utf-8",
    )
    episode = load_episode(load_show(demo_show), folder)
    bites = propose_soundbites(episode, 2)
    assert 1 <= len(bites) <= 2  # the 64 s demo holds one or two passages of 20-60 s between pauses
    for bite in bites:
        assert MIN_SECONDS <= bite.duration <= MAX_SECONDS + 0.2 and bite.end <= 64.5
    assert all(a.end <= b.start for a, b in zip(bites, bites[1:]))

    reread = write_soundbites(episode, bites)
    assert reread.soundbites == bites and reread.chapters == episode.chapters
    text = file.read_text("utf-8")
    assert text.startswith("# Notiz der Redaktion: Titel noch offen\n") and "# Kapitel von Hand\n" in text

    more = propose_soundbites(reread, 5)
    assert all(b.end <= k.start or k.end <= b.start for b in more for k in bites)
    result = CliRunner().invoke(cli, ["-q", "soundbites", str(folder), "-n", "1", "--replace"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1
    final = load_episode(load_show(demo_show), folder)
    assert len(final.soundbites) == 1 and final.soundbites[0].title in result.output
    assert "# Notiz der Redaktion" in file.read_text("utf-8")


def test_the_command_explains_a_missing_transcript(tiny_show):
    result = CliRunner().invoke(cli, ["soundbites", str(tiny_show / "001-erste-folge")])
    assert result.exit_code == 1
    assert "Error: 001-erste-folge has no transcript" in result.output and "audiokit transcribe" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "table, message",
    [
        ('start = "00:10"\nduration = 20\ntitle = "x"\nende = "00:30"', "soundbites[0].ende' is not a known setting"),
        ('start = "00:10"\nduration = 0\ntitle = "x"', "soundbites[0].duration' is 0"),
        ('start = "00:10"\nduration = 20', "soundbites[0].title' is missing"),
        ('start = "zehn"\nduration = 20\ntitle = "x"', "soundbites[0].start' is not a time"),
        (
            'start = 10\nduration = 20\ntitle = "x"\n\n[[soundbites]]\nstart = "00:10"\nduration = 5\ntitle = "y"',
            "soundbites[1].start' is 10 s, where another soundbite starts too",
        ),
    ],
)
def test_bad_soundbites_are_refused(demo_show, table, message):
    file = demo_show / SLUG / "episode.toml"
    file.write_text(file.read_text("utf-8") + f"\n[[soundbites]]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_episode(load_show(demo_show), demo_show / SLUG)


def test_soundbite_times_are_read_like_chapter_times(demo_show):
    file = demo_show / SLUG / "episode.toml"
    file.write_text(
        file.read_text("utf-8") + '\n[[soundbites]]\nstart = "00:12.5"\nduration = "00:20"\ntitle = "Zu Gast"\n',
        encoding="utf-8",
    )
    [bite] = load_episode(load_show(demo_show), demo_show / SLUG).soundbites
    assert bite == Soundbite(12.5, 20.0, "Zu Gast") and bite.end == 32.5
    assert bite.clip_name == "soundbite-00012500.mp4"


def transcript_of(turns: list[tuple[str, list[str]]], pace: float = 0.6) -> Transcript:
    """Turns one after another, 1.5 s apart."""
    segments, start = [], 0.5
    for speaker, sentences in turns:
        segments.append(turn(speaker, start, sentences, pace=pace))
        start = segments[-1].end + 1.5
    speakers = [TranscriptSpeaker(**vars(s)) for s in SPEAKERS]
    return Transcript("de", start, speakers, segments, {"audiokit": "test", "created": now_iso()})


GREETING = [
    "Hallo und herzlich willkommen zum Werkgespräch, mein Name ist Clara Vogt vom Netzwerk Digitale Gesundheit.",
    "Heute begrüße ich Jana Albers von der Praxisgemeinschaft Nordstadt und Tobias Reimann vom Landesverband.",
    "Schön, dass ihr da seid, Jana Albers und Tobias Reimann.",
]
GOODBYE = [
    "Vielen Dank fürs Zuhören, Jana Albers und Tobias Reimann, und danke an euch beide für das Gespräch.",
    "Bis zum nächsten Mal im Werkgespräch mit Clara Vogt vom Netzwerk Digitale Gesundheit, tschüss.",
    "Die nächste Folge erscheint in zwei Wochen, mit neuen Gästen aus der Praxis und der Apotheke.",
]
CONTENT = [
    "Am Anfang mussten wir jeden Morgen die Karten an den Lesegeräten neu anmelden, das kostete Zeit.",
    "Nach ein paar Wochen saß jeder Handgriff, und heute spart uns das jede Sprechstunde eine halbe Stunde.",
]


def test_greetings_introductions_and_goodbyes_are_not_proposed_first():
    transcript = transcript_of([("S1", GREETING), ("S2", CONTENT), ("S1", GOODBYE)])
    passages = rank_passages(transcript, vocabulary_tokens(NAMES))
    texts = [p.text for p in passages]
    greeting, goodbye, content = (texts.index(" ".join(t)) for t in (GREETING, GOODBYE, CONTENT))
    assert passages[greeting].parts["names"] > passages[content].parts["names"]  # name-rich, yet ranked below
    [best] = pick(passages, 1)
    assert best.title == "Jana Albers: " + CONTENT[0][:70].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    assert content == 0 < greeting and content < goodbye
    assert passages[greeting].framing and passages[goodbye].framing and not passages[content].framing


def test_proposals_are_as_long_as_a_clip_may_be_without_a_warning(caplog):
    """The build renders proposals as clips; a clip under SWEET_SPOT's 20 s is warned about, so none is proposed."""
    from audiokit.clips.render import check_range

    transcript = transcript_of([("S2", CLEAN), ("S3", ANSWER)], pace=0.4)  # 17 s and 12 s of one speaker each
    transcript.segments.append(turn("S1", transcript.duration, CLEAN + ANSWER, pace=0.4))  # 30 s
    bites = pick(rank_passages(transcript, vocabulary_tokens(NAMES)), 5)
    assert bites
    caplog.set_level("WARNING", "audiokit")
    for bite in bites:
        check_range(bite.start, bite.end, 999.0)
    assert not caplog.records, caplog.text


def test_picks_leave_room_for_as_many_as_asked_for():
    """Six sentences of about 11 s: the name-rich third one would, taken with the second, leave room for two."""
    plain = "Wir haben im Team lange darüber gesprochen, wie wir die neuen Abläufe in der Woche gut verteilen können."
    named = "Jana Albers und Tobias Reimann haben uns mit der ePA und dem E-Rezept in der Praxisgemeinschaft Nordstadt geholfen."
    sentences = [plain, plain, named, plain, plain, plain]
    transcript = transcript_of([("S2", sentences)])
    passages = rank_passages(transcript, vocabulary_tokens(NAMES))
    assert named in passages[0].text  # the best passage: here the first three sentences, leaving room for one more
    bites = pick(passages, 3)
    assert len(bites) == 3
    third = transcript.segments[0].words[2 * len(plain.split()) :][: len(named.split())]
    assert any(b.start <= third[0].start and third[-1].end <= b.end for b in bites)  # the names are in one
    assert all(a.end <= b.start for a, b in zip(bites, bites[1:]))


def test_fewer_proposals_than_asked_come_with_the_reason(tiny_show):
    folder = tiny_show / "001-erste-folge"
    transcript_of([("S2", CONTENT + CONTENT[:1])]).save(folder / "transcript.json")  # 30 s of speech
    result = CliRunner().invoke(cli, ["soundbites", str(folder), "-n", "3"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.strip().splitlines()) == 1
    assert "1 of 3 soundbites proposed: the episode has 30 s of speech, too little for 3 passages" in result.stderr
    result = CliRunner().invoke(cli, ["soundbites", str(folder), "-n", "1"])  # the one there takes the room
    assert result.exit_code == 0 and not result.stdout.strip()
    assert "0 of 1 soundbites proposed: the other passages overlap the 1 soundbites episode.toml has" in result.stderr


def test_the_demo_proposes_its_conversation_not_its_greeting_and_says_why_not_three(transcribed_demo_show):
    folder = transcribed_demo_show / SLUG
    result = CliRunner().invoke(cli, ["soundbites", str(folder), "-n", "3"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines and not any("Hallo" in line or "willkommen" in line.lower() for line in lines), lines
    assert f"{len(lines)} of 3 soundbites proposed: only {len(lines)} passages of 20-60 s fit" in result.stderr
