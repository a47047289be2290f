"""Round-table recordings made of real voices (``../shared/data/voices``, LibriSpeech, CC BY 4.0).

Each reader's clip is cut at its pauses into phrases; a conversation takes turns of one or two
phrases from 2-10 people, with levels ±6 dB apart, pauses of 0.2-1 s, some 1 s overlaps and
room noise, so that a test knows exactly who speaks when. Clips: LibriSpeech train-clean-100
(V. Panayotov, G. Chen, D. Povey, S. Khudanpur, ICASSP 2015), licensed CC BY 4.0.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers_ffmpeg import ffmpeg

RATE = 16000
VOICES = Path(__file__).resolve().parents[2] / "shared" / "data" / "voices"
FRAME = RATE // 50  # 20 ms
MIN_PAUSE = 0.12  # seconds of quiet between two spans of speech
LEVEL_DBFS = -23.0  # speech level before each speaker's gain


@dataclass
class Reader:
    id: str
    sex: str
    clip: Path


@dataclass
class Phrase:
    samples: np.ndarray
    speech: list[tuple[float, float]]  # spans of speech inside the phrase (seconds)


@dataclass
class Turn:
    speaker: str
    start: float
    end: float
    speech: list[tuple[float, float]] = field(default_factory=list)  # on the recording's timeline


@dataclass
class Conversation:
    """16 kHz mono samples and the truth: who speaks when."""

    samples: np.ndarray
    turns: list[Turn]
    speakers: list[str]

    @property
    def duration(self) -> float:
        return len(self.samples) / RATE

    def reference(self) -> list[tuple[float, float, str]]:
        """Every span of speech as (start, end, speaker)."""
        return [(a, b, t.speaker) for t in self.turns for a, b in t.speech]

    def overlaps(self) -> list[tuple[float, float]]:
        """Spans where two people speak at once."""
        spans = sorted((a, b, s) for a, b, s in self.reference())
        found = []
        for i, (_, b, s) in enumerate(spans):
            for c, d, r in spans[i + 1 :]:
                if c >= b:
                    break
                if r != s and min(b, d) > c:
                    found.append((c, min(b, d)))
        return found

    def write(self, path: Path, *, opus_kbps: int | None = None) -> Path:
        """Write as 16-bit WAV, or (``opus_kbps``) through an Opus encode at that bit rate."""
        pcm = (np.clip(self.samples, -1, 1) * 32767).astype("<i2").tobytes()
        codec = ["-c:a", "pcm_s16le"] if opus_kbps is None else ["-c:a", "libopus", "-b:a", f"{opus_kbps}k"]
        ffmpeg("-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:", *codec, f"file:{path}", input=pcm)
        return path


@functools.lru_cache(maxsize=1)
def readers() -> list[Reader]:
    with open(VOICES / "speakers.tsv", encoding="utf-8") as fh:
        return [Reader(row["reader"], row["sex"], VOICES / row["file"]) for row in csv.DictReader(fh, delimiter="\t")]


@functools.cache
def decode(clip: Path) -> np.ndarray:
    out = ffmpeg("-i", f"file:{clip}", "-f", "f32le", "-ac", "1", "-ar", str(RATE), "pipe:")
    return np.frombuffer(out, np.float32).copy()


def speech_spans(samples: np.ndarray, *, over_room: float | None = None) -> list[tuple[float, float]]:
    """Runs of 20 ms frames louder than 30 dB under the loudest frame, bridging pauses under ``MIN_PAUSE``.

    ``over_room``: frames must also be this many dB over the room tone (the quietest tenth of the frames), for
    clips that hold seconds of audible room tone.
    """
    frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME)
    level = 10 * np.log10(np.square(frames).mean(axis=1) + 1e-12)
    room = -60.0 if over_room is None else float(np.percentile(level, 10)) + over_room
    loud = level > max(level.max() - 30, room, -60)
    spans: list[list[float]] = []
    for i in np.flatnonzero(loud):
        t = i * FRAME / RATE
        if spans and t - spans[-1][1] < MIN_PAUSE:
            spans[-1][1] = t + FRAME / RATE
        else:
            spans.append([t, t + FRAME / RATE])
    return [(a, b) for a, b in spans if b - a >= 0.1]


@functools.cache
def phrases(clip: Path) -> list[Phrase]:
    """The clip cut in the middle of its pauses into phrases of at least 1.2 s, at ``LEVEL_DBFS``."""
    samples = decode(clip)
    spans = speech_spans(samples)
    speech = np.concatenate([samples[int(a * RATE) : int(b * RATE)] for a, b in spans])
    samples = samples * np.float32(10 ** (LEVEL_DBFS / 20) / np.sqrt(np.mean(np.square(speech))))
    cuts, last = [0.0], spans[0][0]
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start - last >= 1.2:
            cuts.append((end + start) / 2)
            last = start
    cuts.append(len(samples) / RATE)
    if len(cuts) > 2 and cuts[-1] - cuts[-2] < 1.2:
        del cuts[-2]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        inside = [(max(s, a) - a, min(e, b) - a) for s, e in spans if e > a and s < b]
        start = inside[0][0]
        piece = samples[int((a + start) * RATE) : int((a + inside[-1][1]) * RATE)]
        out.append(Phrase(piece, [(s - start, e - start) for s, e in inside]))
    return out


def pick_readers(n: int, rng: np.random.Generator, min_seconds: float = 9.0) -> list[Reader]:
    """``n`` readers with clips of at least ``min_seconds``, alternating sex where possible."""
    pool = [r for r in readers() if len(decode(r.clip)) >= min_seconds * RATE]
    chosen = [pool[i] for i in rng.permutation(len(pool))[:n]]
    return chosen


def conversation(
    n: int,
    seed: int = 0,
    *,
    rounds: int = 3,
    overlap: float = 0.2,
    level_db: float = 6.0,
    noise_dbfs: float = -55.0,
    people: list[Reader] | None = None,
    phrase_lists: dict[str, list[Phrase]] | None = None,
) -> Conversation:
    """A round table of ``n`` real voices, each reader's phrases used ``rounds`` times.

    ``people`` and ``phrase_lists`` (reader id -> phrases) replace the readers drawn and their clips' phrases.

    Turns of one or two phrases, the next speaker never the current one; levels drawn within
    ±``level_db``; pauses 0.2-1 s, or with probability ``overlap`` the next turn starts 1 s
    before this one ends; brown room noise at ``noise_dbfs`` RMS.
    """
    rng = np.random.default_rng(seed)
    people = people or pick_readers(n, rng)
    lists = phrase_lists or {r.id: phrases(r.clip) for r in people}
    gains = {r.id: 10 ** (rng.uniform(-level_db, level_db) / 20) for r in people}
    queues = {r.id: [p for _ in range(rounds) for p in rng.permutation(lists[r.id]).tolist()] for r in people}
    pieces: list[tuple[str, float, Phrase]] = []
    cursor, previous, last_end, last_length = 0.8, None, 0.0, 0.0
    while any(queues.values()):
        choices = [s for s, q in queues.items() if q and s != previous] or [s for s, q in queues.items() if q]
        weights = np.array([len(queues[s]) for s in choices], float)
        speaker = choices[rng.choice(len(choices), p=weights / weights.sum())]
        take = [queues[speaker].pop(0) for _ in range(min(len(queues[speaker]), int(rng.integers(1, 3))))]
        length = sum(len(p.samples) / RATE for p in take) + 0.3 * (len(take) - 1)
        if previous is not None and rng.random() < overlap and last_length >= 2.5 and length >= 2.0:
            cursor = last_end - 1.0
        elif previous is not None:
            cursor = last_end + rng.uniform(0.2, 1.0)
        start = cursor
        for phrase in take:
            pieces.append((speaker, cursor, phrase))
            cursor += len(phrase.samples) / RATE + 0.3
        previous, last_end, last_length = speaker, cursor - 0.3, length
    total = int((last_end + 0.8) * RATE)
    samples = np.zeros(total, np.float32)
    turns: list[Turn] = []
    for speaker, start, phrase in pieces:
        a = int(start * RATE)
        samples[a : a + len(phrase.samples)] += phrase.samples * np.float32(gains[speaker])
        speech = [(start + s, start + e) for s, e in phrase.speech]
        if turns and turns[-1].speaker == speaker and start - turns[-1].end < 0.5:
            turns[-1].end, turns[-1].speech = speech[-1][1], turns[-1].speech + speech
        else:
            turns.append(Turn(speaker, speech[0][0], speech[-1][1], speech))
    brown = np.cumsum(rng.normal(size=total)).astype(np.float32)
    brown -= np.convolve(brown, np.ones(401) / 401, mode="same")  # keep the low rumble, drop the drift
    samples += brown * np.float32(10 ** (noise_dbfs / 20) / np.sqrt(np.mean(np.square(brown))))
    return Conversation(samples, turns, [r.id for r in people])
