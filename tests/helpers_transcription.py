"""Shared material for the transcription tests and benchmark: a German interview, WER, episode folders."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from synth import RATE, Turn, Voice, dialogue, mix, write_wav

VOICES = {
    "Clara Vogt": Voice("edward", pitch=45, speed=150),
    "Jana Albers": Voice("klatt3", pitch=60, speed=145),
    "Tobias Reimann": Voice("m4", pitch=35, speed=150),
}
ORGANISATIONS = {
    "Clara Vogt": "Netzwerk Digitale Gesundheit",
    "Jana Albers": "Praxisgemeinschaft Nordstadt",
    "Tobias Reimann": "Landesverband der Apotheken",
}

# Our own interview text; names and domain terms recur so that glossary effects can be measured.
INTERVIEW = [
    Turn("Clara Vogt", "Willkommen zum Werkgespräch. Mein Name ist Clara Vogt vom Netzwerk Digitale Gesundheit."),
    Turn("Clara Vogt", "Heute begrüße ich Jana Albers von der Praxisgemeinschaft Nordstadt."),
    Turn("Jana Albers", "Danke, Frau Vogt. Ich freue mich, dass ich heute dabei sein kann."),
    Turn("Clara Vogt", "Frau Albers, wie läuft die ePA in Ihrer Praxis nach den ersten Wochen?"),
    Turn("Jana Albers", "Die ePA läuft inzwischen stabil. Am Anfang hatten viele Patienten Fragen zum Datenschutz."),
    Turn("Clara Vogt", "Außerdem ist Tobias Reimann vom Landesverband der Apotheken bei uns. Guten Tag, Herr Reimann."),
    Turn("Tobias Reimann", "Guten Tag, Frau Vogt. Für die Apotheken war das elektronische Rezept der größere Schritt."),
    Turn("Jana Albers", "Da stimme ich Herrn Reimann zu. Die Gematik hat uns die Technik aber rechtzeitig geliefert."),
    Turn(
        "Tobias Reimann", "Die Gematik sollte die Störungen der Telematikinfrastruktur schneller melden, Frau Albers."
    ),
    Turn("Clara Vogt", "Vielen Dank, Frau Albers und Herr Reimann. Das war das Werkgespräch."),
]

# A second, neutral passage for the bias measurement: no glossary terms at all.
NEUTRAL = [
    Turn("Clara Vogt", "Im Sommer fahren viele Menschen mit dem Fahrrad zur Arbeit."),
    Turn("Jana Albers", "Bei Regen bleibt das Rad allerdings oft im Keller stehen."),
    Turn("Clara Vogt", "Die neue Brücke über den Fluss soll im nächsten Frühjahr fertig werden."),
    Turn("Jana Albers", "Bis dahin müssen alle einen Umweg von zwanzig Minuten fahren."),
    Turn("Clara Vogt", "Auf dem Wochenmarkt gibt es jetzt wieder frische Erdbeeren aus der Region."),
    Turn("Jana Albers", "Meine Kinder essen davon jeden Morgen eine ganze Schale zum Frühstück."),
]

_PUNCT = re.compile(r"[^\w\s-]")


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation, for WER."""
    return _PUNCT.sub(" ", text.lower().replace("-", " ")).split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level Levenshtein distance over the reference length."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / max(len(ref), 1)


def reference_text(turns: list[Turn]) -> str:
    return " ".join(t.text for t in turns)


def interview_audio(
    turns: list[Turn] = INTERVIEW, *, noise_db: float | None = -60.0, pause: float = 0.7
) -> tuple[dict[str, np.ndarray], list[Turn]]:
    """Per-speaker tracks (same length) and the timed turns of a synthesised interview."""
    return dialogue(
        turns, {k: v for k, v in VOICES.items() if any(t.speaker == k for t in turns)}, pause=pause, noise_db=noise_db
    )


def write_show(
    root: Path, tracks: dict[str, np.ndarray], *, multitrack: bool = False, extra_episode_toml: str = ""
) -> Path:
    """A show with one episode of ``tracks``; returns the episode folder."""
    from audiokit.scaffold import placeholder_cover

    episode = root / "001-interview"
    episode.mkdir(parents=True)
    placeholder_cover("Test").save(root / "cover.png")
    (root / "show.toml").write_text(
        'title = "Werkgespräch Test"\nauthor = "Redaktion"\nbase_url = "https://example.org/w"\n'
        'cover = "cover.png"\nlanguage = "de"\n\n[transcription]\nmodel = "embedded"\ncpu_threads = 2\n',
        encoding="utf-8",
    )
    lines = ['title = "Interview"', "number = 1", "date = 2026-11-10T18:00:00+01:00"]
    if not multitrack:
        write_wav(episode / "aufnahme.wav", mix(tracks))
        lines.append('recording = "aufnahme.wav"')
    lines.append(extra_episode_toml)
    for name, track in tracks.items():
        lines += ["", "[[speakers]]", f'name = "{name}"', f'organisation = "{ORGANISATIONS[name]}"']
        if multitrack:
            file = name.split()[0].lower() + ".wav"
            write_wav(episode / file, track)
            lines.append(f'track = "{file}"')
    (episode / "episode.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return episode


def room_noise(seconds: float, seed: int = 7) -> np.ndarray:
    """Pink-ish room tone around -45 dBFS with a faint 50 Hz hum: no speech in it."""
    rng = np.random.default_rng(seed)
    white = rng.normal(0, 1, int(seconds * RATE))
    spectrum = np.fft.rfft(white)
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1))
    pink = np.fft.irfft(spectrum, len(white))
    pink *= 10 ** (-45 / 20) / np.sqrt(np.mean(pink**2))
    hum = 10 ** (-55 / 20) * np.sin(2 * np.pi * 50 * np.arange(len(white)) / RATE)
    return (pink + hum).astype(np.float32)


def name_hits(reference: str, hypothesis: str, terms: list[str] | None = None) -> tuple[int, int]:
    """How many words of names and glossary terms in ``reference`` the hypothesis has: (found, total).

    Only the capitalised words of the terms count ("der" in "Landesverband der Apotheken" does not).
    """
    from collections import Counter

    vocabulary = {w.lower() for t in (terms or NAME_TERMS) for w in t.split() if not w.islower()}
    wanted = Counter(w for w in normalise(reference) if w in vocabulary)
    found = Counter(normalise(hypothesis))
    return sum(min(n, found[w]) for w, n in wanted.items()), sum(wanted.values())


NAME_TERMS = [*VOICES, *ORGANISATIONS.values(), "ePA", "Gematik", "Telematikinfrastruktur"]


def batched_stops_early(monkeypatch, cut: list[float] | None = None) -> None:
    """Make faster-whisper's batched decoder end every clip's text after its first three words (as it
    sometimes does), appending to ``cut`` where each clip's text now ends."""
    from faster_whisper import BatchedInferencePipeline

    real = BatchedInferencePipeline.transcribe

    def stops_early(self, *args, **kwargs):
        segments, info = real(self, *args, **kwargs)
        clips = {}
        for segment in segments:
            clips.setdefault(segment.seek, segment)
        for segment in clips.values():
            segment.words = segment.words[:3]
            if cut is not None:
                cut.append(segment.words[-1].end)
        return iter(clips.values()), info

    monkeypatch.setattr(BatchedInferencePipeline, "transcribe", stops_early)
