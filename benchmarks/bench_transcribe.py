"""audiokit transcribe vs plain faster-whisper (batched and sequential), side by side in one run.

    python benchmarks/bench_transcribe.py              # speed, WER, coverage: German interview + real-voice round
    python benchmarks/bench_transcribe.py --long       # also a 10-minute synthetic German round of 4 voices
    python benchmarks/bench_transcribe.py --long --round-minutes 35 --batched-only   # issue 18's 35-min speed check
    python benchmarks/bench_transcribe.py --glossary   # do a prompt or hotwords help on names?
    python benchmarks/bench_transcribe.py --memory     # peak memory, 10-minute vs 60-minute recording

Systems, all with the same model, compute type, beam (5), CPU threads and decoding options:
faster-whisper's ``BatchedInferencePipeline`` (the same batch size as audiokit), its sequential
``transcribe()``, and the full audiokit pipeline (ASR + diarization + naming). Every run is its
own process, timed from process start (imports and model load included); ``cpu s`` is the
process's user + system time, steadier than wall time on a shared machine. Recordings: the
synthetic German interview (espeak-ng, names from episode.toml), a round table of 6 real
voices (LibriSpeech readers, English, 8.5 min; tests/conversations.py) transcribed as a bare
file with ``language="en"``, and with ``--long`` a 10-minute German round of 4 espeak-ng voices.
Coverage: the share of reference speech within 1 s of a recognised word, the turns less than
half covered, the longest lost stretch. Targets (issue 9): no more turns under half and no
longer lost stretch than the batched pipeline; wall time <= 1.15 x the batched pipeline's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from audiokit import load_episode, load_show  # noqa: E402
from audiokit.ffmpeg import media_path, probe, run_ffmpeg  # noqa: E402
from audiokit.models import resolve_model  # noqa: E402
from audiokit.transcription import TranscriptionSettings  # noqa: E402
from audiokit.transcription.asr import load_model  # noqa: E402
from audiokit.transcription.guards import DECODE_OPTIONS  # noqa: E402
from conversations import conversation  # noqa: E402
from helpers_transcription import (  # noqa: E402
    INTERVIEW,
    NAME_TERMS,
    NEUTRAL,
    VOICES,
    interview_audio,
    name_hits,
    reference_text,
    wer,
    write_show,
)
from synth import Turn, Voice, dialogue, mix, write_wav  # noqa: E402
from test_transcription_coverage import coverage  # noqa: E402

THREADS = 2
BATCH = TranscriptionSettings().batch_size


@dataclass
class Recording:
    name: str
    path: Path  # the audio file, or the episode folder for audiokit
    audio: Path
    language: str
    turns: list[Any]
    speakers: int
    reference: str | None = None  # the spoken text, where it is known
    threads: int = TranscriptionSettings().cpu_threads  # what audiokit uses: show.toml's, or the default


PLAIN = """
import json, sys
from faster_whisper import BatchedInferencePipeline, WhisperModel
kind, model, audio, language, threads, batch, options = sys.argv[1:8]
whisper = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=int(threads))
options = dict(json.loads(options), language=language, beam_size=5, word_timestamps=True)
if kind == "batched":
    segments, _ = BatchedInferencePipeline(whisper).transcribe(audio, batch_size=int(batch), **options)
else:
    segments, _ = whisper.transcribe(audio, **options)
print(json.dumps({"words": [[w.start, w.end, w.word] for s in segments for w in s.words]}))
"""

AUDIOKIT = """
import json, sys
from pathlib import Path
path, language, speakers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if path.is_dir():
    from audiokit import load_episode, load_show
    from audiokit.transcription import transcribe_episode
    transcript = transcribe_episode(load_episode(load_show(path.parent), path))
else:
    from audiokit.transcription import transcribe_file
    transcript = transcribe_file(path, language=language, speakers=speakers)
print(json.dumps({"words": [[w.start, w.end, w.text] for w in transcript.words],
                  "recognition": transcript.provenance["recognition"],
                  "speakers": [s.name for s in transcript.speakers]}))
"""


@dataclass
class Timed:
    start: float
    end: float
    text: str


def run(script: str, *args: Any) -> tuple[dict[str, Any], float, float]:
    """Run ``script`` in its own Python process: its JSON result, wall seconds and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": str(THREADS)},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return json.loads(out.stdout.strip().splitlines()[-1]), wall, cpu


def interview(tmp: Path, repeats: int) -> Recording:
    tracks, turns = interview_audio(INTERVIEW * repeats)
    folder = write_show(tmp / "interview", tracks)
    return Recording(
        f"German interview, 3 espeak-ng voices, {turns[-1].end / 60:.1f} min",
        folder,
        folder / "aufnahme.wav",
        "de",
        turns,
        3,
        reference_text(INTERVIEW * repeats),
        THREADS,
    )


def round_table(tmp: Path, people: int = 6, seed: int = 1, rounds: int = 6) -> Recording:
    table = conversation(people, seed=seed, rounds=rounds)
    path = table.write(tmp / "round.wav")
    return Recording(
        f"round table, {people} real voices (English), {table.duration / 60:.1f} min",
        path,
        path,
        "en",
        table.turns,
        people,
    )


def german_round(tmp: Path, repeats: int = 6) -> Recording:
    voices = {**VOICES, "Mara Lenz": Voice("f3", pitch=70, speed=155)}
    names = list(voices)
    turns = [Turn(names[i % 4], t.text) for i, t in enumerate((INTERVIEW + NEUTRAL) * repeats)]
    tracks, timed = dialogue(turns, voices, pause=0.7, noise_db=-60.0)
    path = write_wav(tmp / "runde.wav", mix(tracks))
    return Recording(
        f"German round, 4 espeak-ng voices, {timed[-1].end / 60:.1f} min",
        path,
        path,
        "de",
        timed,
        4,
        reference_text(turns),
    )


def speed(recordings: list[Recording], sequential: bool = True) -> None:
    settings = TranscriptionSettings(cpu_threads=THREADS)
    model = resolve_model(settings.model).path
    options = json.dumps(DECODE_OPTIONS)
    print(f"OMP_NUM_THREADS={THREADS}, batch size {BATCH}, model {settings.model} (base), every run its own process")
    for rec in recordings:
        print(f"\n{rec.name}")
        print(
            f"{'':34s} {'wall s':>7s} {'cpu s':>6s} {'ratio':>6s} {'WER':>6s} {'covered':>8s} "
            f"{'turns<1/2':>9s} {'longest lost':>12s}"
        )
        rows = []
        systems = [
            ("faster-whisper batched", PLAIN, ("batched", model, rec.audio, rec.language, rec.threads, BATCH, options)),
            (
                "faster-whisper transcribe()",
                PLAIN,
                ("sequential", model, rec.audio, rec.language, rec.threads, BATCH, options),
            ),
            ("audiokit (ASR+diarization+naming)", AUDIOKIT, (rec.path, rec.language, rec.speakers)),
        ]
        for label, script, args in systems if sequential else systems[::2]:
            result, wall, cpu = run(script, *args)
            rows.append((label, result, wall, cpu))
        base = rows[0][2]
        for label, result, wall, cpu in rows:
            words = [Timed(*w) for w in result["words"]]
            text = " ".join(w.text for w in words)
            score = f"{wer(rec.reference, text):6.3f}" if rec.reference else f"{'-':>6s}"
            found = coverage(words, rec.turns)
            print(
                f"{label:34s} {wall:7.1f} {cpu:6.1f} {wall / base:6.2f} {score} {found.share:8.1%} "
                f"{found.turns_under_half:5d}/{len(rec.turns):<3d} {found.longest_lost:10.1f} s"
            )
        extra = rows[-1][1]
        print(f"audiokit: {extra['recognition']}; speakers: {', '.join(extra['speakers'])}")


def glossary(tmp: Path) -> None:
    """Names found and WER, with and without biasing, on text with the names and on text without."""
    from faster_whisper import BatchedInferencePipeline

    whisper = load_model(TranscriptionSettings(cpu_threads=THREADS)).whisper
    decoders = {"sequential": whisper.transcribe, "batched": BatchedInferencePipeline(whisper).transcribe}
    variants = {
        "no bias": {},
        "initial prompt": {"initial_prompt": ", ".join(NAME_TERMS) + "."},
        "hotwords": {"hotwords": " ".join(NAME_TERMS)},
    }
    print(f"{'passage':9s} {'decoder':11s} {'variant':15s} {'WER':>6s} {'names found':>12s}")
    for name, turns in (("names", INTERVIEW * 2), ("no names", NEUTRAL * 2)):
        tracks, _ = interview_audio(turns)
        path = write_wav(tmp / f"{name.replace(' ', '-')}.wav", mix(tracks))
        reference = reference_text(turns)
        for decoder, transcribe in decoders.items():
            for variant, options in variants.items():
                segments, _ = transcribe(
                    str(path), language="de", beam_size=5, word_timestamps=True, **DECODE_OPTIONS, **options
                )
                text = " ".join(s.text.strip() for s in segments)
                hits, total = name_hits(reference, text)
                print(f"{name:9s} {decoder:11s} {variant:15s} {wer(reference, text):6.3f} {hits:>7d}/{total:<4d}")


CHILD = """
import resource, sys
from audiokit import load_episode, load_show
from audiokit.transcription import transcribe_episode
folder = sys.argv[1]
transcript = transcribe_episode(load_episode(load_show(folder + "/.."), folder))
print(len(transcript.words), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak(folder: Path) -> tuple[int, float, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], check=True, capture_output=True, text=True)
    words, kib = out.stdout.split()[-2:]
    return int(words), int(kib) / 1024, time.perf_counter() - start


def episode_of(root: Path, repeats: int):
    tracks, _ = interview_audio(INTERVIEW * repeats)
    folder = write_show(root, tracks)
    return load_episode(load_show(root), folder)


def memory(tmp: Path) -> None:
    ten = episode_of(tmp / "ten", 9)  # 9 x 67 s = 10 min
    sixty = episode_of(tmp / "sixty", 1)
    run_ffmpeg(["-stream_loop", "5", "-i", media_path(ten.recording), "-c:a", "pcm_s16le", media_path(sixty.recording)])
    rows = [(episode, *peak(episode.dir)) for episode in (ten, sixty)]
    for episode, words, mib, seconds in rows:
        minutes = probe(episode.recording).duration / 60
        print(f"{minutes:5.1f} min: peak RSS {mib:7.1f} MiB, {words} words, {seconds:6.1f} s wall")
    print(f"peak memory ratio 60 min / 10 min: {rows[1][2] / rows[0][2]:.2f} (target <= 1.2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--glossary", action="store_true", help="names found with a prompt, with hotwords, with neither"
    )
    parser.add_argument("--memory", action="store_true", help="peak memory of a 10- and a 60-minute recording")
    parser.add_argument("--long", action="store_true", help="also a 10-minute German round of 4 voices")
    parser.add_argument("--repeats", type=int, default=5, help="interview repeats for the speed run (67 s each)")
    parser.add_argument("--round-minutes", type=float, default=10, help="length of the --long German round")
    parser.add_argument("--batched-only", action="store_true", help="leave out the sequential faster-whisper run")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    with tempfile.TemporaryDirectory() as tmp:
        if args.glossary:
            glossary(Path(tmp))
        elif args.memory:
            memory(Path(tmp))
        else:
            recordings = [interview(Path(tmp), args.repeats), round_table(Path(tmp))]
            long = [german_round(Path(tmp), max(1, round(args.round_minutes * 0.6)))] if args.long else []
            speed(recordings + long, sequential=not args.batched_only)


if __name__ == "__main__":
    main()
