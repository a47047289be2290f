"""The real-talk and long-round parts of ``bench_diarization.py``: AMI meetings and named episodes.

Meetings (``../shared/data/meetings``, count not given): audiokit ``diarize`` and the plain
spectralcluster recipe, DER with collar 0.25 s and overlap scored, split into miss / false alarm /
confusion. Named episodes go through ``label_words`` as a build does (the listed people, their voice
samples): synthetic German rounds of 4 and 6 espeak-ng voices (35 min, with ``--long`` also 60 min;
introductions, short replies; the host's voice sample from a separate recording of the host), and
real voices with a sample for everyone (LibriSpeech readers through Opus 24 kbit/s, six German
speakers). Words are the turns' words spread over their time, or 0.3 s pieces of real speech, so
attribution is scored without Whisper's errors. Reported: the people found, the share of words with
the right name, the longest turn that holds words of more than one person, DER of the word turns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyannote.core import Annotation, Segment, Timeline
from pyannote.metrics.diarization import DiarizationErrorRate

import rounds as r
from audiokit.speakers import diarize, label_words
from audiokit.speakers.embeddings import embed_speech
from audiokit.transcript import Word
from audiokit.workspace import load_episode, load_show

MEETINGS = Path(r.conv.VOICES).parent / "meetings"
ROUND_SIZES = (4, 6)
SEEDS = (1, 2, 3, 4)  # draws of the real-voice named episodes
HOST_SAMPLE = (
    "Guten Abend, hier spricht die Moderation. Ich begrüße Sie herzlich zu unserer Runde über digitale Gesundheit."
)
Turns = list[tuple[float, float, object]]


def annotation(turns: Turns) -> Annotation:
    ann = Annotation()
    for track, (a, b, label) in enumerate(turns):
        if b > a:
            ann[Segment(a, b), track] = label
    return ann


def der(truth: Turns, found: Turns, duration: float) -> dict[str, float]:
    """DER and its parts, in % of reference speech (collar 0.25 s, overlap scored)."""
    metric = DiarizationErrorRate(collar=0.25, skip_overlap=False)
    parts = metric(annotation(truth), annotation(found), uem=Timeline([Segment(0, duration)]), detailed=True)
    total = parts["total"] or 1.0
    return {
        "DER": 100 * parts["diarization error rate"],
        "miss": 100 * parts["missed detection"] / total,
        "FA": 100 * parts["false alarm"] / total,
        "conf": 100 * parts["confusion"] / total,
    }


def rttm(path: Path) -> Turns:
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [(float(p[3]), float(p[3]) + float(p[4]), p[7]) for p in rows]


def meetings(baseline: Callable[[Path], Turns]) -> None:
    """Every AMI excerpt, count not given: audiokit and ``baseline`` side by side."""
    if not MEETINGS.is_dir():
        print(f"\nmeetings: skipped, {MEETINGS} is not there")
        return
    print(
        "\nAMI meetings, 30 s each, count not given; DER parts in % of reference speech, collar 0.25 s, overlap scored"
    )
    print(f"{'meeting':8s} {'system':16s} {'true':>4s} {'found':>5s} {'DER':>6s} {'miss':>5s} {'FA':>5s} {'conf':>5s}")
    rows: dict[str, list[tuple[int, int, dict[str, float]]]] = {"audiokit": [], "spectralcluster": []}
    for path in sorted(MEETINGS.glob("*.flac")):
        truth = rttm(path.with_suffix(".rttm"))
        true = len({s for _, _, s in truth})
        found_turns: dict[str, Turns] = {"audiokit": list(diarize(path).turns), "spectralcluster": baseline(path)}
        for system, turns in found_turns.items():
            found = len({label for _, _, label in turns})
            parts = der(truth, turns, 30.0)
            rows[system].append((true, found, parts))
            print(
                f"{path.stem:8s} {system:16s} {true:4d} {found:5d} {parts['DER']:6.1f} {parts['miss']:5.1f} "
                f"{parts['FA']:5.1f} {parts['conf']:5.1f}"
            )
    for system, results in rows.items():
        errors = [abs(true - found) for true, found, _ in results]
        mean = {k: np.mean([p[k] for _, _, p in results]) for k in ("DER", "miss", "FA", "conf")}
        print(
            f"{system:16s} count exact {errors.count(0)}/{len(errors)}, max off {max(errors)}, mean DER {mean['DER']:.1f} "
            f"(miss {mean['miss']:.1f}, FA {mean['FA']:.1f}, confusion {mean['conf']:.1f})"
        )
    print("targets (issue 18): exact >= 7/10, never off by more than one, confusion <= 8 %, miss <= 15 %")


@dataclass
class Named:
    """A named episode and its truth: one right name per word."""

    name: str
    episode: Path
    words: list[Word]
    truth: list[str]
    turns: Turns  # reference speech turns, by name
    duration: float


def _episode(folder: Path):
    return load_episode(load_show(folder.parent), folder)


def synthetic_round(tmp: Path, size: int, minutes: float, seed: int = 1) -> Named:
    panel = r.PANEL[:size]
    folder = tmp / f"round-{size}-{minutes:g}-{seed}"
    folder.mkdir()
    turns = r.german_round(folder / "runde.wav", panel, minutes, seed=seed)
    host = r.voice_sample(folder / "host.wav", panel[0])
    listed = [
        r.Listed(g.name, g.organisation, "host" if i == 0 else "guest", host if i == 0 else None)
        for i, g in enumerate(panel)
    ]
    episode = r.write_episode(folder / "show", folder / "runde.wav", listed)
    name_of = {g.key: g.name for g in panel}
    truth = [name_of[t.speaker] for t in turns for _ in (t.text.split() or [""])]
    reference = [(t.start, t.end, name_of[t.speaker]) for t in turns]
    label = f"German round, {size} voices"
    return Named(label, episode, r.spread_words(turns), truth, reference, turns[-1].end + 1)


def real_round(tmp: Path, label: str, named: r.NamedConversation, opus: bool) -> Named:
    folder = tmp / label.replace(" ", "-")
    folder.mkdir()
    conversation = named.conversation
    recording = conversation.write(folder / ("runde.opus" if opus else "runde.wav"), opus_kbps=24 if opus else None)
    samples = named.write_samples(folder / "samples")
    listed = [r.Listed(f"Person {k}", "Netz", "guest", samples[k]) for k in conversation.speakers]
    episode = r.write_episode(folder / "show", recording, listed)
    words, truth = r.speech_words(conversation)
    reference = [(a, b, f"Person {s}") for a, b, s in conversation.reference()]
    return Named(label, episode, words, [f"Person {k}" for k in truth], reference, conversation.duration)


def longest_mixed_turn(words: list[Word], names: list[str], truth: list[str]) -> float:
    """Seconds of the longest run of words under one name that holds words of more than one person."""
    longest, start = 0.0, 0
    for i in range(1, len(words) + 1):
        if i == len(words) or names[i] != names[start]:
            if len(set(truth[start:i])) > 1:
                longest = max(longest, words[i - 1].end - words[start].start)
            start = i
    return longest


def word_turns(words: list[Word], names: list[str]) -> Turns:
    turns: list[list] = []
    for word, name in zip(words, names):
        if turns and turns[-1][2] == name and word.start - turns[-1][1] < 1.0:
            turns[-1][1] = word.end
        else:
            turns.append([word.start, word.end, name])
    return [tuple(t) for t in turns]


def score_named(case: Named) -> None:
    start = time.perf_counter()
    result = label_words(_episode(case.episode), case.words)
    wall = time.perf_counter() - start
    by_id = {s.id: s.name for s in result.speakers}
    names = [by_id[label] for label in result.labels]
    right = 100 * np.mean([a == b for a, b in zip(names, case.truth)])
    listed = len(set(case.truth))
    parts = der(case.turns, word_turns(case.words, names), case.duration)
    print(
        f"{case.name:34s} {case.duration / 60:5.1f} {listed:6d} {listed - len(result.missing):5d} {right:7.2f} "
        f"{longest_mixed_turn(case.words, names, case.truth):9.0f} {parts['DER']:6.1f} {parts['miss']:5.1f} "
        f"{parts['FA']:5.1f} {parts['conf']:5.1f} {wall:6.1f}"
    )


def named_episodes(tmp: Path, long: bool) -> None:
    """Long synthetic rounds and real voices with samples, through ``label_words``."""
    if not r.conv.VOICES.is_dir():
        print(f"\nnamed episodes: skipped, {r.conv.VOICES} is not there")
        return
    print(
        "\nnamed episodes through label_words; words right = share with the right name; mixed = longest turn (s) with more than one person"
    )
    print(
        f"{'episode':34s} {'min':>5s} {'listed':>6s} {'found':>5s} {'right %':>7s} {'mixed s':>9s} {'DER':>6s} "
        f"{'miss':>5s} {'FA':>5s} {'conf':>5s} {'wall s':>6s}"
    )
    embed_speech(next(r.conv.VOICES.rglob("*.flac")), max_seconds=5)  # load the models before timing
    for size in ROUND_SIZES:
        for minutes in (35, 60) if long else (35,):
            score_named(synthetic_round(tmp, size, minutes, seed=size))
    for seed in SEEDS:
        score_named(real_round(tmp, f"6 real readers, Opus 24k, seed {seed}", r.named_conversation(6, seed), True))
    if r.GERMAN.is_dir():
        for seed in SEEDS:
            score_named(real_round(tmp, f"6 real German voices, Opus, seed {seed}", r.german_conversation(seed), True))
    print(
        "targets (issue 18): long rounds every listed person found, >= 99 % right, no mixed turn over 180 s; real voices >= 95 %"
    )
