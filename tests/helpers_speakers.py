"""Synthetic German interviews for the speaker tests: a show folder, Whisper words and scoring."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from audiokit.transcript import Word
from helpers_ffmpeg import encode_opus
from synth import Turn, Voice, dialogue, mix, speak, with_bleed, write_wav


@dataclass
class Person:
    key: str
    name: str
    organisation: str
    role: str
    voice: Voice


# Distinct to the encoder (see test_speakers_voices.py); the first guest is 10 dB quieter.
HOST = Person("host", "Petra Sommer", "Energieagentur Lindenau", "host", Voice("edward", pitch=40, speed=150))
GUEST_A = Person(
    "lena", "Lena Hartmann", "Hochschule Rheinfeld", "guest", Voice("klatt3", pitch=65, speed=145, gain_db=-10.0)
)
GUEST_B = Person("markus", "Markus Brandt", "Gemeinde Talheim", "guest", Voice("f5", pitch=55, speed=150))
PEOPLE = [HOST, GUEST_A, GUEST_B]
VOICES = {p.key: p.voice for p in PEOPLE}

TURNS = [
    Turn(
        "host", "Guten Abend und willkommen zur Werkstattrunde. Heute geht es um die Wärmeplanung in kleinen Gemeinden."
    ),
    Turn(
        "host",
        "Bei mir ist Lena Hartmann von der Hochschule Rheinfeld. Außerdem begrüße ich Markus Brandt aus Talheim.",
    ),
    Turn("lena", "Vielen Dank, ich freue mich sehr über die Einladung."),
    Turn("markus", "Hallo zusammen, schön, dass ich dabei sein darf."),
    Turn("host", "Frau Hartmann, wo fangen Gemeinden am besten an?"),
    Turn(
        "lena",
        "Mit einer ehrlichen Bestandsaufnahme. Man braucht das Baujahr der Gebäude, die Heizungsart und den Verbrauch der letzten Jahre.",
    ),
    Turn("host", "Herr Brandt, wie war das bei Ihnen im Rathaus?"),
    Turn(
        "markus",
        "Wir hatten kaum Personal. Deshalb haben wir zuerst die Schornsteinfeger gefragt, denn die kennen jede Heizung im Ort.",
    ),
    Turn("lena", "Das ist ein guter Weg, weil die Daten dann schon geprüft sind."),
    Turn("host", "Und was kostet so eine Planung ungefähr?"),
    Turn(
        "markus",
        "Für unser Dorf mit dreitausend Einwohnern waren es etwa vierzigtausend Euro, zum größten Teil gefördert.",
    ),
    Turn("host", "Danke Ihnen beiden für das Gespräch. Bis zum nächsten Mal."),
]

HOST_SAMPLE = (
    "Hier spricht Petra Sommer. Ich moderiere die Werkstattrunde und rede mit meinen Gästen "
    "über Energie, Klima und Verwaltung in den Kommunen."
)
NOISE_DB = -50.0


def make_show(
    root: Path,
    *,
    multitrack: bool = False,
    enrol_host: bool = True,
    people: list[Person] = PEOPLE,
    turns: list[Turn] = TURNS,
) -> tuple[Path, list[Turn]]:
    """Write a show with one interview episode; return the episode folder and the timed turns."""
    root.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1400, 1400), (40, 90, 60)).save(root / "cover.png")
    tracks, timed = dialogue(turns, {p.key: p.voice for p in people}, noise_db=NOISE_DB)
    sample_line = ""
    if enrol_host:
        (root / "voices").mkdir()
        write_wav(root / "voices" / "host.wav", speak(HOST_SAMPLE, HOST.voice))
        sample_line = 'voice_sample = "voices/host.wav"\n'
    (root / "show.toml").write_text(
        'title = "Werkstattrunde"\nauthor = "Testredaktion"\nlanguage = "de"\n'
        'base_url = "https://test.invalid/werkstatt"\ncover = "cover.png"\n\n'
        f'[[hosts]]\nname = "{HOST.name}"\norganisation = "{HOST.organisation}"\n{sample_line}',
        "utf-8",
    )
    episode = root / "001-waermeplanung"
    episode.mkdir()
    lines = ['title = "Wärmeplanung im Dorf"', "number = 1", "date = 2026-05-04T19:00:00+02:00"]
    if multitrack:
        for p, track in with_bleed(tracks, -20.0).items():
            write_wav(episode / f"{p}.wav", track)
    else:
        write_wav(episode / "mix.wav", mix(tracks))
        encode_opus(episode / "mix.wav", episode / "aufnahme.opus")
        (episode / "mix.wav").unlink()
        lines.append('recording = "aufnahme.opus"')
    for p in people:
        lines += ["", "[[speakers]]", f'name = "{p.name}"', f'organisation = "{p.organisation}"', f'role = "{p.role}"']
        if multitrack:
            lines.append(f'track = "{p.key}.wav"')
    (episode / "episode.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return episode, timed


def gate(track: Path, regions: list[tuple[float, float]], target: Path) -> Path:
    """Silence ``track`` outside ``regions`` (what a multitrack transcriber does with track_activity)."""
    with wave.open(str(track)) as fh:
        rate = fh.getframerate()
        samples = np.frombuffer(fh.readframes(fh.getnframes()), "<i2").astype(np.float32) / 32768
    keep = np.zeros(len(samples), bool)
    for start, end in regions:
        keep[int(start * rate) : int(end * rate)] = True
    return write_wav(target, np.where(keep, samples, 0.0), rate)


def whisper_model():
    from faster_whisper import WhisperModel

    from audiokit.models import resolve_model

    return WhisperModel(str(resolve_model().path), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe_words(model, path: Path) -> list[Word]:
    """Words with times from the real Whisper model (German, word timestamps, VAD)."""
    segments, _ = model.transcribe(str(path), language="de", word_timestamps=True, vad_filter=True, beam_size=5)
    return [Word(w.word.strip(), w.start, w.end, w.probability) for s in segments for w in s.words if w.word.strip()]


def truth(words: list[Word], turns: list[Turn]) -> list[str]:
    """The speaker key of the turn holding each word's midpoint (nearest turn in a pause)."""
    keys = []
    for w in words:
        mid = (w.start + w.end) / 2
        keys.append(min(turns, key=lambda t: max(t.start - mid, mid - t.end, 0.0)).speaker)
    return keys


def accuracy(words: list[Word], turns: list[Turn], names: list[str], people: list[Person] = PEOPLE) -> float:
    """Share of words whose speaker name is the name of the person who said them."""
    name_of = {p.key: p.name for p in people}
    expected = [name_of[k] for k in truth(words, turns)]
    return float(np.mean([a == b for a, b in zip(expected, names)])) if words else 0.0
