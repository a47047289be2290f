"""Spectrogram features, the ONNX encoder and streaming speech embeddings."""

from __future__ import annotations

import numpy as np
import pytest

import helpers_speakers as h
from audiokit.errors import AudioError
from audiokit.speakers import embeddings as enc
from audiokit.speakers.embeddings import embed_speech, frame_power
from synth import speak, write_wav


def test_streamed_spectrogram_equals_whole_clip():
    rng = np.random.default_rng(3)
    wav = rng.normal(0, 0.1, 16000 * 3 + 77).astype(np.float32)
    whole = enc.spectrogram(wav)
    assert whole.shape == (1 + len(wav) // enc.HOP, 201)  # librosa's centred frame count
    stream, parts, cursor = enc.SpectrogramStream(), [], 0
    for size in (1, 399, 4000, 160, 12345, len(wav)):
        parts.append(stream.push(wav[cursor : cursor + size]))
        cursor += size
    parts.append(stream.close())
    np.testing.assert_allclose(np.concatenate(parts), whole, rtol=1e-5, atol=1e-7)


def test_frame_power_is_the_mean_square():
    t = np.arange(16000) / 16000
    sine = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    power = frame_power(enc.spectrogram(sine)[5:-5])
    np.testing.assert_allclose(power, 0.3**2 / 2, rtol=0.03)


def test_encoder_uses_two_threads_and_returns_unit_vectors():
    encoder = enc.VoiceEncoder()
    assert encoder.session.get_session_options().intra_op_num_threads == 2
    rng = np.random.default_rng(0)
    for frames in (160, 37):
        out = encoder.embed(rng.random((3, frames, 201), dtype=np.float32) * 1e-3)
        assert out.shape == (3, 256)
        np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
        assert (out >= 0).all()  # ReLU before the norm, as in Resemblyzer
    assert encoder.embed(np.zeros((0, 160, 201), np.float32)).shape == (0, 256)


def test_speech_windows_stay_inside_speech_regions_across_blocks(tmp_path):
    """A recording longer than one 32 s block: every window lies inside one VAD region."""
    text = (
        "Zuerst haben wir die Dächer vermessen. Danach kamen die Keller an die Reihe, "
        "weil dort die meisten Heizungen stehen. "
    )
    speech = speak(text * 4, h.HOST.voice)
    gap = np.zeros(int(1.5 * 22050), np.float32)
    path = write_wav(tmp_path / "long.wav", np.concatenate([gap, speech, gap, speech]))
    emb = embed_speech(path)
    assert emb.ends.max() > 40 and len(emb.vectors) > 30
    regions = np.array(emb.regions)
    assert regions[0, 0] == pytest.approx(1.5, abs=0.2)
    for start, end in zip(emb.starts, emb.ends):
        assert ((regions[:, 0] <= start + 0.011) & (end <= regions[:, 1] + 0.011)).any()  # 10 ms frames
    sims = emb.vectors @ emb.voice()
    assert sims.mean() > 0.8  # one voice throughout
    part = embed_speech(path, max_seconds=10)  # stops at the end of the first 32 s block
    assert part.ends.max() <= 32.5 < emb.ends.max()


def test_silence_has_no_speech(tmp_path):
    rng = np.random.default_rng(1)
    path = write_wav(tmp_path / "room.wav", rng.normal(0, 0.003, 22050 * 5).astype(np.float32))
    emb = embed_speech(path)
    assert emb.regions == [] and emb.voice() is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "broken.wav: the audio file is empty"),
        (b"not audio at all" * 100, "broken.wav: not a readable audio file"),
    ],
)
def test_broken_audio_raises_audio_error(tmp_path, content, message):
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        embed_speech(path)
