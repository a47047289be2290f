"""The encoder on espeak-ng voices: the test voices must be distinguishable before diarization is judged."""

from __future__ import annotations

import numpy as np
import pytest

import helpers_speakers as h
from audiokit.speakers.embeddings import embed_speech
from synth import speak, write_wav

TEXT_1 = "Die Gemeinde hat im Frühjahr eine Umfrage gestartet, und fast die Hälfte der Haushalte hat geantwortet."
TEXT_2 = "Wer eine alte Ölheizung hat, möchte vor allem wissen, ob ein Anschluss an das Wärmenetz geplant ist."


@pytest.fixture(scope="module")
def voices(tmp_path_factory):
    """Two embeddings per test person, from two different sentences."""
    folder = tmp_path_factory.mktemp("voices")
    out = {}
    for person in h.PEOPLE:
        out[person.key] = [
            embed_speech(write_wav(folder / f"{person.key}-{i}.wav", speak(text, person.voice))).voice()
            for i, text in enumerate((TEXT_1, TEXT_2))
        ]
    return out


def test_test_voices_are_distinguishable(voices):
    keys = list(voices)
    matrix = np.array([[float(voices[a][0] @ voices[b][1]) for b in keys] for a in keys])
    print("\ncosine similarity, sentence 1 (rows) x sentence 2 (columns):")
    for key, row in zip(keys, matrix):
        print(f"{key:>8} " + " ".join(f"{x:6.3f}" for x in row))
    for i in range(len(keys)):
        # the same voice on another sentence is closer than any other voice, by a clear margin
        assert matrix[i, i] > 0.85
        assert max(np.delete(matrix[i], i)) < matrix[i, i] - 0.1
        assert max(np.delete(matrix[:, i], i)) < 0.8


def test_embedding_ignores_level(tmp_path):
    """Windows are normalised to -30 dBFS, so a speaker 20 dB quieter keeps the same voice."""
    voice = h.HOST.voice
    loud = speak(TEXT_1, voice)
    a = embed_speech(write_wav(tmp_path / "loud.wav", loud)).voice()
    b = embed_speech(write_wav(tmp_path / "quiet.wav", loud * 0.1)).voice()
    assert float(a @ b) > 0.98
