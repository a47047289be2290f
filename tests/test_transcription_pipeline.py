"""The full transcription pipeline on synthesised German speech, against plain faster-whisper."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from audiokit import load_episode, load_show
from audiokit.cli import cli
from audiokit.transcript import load, validate
from audiokit.transcript_text import parse_text
from audiokit.transcription import TranscriptionSettings, transcribe_episode, transcribe_file
from audiokit.transcription.asr import load_model
from audiokit.transcription.guards import DECODE_OPTIONS
from helpers_transcription import INTERVIEW, interview_audio, name_hits, reference_text, room_noise, wer, write_show
from synth import mix, with_bleed, write_wav

pytestmark = pytest.mark.slow


def plain_text(path: Path) -> str:
    """What plain faster-whisper transcribe() gives with the same model and decoding settings."""
    whisper = load_model(TranscriptionSettings(cpu_threads=2)).whisper
    segments, _ = whisper.transcribe(str(path), language="de", beam_size=5, word_timestamps=True, **DECODE_OPTIONS)
    return " ".join(s.text.strip() for s in segments)


def text_of(transcript) -> str:
    """The words in time order (multitrack turns may overlap)."""
    return " ".join(w.text for w in sorted(transcript.words, key=lambda w: w.start))


@pytest.fixture(scope="module")
def interview(tmp_path_factory):
    """The interview as one recording, its transcript (saved) and plain faster-whisper's text."""
    root = tmp_path_factory.mktemp("interview")
    tracks, timed = interview_audio()
    folder = write_show(root, tracks)
    episode = load_episode(load_show(root), folder)
    transcript = transcribe_episode(episode)
    transcript.save(episode.transcript_path)
    return episode, transcript, plain_text(episode.recording), timed


def test_pipeline_wer_is_no_worse_than_plain_faster_whisper(interview) -> None:
    _, transcript, plain, _ = interview
    reference = reference_text(INTERVIEW)
    assert text_of(transcript)
    assert wer(reference, text_of(transcript)) <= wer(reference, plain)


def test_names_and_terms_are_recognised_better_than_plain(interview) -> None:
    _, transcript, plain, _ = interview
    reference = reference_text(INTERVIEW)
    hits, total = name_hits(reference, text_of(transcript))
    assert hits > name_hits(reference, plain)[0]
    assert hits >= 0.8 * total


def test_short_windows_lose_no_speech(interview, tmp_path: Path) -> None:
    """Cutting the recording into 30 s windows (as long files are cut) drops no turn and costs no accuracy."""
    _, whole, _, timed = interview
    tracks, _ = interview_audio()
    folder = write_show(tmp_path, tracks, extra_episode_toml="[transcription]\nwindow = 30\n")
    windowed = transcribe_episode(load_episode(load_show(tmp_path), folder))
    for turn in timed:
        heard = [w for w in windowed.words if turn.start <= (w.start + w.end) / 2 <= turn.end]
        assert len(heard) >= 0.7 * len(turn.text.split()), f"words lost in {turn.text!r}"
    reference = reference_text(INTERVIEW)
    assert wer(reference, text_of(windowed)) <= wer(reference, text_of(whole)) + 0.05


def test_transcript_is_valid_and_traceable(interview) -> None:
    episode, transcript, _, _ = interview
    validate(transcript.to_dict())
    ids = {s.id for s in transcript.speakers}
    assert transcript.segments and all(s.speaker in ids for s in transcript.segments)
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= transcript.duration + 0.5 for w in transcript.words)
    for segment in transcript.segments:
        assert segment.start == segment.words[0].start and segment.end >= segment.words[-1].end
    provenance = transcript.provenance
    assert provenance["model"].startswith("embedded:")
    assert provenance["settings"]["language"] == "de" and provenance["settings"]["beam_size"] == 5
    assert provenance["audio_sha256"] == hashlib.sha256(episode.recording.read_bytes()).hexdigest()
    assert set(provenance["recognition"]) == {"removed", "removed_words", "redecoded", "doubtful_words"}
    assert transcript.language == "de"


def test_text_export_shows_each_turn_under_its_speaker(interview) -> None:
    episode, transcript, _, _ = interview
    result = CliRunner().invoke(cli, ["export", str(episode.dir), "--format", "txt"])
    assert result.exit_code == 0, result.output
    turns = parse_text(result.output)
    expected = []
    for segment in transcript.segments:
        name = transcript.speaker(segment.speaker).name
        if not expected or expected[-1][0] != name:
            expected.append((name, segment.text))
        else:
            expected[-1] = (name, expected[-1][1] + " " + segment.text)
    assert [(t.name, t.text) for t in turns] == expected
    vtt = CliRunner().invoke(cli, ["export", str(episode.dir), "--format", "vtt", "--offset", "5"])
    assert vtt.exit_code == 0 and vtt.output.startswith("WEBVTT")


def test_a_bare_audio_file_gets_numbered_speakers(interview, tmp_path: Path) -> None:
    episode = interview[0]
    output = tmp_path / "interview.json"
    result = CliRunner().invoke(cli, ["transcribe", str(episode.recording), "--speakers", "3", "-o", str(output)])
    assert result.exit_code == 0, result.output
    transcript = load(output)
    assert 2 <= len(transcript.speakers) <= 3
    assert [s.name for s in transcript.speakers] == [f"Sprecher {n}" for n in range(1, len(transcript.speakers) + 1)]
    assert wer(reference_text(INTERVIEW), text_of(transcript)) < 0.5


@pytest.mark.parametrize("kind", ["silence", "room noise"])
def test_silence_and_room_noise_give_no_words(tmp_path: Path, kind: str, caplog) -> None:
    audio = np.zeros(60 * 22050, np.float32) if kind == "silence" else room_noise(60.0)
    path = write_wav(tmp_path / "stille.wav", audio)
    with caplog.at_level("WARNING", logger="audiokit"):
        transcript = transcribe_file(path)
    assert transcript.words == [] and transcript.segments == []
    assert transcript.duration == pytest.approx(60.0, abs=0.1)
    assert any("no speech was recognised in stille.wav" in r.getMessage() for r in caplog.records)


def test_a_truncated_recording_is_refused_like_mastering_refuses_it(tmp_path: Path) -> None:
    from audiokit.errors import AudioError

    path = write_wav(tmp_path / "kurz.wav", room_noise(6.0))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the header still announces 6 s
    with pytest.raises(AudioError, match="seems truncated"):
        transcribe_file(path)


def test_multitrack_words_carry_their_track_speaker(tmp_path: Path) -> None:
    tracks, timed = interview_audio(INTERVIEW[:7])
    folder = write_show(tmp_path, with_bleed(tracks, -20.0), multitrack=True)
    episode = load_episode(load_show(tmp_path), folder)
    transcript = transcribe_episode(episode)
    assert {s.name for s in transcript.speakers} == {"Clara Vogt", "Jana Albers", "Tobias Reimann"}
    right = total = 0
    for segment in transcript.segments:
        name = transcript.speaker(segment.speaker).name
        for word in segment.words:
            middle = (word.start + word.end) / 2
            truth = min(
                timed,
                key=lambda t: 0 if t.start <= middle <= t.end else min(abs(middle - t.start), abs(middle - t.end)),
            )
            right += truth.speaker == name
            total += 1
    assert total and right / total >= 0.95
    reference = reference_text(INTERVIEW[:7])
    mixed = write_wav(tmp_path / "mix.wav", mix(tracks))
    assert wer(reference, text_of(transcript)) <= wer(reference, plain_text(mixed))
