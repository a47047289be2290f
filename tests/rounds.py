"""Long round tables with known speakers: synthetic German (espeak-ng) and real voices with voice samples.

``german_round`` lays out a moderated round of 4-6 espeak-ng voices: the host greets every guest
by name, every guest answers, then the talk goes on with long answers, short replies ("Genau.",
"Ja, danke.") and questions, for as many minutes as asked. ``named_conversation`` is a round table
of real LibriSpeech readers (``conversations.py``) where each reader's first phrases are held back
as that person's voice sample. ``spread_words`` stands in for recognised words when a test or the
benchmark scores attribution without running Whisper: each turn's words spread over its time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import conversations as conv
from audiokit.transcript import Word
from synth import RATE, Turn, Voice, speak, write_wav


@dataclass
class Guest:
    key: str
    name: str
    organisation: str
    voice: Voice


PANEL = [
    Guest("host", "Petra Sommer", "Gesundheitsnetz Lindenau", Voice("edward", pitch=40, speed=150)),
    Guest("lena", "Lena Hartmann", "Hochschule Rheinfeld", Voice("klatt3", pitch=65, speed=145, gain_db=-6.0)),
    Guest("markus", "Markus Brandt", "Klinikum Talheim", Voice("f5", pitch=55, speed=150)),
    Guest("jonas", "Jonas Keller", "Praxis am Markt", Voice("m4", pitch=35, speed=150, gain_db=-3.0)),
    Guest("aylin", "Aylin Demir", "Pflegedienst Nord", Voice("f3", pitch=60, speed=150)),
    Guest("ruth", "Ruth Wagner", "Krankenkasse Süd", Voice("klatt2", pitch=30, speed=155, gain_db=-4.0)),
]

SUBJECTS = [
    "Die elektronische Patientenakte",
    "Das neue Rezept auf dem Telefon",
    "Unsere Videosprechstunde",
    "Die Abrechnung mit den Kassen",
    "Das Netzwerk der Hausärzte",
    "Die Pflege auf dem Land",
    "Der Datenschutz in der Praxis",
    "Die Terminvergabe im Internet",
]
VERBS = [
    "braucht vor allem Geduld, weil",
    "hat uns im letzten Jahr gezeigt, dass",
    "funktioniert erst dann gut, wenn",
    "wird oft unterschätzt, obwohl",
    "kostet am Anfang viel Zeit, aber",
    "lebt davon, dass",
]
CLAUSES = [
    "die Menschen im Wartezimmer wissen wollen, was mit ihren Daten passiert",
    "jede Praxis ihre eigenen Abläufe hat und niemand gern umlernt",
    "die Technik am Montagmorgen manchmal einfach nicht startet",
    "wir die Angehörigen von Anfang an mitnehmen müssen",
    "die Schulungen in kleinen Gruppen viel besser ankommen",
    "die Förderung nur für zwei Jahre zugesagt ist",
    "die Kolleginnen in der Pflege am meisten davon profitieren",
    "ein gutes Gespräch immer noch mehr wert ist als jede Software",
]
REPLIES = ["Genau.", "Ja, danke.", "Absolut.", "Da stimme ich zu.", "Interessant.", "Richtig, ja."]
QUESTIONS = [
    "{first}, wie sehen Sie das?",
    "Und wie war das bei Ihnen, {first}?",
    "{first}, was würden Sie anderen raten?",
    "Was sagen Sie dazu, {first}?",
]


def _sentence(rng: np.random.Generator) -> str:
    return f"{SUBJECTS[rng.integers(len(SUBJECTS))]} {VERBS[rng.integers(len(VERBS))]} {CLAUSES[rng.integers(len(CLAUSES))]}."


def round_turns(panel: list[Guest], minutes: float, seed: int = 1) -> list[Turn]:
    """The script of a moderated round: introductions, then questions, answers and short replies."""
    rng = np.random.default_rng(seed)
    host, guests = panel[0], panel[1:]
    turns = [Turn(host.key, "Herzlich willkommen zum Werkgespräch. Heute sprechen wir über digitale Versorgung.")]
    for guest in guests:
        turns.append(Turn(host.key, f"Bei mir ist {guest.name} von {guest.organisation}."))
        turns.append(Turn(guest.key, f"Hallo, ich bin {guest.name}, schön, dass ich dabei sein darf."))
    seconds = 0.0
    while seconds < minutes * 60:
        guest = guests[rng.integers(len(guests))]
        question = QUESTIONS[rng.integers(len(QUESTIONS))].format(first=guest.name.split()[0])
        answer = " ".join(_sentence(rng) for _ in range(int(rng.integers(1, 7))))
        turns += [Turn(host.key, question), Turn(guest.key, answer)]
        seconds += 4 + 5.5 * len(answer.split()) / 12
        if rng.random() < 0.5:
            other = [g for g in panel if g.key != guest.key][rng.integers(len(panel) - 1)]
            turns.append(Turn(other.key, REPLIES[rng.integers(len(REPLIES))]))
            seconds += 2
    turns.append(Turn(host.key, "Vielen Dank an alle für dieses Gespräch. Bis zum nächsten Mal."))
    return turns


def german_round(
    path: Path, panel: list[Guest], minutes: float, *, seed: int = 1, noise_db: float = -50.0
) -> list[Turn]:
    """Synthesise the round into a 16-bit WAV at ``path`` (streamed to disk); return the timed turns."""
    import wave

    rng = np.random.default_rng(seed)
    voices = {g.key: g.voice for g in panel}
    timed: list[Turn] = []
    cursor = 0.6
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(RATE)

        def put(samples: np.ndarray) -> None:
            noisy = samples + rng.normal(0, 10 ** (noise_db / 20), len(samples)).astype(np.float32)
            fh.writeframes((np.clip(noisy, -1, 1) * 32767).astype("<i2").tobytes())

        put(np.zeros(int(cursor * RATE), np.float32))
        for turn in round_turns(panel, minutes, seed):
            audio = speak(turn.text, voices[turn.speaker])
            pause = float(rng.uniform(0.2, 0.9))
            timed.append(Turn(turn.speaker, turn.text, cursor, cursor + len(audio) / RATE))
            put(np.concatenate([audio, np.zeros(int(pause * RATE), np.float32)]))
            cursor += len(audio) / RATE + pause
    return timed


HOST_SAMPLE = (
    "Guten Abend, hier spricht die Moderation. Ich begrüße Sie herzlich zu unserer Runde über digitale Gesundheit."
)


def voice_sample(path: Path, guest: Guest) -> Path:
    """A voice sample of ``guest``: a sentence that the round does not hold, as a WAV at ``path``."""
    return write_wav(path, speak(HOST_SAMPLE, guest.voice))


def spread_words(turns: list[Turn]) -> list[Word]:
    """The words of every turn, spread evenly over the turn's time (recognised words without Whisper)."""
    words = []
    for turn in turns:
        tokens = turn.text.split() or [""]
        step = (turn.end - turn.start) / len(tokens)
        words += [Word(t, turn.start + i * step, turn.start + (i + 1) * step) for i, t in enumerate(tokens)]
    return words


def speech_words(conversation: conv.Conversation, piece: float = 0.3) -> tuple[list[Word], list[str]]:
    """Text-less words of ``piece`` seconds over every span of speech, with the reader who says each.

    Where two people speak at once a single-track word has two right speakers: such pieces are left out.
    """
    overlaps = conversation.overlaps()
    words, truth = [], []
    for start, end, speaker in sorted(conversation.reference()):
        for t in np.arange(start, end - piece / 2, piece):
            a, b = float(t), float(min(t + piece, end))
            if not any(a < y and x < b for x, y in overlaps):
                words.append(Word("", a, b))
                truth.append(speaker)
    return words, truth


@dataclass
class NamedConversation:
    """A real-voice round table and, per reader, a voice sample that is not part of it."""

    conversation: conv.Conversation
    samples: dict[str, np.ndarray]  # reader id -> 16 kHz samples

    def write_samples(self, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        return {r: write_wav(folder / f"{r}.wav", s, conv.RATE) for r, s in self.samples.items()}


def named_conversation(n: int, seed: int = 0, *, sample_seconds: float = 6.0, **kwargs: object) -> NamedConversation:
    """``conversations.conversation`` of ``n`` readers, each reader's first ``sample_seconds`` held back as a sample."""
    rng = np.random.default_rng(seed)
    pool = [r for r in conv.readers() if len(conv.phrases(r.clip)) >= 4]
    people = [pool[i] for i in rng.permutation(len(pool))[:n]]
    samples, rest = {}, {}
    for reader in people:
        phrases = conv.phrases(reader.clip)
        taken, seconds = 0, 0.0
        while taken < len(phrases) - 2 and seconds < sample_seconds:
            seconds += len(phrases[taken].samples) / conv.RATE
            taken += 1
        samples[reader.id] = np.concatenate([p.samples for p in phrases[:taken]])
        rest[reader.id] = phrases[taken:]
    return NamedConversation(conv.conversation(n, seed, people=people, phrase_lists=rest, **kwargs), samples)


@dataclass
class Listed:
    """A person as episode.toml lists them."""

    name: str
    organisation: str
    role: str
    voice_sample: Path | None = None


def write_episode(root: Path, recording: Path, people: list[Listed]) -> Path:
    """A show at ``root`` with one episode listing ``people``; return the episode folder.

    ``recording`` is moved into the episode folder, the voice samples are copied into it.
    """
    import shutil

    from PIL import Image

    root.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (1400, 1400), (40, 90, 60)).save(root / "cover.png")
    (root / "show.toml").write_text(
        'title = "Werkgespräch"\nauthor = "Testredaktion"\nlanguage = "de"\n'
        'base_url = "https://test.invalid/werk"\ncover = "cover.png"\n',
        "utf-8",
    )
    episode = root / "001-runde"
    (episode / "voices").mkdir(parents=True)
    recording = Path(shutil.move(recording, episode / recording.name))
    lines = ['title = "Runde"', "number = 1", "date = 2026-05-04T19:00:00+02:00", f'recording = "{recording.name}"']
    for p in people:
        lines += ["", "[[speakers]]", f'name = "{p.name}"', f'organisation = "{p.organisation}"', f'role = "{p.role}"']
        if p.voice_sample is not None:
            shutil.copy(p.voice_sample, episode / "voices" / p.voice_sample.name)
            lines.append(f'voice_sample = "voices/{p.voice_sample.name}"')
    (episode / "episode.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return episode


GERMAN = Path(conv.VOICES).parent / "german"


def _pieces(samples: np.ndarray, seconds: float = 2.0) -> list[conv.Phrase]:
    """Speech cut into phrases of about ``seconds`` (the rest of a short clip is one phrase).

    Speech is found over the whole clip, 10 dB over its room tone, so that a piece of room tone is not taken for
    speech (the FLEURS clips hold seconds of it, and one of them is so quiet that all of it is within 30 dB of its
    loudest speech).
    """
    size = int(seconds * conv.RATE)
    speech = conv.speech_spans(samples, over_room=10.0)
    out = []
    for a in range(0, len(samples) - size // 2, size):
        piece = samples[a : a + size]
        start, end = a / conv.RATE, (a + len(piece)) / conv.RATE
        spans = [(max(x, start) - start, min(y, end) - start) for x, y in speech if x < end and y > start]
        spans = [(x, y) for x, y in spans if y - x >= 0.1]
        if spans:
            out.append(conv.Phrase(piece, spans))
    return out


def _speech_start(samples: np.ndarray) -> int:
    """Sample index where Silero VAD first hears speech (the FLEURS clips open with seconds of room tone)."""
    from audiokit.speakers.vad import VAD_FRAME, SpeechFrames

    scores, _ = SpeechFrames().push(samples[: len(samples) // VAD_FRAME * VAD_FRAME])
    return int(np.argmax(scores.ravel() > 0.5)) * VAD_FRAME


def german_conversation(seed: int = 0, *, sample_seconds: float = 3.0, **kwargs: object) -> NamedConversation:
    """Six real German voices (FLEURS readers and Thorsten Müller), each with a voice sample held back.

    FLEURS clip ``N``: its first ``sample_seconds`` of speech are the sample, the rest talks; Thorsten: sample 1
    is the sample, samples 2-7 talk. Clips are normalised to ``conversations.LEVEL_DBFS``.
    """
    clips = {f"fleurs{i}": [GERMAN / f"fleurs-de-00{i}.ogg"] for i in range(5)}
    clips["thorsten"] = [GERMAN / f"recorded_sample_0{i}.flac" for i in range(1, 8)]
    samples, talk = {}, {}
    for key, files in clips.items():
        audio = [conv.decode(f) for f in files]
        audio = [a * np.float32(10 ** (conv.LEVEL_DBFS / 20) / np.sqrt(np.mean(np.square(a)))) for a in audio]
        if len(audio) == 1:
            begin = _speech_start(audio[0])
            cut = begin + int(sample_seconds * conv.RATE)
            samples[key], rest = audio[0][begin:cut], [audio[0][cut:]]
        else:
            samples[key], rest = audio[0], audio[1:]
        talk[key] = [p for a in rest for p in _pieces(a)]
    people = [conv.Reader(key, "", files[0]) for key, files in clips.items()]
    return NamedConversation(conv.conversation(len(people), seed, people=people, phrase_lists=talk, **kwargs), samples)
