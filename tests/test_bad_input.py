"""Bad input ends in one ``Error: what — fix`` line and exit
status 1, before any work, with no traceback and no Python warning (this module turns warnings into errors)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import mutagen
import numpy as np
import pytest
from click.testing import CliRunner, Result

from audiokit import ConfigError, PublishError, load_show
from audiokit.cli import cli
from audiokit.editor import EditorServer, open_episode
from audiokit.glossary import load_glossary
from audiokit.mastering.tags import Tags, cover_image, write_tagged_copy
from audiokit.publish import show as publish_show
from audiokit.publish.check import artwork_problem
from audiokit.publish.guid import episode_guid, podcast_guid
from helpers_editor import make_show
from helpers_mastering import sine, write_pcm
from helpers_publish import header_png
from test_properties import request
from test_settings_validation import EPISODE, append, replace_in

pytestmark = pytest.mark.filterwarnings("error")
DEEP = 5000


def one_error(result: Result) -> str:
    """The one ``Error:`` line of a failed command (exit status 1, no traceback)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert " — " in error and "Warning" not in result.output, result.output
    return error


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["-q", *args])


def png_header(path: Path, width: int, height: int) -> Path:
    path.write_bytes(header_png(width, height))
    return path


NESTED = {
    "brackets": "x = " + "[" * DEEP + "]" * DEEP,
    "braces": "x = " + "{a = " * DEEP + "1" + "}" * DEEP,
    "dotted keys": "a." * DEEP + "b = 1",
    "table name": "[" + "a." * DEEP + "b]",
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
@pytest.mark.parametrize("name", ["show.toml", f"{EPISODE}/episode.toml"])
def test_deeply_nested_toml_is_refused_with_file_and_line(tiny_show, name, text):
    path = tiny_show / name
    line = path.read_text("utf-8").count("\n") + 2
    append(path, "\n" + text + "\n")
    error = one_error(invoke("build", str(tiny_show)))
    assert f"{name}: line {line}: tables and lists nested more than 32 levels deep — " in error
    assert not (tiny_show / "public").exists()


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_deeply_nested_glossary_is_refused_with_its_line(tiny_show, text):
    (tiny_show / "glossary.toml").write_text('terms = ["ePA"]\n' + text + "\n", "utf-8")
    with pytest.raises(ConfigError, match=r"glossary.toml: line 2: tables and lists nested more than 32") as info:
        load_glossary(tiny_show)
    assert info.value.fix


@pytest.mark.parametrize("side", [20000, 10000, 3001])
def test_a_cover_larger_than_directories_accept_is_refused_unread(tiny_show, side):
    png_header(tiny_show / "cover.png", side, side)
    error = one_error(invoke("build", str(tiny_show)))
    assert "key 'cover' names 'cover.png', which" in error and "3000" in error
    assert "scale it down to a square of 1400-3000 px" in error
    if side <= 10000:  # Pillow counts 20000 × 20000 as a decompression bomb and says no more
        assert f"is {side}×{side} px, over the 3000 px a side directories accept" in error
    assert not (tiny_show / "public").exists()
    assert "3000" in artwork_problem(tiny_show / "cover.png")
    with pytest.raises(PublishError, match="3000"):
        cover_image(tiny_show / "cover.png")


def test_a_truncated_cover_is_refused_before_any_audio_work(tiny_show, tmp_path):
    png_header(tiny_show / "cover.png", 2000, 2000)  # the header is fine, the pixels are missing
    error = one_error(invoke("master", str(tiny_show / EPISODE), "--out", str(tmp_path / "out")))
    assert "the cover is not a readable image (image file is truncated" in error
    assert not (tmp_path / "out").exists()
    assert "not a readable image" in artwork_problem(tiny_show / "cover.png")


def test_an_episode_number_m4a_tags_cannot_hold_is_refused_before_any_work(tiny_show, tmp_path):
    toml = tiny_show / EPISODE / "episode.toml"
    replace_in(toml, "number = 1", "number = 70000")
    error = one_error(invoke("master", str(tiny_show / EPISODE), "--format", "m4a", "--out", str(tmp_path / "a")))
    assert f"{EPISODE}/episode.toml: key 'number' is 70000, more than the 65535 that m4a tags can hold" in error
    assert not (tmp_path / "a").exists()
    append(toml, '\n[mastering]\nformat = "m4a"\n')
    assert "key 'number' is 70000" in one_error(invoke("build", str(tiny_show)))
    assert not (tiny_show / "public").exists()


@pytest.mark.parametrize(("fmt", "key"), [("mp3", "TRCK"), ("opus", "tracknumber"), ("m4a", "trkn")])
def test_track_numbers_at_each_containers_limit_are_written(tiny_show, tmp_path, fmt, key):
    number = 65535 if fmt == "m4a" else 2**63 - 1  # the largest a TOML integer or the MP4 atom holds
    replace_in(tiny_show / EPISODE / "episode.toml", "number = 1", f"number = {number}")
    result = invoke("master", str(tiny_show / EPISODE), "--format", fmt, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    audio = tmp_path / "out" / f"{EPISODE}.{fmt}"
    assert str(number) in str(mutagen.File(audio).tags[key])
    if fmt == "m4a":
        with pytest.raises(ConfigError, match="the track number is 65536, more than the 65535 that m4a tags can"):
            write_tagged_copy(audio, audio, Tags(track=65536))
        assert str(number) in str(mutagen.File(audio).tags[key])


def second_episode(show: Path, number: int = 2) -> Path:
    """A copy of the tiny show's episode as ``002-zweite-folge`` with ``number``."""
    folder = Path(shutil.copytree(show / EPISODE, show / "002-zweite-folge"))
    replace_in(folder / "episode.toml", "number = 1", f"number = {number}")
    return folder


def test_two_episodes_with_one_guid_are_refused_naming_both_files(tiny_show):
    second = second_episode(tiny_show)
    for folder in (tiny_show / EPISODE, second):
        append(folder / "episode.toml", '\n[publish]\nguid = "urn:uuid:alt-1"\n')
    error = one_error(invoke("build", str(tiny_show)))
    assert f"{EPISODE}/episode.toml and " in error and "002-zweite-folge/episode.toml give the episode" in error
    assert "the same GUID 'urn:uuid:alt-1'" in error and not (tiny_show / "public").exists()


def test_a_guid_kept_from_a_previous_host_may_not_be_another_episodes(tiny_show):
    second = second_episode(tiny_show)
    show = load_show(tiny_show)
    computed = episode_guid(podcast_guid(f"{show.base_url}/feed.xml"), EPISODE)
    append(second / "episode.toml", f'\n[publish]\nguid = " {computed} "\n')
    with pytest.raises(ConfigError, match="give the episode the same GUID"):
        publish_show.check_guids(show, show.episodes())


def test_two_episodes_with_one_number_in_a_season_name_both_files(tiny_show):
    second_episode(tiny_show, number=1)
    error = one_error(invoke("build", str(tiny_show)))
    assert f"002-zweite-folge/episode.toml: episode number 1 is already used by {EPISODE}/episode.toml" in error
    replace_in(tiny_show / EPISODE / "episode.toml", "number = 1", "number = 1\nseason = 2")
    assert len(load_show(tiny_show).episodes()) == 2  # another season: fine


def float_wav(path: Path, value: float) -> Path:
    samples = sine(300, -20, 3, channels=1)
    samples[30000:30010] = value
    return write_pcm(path, samples, codec="pcm_f32le")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_named_at_the_door(tmp_path, value):
    src = float_wav(tmp_path / "kaputt.wav", value)
    error = one_error(invoke("master", str(src), "--out", str(tmp_path / "out.mp3")))
    assert "kaputt.wav: has samples that are not numbers (NaN or infinity, first at 0.6" in error
    assert "export the recording again" in error and "silent" not in error
    assert not (tmp_path / "out.mp3").exists()


def test_far_out_of_range_float_samples_are_refused(tmp_path):
    src = write_pcm(tmp_path / "laut.wav", sine(300, -20, 3, channels=1) * 1e30, codec="pcm_f32le")
    assert "far beyond full scale" in one_error(invoke("master", str(src), "--out", str(tmp_path / "o.mp3")))


@pytest.mark.slow
def test_transcribing_non_finite_samples_leaks_no_numpy_warning(tmp_path):
    src = float_wav(tmp_path / "kaputt.wav", np.nan)
    main = "from audiokit.cli import main; main()"
    cmd = [sys.executable, "-W", "error::RuntimeWarning", "-c", main, "-q", "transcribe", str(src)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Warning" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("Error: ") and "not numbers (NaN or infinity" in proc.stderr
    assert not (tmp_path / "kaputt.transcript.json").exists()


@pytest.mark.parametrize("offset", [0.3, -0.99])
def test_a_constant_offset_is_no_audible_content(tmp_path, offset):
    src = write_pcm(tmp_path / "dc.wav", np.full(5 * 48000, offset, np.float32))
    error = one_error(invoke("master", str(src), "--out", str(tmp_path / "dc.mp3")))
    assert "dc.wav: the recording is silent: no audible content above -70 LUFS (a constant DC offset" in error
    assert not (tmp_path / "dc.mp3").exists()


def test_the_cli_logs_a_library_warning_as_one_line_of_its_own():
    code = (
        "import warnings; from audiokit.cli import cli\n"
        "cli(['settings'], standalone_mode=False)\n"
        "warnings.warn('invalid value encountered', RuntimeWarning)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "RuntimeWarning: invalid value encountered\n", proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("side", [20000, 2000])
def test_an_image_as_voice_sample_is_one_error(tiny_show, side):
    png_header(tiny_show / "stimme.png", side, side)
    append(tiny_show / "show.toml", 'voice_sample = "stimme.png"\n')
    error = one_error(invoke("transcribe", str(tiny_show / EPISODE)))
    assert "stimme.png: the file has no audio stream" in error


@pytest.mark.parametrize("start", ["1e308", '"' + "9" * 400 + ':00"'])
def test_a_soundbite_or_chapter_at_an_impossible_time_is_one_error(tiny_show, tmp_path, start):
    append(tiny_show / EPISODE / "episode.toml", f'\n[[soundbites]]\nstart = {start}\nduration = 45\ntitle = "X"\n')
    error = one_error(invoke("master", str(tiny_show / EPISODE), "--out", str(tmp_path / "m")))
    assert "key 'soundbites[0].start' is " in error and not (tmp_path / "m").exists()


def test_an_editor_request_with_a_lone_surrogate_is_refused(tmp_path):
    episode, _ = make_show(tmp_path / "show")
    with EditorServer(open_episode(episode)).start() as server:
        etag = json.loads(request(server, "GET", "/api/state")[1])["etag"]
        body = json.dumps({"op": "rename", "speaker": "S1", "name": "\ud800"}).encode()
        origin = f"http://127.0.0.1:{server.port}"
        headers = {"Content-Type": "application/json", "If-Match": f'"{etag}"', "Origin": origin}
        status, data = request(server, "POST", "/api/op", body, **headers)
    assert status == 400 and json.loads(data)["error"] == "the body is not valid JSON"
