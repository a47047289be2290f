"""Mastering real German speech end to end: loudness, true peak, levelling, formats, jingles."""

from __future__ import annotations

import numpy as np
import pytest

from audiokit.errors import ConfigError
from audiokit.ffmpeg import probe
from audiokit.mastering import MasteringSettings, master_file, measure
from helpers_mastering import (
    decode,
    ffmpeg_loudness,
    loudness,
    make_dialogue,
    sine,
    turn_loudness,
    warnings_to,
    write_pcm,
)
from synth import mix


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """A two-channel 48 kHz dialogue; the second speaker is 10 dB quieter."""
    tracks, turns = make_dialogue()
    audio = mix(tracks)
    stereo = np.stack([audio, 0.9 * audio], axis=1)
    path = write_pcm(tmp_path_factory.mktemp("rec") / "aufnahme.wav", stereo)
    return path, turns


@pytest.fixture(scope="module")
def podcast_master(recording, tmp_path_factory):
    path, _ = recording
    out = tmp_path_factory.mktemp("out") / "folge.mp3"
    return master_file(path, out, MasteringSettings.from_preset("podcast"))


def test_podcast_master_meets_loudness_and_true_peak(podcast_master):
    out = podcast_master.path
    info = probe(out)
    assert info.codec.startswith("mp3") and (info.sample_rate, info.channels) == (48000, 2)
    ours = measure(out)
    theirs, their_peak = ffmpeg_loudness(out)
    for value in (ours.integrated, theirs):
        assert value == pytest.approx(-16.0, abs=0.5)
    assert ours.true_peak <= -1.0 and their_peak <= -1.0
    assert podcast_master.stats["output"]["integrated"] == pytest.approx(ours.integrated, abs=0.05)


def test_levelling_evens_out_the_quiet_speaker(recording, podcast_master):
    path, turns = recording
    before = turn_loudness(decode(path)[0], 48000, turns, 0.0)
    samples, rate = decode(podcast_master.path)
    after = turn_loudness(samples, rate, turns, podcast_master.offset)
    assert max(before.values()) - min(before.values()) > 8  # the quiet guest really is quiet
    assert max(after.values()) - min(after.values()) <= 3.0


def test_pauses_are_not_pumped_up(recording, podcast_master):
    _, turns = recording
    samples, rate = decode(podcast_master.path)
    offset = podcast_master.offset

    def pause_level(a, b):
        chunk = samples[round((a.end + offset + 0.2) * rate) : round((b.start + offset - 0.2) * rate)]
        return 10 * np.log10(np.mean(chunk.astype(np.float64) ** 2))

    levels = [pause_level(a, b) for a, b in zip(turns, turns[1:], strict=False)]
    after_quiet = [lv for lv, t in zip(levels, turns, strict=False) if t.speaker == "leise"]
    after_loud = [lv for lv, t in zip(levels, turns, strict=False) if t.speaker != "leise"]
    # room noise after the boosted speaker is no louder than after the others
    assert max(after_quiet) <= np.mean(after_loud) + 2.0


def test_source_is_only_read(recording, tmp_path):
    path, _ = recording
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    master_file(path, tmp_path / "x.flac", MasteringSettings.from_preset("podcast", format="flac"))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.mark.parametrize(
    "preset, fmt, target, channels",
    [("podcast-mono", "m4a", -19.0, 1), ("broadcast", "wav", -23.0, 2), ("podcast", "opus", -16.0, 2)],
)
def test_presets_and_formats(recording, tmp_path, preset, fmt, target, channels):
    path, _ = recording
    settings = MasteringSettings.from_preset(preset, format=fmt)
    result = master_file(path, tmp_path / f"out.{fmt}", settings)
    info = probe(result.path)
    assert info.channels == channels and info.sample_rate == 48000
    measured = measure(result.path, dual_mono=settings.dual_mono)
    assert measured.integrated == pytest.approx(target, abs=0.5)
    assert measured.true_peak <= -1.0


def test_custom_target_from_settings(recording, tmp_path):
    path, _ = recording
    settings = MasteringSettings.from_preset("podcast", target=-18.0, true_peak=-2.0, format="flac")
    result = master_file(path, tmp_path / "out.flac", settings)
    measured = measure(result.path)
    assert measured.integrated == pytest.approx(-18.0, abs=0.5) and measured.true_peak <= -2.0
    assert result.stats["preset"] == "podcast (custom: target, true_peak)"


def test_sample_rate_and_bit_depth_are_kept(tmp_path):
    speechlike = sine(440, -30, 3, rate=44100) * np.linspace(0.2, 1, 3 * 44100)[:, None].astype(np.float32)
    src = write_pcm(tmp_path / "in24.wav", speechlike, rate=44100, codec="pcm_s24le")
    out = master_file(src, tmp_path / "out.wav", MasteringSettings.from_preset("podcast", format="wav")).path
    info = probe(out)
    assert (info.sample_rate, info.codec) == (44100, "pcm_s24le")
    mp3 = master_file(src, tmp_path / "out.mp3", MasteringSettings.from_preset("podcast")).path
    assert probe(mp3).sample_rate == 44100


def test_rates_a_format_cannot_store_are_refused_when_asked_for_and_resampled_with_a_warning(tmp_path, caplog):
    src = write_pcm(tmp_path / "hd.wav", sine(440, -20, 2, rate=96000), rate=96000)
    with pytest.raises(ConfigError, match="cannot store 96000 Hz"):
        master_file(src, tmp_path / "out.mp3", MasteringSettings.from_preset("podcast", sample_rate=96000))
    assert not (tmp_path / "out.mp3").exists()
    with warnings_to(caplog):  # the recording's rate: the nearest rate MP3 takes, said in the log
        assert (
            probe(master_file(src, tmp_path / "hd.mp3", MasteringSettings.from_preset("podcast")).path).sample_rate
            == 48000
        )
    assert "resampling 96000 Hz to 48000 Hz" in caplog.text
    explicit = MasteringSettings.from_preset("podcast", sample_rate=48000)
    assert probe(master_file(src, tmp_path / "out.mp3", explicit).path).sample_rate == 48000
    # Opus works at 48 kHz by design: said in the log, not done silently
    src44 = write_pcm(tmp_path / "cd.wav", sine(440, -20, 2, rate=44100), rate=44100)
    with warnings_to(caplog):
        master_file(src44, tmp_path / "out.opus", MasteringSettings.from_preset("podcast", format="opus"))
    assert "resampling 44100 Hz to 48000 Hz" in caplog.text


def test_jingles_are_crossfaded_and_shift_the_offset(recording, tmp_path):
    path, turns = recording
    intro = write_pcm(tmp_path / "intro.wav", sine(660, -12, 3.0))
    outro = write_pcm(tmp_path / "outro.wav", sine(550, -12, 2.0))
    settings = MasteringSettings.from_preset("podcast", format="wav", intro=intro, outro=outro, crossfade=0.5)
    plain = master_file(path, tmp_path / "plain.wav", MasteringSettings.from_preset("podcast", format="wav"))
    result = master_file(path, tmp_path / "jingled.wav", settings)
    assert result.offset == pytest.approx(plain.offset + 2.5, abs=0.01)
    assert result.duration == pytest.approx(plain.duration + 3.0 + 2.0 - 0.5 - 0.5, abs=0.01)
    samples, rate = decode(result.path)
    assert loudness(samples[: 2 * rate], rate) == pytest.approx(-16.0, abs=1.0)  # the intro, loudness-matched
    first = turns[0]
    speech = samples[round((first.start + result.offset) * rate) : round((first.end + result.offset) * rate)]
    plain_samples = decode(plain.path)[0]
    reference = plain_samples[round((first.start + plain.offset) * rate) : round((first.end + plain.offset) * rate)]
    assert np.corrcoef(speech[:, 0], reference[:, 0])[0, 1] > 0.99  # the recording sits where the offset says
