"""``audiokit master`` against plain ffmpeg and ffmpeg-normalize, side by side on the same recording.

    python benchmarks/bench_mastering.py                # 60 min (plus 10 min for memory); about 8 min
    python benchmarks/bench_mastering.py --minutes 10   # a quicker look

Builds a 48 kHz stereo 16-bit WAV of German speech (the espeak-ng dialogue of the tests, with a
guest 10 dB quieter, slow level drift and room noise), then runs on that same file, one after the
other, each as its own process:

  1. ffmpeg -i in.wav -c:a libmp3lame -b:a 128k out.mp3            (encoding only, the floor)
  2. ffmpeg-normalize in.wav --preset podcast -c:a libmp3lame -b:a 128k -o out.mp3
  3. audiokit master in.wav --out out.mp3                            (podcast preset, MP3 128k)

Acceptance: 3 takes at most 1.5x the time of 1 and is at least 4x faster than 2; the peak memory
of 3 stays under 300 MB and flat between a 10 and a 60 minute recording. Memory is sampled from
/proc every 20 ms: the main process's peak RSS (VmHWM) and the PSS of the whole process tree
(ffmpeg children included, shared libraries counted once).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers_mastering import make_dialogue  # noqa: E402
from synth import mix  # noqa: E402

from audiokit.ffmpeg import find_ffmpeg  # noqa: E402
from audiokit.mastering import measure  # noqa: E402

RATE = 48000


def make_recording(path: Path, minutes: float, seed: int = 1) -> Path:
    """Repeat the test dialogue to ``minutes``, each pass with its own level drift and fresh noise,
    written block by block (the benchmark itself never holds the whole recording)."""
    tracks, _ = make_dialogue(noise_db=None)
    base = mix(tracks)
    rng = np.random.default_rng(seed)
    total = round(minutes * 60 * RATE)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        written = 0
        while written < total:
            n = min(len(base), total - written)
            drift = 10 ** (np.linspace(*rng.uniform(-4, 4, 2), n) / 20)
            left = base[:n] * drift + rng.normal(0, 10 ** (-62 / 20), n)
            stereo = np.stack([left, 0.92 * left + rng.normal(0, 10 ** (-66 / 20), n)], axis=1)
            out.writeframes((np.clip(stereo, -1, 1) * 32767).astype("<i2").tobytes())
            written += n
    return path


def _status(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith(key))
    except (OSError, StopIteration):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def _tree(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            children = [int(c) for c in fh.read().split()]
    except OSError:
        children = []
    return [pid] + [p for c in children for p in _tree(c)]


def run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak main-process RSS (MB) and peak process-tree PSS (MB) of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm = tree = 0
    while proc.poll() is None:
        hwm = max(hwm, _status(proc.pid, "VmHWM:"))
        tree = max(tree, sum(_pss(p) for p in _tree(proc.pid)))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {proc.stderr.read().decode()[-2000:]}")
    return seconds, hwm / 1024, tree / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the main recording")
    parser.add_argument("--short", type=float, default=10.0, help="length of the memory comparison recording")
    args = parser.parse_args()
    audiokit = [sys.executable, "-c", "from audiokit.cli import main; main()", "--quiet", "master"]
    with tempfile.TemporaryDirectory(prefix="bench-mastering-") as tmp:
        folder = Path(tmp)
        print(f"making {args.minutes:g} and {args.short:g} min 48 kHz stereo WAVs of German speech …", flush=True)
        long = make_recording(folder / "long.wav", args.minutes)
        short = make_recording(folder / "short.wav", args.short, seed=2)
        runs = {
            "ffmpeg libmp3lame 128k (encode only)":
                [find_ffmpeg(), "-v", "error", "-y", "-i", str(long), "-c:a", "libmp3lame", "-b:a", "128k",
                 str(folder / "plain.mp3")],
            "ffmpeg-normalize --preset podcast":
                [shutil.which("ffmpeg-normalize") or "ffmpeg-normalize", str(long), "--preset", "podcast",
                 "-c:a", "libmp3lame", "-b:a", "128k", "-o", str(folder / "normalize.mp3"), "-f", "-q"],
            "audiokit master (podcast, mp3 128k)": audiokit + [str(long), "--out", str(folder / "audiokit.mp3")],
        }
        results = {}
        for label, cmd in runs.items():
            print(f"running {label} …", flush=True)
            results[label] = run(cmd)
        short_run = run(audiokit + [str(short), "--out", str(folder / "short.mp3")])

        plain, normalize, ours = (results[k][0] for k in runs)
        print(f"\nrecording: {args.minutes:g} min, 48 kHz stereo 16-bit WAV, {long.stat().st_size / 1e6:.0f} MB")
        print(f"{'':40s} {'wall s':>8s} {'x real time':>11s} {'peak RSS MB':>12s} {'tree PSS MB':>12s}")
        for label, (seconds, rss, pss) in results.items():
            print(f"{label:40s} {seconds:8.1f} {args.minutes * 60 / seconds:11.1f} {rss:12.0f} {pss:12.0f}")
        print(f"{f'audiokit master, {args.short:g} min':40s} {short_run[0]:8.1f} "
              f"{args.short * 60 / short_run[0]:11.1f} {short_run[1]:12.0f} {short_run[2]:12.0f}")
        print(f"\naudiokit / plain ffmpeg encode: {ours / plain:.2f}x   (must be <= 1.5)")
        print(f"ffmpeg-normalize / audiokit:    {normalize / ours:.2f}x   (must be >= 4)")
        print(f"peak memory {args.short:g} min -> {args.minutes:g} min: main RSS {short_run[1]:.0f} -> "
              f"{results[list(runs)[2]][1]:.0f} MB, tree PSS {short_run[2]:.0f} -> {results[list(runs)[2]][2]:.0f} MB"
              "   (must stay <= 300 MB and flat)")
        for name in ("audiokit.mp3", "normalize.mp3"):
            result = measure(folder / name)
            print(f"{name:14s} {result.integrated:6.2f} LUFS  {result.true_peak:6.2f} dBTP  LRA {result.lra:4.1f} LU")


if __name__ == "__main__":
    main()
