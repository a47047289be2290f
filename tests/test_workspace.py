"""show.toml / episode.toml parsing and every validation error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audiokit import ConfigError, UnsafePathError, load_episode, load_show
from audiokit.workspace import parse_timestamp


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_demo_show_parses(demo_show: Path) -> None:
    show = load_show(demo_show)
    assert show.title == "Werkgespräch Demo"
    assert show.language == "de"
    assert show.hosts[0].voice_sample == demo_show.resolve() / "voices" / "clara-vogt.opus"
    [episode] = show.episodes()
    assert episode.slug == "001-epa-im-praxisalltag"
    assert episode.date.utcoffset() == dt.timedelta(hours=1)
    assert [s.label for s in episode.speakers][1] == "Jana Albers [Praxisgemeinschaft Nordstadt]"
    assert episode.speakers[0].voice_sample is not None  # inherited from the show's host
    assert [c.start for c in episode.chapters] == [0.0, 19.0, 47.0]
    assert episode.stage_settings("mastering") == {"preset": "podcast"}
    assert not episode.multitrack and episode.audio_inputs == [episode.recording]


def test_episode_overrides_stage_settings(tiny_show: Path) -> None:
    (tiny_show / "001-erste-folge" / "episode.toml").open("a").write('\n[mastering]\npreset = "broadcast"\n')
    replace_in(
        tiny_show / "show.toml",
        'cover = "cover.png"\n',
        'cover = "cover.png"\n[mastering]\npreset = "podcast"\nformat = "opus"\n',
    )
    [episode] = load_show(tiny_show).episodes()
    assert episode.stage_settings("mastering") == {"preset": "broadcast", "format": "opus"}


def test_multitrack_episode(tiny_show: Path) -> None:
    folder = tiny_show / "001-erste-folge"
    (folder / "aufnahme.wav").rename(folder / "anna.wav")
    (folder / "episode.toml").write_text(
        'title = "Zwei Spuren"\nnumber = 1\ndate = 2026-11-10T18:00:00+01:00\n'
        '[[speakers]]\nname = "Anna Beispiel"\nrole = "host"\ntrack = "anna.wav"\n',
        encoding="utf-8",
    )
    [episode] = load_show(tiny_show).episodes()
    assert episode.multitrack and episode.audio_inputs == [folder.resolve() / "anna.wav"]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("show.toml", 'title = "Kleine Show"', "title = ", "broken TOML"),
        ("show.toml", 'title = "Kleine Show"\n', "", "key 'title' is missing"),
        ("show.toml", 'title = "Kleine Show"', "title = 3", "key 'title' must be a string"),
        ("show.toml", "https://example.org/tiny", "http://example.org/tiny", "must be an https:// URL"),
        (
            "show.toml",
            'cover = "cover.png"',
            'cover = "fehlt.png"',
            "key 'cover' names 'fehlt.png', which does not exist",
        ),
        ("show.toml", 'cover = "cover.png"', 'cover = "../cover.png"', "points outside the show folder"),
        ("show.toml", 'cover = "cover.png"', 'cover = "/etc/passwd"', "points outside the show folder"),
        ("show.toml", 'author = "Redaktion"', 'autor = "Redaktion"', "key 'author' is missing"),
        (
            "show.toml",
            'organisation = "Beispielhaus"',
            'organisation = "Beispielhaus"\nrole = "chef"',
            "key 'hosts[0].role' is 'chef'",
        ),
        (
            "show.toml",
            'author = "Redaktion"',
            'author = "Redaktion"\ncolour = "blau"',
            "key 'colour' is not a known setting",
        ),
        (
            "001-erste-folge/episode.toml",
            "2026-11-10T18:00:00+01:00",
            "2026-11-10T18:00:00",
            "key 'date' has no time zone",
        ),
        ("001-erste-folge/episode.toml", "number = 1", 'number = "eins"', "key 'number' must be a whole number"),
        (
            "001-erste-folge/episode.toml",
            'recording = "aufnahme.wav"',
            'recording = "fehlt.wav"',
            "names 'fehlt.wav', which does not exist",
        ),
        ("001-erste-folge/episode.toml", 'recording = "aufnahme.wav"', "", "key 'recording' is missing"),
        ("001-erste-folge/episode.toml", 'recording = "aufnahme.wav"', 'recording = "../../x.wav"', "points outside"),
        ("001-erste-folge/episode.toml", 'recording = "aufnahme.wav"', 'recording = "a\\u0000b.wav"', "NUL character"),
        (
            "001-erste-folge/episode.toml",
            'recording = "aufnahme.wav"',
            'recording = "a\\u0007b.wav"',
            "control characters",
        ),
    ],
)
def test_validation_errors_name_file_key_and_fix(tiny_show: Path, file: str, old: str, new: str, message: str) -> None:
    replace_in(tiny_show / file, old, new)
    with pytest.raises(ConfigError) as info:
        load_show(tiny_show).episodes()
    assert message in info.value.what
    assert str(tiny_show / file) in info.value.what or file == "show.toml" and "show.toml" in info.value.what
    assert info.value.fix


def test_missing_show_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="show.toml does not exist"):
        load_show(tmp_path)


def test_unsafe_episode_folder_name(tiny_show: Path) -> None:
    (tiny_show / "001-erste-folge").rename(tiny_show / "Erste Folge")
    with pytest.raises(UnsafePathError) as info:
        load_show(tiny_show).episodes()
    assert "'erste-folge'" in info.value.fix


def test_duplicate_episode_numbers(tiny_show: Path) -> None:
    import shutil

    shutil.copytree(tiny_show / "001-erste-folge", tiny_show / "002-zweite-folge")
    with pytest.raises(ConfigError, match="episode number 1 is already used by 001-erste-folge"):
        load_show(tiny_show).episodes()


def test_speaker_tracks_and_recording_conflict(tiny_show: Path) -> None:
    folder = tiny_show / "001-erste-folge"
    (folder / "episode.toml").open("a").write('\n[[speakers]]\nname = "A"\ntrack = "aufnahme.wav"\n')
    with pytest.raises(ConfigError, match="together with per-speaker tracks"):
        load_episode(load_show(tiny_show), folder)


def test_symlink_escaping_the_show_is_refused(tiny_show: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes((tiny_show / "cover.png").read_bytes())
    (tiny_show / "link.png").symlink_to(outside)
    replace_in(tiny_show / "show.toml", 'cover = "cover.png"', 'cover = "link.png"')
    with pytest.raises(UnsafePathError, match="symlink"):
        load_show(tiny_show)


@pytest.mark.parametrize(("value", "seconds"), [(90, 90.0), (12.5, 12.5), ("01:30", 90.0), ("1:02:03.5", 3723.5)])
def test_parse_timestamp(value, seconds) -> None:
    assert parse_timestamp(value, "x") == seconds


@pytest.mark.parametrize("value", ["1:2:3:4", "abc", -1, True])
def test_parse_timestamp_rejects(value) -> None:
    with pytest.raises(ConfigError, match=r"x is not a time — write seconds \(90\) or \"mm:ss\""):
        parse_timestamp(value, "x")
