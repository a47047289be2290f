"""Transcription building blocks without the Whisper model: guards, vocabulary, turns, windows, settings."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from audiokit import ConfigError, load_episode, load_show
from audiokit.glossary import Glossary
from audiokit.transcript import Word
from audiokit.transcription import load_settings
from audiokit.transcription.asr import SAMPLE_RATE, mask, quiet_cut, windows
from audiokit.transcription.guards import is_stock_phrase, remove_loops
from audiokit.transcription.pipeline import build_segments, check_inputs
from audiokit.transcription.vocabulary import apply_vocabulary, prompt
from helpers_transcription import interview_audio, normalise, wer, write_show
from synth import Turn, write_wav


def words_of(text: str, step: float = 0.5) -> list[Word]:
    return [Word(t, i * step, i * step + 0.4) for i, t in enumerate(text.split())]


def test_wer_counts_edits() -> None:
    assert wer("die ePA läuft gut", "Die EPA läuft gut.") == 0
    assert wer("die ePA läuft gut", "die läuft sehr gut") == 0.5
    assert normalise("Telematik-Infrastruktur, ja!") == ["telematik", "infrastruktur", "ja"]


def test_loops_are_cut_to_two_copies() -> None:
    looped = words_of("Das ist gut. " + "Vielen Dank. " * 6 + "Ende ja ja ja ja")
    assert " ".join(w.text for w in remove_loops(looped)) == "Das ist gut. Vielen Dank. Vielen Dank. Ende ja ja"
    plain = words_of("sehr sehr gut und nicht nicht schlecht")
    assert remove_loops(plain) == plain


def test_stock_phrases_only_as_whole_segments() -> None:
    assert is_stock_phrase("Untertitel im Auftrag des ZDF, 2021.")
    assert is_stock_phrase(" Copyright WDR 2019")
    assert is_stock_phrase("Vielen Dank fürs Zuschauen!")
    assert not is_stock_phrase("Vielen Dank fürs Zuhören.")
    assert not is_stock_phrase("Untertitel helfen vielen Menschen beim Zuhören.")


def test_vocabulary_replaces_rules_and_restores_spelling() -> None:
    words = words_of("Die EPA-Daten und die Gema tick, sagt Frau Alpers.")
    glossary = Glossary(["ePA", "Gematik"], {"Gema tick": "Gematik", "Alpers": "Jana Albers"})
    fixed = apply_vocabulary(words, glossary, ["ePA", "Gematik"])
    assert [w.text for w in fixed] == ["Die", "ePA-Daten", "und", "die", "Gematik,", "sagt", "Frau", "Jana", "Albers."]
    gematik = fixed[4]
    assert (gematik.start, gematik.end) == (words[4].start, words[5].end)
    jana, albers = fixed[7:9]
    assert jana.start == words[8].start and albers.end == words[8].end and jana.end == albers.start


def test_prompt_lists_terms_organisations_and_names_last(tmp_path: Path) -> None:
    tracks, _ = interview_audio([Turn("Clara Vogt", "Hallo.")], noise_db=None)
    folder = write_show(tmp_path, tracks)
    episode = load_episode(load_show(tmp_path), folder)
    text = prompt(episode, Glossary(["Gematik", "Clara Vogt"]))
    assert text == "Gematik, Netzwerk Digitale Gesundheit, Clara Vogt."


def test_no_vocabulary_gives_no_prompt(tmp_path: Path) -> None:
    """A bare "." prompt makes the batched decoder skip speech: a bare file gets none."""
    from audiokit.workspace import Episode, Show

    show = Show(dir=tmp_path, slug="audio", title="x", author="", language="de", base_url="", cover=tmp_path)
    episode = Episode(show=show, dir=tmp_path, slug="x", title="x", number=0, date=None, recording=tmp_path / "x.wav")
    assert prompt(episode, Glossary([])) == ""


def test_single_track_turns_touching_an_overlap_are_flagged() -> None:
    words = [Word("a", 0, 0.5), Word("b", 0.6, 1.0), Word("c", 1.2, 1.5), Word("d", 5.0, 5.5)]
    segments = build_segments(words, ["S1", "S1", "S2", "S2"], max_pause=2.0, overlaps=[(0.8, 1.3)])
    assert [(s.text, s.overlap) for s in segments] == [("a b", True), ("c", True), ("d", False)]


def test_single_track_turns_split_at_speaker_change_and_long_pause() -> None:
    words = [Word("a", 0, 0.5), Word("b", 0.6, 1.0), Word("c", 1.2, 1.5), Word("d", 5.0, 5.5), Word("e", 5.6, 6.0)]
    segments = build_segments(words, ["S1", "S1", "S2", "S2", "S2"], max_pause=2.0)
    assert [(s.speaker, s.text) for s in segments] == [("S1", "a b"), ("S2", "c"), ("S2", "d e")]
    assert (segments[2].start, segments[2].end) == (5.0, 6.0)
    assert not any(s.overlap for s in segments)


def test_multitrack_turns_keep_a_reply_inside_another_turn_as_overlap() -> None:
    host = [Word(t, i, i + 0.8) for i, t in enumerate(["eins", "zwei", "drei", "vier", "fünf"])]
    reply = Word("genau", 2.2, 2.6)
    later = Word("danke", 9.0, 9.5)
    words = sorted([*host, reply, later], key=lambda w: w.start)
    tracks = [1 if w in (reply, later) else 0 for w in words]
    segments = build_segments(words, [f"S{t + 1}" for t in tracks], word_tracks=tracks)
    assert [(s.speaker, s.text, s.overlap) for s in segments] == [
        ("S1", "eins zwei drei vier fünf", True),
        ("S2", "genau", True),
        ("S2", "danke", False),
    ]


def test_windows_cover_the_file_and_cut_in_pauses(tmp_path: Path) -> None:
    rate = 22050
    t = np.arange(rate) / rate
    beep = (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    gap = np.zeros(rate // 2, np.float32)
    audio = np.concatenate([np.concatenate([beep, gap]) for _ in range(70)])  # 105 s: 1 s tone, 0.5 s pause
    path = write_wav(tmp_path / "beeps.wav", audio)
    parts = list(windows(path, 30.0))
    assert len(parts) == 4
    assert all(22.5 <= len(samples) / SAMPLE_RATE <= 30 for _, samples in parts[:-1])
    total = sum(len(p) for _, p in parts) / SAMPLE_RATE
    assert total == pytest.approx(len(audio) / rate, abs=0.01)
    for (offset, samples), (next_offset, _) in itertools.pairwise(parts):
        assert next_offset == pytest.approx(offset + len(samples) / SAMPLE_RATE)
        phase = next_offset % 1.5
        assert 1.05 < phase < 1.45, f"cut at {next_offset:.2f} s is not inside a pause"


def test_quiet_cut_finds_the_silent_spot() -> None:
    rng = np.random.default_rng(3)
    samples = rng.normal(0, 0.1, 10 * SAMPLE_RATE).astype(np.float32)
    samples[7 * SAMPLE_RATE : int(7.4 * SAMPLE_RATE)] = 0
    assert abs(quiet_cut(samples, 5 * SAMPLE_RATE) / SAMPLE_RATE - 7.2) < 0.1


def test_mask_keeps_only_regions() -> None:
    samples = np.ones(4 * SAMPLE_RATE, np.float32)
    kept = mask(samples, 10.0, [(8.0, 11.0), (12.5, 13.0), (20.0, 21.0)])
    assert kept[:SAMPLE_RATE].all() and not kept[SAMPLE_RATE : int(2.5 * SAMPLE_RATE)].any()
    assert kept[int(2.5 * SAMPLE_RATE) : 3 * SAMPLE_RATE].all() and not kept[3 * SAMPLE_RATE :].any()


def test_settings_layer_show_episode_and_options(tmp_path: Path) -> None:
    tracks, _ = interview_audio([Turn("Clara Vogt", "Hallo.")], noise_db=None)
    folder = write_show(tmp_path, tracks, extra_episode_toml="[transcription]\nbeam_size = 3\n")
    episode = load_episode(load_show(tmp_path), folder)
    settings = load_settings(episode, device="cpu")
    assert (settings.model, settings.cpu_threads, settings.beam_size, settings.device) == ("embedded", 2, 3, "cpu")
    assert load_settings(episode, model="small").model == "small"


@pytest.mark.parametrize(
    "table, message",
    [
        ("[transcription]\nbeam_size = 0\n", "transcription.beam_size' is 0"),
        ('[transcription]\ndevice = "gpu"\n', "transcription.device' is 'gpu'"),
        ("[transcription]\nbeam = 5\n", "transcription.beam' is not a known setting"),
        ('[transcription]\nprompt = "ja"\n', "transcription.prompt' must be true or false"),
    ],
)
def test_bad_settings_name_file_and_key(tmp_path: Path, table: str, message: str) -> None:
    tracks, _ = interview_audio([Turn("Clara Vogt", "Hallo.")], noise_db=None)
    folder = write_show(tmp_path, tracks, extra_episode_toml=table)
    episode = load_episode(load_show(tmp_path), folder)
    with pytest.raises(ConfigError, match="episode.toml: key '" + message.replace("'", "'")):
        load_settings(episode)


def test_multitrack_track_count_must_match_speaker_count(tmp_path: Path) -> None:
    tracks, _ = interview_audio([Turn("Clara Vogt", "Hallo."), Turn("Jana Albers", "Guten Tag.")], noise_db=None)
    folder = write_show(tmp_path, tracks, multitrack=True, extra_episode_toml="speaker_count = 3")
    episode = load_episode(load_show(tmp_path), folder)
    with pytest.raises(ConfigError, match="speaker_count is 3 but there are 2 tracks"):
        check_inputs(episode)


def test_multitrack_tracks_must_differ(tmp_path: Path) -> None:
    tracks, _ = interview_audio([Turn("Clara Vogt", "Hallo."), Turn("Jana Albers", "Guten Tag.")], noise_db=None)
    folder = write_show(tmp_path, tracks, multitrack=True)
    toml = folder / "episode.toml"
    toml.write_text(toml.read_text("utf-8").replace('track = "jana.wav"', 'track = "clara.wav"'), "utf-8")
    episode = load_episode(load_show(tmp_path), folder)
    with pytest.raises(ConfigError, match="two speakers name the same track"):
        check_inputs(episode)
