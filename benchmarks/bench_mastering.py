"""``audiokit master`` against plain ffmpeg and ffmpeg-normalize, side by side on the same recording.

    python benchmarks/bench_mastering.py                         # 10 and 60 min; about 8 min
    python benchmarks/bench_mastering.py --repeat 3 --no-normalize   # medians on a noisy machine
    python benchmarks/bench_mastering.py --minutes 20 --short 3      # a quicker look

Builds 10 and 60 minute 48 kHz stereo 16-bit WAVs of German speech (the espeak-ng dialogue of the
tests, with a guest 10 dB quieter, slow level drift and room noise), then runs on each file, each as
its own process, back to back so that both see the same load:

  1. ffmpeg -i in.wav -c:a libmp3lame -b:a 128k out.mp3            (encoding only, the floor)
  2. audiokit master in.wav --out out.mp3                            (podcast preset, MP3 128k)

and, on the long file, ffmpeg-normalize in.wav --preset podcast -c:a libmp3lame -b:a 128k.

Acceptance: 2 takes at most 1.3x the time of 1 at both lengths (median ratio of the pairs), is at
least 4x faster than ffmpeg-normalize, lands on -16 LUFS ±0.5 LU at ≤ -1 dBTP; its peak memory
stays under 300 MB and flat between the two lengths. Memory is sampled in one extra audiokit run
per length, not in the timed ones (reading /proc every 20 ms costs CPU, more for a tree of seven
processes than for one ffmpeg): the main process's peak RSS (VmHWM) and the PSS of the whole
process tree (ffmpeg children included, shared libraries counted once).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from audiokit.ffmpeg import find_ffmpeg  # noqa: E402
from audiokit.mastering import measure  # noqa: E402
from helpers_mastering import make_dialogue  # noqa: E402
from synth import mix  # noqa: E402

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


def run(cmd: list[str], memory: bool = False) -> tuple[float, float, float, float]:
    """Wall seconds, peak main-process RSS (MB), peak process-tree PSS (MB) and CPU seconds (user +
    system, ffmpeg children included) of ``cmd``; the memory figures are NaN unless ``memory``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    hwm = tree = math.nan
    if memory:
        hwm = tree = 0
        while not (pid := os.wait4(proc.pid, os.WNOHANG))[0]:
            hwm = max(hwm, _status(proc.pid, "VmHWM:"))
            tree = max(tree, sum(_pss(p) for p in _tree(proc.pid)))
            time.sleep(0.02)
        _, status, usage = pid
    else:
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed: {proc.stderr.read().decode()[-2000:]}")
    return seconds, hwm / 1024, tree / 1024, usage.ru_utime + usage.ru_stime


def _plain(src: Path, out: Path) -> list[str]:
    return [find_ffmpeg(), "-v", "error", "-y", "-i", str(src), "-c:a", "libmp3lame", "-b:a", "128k", str(out)]


def paired(src: Path, folder: Path, audiokit: list[str], repeat: int) -> tuple[list[tuple], list[tuple]]:
    """``repeat`` pairs of (plain encode, audiokit master) of ``src``, each pair run back to back, so
    both see the same load on a shared machine."""
    plain, ours = [], []
    for _ in range(repeat):
        plain.append(run(_plain(src, folder / "plain.mp3")))
        ours.append(run(audiokit + [str(src), "--out", str(folder / f"{src.stem}.mp3")]))
    return plain, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the long recording")
    parser.add_argument("--short", type=float, default=10.0, help="length of the short recording")
    parser.add_argument("--repeat", type=int, default=1, help="plain/audiokit pairs per length (median ratio)")
    parser.add_argument("--no-normalize", action="store_true", help="skip ffmpeg-normalize")
    args = parser.parse_args()
    audiokit = [sys.executable, "-c", "from audiokit.cli import main; main()", "--quiet", "master"]
    with tempfile.TemporaryDirectory(prefix="bench-mastering-") as tmp:
        folder = Path(tmp)
        print(f"making {args.short:g} and {args.minutes:g} min 48 kHz stereo WAVs of German speech …", flush=True)
        files = {
            args.short: make_recording(folder / "short.wav", args.short, seed=2),
            args.minutes: make_recording(folder / "long.wav", args.minutes),
        }
        pairs, sampled = {}, {}
        for minutes, src in files.items():
            print(f"running plain ffmpeg / audiokit master on {minutes:g} min, {args.repeat}x …", flush=True)
            pairs[minutes] = paired(src, folder, audiokit, args.repeat)
            sampled[minutes] = run(audiokit + [str(src), "--out", str(folder / f"{src.stem}.mp3")], memory=True)
        if not args.no_normalize:
            print("running ffmpeg-normalize …", flush=True)
            normalize = run(
                [
                    shutil.which("ffmpeg-normalize") or "ffmpeg-normalize",
                    str(files[args.minutes]),
                    "--preset",
                    "podcast",
                    "-c:a",
                    "libmp3lame",
                    "-b:a",
                    "128k",
                    "-o",
                    str(folder / "normalize.mp3"),
                    "-f",
                    "-q",
                ]
            )

        print(f"\n{'':40s} {'wall s':>8s} {'x real time':>11s} {'peak RSS MB':>12s} {'tree PSS MB':>12s} {'CPU s':>7s}")
        ratios = {}
        for minutes, (plain, ours) in pairs.items():
            for label, runs in (
                (f"ffmpeg libmp3lame 128k, {minutes:g} min", plain),
                (f"audiokit master, {minutes:g} min", ours),
                (f"audiokit master, {minutes:g} min, memory run", [sampled[minutes]]),
            ):
                for seconds, rss, pss, cpu in runs:
                    print(
                        f"{label:40s} {seconds:8.1f} {minutes * 60 / seconds:11.1f} {rss:12.0f} {pss:12.0f} {cpu:7.1f}"
                    )
            ratios[minutes] = sorted(o[0] / p[0] for p, o in zip(plain, ours, strict=True))
        if not args.no_normalize:
            print(
                f"{f'ffmpeg-normalize, {args.minutes:g} min':40s} {normalize[0]:8.1f} "
                f"{args.minutes * 60 / normalize[0]:11.1f} {normalize[1]:12.0f} {normalize[2]:12.0f} "
                f"{normalize[3]:7.1f}"
            )
        print()
        for minutes, values in ratios.items():
            print(
                f"audiokit / plain ffmpeg encode, {minutes:g} min: {statistics.median(values):.2f}x median of "
                f"{' '.join(f'{v:.2f}' for v in values)}   (must be <= 1.3)"
            )
        if not args.no_normalize:
            long_ours = statistics.median(o[0] for o in pairs[args.minutes][1])
            print(
                f"ffmpeg-normalize / audiokit, {args.minutes:g} min: {normalize[0] / long_ours:.2f}x   (must be >= 4)"
            )
        peak = {m: run[1:3] for m, run in sampled.items()}
        print(
            f"peak memory {args.short:g} min -> {args.minutes:g} min: main RSS {peak[args.short][0]:.0f} -> "
            f"{peak[args.minutes][0]:.0f} MB, tree PSS {peak[args.short][1]:.0f} -> {peak[args.minutes][1]:.0f} MB"
            "   (must stay <= 300 MB and flat)"
        )
        for src in files.values():
            result = measure(folder / f"{src.stem}.mp3")
            print(
                f"audiokit {src.stem:6s} {result.integrated:6.2f} LUFS  {result.true_peak:6.2f} dBTP  "
                f"LRA {result.lra:4.1f} LU   (must be -16 ±0.5 LUFS, <= -1 dBTP)"
            )


if __name__ == "__main__":
    main()
