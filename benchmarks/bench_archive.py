"""Building a back catalogue: sequential vs ``--workers N`` vs an N-worker Dask LocalCluster.

    python benchmarks/bench_archive.py                          # 12 episodes of 3 minutes, N = 2
    python benchmarks/bench_archive.py --episodes 4 --minutes 1 # a quick run

The archive: the demo episode (real German speech, its speakers, voice sample and chapters)
looped to ``--minutes`` and numbered 1 … ``--episodes``. Each build is ``audiokit -q build`` in its
own process on a fresh copy, timed wall-clock from process start (model loads included). The
cluster is started before its build and is not timed (users bring a running cluster); its
workers load their models in the timed build. Reported: audio hours per wall hour, and the
scaling efficiency ``(sequential wall / parallel wall) / N`` (on a machine with N cores, where a
sequential build already keeps them busy, this measures the overhead, not the gain). The
projection for 1,000 hours assumes N workers each as fast as this whole machine building
sequentially (its measured cost per audio second) and no scheduling loss; for GPU workers it also
assumes Whisper ``--gpu-speedup`` times faster (an assumption, not measured here) and the rest of
the pipeline unchanged, using the measured share of transcription: the sequential build is run
again into a second ``--out``, where every transcript is current (no Whisper, no speaker model), and
the time that saves is the transcription's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from audiokit.ffmpeg import media_path, run_ffmpeg

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "episodes"
EPISODE = "001-epa-im-praxisalltag"
AUDIOKIT = [sys.executable, "-c", "from audiokit.cli import main; main()"]


def make_archive(root: Path, episodes: int, minutes: float) -> Path:
    """The demo show with ``episodes`` copies of its episode, each looped to ``minutes``."""
    show = root / "archive"
    shutil.copytree(DEMO, show, ignore=shutil.ignore_patterns("public", ".*", EPISODE))
    toml = (DEMO / EPISODE / "episode.toml").read_text("utf-8")
    audio = root / "aufnahme.opus"
    run_ffmpeg(
        [
            "-stream_loop",
            "-1",
            "-i",
            media_path(DEMO / EPISODE / "aufnahme.opus"),
            "-t",
            str(minutes * 60),
            "-c:a",
            "libopus",
            "-b:a",
            "48k",
            media_path(audio),
        ]
    )
    for number in range(1, episodes + 1):
        folder = show / f"{number:03d}-folge"
        folder.mkdir()
        shutil.copy(audio, folder / "aufnahme.opus")
        (folder / "episode.toml").write_text(re.sub(r"(?m)^number = 1$", f"number = {number}", toml), "utf-8")
    return show


def timed_build(show: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([*AUDIOKIT, "-q", "build", str(show), *args], check=True, env={**os.environ, "AUDIOKIT_CLUSTER": ""})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--gpu-speedup",
        type=float,
        default=8.0,
        help="assumed speed of Whisper on one GPU worker relative to one CPU worker",
    )
    args = parser.parse_args()
    from distributed import LocalCluster

    n = args.workers
    audio_s = args.episodes * args.minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        source = make_archive(Path(tmp), args.episodes, args.minutes)
        walls: dict[str, float] = {}
        sequential = shutil.copytree(source, Path(tmp, "seq"))
        walls["sequential"] = timed_build(sequential)
        rest = timed_build(sequential, "--out", str(Path(tmp, "seq-out")))  # transcripts current: no Whisper
        walls[f"--workers {n}"] = timed_build(shutil.copytree(source, Path(tmp, "workers")), "--workers", str(n))
        with LocalCluster(n_workers=n, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
            walls[f"LocalCluster({n})"] = timed_build(
                shutil.copytree(source, Path(tmp, "cluster")), "--cluster", cluster.scheduler_address
            )

    print(
        f"archive: {args.episodes} episodes x {args.minutes:g} min = {audio_s / 3600:.2f} h of audio, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'build':<18}{'wall s':>9}{'audio h / wall h':>18}{'efficiency':>12}")
    for name, wall in walls.items():
        efficiency = "" if name == "sequential" else f"{walls['sequential'] / wall / n:.0%}"
        print(f"{name:<18}{wall:>9.1f}{audio_s / wall:>18.1f}{efficiency:>12}")
    cost = walls["sequential"] / audio_s  # worker seconds per audio second, one process
    asr_share = 1 - rest / walls["sequential"]
    gpu_cost = cost * ((1 - asr_share) + asr_share / args.gpu_speedup)
    print(
        f"\nper audio second: {cost:.3f} s on one worker, {asr_share:.0%} of it transcription "
        f"(the same build without it, transcripts current: {rest:.1f} s)"
    )
    print(
        f"projection for 1,000 h on N workers, each like this machine (GPU: Whisper {args.gpu_speedup:g}x "
        "faster, assumed):"
    )
    for workers in (1, 4, 16, 64):
        print(f"  {workers:>3} workers: CPU {1000 * cost / workers:8.1f} h   GPU {1000 * gpu_cost / workers:8.1f} h")


if __name__ == "__main__":
    main()
