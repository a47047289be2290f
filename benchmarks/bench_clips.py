"""``render_clip``: how long a 60-s square clip of the demo episode takes (target: at most 60 s on 2 cores).

    python benchmarks/bench_clips.py                       # square, ffmpeg filters (crop, overlay, libass)
    python benchmarks/bench_clips.py --renderer pillow     # the fallback: frames drawn with Pillow
    python benchmarks/bench_clips.py --layout portrait

Copies the demo show (``episodes/``, with its transcript) to a temporary folder and renders seconds
2-62 of its episode with captions, from the recording (the demo show is not built). Prints the wall
time of every step (as the progress labels name them) and the total.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from audiokit.clips import LAYOUTS, render_clip  # noqa: E402
from audiokit.workspace import load_show  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=list(LAYOUTS), default="square")
    parser.add_argument("--renderer", choices=["auto", "ffmpeg", "pillow"], default="auto")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        show = Path(tmp) / "show"
        shutil.copytree(ROOT / "episodes", show, ignore=shutil.ignore_patterns("public", ".audiokit"))
        episode = load_show(show).episodes()[0]
        steps: list[tuple[str, float]] = []

        def progress(label: str, total: float):
            steps.append((label, time.perf_counter()))
            return lambda done: None

        began = time.perf_counter()
        result = render_clip(
            episode,
            2.0,
            2.0 + args.seconds,
            args.layout,
            Path(tmp) / "clip.mp4",
            progress=progress,
            renderer=args.renderer,
        )
        total = time.perf_counter() - began
        marks = [("(cutting the excerpt)", began), *steps, ("", began + total)]
        for (label, at), (_, following) in zip(marks, marks[1:]):
            print(f"{following - at:7.1f} s  {label}")
        print(
            f"{total:7.1f} s  total for a {result.duration:.1f} s {args.layout} clip "
            f"({result.loudness:.1f} LUFS, {result.true_peak:.1f} dBTP, "
            f"{result.path.stat().st_size / 1e6:.1f} MB); target: at most 60 s"
        )
    return 0 if total <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
