"""Real speech (``../shared/data``) with noise we make — fan and hum, babble, keyboard clicks, room
reverb — for the denoiser tests and benchmark, and the measures: SI-SDR against the clean speech, WER."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import signal

from audiokit.ffmpeg import stream_pcm

RATE = 48000
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VOICES, GERMAN = DATA / "voices" / "clips", DATA / "german"
MISSING = f"real speech not found in {DATA} (the shared data sets sit beside the project)"


def load(path: Path, rate: int = RATE) -> np.ndarray:
    """A clip as mono float32 at ``rate``."""
    return np.concatenate(list(stream_pcm(path, sample_rate=rate, channels=1)))[:, 0]


def english(count: int, skip: int = 0) -> list[Path]:
    """``count`` LibriSpeech clips (each a different reader)."""
    return sorted(VOICES.glob("*.flac"))[skip : skip + count]


@functools.lru_cache(maxsize=1)
def german_texts() -> dict[str, str]:
    """Reference text of each German clip."""
    return {name: entry["text"] for name, entry in json.loads((GERMAN / "texts.json").read_text()).items()}


def fan(n: int, rng: np.random.Generator) -> np.ndarray:
    """A fan: low-passed brown-ish noise, and mains hum at 50 Hz with its harmonics."""
    rumble = signal.sosfilt(signal.butter(2, [40, 3000], "bandpass", fs=RATE, output="sos"), rng.normal(size=n))
    rumble = signal.lfilter([1.0], [1.0, -0.9], rumble)
    t = np.arange(n) / RATE
    hum = sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 9))
    return rumble / rumble.std() + 0.5 * hum / np.std(hum)


def babble(n: int, rng: np.random.Generator) -> np.ndarray:
    """Four other people talking at once (LibriSpeech readers not used as the speech)."""
    out = np.zeros(n)
    for path in english(4, skip=60):
        voice = load(path)
        voice = np.roll(np.resize(voice, n), rng.integers(n)) / (voice.std() + 1e-9)
        out += voice
    return out


def keyboard(n: int, rng: np.random.Generator) -> np.ndarray:
    """Typing: about seven key clicks a second, each a few milliseconds of high-passed decaying noise."""
    out = np.zeros(n)
    click = round(0.006 * RATE)
    decay = np.exp(-np.arange(click) / (0.0012 * RATE))
    for start in np.cumsum(rng.exponential(RATE / 7, size=n * 7 // RATE + 1)).astype(int):
        if start + click <= n:
            out[start : start + click] += rng.normal(size=click) * decay * rng.uniform(0.3, 1.0)
    return signal.sosfilt(signal.butter(2, 800, "highpass", fs=RATE, output="sos"), out)


def reverb(speech: np.ndarray, rng: np.random.Generator, rt60: float = 0.6) -> np.ndarray:
    """``speech`` in an echoing room: convolved with exponentially decaying noise after the direct sound,
    as loud as the direct sound (a direct-to-reverberant ratio of 0 dB)."""
    t = np.arange(1, round(rt60 * RATE)) / RATE
    tail = rng.normal(size=len(t)) * np.exp(-6.9 * t / rt60)
    response = np.concatenate([[1.0], tail / np.sqrt(np.sum(tail**2))])
    return signal.fftconvolve(speech, response)[: len(speech)]


NOISES: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "fan": fan,
    "babble": babble,
    "keyboard": keyboard,
}


def noisy(speech: np.ndarray, kind: str, snr: float = 5.0, seed: int = 0) -> np.ndarray:
    """``speech`` with noise of ``kind`` ("fan", "babble", "keyboard" at ``snr`` dB; "reverb"; "clean")."""
    rng = np.random.default_rng(seed)
    if kind == "clean":
        return speech.astype(np.float32)
    if kind == "reverb":
        wet = reverb(speech, rng)
        return (wet * speech.std() / wet.std()).astype(np.float32)
    noise = NOISES[kind](len(speech), rng)
    noise *= speech.std() / noise.std() * 10 ** (-snr / 20)
    return (speech + noise).astype(np.float32)


def si_sdr(reference: np.ndarray, estimate: np.ndarray, max_lag: int = 0) -> float:
    """Scale-invariant signal-to-distortion ratio (dB) of ``estimate`` against ``reference``, the
    estimate shifted first by the lag (at most ``max_lag`` samples) that best matches them."""
    if max_lag:
        size = len(reference) + len(estimate)
        corr = np.fft.irfft(np.fft.rfft(estimate, size) * np.conj(np.fft.rfft(reference, size)), size)
        lag = int(np.argmax(np.abs(np.concatenate([corr[-max_lag:], corr[: max_lag + 1]])))) - max_lag
        estimate = estimate[lag:] if lag >= 0 else np.concatenate([np.zeros(-lag), estimate])
    n = min(len(reference), len(estimate))
    ref, est = reference[:n].astype(np.float64), estimate[:n].astype(np.float64)
    target = ref * np.dot(est, ref) / np.dot(ref, ref)
    return float(10 * np.log10(np.sum(target**2) / np.sum((est - target) ** 2)))


def transcribe(model: object, audio: np.ndarray) -> str:
    """Plain faster-whisper (German, beam 5, no VAD) on 48 kHz ``audio``."""
    speech = signal.resample_poly(audio, 1, 3).astype(np.float32)
    segments, _ = model.transcribe(speech, language="de", beam_size=5)  # type: ignore[attr-defined]
    return " ".join(s.text for s in segments)
