"""Signals and measurements shared by the mastering tests: conformance sines, a German dialogue
with a quiet guest (espeak-ng via tests/synth.py), and decoding/measuring of results."""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from audiokit.ffmpeg import find_ffmpeg, media_path, probe, stream_pcm
from audiokit.mastering.loudness import LoudnessMeter
from synth import Turn, Voice, dialogue

VOICES = {
    "moderatorin": Voice("f2", pitch=55, speed=150),
    "leise": Voice("m3", pitch=40, speed=145, gain_db=-10.0),  # the guest on a quiet headset
    "gast": Voice("klatt2", pitch=35, speed=155, gain_db=-2.0),
}

TURNS = [
    Turn("moderatorin", "Willkommen zur neuen Folge. Heute geht es um Wärmepumpen in alten Mehrfamilienhäusern."),
    Turn("leise", "Danke schön. Wir haben im letzten Winter drei Gebäude aus den fünfziger Jahren umgerüstet."),
    Turn("gast", "Bei uns im Stadtwerk sehen wir, dass die Netze dafür früher verstärkt werden müssen als gedacht."),
    Turn("moderatorin", "Was war die größte Überraschung auf der Baustelle?"),
    Turn("leise", "Dass die alten Heizkörper fast überall gereicht haben, wenn die Vorlauftemperatur sinkt."),
    Turn("gast", "Das deckt sich mit unseren Messungen, solange die Fenster ordentlich gedämmt sind."),
]


def to_48k(samples: np.ndarray) -> np.ndarray:
    """espeak's 22.05 kHz to 48 kHz."""
    return resample_poly(samples, 320, 147, axis=0).astype(np.float32)


def write_pcm(path: Path, samples: np.ndarray, rate: int = 48000, codec: str = "pcm_s16le") -> Path:
    """Write float samples (frames[, channels]) with ffmpeg in the format ``path``'s suffix names."""
    samples = np.asarray(samples, dtype=np.float32)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    cmd = [find_ffmpeg(), "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0"]
    cmd += ["-c:a", codec] if path.suffix == ".wav" else []
    subprocess.run(cmd + [media_path(path)], input=samples.tobytes(), check=True)
    return path


def sine(freq: float, dbfs: float, seconds: float, rate: int = 48000, channels: int = 2, phase: float = 0.0):
    t = np.arange(round(seconds * rate)) / rate
    wave = (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)
    return wave if channels == 1 else np.repeat(wave[:, None], channels, axis=1)


def make_dialogue(noise_db: float = -65.0) -> tuple[dict[str, np.ndarray], list[Turn]]:
    """The test dialogue at 48 kHz: one mono track per speaker and the timed turns."""
    tracks, turns = dialogue(TURNS, VOICES, pause=0.7, noise_db=noise_db)
    return {name: to_48k(track) for name, track in tracks.items()}, turns


def decode(path: Path, channels: int | None = None) -> tuple[np.ndarray, int]:
    """A short file fully decoded at its own rate: (frames, channels) float32 and the rate."""
    info = probe(path)
    channels = channels or info.channels
    blocks = list(stream_pcm(path, sample_rate=info.sample_rate, channels=channels))
    return np.concatenate(blocks), info.sample_rate


def loudness(samples: np.ndarray, rate: int, dual_mono: bool = True) -> float:
    samples = samples if samples.ndim == 2 else samples[:, None]
    meter = LoudnessMeter(rate, samples.shape[1], dual_mono=dual_mono, true_peak=False)
    meter.add(np.ascontiguousarray(samples, dtype=np.float32))
    return meter.result().integrated


def turn_loudness(samples: np.ndarray, rate: int, turns: list[Turn], offset: float) -> dict[int, float]:
    """Integrated loudness of every turn, found at its recording time plus ``offset``."""
    return {
        i: loudness(samples[round((t.start + offset) * rate) : round((t.end + offset) * rate)], rate)
        for i, t in enumerate(turns)
    }


def ffmpeg_loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak of ``path`` as ffmpeg's own ebur128 filter measures them."""
    proc = subprocess.run(
        [
            find_ffmpeg(),
            "-nostats",
            "-hide_banner",
            "-i",
            media_path(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))
    return integrated, peak


@contextlib.contextmanager
def warnings_to(caplog) -> Iterator[None]:
    """Route audiokit's warnings into ``caplog`` (the CLI switches the logger's propagation off)."""
    logger = logging.getLogger("audiokit")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger="audiokit"):
            yield
    finally:
        logger.removeHandler(caplog.handler)
