"""audiokit transcribe vs plain faster-whisper, side by side in one run (2 CPU threads, same model).

    python benchmarks/bench_transcribe.py              # speed + WER on a 5.5-minute interview
    python benchmarks/bench_transcribe.py --glossary   # do a prompt or hotwords help on names?
    python benchmarks/bench_transcribe.py --memory     # peak memory, 10-minute vs 60-minute recording

Speed: the full pipeline (ASR + diarization + naming) against faster-whisper's transcribe() with
the same model, beam, VAD and decoding options; the target is a wall-time ratio <= 1.25.
Memory: each run in its own process; the target is peak RSS(60 min) <= 1.2 x peak RSS(10 min).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers_transcription import (
    INTERVIEW,
    NAME_TERMS,
    NEUTRAL,
    interview_audio,
    name_hits,
    reference_text,
    wer,
    write_show,
)
from synth import mix, write_wav

from audiokit import load_episode, load_show
from audiokit.ffmpeg import media_path, probe, run_ffmpeg
from audiokit.transcription import TranscriptionSettings, transcribe_episode
from audiokit.transcription.asr import load_model
from audiokit.transcription.guards import DECODE_OPTIONS

THREADS = 2


def episode_of(root: Path, repeats: int, turns=INTERVIEW):
    tracks, _ = interview_audio(turns * repeats)
    folder = write_show(root, tracks)
    return load_episode(load_show(root), folder), reference_text(turns * repeats)


def plain(path: Path, **options) -> tuple[str, float]:
    whisper = load_model(TranscriptionSettings(cpu_threads=THREADS)).whisper
    start = time.perf_counter()
    segments, _ = whisper.transcribe(str(path), language="de", beam_size=5, word_timestamps=True, **options)
    text = " ".join(s.text.strip() for s in segments)
    return text, time.perf_counter() - start


def speed(tmp: Path, repeats: int) -> None:
    episode, reference = episode_of(tmp / "speed", repeats)
    duration = probe(episode.recording).duration
    load_model(TranscriptionSettings(cpu_threads=THREADS))  # both sides start with the model loaded
    rows = []
    text, seconds = plain(episode.recording, **DECODE_OPTIONS)
    rows.append(("faster-whisper transcribe() (same options)", text, seconds))
    base = seconds
    start = time.perf_counter()
    transcript = transcribe_episode(episode)
    rows.append(("audiokit full pipeline (ASR+diarization+naming)", " ".join(w.text for w in transcript.words),
                 time.perf_counter() - start))
    text, seconds = plain(episode.recording, vad_filter=True)
    rows.append(("faster-whisper transcribe() (its defaults)", text, seconds))
    print(f"recording: {duration / 60:.1f} min synthesised German interview, {THREADS} CPU threads, model embedded (base)")
    print(f"{'':50s} {'wall s':>7s} {'x real time':>11s} {'ratio':>6s} {'WER':>6s}")
    for label, text, seconds in rows:
        print(f"{label:50s} {seconds:7.1f} {duration / seconds:11.1f} {seconds / base:6.2f} {wer(reference, text):6.3f}")
    print("speakers:", ", ".join(f"{s.name} ({s.source}, {s.confidence:.2f})" for s in transcript.speakers))


def glossary(tmp: Path) -> None:
    """Names found and WER, with and without biasing, on text with the names and on text without."""
    from faster_whisper import BatchedInferencePipeline

    whisper = load_model(TranscriptionSettings(cpu_threads=THREADS)).whisper
    decoders = {"sequential": whisper.transcribe, "batched": BatchedInferencePipeline(whisper).transcribe}
    variants = {"no bias": {}, "initial prompt": {"initial_prompt": ", ".join(NAME_TERMS) + "."},
                "hotwords": {"hotwords": " ".join(NAME_TERMS)}}
    print(f"{'passage':9s} {'decoder':11s} {'variant':15s} {'WER':>6s} {'names found':>12s}")
    for name, turns in (("names", INTERVIEW * 2), ("no names", NEUTRAL * 2)):
        tracks, _ = interview_audio(turns)
        path = write_wav(tmp / f"{name.replace(' ', '-')}.wav", mix(tracks))
        reference = reference_text(turns)
        for decoder, transcribe in decoders.items():
            for variant, options in variants.items():
                segments, _ = transcribe(str(path), language="de", beam_size=5, word_timestamps=True,
                                         **DECODE_OPTIONS, **options)
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


def memory(tmp: Path) -> None:
    ten, _ = episode_of(tmp / "ten", 9)  # 9 x 67 s = 10 min
    sixty, _ = episode_of(tmp / "sixty", 1)
    run_ffmpeg(["-stream_loop", "5", "-i", media_path(ten.recording), "-c:a", "pcm_s16le",
                media_path(sixty.recording)])
    rows = [(episode, *peak(episode.dir)) for episode in (ten, sixty)]
    for episode, words, mib, seconds in rows:
        minutes = probe(episode.recording).duration / 60
        print(f"{minutes:5.1f} min: peak RSS {mib:7.1f} MiB, {words} words, {seconds:6.1f} s wall")
    print(f"peak memory ratio 60 min / 10 min: {rows[1][2] / rows[0][2]:.2f} (target <= 1.2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--glossary", action="store_true", help="names found with a prompt, with hotwords, with neither")
    parser.add_argument("--memory", action="store_true", help="peak memory of a 10- and a 60-minute recording")
    parser.add_argument("--repeats", type=int, default=5, help="interview repeats for the speed run (67 s each)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))
    with tempfile.TemporaryDirectory() as tmp:
        if args.glossary:
            glossary(Path(tmp))
        elif args.memory:
            memory(Path(tmp))
        else:
            speed(Path(tmp), args.repeats)


if __name__ == "__main__":
    main()
