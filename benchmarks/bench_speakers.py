"""The speaker part of ``transcribe`` against plain faster-whisper, side by side in one run (2 CPU threads).

    python benchmarks/bench_speakers.py            # time: label_words / track_activity vs Whisper, 5.7 min
    python benchmarks/bench_speakers.py --memory   # peak memory of label_words, 5.7 vs 23 min

Time: Whisper (embedded base model, int8, beam 5, VAD, word timestamps, German) on a synthesised
interview, then label_words on its words (cold: model load and voice enrolment included), then
track_activity on the same interview as three tracks with -20 dB bleed. The speaker part must
stay well under 25 % of the Whisper time (the whole transcribe may take at most 1.25x Whisper).
Memory: each run in its own process, words laid out evenly over the true turns.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import helpers_speakers as h  # noqa: E402
from audiokit.ffmpeg import probe  # noqa: E402
from audiokit.speakers import label_words, track_activity  # noqa: E402
from audiokit.transcript import Word  # noqa: E402
from audiokit.workspace import load_show  # noqa: E402


def even_words(turns) -> list[Word]:
    """The turns' words spread evenly over each turn (stand-in for Whisper's words in memory runs)."""
    words = []
    for turn in turns:
        tokens = turn.text.split()
        step = (turn.end - turn.start) / len(tokens)
        words += [Word(t, turn.start + i * step, turn.start + (i + 0.8) * step) for i, t in enumerate(tokens)]
    return words


def speed(tmp: Path, repeats: int) -> None:
    folder, turns = h.make_show(tmp / "single" / "show", turns=h.TURNS * repeats)
    episode = load_show(folder.parent).episodes()[0]
    duration = probe(episode.recording).duration
    model = h.whisper_model()
    start = time.perf_counter()
    words = h.transcribe_words(model, episode.recording)
    whisper = time.perf_counter() - start
    start = time.perf_counter()
    result = label_words(episode, words)
    labelling = time.perf_counter() - start
    multi, _ = h.make_show(tmp / "multi" / "show", multitrack=True, turns=h.TURNS * repeats)
    tracks = load_show(multi.parent).episodes()[0].audio_inputs
    start = time.perf_counter()
    track_activity(tracks)
    activity = time.perf_counter() - start
    names = [{s.id: s.name for s in result.speakers}[x] for x in result.labels]
    print(f"recording: {duration / 60:.1f} min synthesised German interview, 2 CPU threads")
    print(f"{'':42s} {'wall s':>7s} {'x real time':>11s} {'/ Whisper':>9s}")
    for label, seconds in (
        ("faster-whisper transcribe() with words", whisper),
        ("label_words (single track, cold)", labelling),
        ("track_activity (3 tracks)", activity),
    ):
        print(f"{label:42s} {seconds:7.2f} {duration / seconds:11.1f} {seconds / whisper:9.3f}")
    print(f"words with the right name: {h.accuracy(words, turns, names):.1%}")


def peak_rss(folder: Path) -> int:
    """Peak RSS (KiB) of one label_words run in a fresh process (VmHWM: ru_maxrss would inherit ours)."""
    code = (
        f"import sys; sys.path[:0] = [{str(ROOT / 'tests')!r}, {str(ROOT / 'benchmarks')!r}]\n"
        "import bench_speakers as b\n"
        f"b.run_once({str(folder)!r})\n"
        "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.split()[-1])


def run_once(folder: str) -> None:
    episode = load_show(Path(folder).parent).episodes()[0]
    turns = json.loads((Path(folder) / "turns.json").read_text())
    label_words(episode, even_words([h.Turn(**t) for t in turns]))


def memory(tmp: Path, repeats: int) -> None:
    rows = []
    for factor in (1, 4):
        folder, turns = h.make_show(tmp / f"x{factor}" / "show", turns=h.TURNS * repeats * factor)
        (folder / "turns.json").write_text(json.dumps([vars(t) for t in turns]))
        rows.append((probe(load_show(folder.parent).episodes()[0].recording).duration, peak_rss(folder)))
    for seconds, kib in rows:
        print(f"label_words on {seconds / 60:5.1f} min: peak RSS {kib / 1024:6.1f} MiB")
    print(f"ratio: {rows[1][1] / rows[0][1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--repeats", type=int, default=5, help="the 68 s dialogue repeated (5 = 5.7 min)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (memory if args.memory else speed)(Path(tmp), args.repeats)


if __name__ == "__main__":
    main()
