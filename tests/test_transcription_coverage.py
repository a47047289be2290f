"""No speech lost: coverage against faster-whisper's batched pipeline, re-decoding, what the guards remove."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from faster_whisper import BatchedInferencePipeline, WhisperModel
from faster_whisper.transcribe import Segment
from faster_whisper.transcribe import Word as WhisperWord

from audiokit.transcript import Word
from audiokit.transcription import TranscriptionSettings, transcribe_file
from audiokit.transcription.asr import _segment_words, load_model, transcribe_audio
from audiokit.transcription.guards import DECODE_OPTIONS, RecognitionStats, remove_loops
from conversations import conversation
from helpers_transcription import INTERVIEW, batched_stops_early, interview_audio
from synth import Turn, mix, write_wav

REACH = 1.0  # a word covers the reference speech up to this many seconds either side of it
STEP = 0.01


@dataclass
class Coverage:
    """How much reference speech has a recognised word within ``REACH`` seconds."""

    share: float  # of all reference speech time
    turns_under_half: int  # turns less than half covered
    longest_lost: float  # seconds from the first to the last uncovered speech of the longest uncovered run

    def __str__(self) -> str:
        return (
            f"{self.share:.1%} covered, {self.turns_under_half} turns under half, "
            f"longest lost {self.longest_lost:.1f} s"
        )


def speech_spans(turn: Any) -> list[tuple[float, float]]:
    """A turn's spans of speech: real-voice turns list them, synthetic turns are one span."""
    return list(getattr(turn, "speech", None) or [(turn.start, turn.end)])


def coverage(words: list[Any], turns: list[Any]) -> Coverage:
    """Coverage of the speech of ``turns`` by ``words`` (anything with ``start`` and ``end``)."""
    reach = sorted((w.start - REACH, w.end + REACH) for w in words)
    starts = np.array([a for a, _ in reach])
    ends = np.maximum.accumulate(np.array([b for _, b in reach])) if reach else np.zeros(0)

    def covered(spans: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
        times = np.concatenate([np.arange(a, b, STEP) for a, b in spans] or [np.zeros(0)])
        index = np.searchsorted(starts, times, side="right") - 1
        return times, (index >= 0) & (ends[np.maximum(index, 0)] >= times) if len(ends) else np.zeros(len(times), bool)

    per_turn = [covered(speech_spans(t))[1] for t in turns]
    under = sum(1 for hit in per_turn if len(hit) and hit.mean() < 0.5)
    times, hit = covered(sorted(s for t in turns for s in speech_spans(t)))
    longest, first = 0.0, None
    for t, ok in zip(times, hit):
        if not ok:
            first = t if first is None else first
            longest = max(longest, t + STEP - first)
        else:
            first = None
    return Coverage(float(hit.mean()) if len(hit) else 1.0, under, longest)


def batched_words(path: Path, language: str, settings: TranscriptionSettings) -> list[Any]:
    """What faster-whisper's own BatchedInferencePipeline recognises with the same model, batch size and options."""
    pipeline = BatchedInferencePipeline(load_model(settings).whisper)
    segments, _ = pipeline.transcribe(
        str(path),
        language=language,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size,
        word_timestamps=True,
        **DECODE_OPTIONS,
    )
    return [w for s in segments for w in s.words or []]


def test_coverage_counts_lost_turns_and_the_longest_lost_stretch() -> None:
    turns = [Turn("A", "", 0.0, 4.0), Turn("B", "", 5.0, 9.0), Turn("A", "", 10.0, 20.0)]
    words = [Word("a", 0.5, 1.0), Word("b", 2.5, 3.5), Word("c", 10.5, 11.0)]
    found = coverage(words, turns)
    assert found.turns_under_half == 2  # B is lost, the last turn is covered from 10 s to 12 s only
    assert found.longest_lost == pytest.approx(8.0, abs=0.02)  # 12-20 s (5-9 s is broken off by 10-12 s)
    assert found.share == pytest.approx(6.0 / 18.0, abs=0.01)
    assert coverage([], turns).share == 0 and coverage(words, []).share == 1


@pytest.mark.slow
@pytest.mark.parametrize("recording", ["real voices, English", "synthetic German"])
def test_no_more_speech_lost_than_faster_whisper_batched(tmp_path: Path, recording: str) -> None:
    if recording == "real voices, English":
        table = conversation(4, seed=1, rounds=2)
        path, turns, language, speakers = table.write(tmp_path / "round.wav"), table.turns, "en", 4
    else:
        tracks, turns = interview_audio(INTERVIEW)
        path, language, speakers = write_wav(tmp_path / "interview.wav", mix(tracks)), "de", 3
    transcript = transcribe_file(path, language=language, speakers=speakers)
    ours = coverage(transcript.words, turns)
    theirs = coverage(batched_words(path, language, TranscriptionSettings()), turns)
    assert ours.turns_under_half <= theirs.turns_under_half, f"audiokit: {ours}; batched: {theirs}"
    assert ours.longest_lost <= theirs.longest_lost + STEP, f"audiokit: {ours}; batched: {theirs}"
    assert transcript.provenance["recognition"]["removed_words"] <= 0.02 * len(transcript.words)


def whisper_segment(text: str, start: float) -> Segment:
    """A decoded segment as faster-whisper returns it, one word per 0.4 s."""
    words = [WhisperWord(start + 0.4 * i, start + 0.4 * i + 0.3, " " + t, 0.9) for i, t in enumerate(text.split())]
    return Segment(0, 0, start, words[-1].end, " " + text, [], -0.2, 1.2, 0.1, words, 0.0)


def test_stock_phrases_and_loops_are_removed_and_counted() -> None:
    stats = RecognitionStats()
    assert _segment_words(whisper_segment("Untertitel im Auftrag des ZDF, 2021.", 30.0), stats, float) == []
    kept = _segment_words(whisper_segment("Vielen Dank fürs Zuhören.", 40.0), stats, float)
    assert [(w.text, w.start) for w in kept] == [("Vielen", 40.0), ("Dank", 40.4), ("fürs", 40.8), ("Zuhören.", 41.2)]
    words = kept + [Word("ja", 50 + i, 50.5 + i) for i in range(6)]
    assert [w.text for w in remove_loops(words, stats=stats)] == ["Vielen", "Dank", "fürs", "Zuhören.", "ja", "ja"]
    assert stats.as_dict() == {
        "removed": {"stock phrase": 1, "loop": 1},
        "removed_words": 10,
        "redecoded": {},
        "doubtful_words": 0,
    }


@pytest.fixture(scope="module")
def short_interview(tmp_path_factory) -> tuple[Path, list[Turn]]:
    tracks, turns = interview_audio(INTERVIEW[:4])
    return write_wav(tmp_path_factory.mktemp("short") / "interview.wav", mix(tracks)), turns


@pytest.mark.slow
def test_a_clip_the_batched_decoder_ends_early_is_decoded_again(short_interview, monkeypatch) -> None:
    path, turns = short_interview
    cut: list[float] = []
    batched_stops_early(monkeypatch, cut)  # the clip's text ends after its first three words
    transcript = transcribe_file(path, language="de", speakers=2)
    assert cut and transcript.provenance["recognition"]["redecoded"] == {"stopped early": len(cut)}
    found = coverage(transcript.words, turns)
    assert found.turns_under_half == 0 and found.share > 0.95, found
    assert len(transcript.words) >= 0.9 * sum(len(t.text.split()) for t in turns)


@pytest.mark.slow
def test_a_clip_that_fails_twice_is_kept_as_doubtful(short_interview, monkeypatch) -> None:
    path, turns = short_interview
    for cls in (BatchedInferencePipeline, WhisperModel):  # every decode comes back improbable

        def improbable(self, *args, real=cls.transcribe, **kwargs):
            segments, info = real(self, *args, **kwargs)
            return (replace_logprob(s) for s in segments), info

        monkeypatch.setattr(cls, "transcribe", improbable)
    settings = TranscriptionSettings(cpu_threads=2)
    recognition = transcribe_audio(path, load_model(settings), settings, language="de")
    assert recognition.stats.redecoded["failed"] >= 1
    assert recognition.stats.doubtful == len(recognition.words) > 0
    assert all(w.probability <= 0.5 for w in recognition.words)
    assert coverage(recognition.words, turns).turns_under_half == 0


def replace_logprob(segment: Segment) -> Segment:
    segment.avg_logprob = -2.0
    return segment
