"""Editor test material: a show with one spoken German episode and a transcript with word times."""

from __future__ import annotations

import random
from pathlib import Path

from audiokit.scaffold import placeholder_cover
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker, Word, now_iso
from synth import Turn, Voice, dialogue, mix, write_wav

VOICES = {"S1": Voice("m3", pitch=40, speed=165), "S2": Voice("f2", pitch=65, speed=165)}
SPEAKERS = [
    TranscriptSpeaker("S1", "Clara Vogt", "Netzwerk Digitale Gesundheit", "host", 0.9, "voice-sample"),
    TranscriptSpeaker("S2", "Sprecher 2", "", "guest", 0.2, "unresolved"),
]
# Our own text. The second turn contains recognition errors ("E-Pa") to correct in the editor.
TURNS = [
    Turn("S1", "Guten Abend und willkommen in unserer kleinen Runde über Praxissoftware."),
    Turn("S2", "Danke schön. Bei uns läuft die E-Pa seit dem Frühjahr ohne große Probleme."),
    Turn("S1", "Wie haben die Patientinnen und Patienten darauf reagiert?"),
    Turn("S2", "Die meisten waren neugierig, manche hatten Sorge um ihre Daten."),
]


def words_in(text: str, start: float, end: float) -> list[Word]:
    """Spread the words of ``text`` over ``[start, end]`` by length, with small gaps between them."""
    parts = text.split()
    step = (end - start) / sum(len(p) + 1 for p in parts)
    out, cursor = [], start
    for part in parts:
        length = (len(part) + 1) * step
        out.append(Word(part, round(cursor, 3), round(cursor + 0.85 * length, 3), 0.9))
        cursor += length
    return out


def transcript_for(timed: list[Turn], duration: float) -> Transcript:
    return Transcript(
        language="de",
        duration=round(duration, 3),
        speakers=[TranscriptSpeaker(**vars(s)) for s in SPEAKERS],
        segments=[
            Segment(t.speaker, round(t.start, 3), round(t.end, 3), words_in(t.text, t.start, t.end)) for t in timed
        ],
        provenance={"audiokit": "test", "created": now_iso(), "model": "test"},
    )


def make_show(root: Path, *, multitrack: bool = False) -> tuple[Path, Transcript]:
    """A show in ``root`` with episode ``001-runde``: spoken audio and its transcript.json."""
    episode = root / "001-runde"
    episode.mkdir(parents=True)
    placeholder_cover("Runde", 1400).save(root / "cover.png")
    (root / "show.toml").write_text(
        'title = "Testrunde"\nauthor = "Redaktion"\nbase_url = "https://example.org/runde"\ncover = "cover.png"\n\n'
        '[[hosts]]\nname = "Clara Vogt"\norganisation = "Netzwerk Digitale Gesundheit"\n',
        encoding="utf-8",
    )
    tracks, timed = dialogue(TURNS, VOICES, pause=0.4, lead=0.5)
    duration = len(mix(tracks)) / 22050
    toml = 'title = "Die Runde"\nnumber = 1\ndate = 2026-11-10T18:00:00+01:00\n'
    if multitrack:
        for sid, name in (("S1", "Clara Vogt"), ("S2", "Jana Albers")):
            write_wav(episode / f"{sid.lower()}.wav", tracks[sid])
            toml += f'\n[[speakers]]\nname = "{name}"\ntrack = "{sid.lower()}.wav"\n'
    else:
        write_wav(episode / "aufnahme.wav", mix(tracks))
        toml += 'recording = "aufnahme.wav"\n'
    (episode / "episode.toml").write_text(toml, encoding="utf-8")
    transcript = transcript_for(timed, duration)
    transcript.save(episode / "transcript.json")
    return episode, transcript


VOCABULARY = sorted(
    set(
        """
Die Akte und das Rezept sind in der Praxis schon lange ein Thema für alle Beteiligten, weil Daten sicher
fließen müssen. Am Montag kam die Nachricht vom Verband, dass neue Regeln gelten. Viele Kolleginnen
fragten nach Schulungen, Terminen und Kosten. Wir haben deshalb einen Abend organisiert, an dem jede
Praxis ihre Erfahrungen schildern konnte. Besonders hilfreich waren kurze Anleitungen mit Bildern, die
man ausdrucken oder am Tresen zeigen kann. Manchmal hakt die Verbindung zum Server noch; dann hilft
Geduld, ein Neustart oder ein Anruf bei der Hotline. Insgesamt sind wir zufrieden, aber es bleibt viel
zu tun: bessere Software, klarere Zuständigkeiten und mehr Zeit für Gespräche mit Patientinnen.
""".split()
    )
)


def long_transcript(n_segments: int, words_per_segment: int, *, seed: int = 3) -> Transcript:
    """A long synthetic transcript (no audio) with three speakers who sometimes talk twice in a row."""
    rng = random.Random(seed)
    speakers = [TranscriptSpeaker(**vars(s)) for s in SPEAKERS] + [TranscriptSpeaker("S3", "Sprecher 3")]
    segments, t = [], 0.3
    for _ in range(n_segments):
        text = " ".join(rng.choice(VOCABULARY) for _ in range(words_per_segment))
        length = 0.33 * words_per_segment
        speaker = rng.choice(speakers).id
        segments.append(Segment(speaker, round(t, 3), round(t + length, 3), words_in(text, t, t + length)))
        t += length + rng.uniform(0.3, 1.2)
    return Transcript("de", round(t + 1, 3), speakers, segments, {"audiokit": "test", "created": now_iso()})


def open_editor_page(browser, url: str):
    """(context, page, script errors) of the editor at ``url`` in a 1280x900 page, its words loaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector(".turn .w")
    return context, page, errors
