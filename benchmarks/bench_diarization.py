"""audiokit diarize vs GE2E windows + Google's spectralcluster, side by side in one run, on real voices.

    python benchmarks/bench_diarization.py             # 2, 3, 4, 6, 8, 10 people x seeds 1-2, one also through Opus
    python benchmarks/bench_diarization.py --quick     # one seed: 6 round tables + the Opus one
    python benchmarks/bench_diarization.py --seeds 4   # seeds 1-4
    python benchmarks/bench_diarization.py --parts meetings,named --long   # real meetings; named rounds of 35 and 60 min

On a busy machine set OPENBLAS_NUM_THREADS=1: multi-threaded OpenBLAS eig under CPU contention
takes up to 25x longer and swamps the timings (both systems run np.linalg.eig in spectralcluster).

Recordings: round tables of real LibriSpeech readers (tests/conversations.py), written to files;
the 6-person table of the first seed is also passed through Opus 24 kbit/s. Systems: audiokit
``diarize`` with the count estimated and with the count given, and the plain recipe from
Resemblyzer's README with the same voice encoder: ``embed_speech`` windows clustered by
``SpectralClusterer`` in the ICASSP-2018 configuration (1-10 clusters, or exactly the count),
each window labelled, labelled windows merged into turns. Scores: pyannote.metrics DER with
collar 0.25 s (pyannote centres it: +-0.125 s around each reference boundary), overlap scored,
split into miss / false alarm / confusion in % of reference speech; overlap recall / precision
by time against the true overlaps. Models are loaded before timing; wall times of the baseline
include its embedding pass. Targets (issue 9), count estimated: exact on >= 90 % of mixtures,
never off by more than one, confusion <= 3 % (<= 2 % with the count given).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyannote.core import Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate
from spectralcluster import configs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from audiokit.speakers import diarize  # noqa: E402
from audiokit.speakers.embeddings import SpeechEmbeddings, embed_speech  # noqa: E402
from conversations import Conversation, conversation  # noqa: E402
from diarization_real import annotation, meetings, named_episodes  # noqa: E402

SIZES = (2, 3, 4, 6, 8, 10)
OPUS_SIZE, OPUS_KBPS = 6, 24
MAX_SPEAKERS = 10
BASELINE = "spectralcluster, count estimated"
Span = tuple[float, float]


@dataclass
class Mixture:
    name: str
    path: Path
    truth: Conversation


@dataclass
class Outcome:
    """One system on one mixture."""

    turns: list[tuple[float, float, object]]
    overlaps: list[Span] | None  # None: the system does not mark overlap
    wall: float  # seconds
    cpu: float  # seconds of CPU, all threads (less disturbed than wall time by other load)


@dataclass
class Score:
    mixture: Mixture
    system: str
    found: int
    der: dict[str, float]
    overlap: tuple[float, float, float] | None  # shared, true, found seconds
    wall: float
    cpu: float

    def share(self, component: str) -> float:
        return 100 * self.der[component] / self.der["total"]


def mixtures(tmp: Path, seeds: list[int]) -> list[Mixture]:
    out = []
    for seed in seeds:
        for n in SIZES:
            truth = conversation(n, seed)
            out.append(Mixture(f"{n} people, seed {seed}", truth.write(tmp / f"{n}-{seed}.wav"), truth))
            if seed == seeds[0] and n == OPUS_SIZE:
                path = truth.write(tmp / f"{n}-{seed}.opus", opus_kbps=OPUS_KBPS)
                out.append(Mixture(f"{n} people, seed {seed}, Opus {OPUS_KBPS}k", path, truth))
    return out


def window_turns(emb: SpeechEmbeddings, labels: np.ndarray) -> list[tuple[float, float, object]]:
    """Each window's stretch, cut halfway into its overlap with its neighbours; same-label neighbours merged."""
    order = np.argsort(emb.starts, kind="stable")
    starts, ends, labels = emb.starts[order], emb.ends[order], labels[order]
    turns: list[list] = []
    for i, label in enumerate(labels.tolist()):
        a = (starts[i] + ends[i - 1]) / 2 if i and starts[i] < ends[i - 1] else starts[i]
        b = (starts[i + 1] + ends[i]) / 2 if i + 1 < len(starts) and starts[i + 1] < ends[i] else ends[i]
        if turns and turns[-1][2] == label and a <= turns[-1][1] + 1e-6:
            turns[-1][1] = b
        else:
            turns.append([float(a), float(b), label])
    return [tuple(t) for t in turns]


def spectral(emb: SpeechEmbeddings, count: int | None) -> np.ndarray:
    clusterer = configs.SpectralClusterer(
        min_clusters=count or 1,
        max_clusters=count or MAX_SPEAKERS,
        autotune=None,
        laplacian_type=None,
        refinement_options=configs.icassp2018_refinement_options,
        custom_dist="cosine",
    )
    return clusterer.predict(emb.vectors)


def clock() -> np.ndarray:
    """Wall and CPU seconds so far."""
    return np.array([time.perf_counter(), time.process_time()])


def run_baseline(path: Path, counts: dict[str, int | None]) -> dict[str, Outcome]:
    """One embedding pass, clustered once per entry of ``counts``; each time includes the embedding."""
    start = clock()
    emb = embed_speech(path)
    embedding = clock() - start
    out = {}
    for system, count in counts.items():
        start = clock()
        turns = window_turns(emb, spectral(emb, count))
        out[system] = Outcome(turns, None, *(embedding + clock() - start))
    return out


def baseline_turns(path: Path) -> list[tuple[float, float, object]]:
    emb = embed_speech(path)
    few = len(emb.vectors) < 8  # spectralcluster refuses so small an affinity matrix: one voice
    return window_turns(emb, np.zeros(len(emb.vectors), int) if few else spectral(emb, None))


def run_audiokit(path: Path, count: int | None) -> Outcome:
    start = clock()
    result = diarize(path, speaker_count=count)
    return Outcome(list(result.turns), list(result.overlaps), *(clock() - start))


def outcomes(mixture: Mixture) -> dict[str, Outcome]:
    n = len(mixture.truth.speakers)
    return {
        "audiokit, count estimated": run_audiokit(mixture.path, None),
        "audiokit, count given": run_audiokit(mixture.path, n),
        **run_baseline(mixture.path, {BASELINE: None, "spectralcluster, count given": n}),
    }


def shared_seconds(truth: list[Span], found: list[Span]) -> tuple[float, float, float]:
    """Seconds of overlap found correctly, truly there, and found."""
    true, hit = Timeline([Segment(a, b) for a, b in truth]).support(), Timeline([Segment(a, b) for a, b in found])
    return true.crop(hit, mode="intersection").duration(), true.duration(), hit.support().duration()


def score(mixture: Mixture, system: str, outcome: Outcome) -> Score:
    metric = DiarizationErrorRate(collar=0.25, skip_overlap=False)
    uem = Timeline([Segment(0, mixture.truth.duration)])
    der = metric(annotation(mixture.truth.reference()), annotation(outcome.turns), uem=uem, detailed=True)
    overlap = None if outcome.overlaps is None else shared_seconds(mixture.truth.overlaps(), outcome.overlaps)
    found = len({label for _, _, label in outcome.turns})
    return Score(mixture, system, found, der, overlap, outcome.wall, outcome.cpu)


def ratio(a: float, b: float) -> str:
    return f"{a / b:5.2f}" if b else "    –"


def print_rows(scores: list[Score]) -> None:
    print(
        f"{'mixture':26s} {'min':>4s} {'system':33s} {'true':>4s} {'found':>5s} {'DER %':>6s} {'miss':>5s} "
        f"{'FA':>5s} {'conf':>5s} {'ovl R':>5s} {'ovl P':>5s} {'wall s':>6s} {'cpu s':>6s}"
    )
    for s in scores:
        minutes = s.mixture.truth.duration / 60
        ovl = (ratio(s.overlap[0], s.overlap[1]), ratio(s.overlap[0], s.overlap[2])) if s.overlap else ("    –",) * 2
        print(
            f"{s.mixture.name:26s} {minutes:4.1f} {s.system:33s} {len(s.mixture.truth.speakers):4d} {s.found:5d} "
            f"{100 * s.der['diarization error rate']:6.1f} {s.share('missed detection'):5.1f} "
            f"{s.share('false alarm'):5.1f} {s.share('confusion'):5.1f} {ovl[0]} {ovl[1]} "
            f"{s.wall:6.1f} {s.cpu:6.1f}"
        )


def print_summary(scores: list[Score]) -> None:
    systems = list(dict.fromkeys(s.system for s in scores))
    wall = {system: sum(s.wall for s in scores if s.system == system) for system in systems}
    cpu = {system: sum(s.cpu for s in scores if s.system == system) for system in systems}
    print(
        f"\n{'system':33s} {'exact count':>11s} {'max err':>7s} {'mean DER':>8s} {'conf mean':>9s} "
        f"{'conf max':>8s} {'ovl R':>5s} {'ovl P':>5s} {'wall s':>6s} {'cpu s':>6s} {'wall / base':>11s} "
        f"{'cpu / base':>10s}"
    )
    for system in systems:
        rows = [s for s in scores if s.system == system]
        errors = [abs(s.found - len(s.mixture.truth.speakers)) for s in rows]
        confusion = [s.share("confusion") for s in rows]
        ovl = [s.overlap for s in rows if s.overlap]
        shared, true, found = (sum(x[i] for x in ovl) for i in range(3)) if ovl else (0, 0, 0)
        recall, precision = (ratio(shared, true), ratio(shared, found)) if ovl else ("    –",) * 2
        exact = f"{errors.count(0)}/{len(rows)} {errors.count(0) / len(rows):4.0%}"
        print(
            f"{system:33s} {exact:>11s} {max(errors):7d} "
            f"{np.mean([100 * s.der['diarization error rate'] for s in rows]):8.1f} {np.mean(confusion):9.1f} "
            f"{max(confusion):8.1f} {recall} {precision} {wall[system]:6.1f} {cpu[system]:6.1f} "
            f"{wall[system] / wall[BASELINE]:11.2f} {cpu[system] / cpu[BASELINE]:10.2f}"
        )
    print(
        f"baseline: {BASELINE}; targets, count estimated: exact >= 90 %, max error <= 1, "
        "confusion <= 3 % (<= 2 % with the count given)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one seed: 6 round tables and the Opus one")
    parser.add_argument("--seeds", type=int, default=2, help="seeds per size, 1..N (default 2)")
    parser.add_argument("--parts", default="mixtures,meetings,named", help="comma-separated: mixtures, meetings, named")
    parser.add_argument("--long", action="store_true", help="named rounds of 60 min too")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    seeds = list(range(1, 2 if args.quick else args.seeds + 1))
    with tempfile.TemporaryDirectory() as tmp:
        if "mixtures" in parts:
            cases = mixtures(Path(tmp), seeds)
            embed_speech(cases[0].path, max_seconds=30)  # load the voice encoder and VAD before timing
            scores = [score(m, system, o) for m in cases for system, o in outcomes(m).items()]
            minutes = sum(m.truth.duration for m in cases) / 60
            print(
                f"{len(cases)} real-voice round tables, {minutes:.0f} min in all; DER parts in % of reference speech, "
                f"collar 0.25 s (pyannote: +-0.125 s), overlap scored"
            )
            print_rows(scores)
            print_summary(scores)
        if "meetings" in parts:
            meetings(baseline_turns)
        if "named" in parts:
            named_episodes(Path(tmp), args.long)


if __name__ == "__main__":
    main()
