"""How well do the editor's "uncertain" marks find Whisper's real errors? Precision and recall per rule.

    python benchmarks/bench_uncertainty.py            # transcribe (cached), then score every rule
    python benchmarks/bench_uncertainty.py --fresh    # transcribe again (about 2 minutes on 2 cores)

Recordings, each with its reference text: the demo show (espeak-ng, its glossary; text from
scripts/make_demo.py), the synthetic interview and a neutral passage of tests/helpers_transcription.py
(espeak-ng, names and terms in episode.toml and a glossary), and the twelve real German recordings
of ../shared/data/german (FLEURS, Thorsten-Voice). Each is transcribed by the full audiokit pipeline
(the embedded model, one thread), so the probabilities are those the editor sees: vocabulary
replacements and guard doubts included. Whisper's words are aligned with the reference
(Levenshtein on normalised words); a word is an error when any of its normalised parts is not
matched (substituted or inserted). Words Whisper left out cannot carry a mark and are not counted.
A rule's precision is the share of marked words that are errors, its recall the share of errors marked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

from audiokit import load_show  # noqa: E402
from audiokit.glossary import load_glossary  # noqa: E402
from audiokit.transcript import Word  # noqa: E402
from audiokit.transcription import transcribe_episode, transcribe_file  # noqa: E402
from audiokit.transcription.vocabulary import vocabulary  # noqa: E402
from audiokit.uncertainty import LONG, LONG_THRESHOLD, THRESHOLD, is_uncertain, term_words  # noqa: E402
from helpers_transcription import INTERVIEW, NEUTRAL, interview_audio, normalise, reference_text, write_show  # noqa: E402

GERMAN = ROOT.parent / "shared" / "data" / "german"
CACHE = Path.home() / ".cache" / "audiokit" / "bench_uncertainty.json"


def _words(transcript_words: list[Word]) -> list[list[object]]:
    return [[w.text, round(w.probability, 4)] for w in transcript_words]


def transcribe_all() -> list[dict[str, object]]:
    """Every recording as {name, kind, reference, terms, words: [[text, probability], ...]}."""
    import make_demo

    runs: list[dict[str, object]] = []
    demo = load_show(ROOT / "episodes")
    episode = demo.episodes()[0]
    runs.append(
        {
            "name": "demo",
            "kind": "espeak",
            "reference": " ".join(t.text for t in make_demo.TURNS),
            "terms": vocabulary(episode, load_glossary(demo.dir)),
            "words": _words(transcribe_episode(episode).words),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, turns in (("interview", INTERVIEW), ("neutral", NEUTRAL)):
            tracks, _ = interview_audio(turns)
            folder = write_show(Path(tmp) / name, tracks)
            (folder.parent / "glossary.toml").write_text('terms = ["ePA", "Gematik", "Telematikinfrastruktur"]\n')
            show = load_show(folder.parent)
            episode = show.episodes()[0]
            runs.append(
                {
                    "name": name,
                    "kind": "espeak",
                    "reference": reference_text(turns),
                    "terms": vocabulary(episode, load_glossary(show.dir)),
                    "words": _words(transcribe_episode(episode).words),
                }
            )
    texts = json.loads((GERMAN / "texts.json").read_text("utf-8"))
    for name, entry in sorted(texts.items()):
        words = transcribe_file(GERMAN / name, language="de", speakers=1).words
        runs.append({"name": name, "kind": "real", "reference": entry["text"], "terms": [], "words": _words(words)})
    return runs


def errors(reference: str, words: list[str]) -> list[bool]:
    """Per Whisper word: True when it is wrong against ``reference`` (Levenshtein alignment)."""
    ref = normalise(reference)
    owner = [i for i, w in enumerate(words) for _ in normalise(w)]
    hyp = [t for w in words for t in normalise(w)]
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    wrong = [False] * len(words)
    i, j = n, m
    while j > 0:
        if i > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            if ref[i - 1] != hyp[j - 1]:
                wrong[owner[j - 1]] = True
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i][j - 1] + 1:
            wrong[owner[j - 1]] = True
            j -= 1
        else:
            i -= 1
    return wrong


Rule = Callable[[str, float, list[str]], bool]


def rules() -> dict[str, Rule]:
    """The rules compared: plain probability thresholds, length-aware ones, and the audiokit rule."""
    found: dict[str, Rule] = {}
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        found[f"p < {t}"] = lambda text, p, terms, t=t: p < t
    for t, short in ((0.6, 0.3), (0.7, 0.4), (0.8, 0.5)):
        found[f"p < {t}, words of <= 3 letters p < {short}"] = lambda text, p, terms, t=t, short=short: (
            p < (short if len(text.strip(".,!?;:")) <= 3 else t)
        )
    for t, long in ((0.5, 0.7), (0.5, 0.8), (0.6, 0.8), (0.6, 0.9)):
        found[f"p < {t}, words of >= 8 letters p < {long}"] = lambda text, p, terms, t=t, long=long: (
            p < (long if len(text.strip(".,!?;:")) >= 8 else t)
        )
        found[f"p < {t}, words of >= 8 letters p < {long}, glossary exempt"] = lambda text, p, terms, t=t, long=long: (
            p < (long if len(text.strip(".,!?;:")) >= 8 else t) and not _term(text, terms)
        )
    for t in (0.5, 0.6, 0.7, 0.8):
        found[f"p < {t}, glossary words exempt"] = lambda text, p, terms, t=t: p < t and not _term(text, terms)
    found[f"audiokit: p < {THRESHOLD}, >= {LONG} letters p < {LONG_THRESHOLD}, glossary exempt"] = (
        lambda text, p, terms: is_uncertain(text, p, term_words(terms))
    )
    return found


def _term(text: str, terms: list[str]) -> bool:
    return text.strip(".,!?;:") in term_words(terms)


def score(runs: list[dict[str, object]], kinds: tuple[str, ...]) -> None:
    chosen = [r for r in runs if r["kind"] in kinds]
    labelled = []
    for run in chosen:
        words = run["words"]
        assert isinstance(words, list)
        wrong = errors(str(run["reference"]), [w[0] for w in words])
        labelled += [(w[0], w[1], bad, run["terms"]) for w, bad in zip(words, wrong) if normalise(w[0])]
    total_errors = sum(bad for _, _, bad, _ in labelled)
    print(f"\n{'+'.join(kinds)}: {len(labelled)} words, {total_errors} errors ({total_errors / len(labelled):.0%})")
    print(f"{'rule':62} {'marked':>6} {'precision':>9} {'recall':>6} {'F1':>5}")
    for name, rule in rules().items():
        marked = [bad for text, p, bad, terms in labelled if rule(text, p, terms)]
        hits = sum(marked)
        precision = hits / len(marked) if marked else 0.0
        recall = hits / total_errors if total_errors else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{name:62} {len(marked):6} {precision:9.2f} {recall:6.2f} {f1:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="transcribe again instead of using the cache")
    args = parser.parse_args()
    if args.fresh or not CACHE.is_file():
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_text(json.dumps(transcribe_all(), ensure_ascii=False), "utf-8")
    runs = json.loads(CACHE.read_text("utf-8"))
    for kinds in (("espeak",), ("real",), ("espeak", "real")):
        score(runs, kinds)


if __name__ == "__main__":
    main()
