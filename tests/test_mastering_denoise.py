"""Noise and reverb reduction before levelling (issue 19): real voices (../shared/data) with noise we
make, SI-SDR against the clean speech, WER of plain faster-whisper, "off" transparent, jingles untouched.

Measured (one LibriSpeech clip, 5 dB SNR; see benchmarks/bench_cleanup.py for more): SI-SDR gain
fan 6-7 dB, keyboard 10-14 dB, babble 0-2 dB."""

from __future__ import annotations

import numpy as np
import pytest

from audiokit.errors import ConfigError
from audiokit.ffmpeg import probe
from audiokit.mastering import MasteringSettings, master_file, master_tracks
from audiokit.mastering.denoise import denoise_blocks
from audiokit.mastering.encode import sample_depth
from audiokit.mastering.master import FileSource, master_source
from helpers_denoise import DATA, GERMAN, MISSING, english, german_texts, load, noisy, si_sdr, transcribe
from helpers_mastering import decode, sine, write_pcm
from helpers_transcription import wer

needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=MISSING)


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    if not DATA.is_dir():
        pytest.skip(MISSING)
    return load(english(1)[0])


def denoise(audio: np.ndarray, level: str, block: int = 480_000) -> np.ndarray:
    blocks = (audio[i : i + block, None] for i in range(0, len(audio), block))
    return np.concatenate(list(denoise_blocks(blocks, 1, level)))[:, 0]


def test_the_stream_keeps_length_timing_and_state_whatever_the_blocks(speech):
    mixed = noisy(speech, "fan")
    whole, small = denoise(mixed, "strong"), denoise(mixed, "strong", block=4801)
    assert len(whole) == len(small) == len(mixed)
    np.testing.assert_allclose(small, whole, atol=1e-6)  # the model state carries across blocks
    size = 2 * len(speech)
    corr = np.fft.irfft(np.fft.rfft(whole, size) * np.conj(np.fft.rfft(speech, size)), size)
    assert int(np.argmax(np.abs(corr))) == 0  # in step with the recording: the model's latency is removed


@pytest.mark.parametrize(
    ("kind", "level", "gain"),
    [("fan", "light", 4.0), ("fan", "strong", 5.0), ("keyboard", "light", 6.0), ("keyboard", "strong", 8.0)],
)
def test_denoising_improves_si_sdr_against_the_clean_speech(speech, kind, level, gain):
    mixed = noisy(speech, kind, snr=5.0)
    assert si_sdr(speech, denoise(mixed, level)) - si_sdr(speech, mixed) >= gain


@needs_data
@pytest.mark.slow
def test_light_denoising_does_not_raise_the_wer_of_plain_whisper():
    from faster_whisper import WhisperModel

    from audiokit.models import resolve_model

    names = ["recorded_sample_01.flac", "recorded_sample_03.flac", "recorded_sample_05.flac"]
    clean = np.concatenate([load(GERMAN / name) for name in names])
    reference = " ".join(german_texts()[name] for name in names)
    mixed = noisy(clean, "fan", snr=5.0)
    model = WhisperModel(str(resolve_model().path), device="cpu", compute_type="int8", cpu_threads=2)
    assert wer(reference, transcribe(model, denoise(mixed, "light"))) <= wer(reference, transcribe(model, mixed))


@pytest.fixture
def recording(speech, tmp_path):
    return write_pcm(tmp_path / "aufnahme.wav", noisy(speech, "fan", snr=15.0))


def test_off_is_the_master_without_denoising_and_nothing_is_left_beside_it(recording, tmp_path):
    settings = MasteringSettings.from_preset("podcast", format="wav", denoise="off")
    ours = master_file(recording, tmp_path / "off.wav", settings)
    info = probe(recording)
    plain = master_source(
        FileSource(recording, 48000, 2, info.duration),
        tmp_path / "plain.wav",
        settings,
        name="x",
        depth=sample_depth(info),
    )
    assert ours.path.read_bytes() == plain.path.read_bytes()
    master_file(recording, tmp_path / "light.wav", MasteringSettings.from_preset("podcast", format="wav"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aufnahme.wav", "light.wav", "off.wav", "plain.wav"]


def test_music_jingles_are_not_denoised(recording, tmp_path):
    chord = sum(sine(f, -20, 4.0) for f in (220.0, 277.2, 329.6, 440.0))  # a sustained A major chord
    intro = write_pcm(tmp_path / "intro.wav", chord)
    masters = {
        level: decode(
            master_file(
                recording,
                tmp_path / f"{level}.wav",
                MasteringSettings.from_preset("podcast", format="wav", intro=intro, crossfade=0.3, denoise=level),
            ).path
        )[0]
        for level in ("off", "strong")
    }
    head = slice(0, round(3.5 * 48000))  # the intro before its crossfade into the talk
    np.testing.assert_allclose(masters["strong"][head], masters["off"][head], atol=1e-4)
    assert np.corrcoef(masters["strong"][head, 0], chord[head, 0])[0, 1] > 0.999


def test_every_track_of_a_multitrack_recording_is_denoised(speech, tmp_path, monkeypatch):
    from audiokit.mastering import denoise as module

    seen = []
    real = module._denoise
    monkeypatch.setattr(module, "_denoise", lambda info, *args: (seen.append(info.path.name), real(info, *args)))
    pause = np.zeros(len(speech), np.float32)
    tracks = [
        write_pcm(tmp_path / "a.wav", noisy(np.concatenate([speech, pause]), "fan", snr=10.0)),
        write_pcm(tmp_path / "b.wav", noisy(np.concatenate([pause, speech]), "keyboard", snr=10.0, seed=1)),
    ]
    result = master_tracks(tracks, tmp_path / "mix.mp3", MasteringSettings.from_preset("podcast", denoise="strong"))
    assert seen == ["a.wav", "b.wav"]
    assert result.stats["output"]["integrated"] == pytest.approx(-16.0, abs=0.5)


def test_a_bad_denoise_setting_is_a_clear_config_error():
    with pytest.raises(ConfigError) as caught:
        MasteringSettings.from_preset("podcast", denoise="medium")
    assert str(caught.value) == "setting 'mastering.denoise' is 'medium' — use one of: off, light, strong"
    assert MasteringSettings.from_preset("podcast").denoise == "light"


@needs_data
def test_light_leaves_a_clean_recording_alone_and_denoises_a_noisy_one(tmp_path, monkeypatch):
    from audiokit.mastering import denoise as module

    seen = []
    real = module._denoise
    monkeypatch.setattr(module, "_denoise", lambda info, *args: (seen.append(info.path.name), real(info, *args)))
    studio = load(GERMAN / "recorded_sample_03.flac")  # Thorsten Müller's studio recording
    clean = write_pcm(tmp_path / "studio.wav", studio)
    fan = write_pcm(tmp_path / "zoom.wav", noisy(studio, "fan", snr=10.0))
    assert module.noise_margin(clean) >= module.CLEAN_MARGIN > module.noise_margin(fan)
    monkeypatch.setattr(module, "noise_margin", lambda path: pytest.fail("a pass of its own"))  # the analysis tells
    settings = MasteringSettings.from_preset("podcast", format="wav")
    off = MasteringSettings.from_preset("podcast", format="wav", denoise="off")
    plain = master_file(clean, tmp_path / "off.wav", off)
    assert master_file(clean, tmp_path / "light.wav", settings).path.read_bytes() == plain.path.read_bytes()
    master_file(fan, tmp_path / "zoom-light.wav", settings)
    assert seen == ["zoom.wav"]
