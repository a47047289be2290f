"""German test speech from espeak-ng: dialogues with known speakers, gains, noise and timings."""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 22050  # espeak-ng's native rate


@dataclass
class Voice:
    """An espeak-ng voice: variant, pitch (0-99), speed (words per minute) and gain in dB."""

    variant: str
    pitch: int = 50
    speed: int = 150
    gain_db: float = 0.0


@dataclass
class Turn:
    speaker: str
    text: str
    start: float = 0.0
    end: float = 0.0


def speak(text: str, voice: Voice) -> np.ndarray:
    """Synthesise ``text`` with ``voice``; float32 mono samples at 22.05 kHz."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "t.wav"
        subprocess.run(
            [
                "espeak-ng",
                "-v",
                f"de+{voice.variant}",
                "-p",
                str(voice.pitch),
                "-s",
                str(voice.speed),
                "-w",
                str(wav),
                "--",
                text,
            ],
            check=True,
            capture_output=True,
        )
        with wave.open(str(wav)) as fh:
            assert fh.getframerate() == RATE
            pcm = np.frombuffer(fh.readframes(fh.getnframes()), dtype="<i2")
    return pcm.astype(np.float32) / 32768 * 10 ** (voice.gain_db / 20)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """Write mono or (frames, channels) float samples as 16-bit WAV."""
    samples = np.asarray(samples, dtype=np.float32)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(channels)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def dialogue(
    turns: list[Turn],
    voices: dict[str, Voice],
    *,
    pause: float = 0.5,
    lead: float = 0.6,
    noise_db: float | None = None,
    seed: int = 1,
) -> tuple[dict[str, np.ndarray], list[Turn]]:
    """Lay the turns out one after another; return one track per speaker and timed turns.

    Each track holds only its speaker's speech (all tracks have the same length). Mix them
    with ``mix`` for a single-track recording, or use them as a multitrack recording.
    """
    pieces: list[tuple[str, int, np.ndarray]] = []
    cursor = int(lead * RATE)
    timed = []
    for turn in turns:
        audio = speak(turn.text, voices[turn.speaker])
        pieces.append((turn.speaker, cursor, audio))
        timed.append(Turn(turn.speaker, turn.text, cursor / RATE, (cursor + len(audio)) / RATE))
        cursor += len(audio) + int(pause * RATE)
    total = cursor + int(lead * RATE)
    tracks = {name: np.zeros(total, dtype=np.float32) for name in voices}
    for name, start, audio in pieces:
        tracks[name][start : start + len(audio)] += audio
    if noise_db is not None:
        rng = np.random.default_rng(seed)
        for name in tracks:
            tracks[name] += rng.normal(0, 10 ** (noise_db / 20), total).astype(np.float32)
    return tracks, timed


def mix(tracks: dict[str, np.ndarray]) -> np.ndarray:
    return np.sum(list(tracks.values()), axis=0).astype(np.float32)


def with_bleed(tracks: dict[str, np.ndarray], bleed_db: float = -20.0) -> dict[str, np.ndarray]:
    """Every track also picks up the others at ``bleed_db`` (as headsets in one room do)."""
    factor = 10 ** (bleed_db / 20)
    total = mix(tracks)
    return {name: (track + factor * (total - track)).astype(np.float32) for name, track in tracks.items()}
