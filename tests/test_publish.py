"""Publishing stages: outputs, offsets, chapters, bad input, show overrides and incremental builds."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from audiokit.errors import ConfigError, PublishError
from audiokit.publish.chapters import propose_chapters
from audiokit.scaffold import new_episode
from audiokit.workspace import load_show
from helpers_publish import (
    TURNS,
    add_episode,
    master_all,
    publish,
    sample_transcript,
    tag_and_publish,
    tone_mp3,
    write_master,
    write_show,
)


@pytest.fixture(scope="module")
def mp3(tmp_path_factory) -> Path:
    return tone_mp3(tmp_path_factory.mktemp("audio") / "tone.mp3")


def statuses(report) -> dict[tuple[str, str], str]:
    return {(r.episode, r.stage): r.status for r in report.results}


def test_episode_outputs_use_the_mastering_offset(tmp_path, mp3):
    show = write_show(tmp_path)
    out = tmp_path / "public"
    master_all(show, out, mp3, offset=2.5)
    assert not publish(show, out).failed
    folder = out / "001-folge-1"
    names = sorted(p.name for p in folder.iterdir())
    # master.json is here because the fixture put it into the published folder (no master stage ran);
    # publish.json, the episode stage's bookkeeping, is kept beside the output, never published
    assert names == [
        "001-folge-1.mp3",
        "chapters.json",
        "index.html",
        "master.json",
        "shownotes.html",
        "transcript.html",
        "transcript.json",
        "transcript.srt",
        "transcript.txt",
        "transcript.vtt",
    ]
    assert (tmp_path / ".public.audiokit" / "001-folge-1" / "publish.json").is_file()
    first_cue = re.search(r"(\d\d:\d\d:\d\d\.\d{3}) -->", (folder / "transcript.vtt").read_text("utf-8")).group(1)
    assert first_cue == "00:00:03.500"  # 1.0 s on the recording + 2.5 s offset
    chapters = json.loads((folder / "chapters.json").read_text("utf-8"))
    assert chapters["version"] == "1.2.0"
    assert [c["startTime"] for c in chapters["chapters"]] == [0, 8, 46]  # episode.toml: already published time
    notes = (folder / "shownotes.html").read_text("utf-8")
    assert "<li>0:08 Erfahrungen aus der Praxis</li>" in notes
    assert "<li>Jana Albers, Praxisgemeinschaft Nordstadt</li>" in notes
    assert "https://podcast.example.org/werkstatt/001-folge-1/transcript.vtt" in notes


def test_chapters_are_proposed_at_introductions_when_episode_toml_has_none(tmp_path, mp3):
    show = write_show(tmp_path, chapters=False)
    out = tmp_path / "public"
    master_all(show, out, mp3, offset=2.5)
    assert not publish(show, out).failed
    data = json.loads((out / "001-folge-1" / "chapters.json").read_text("utf-8"))
    # Jana speaks within the opening's first 30 s; Tobias is introduced by the host at 40 s (+2.5 offset).
    assert [(c["startTime"], c["title"]) for c in data["chapters"]] == [
        (0.0, "Begrüßung"),
        (42.5, "Im Gespräch mit Tobias Reimann (Landesverband der Apotheken)"),
    ]
    page = (out / "001-folge-1" / "index.html").read_text("utf-8")
    assert 'data-t="42.5"' in page


def test_proposed_chapters_respect_the_minimum_gap():
    episode = None
    chapters = propose_chapters(sample_transcript(), episode, min_gap=5.0)
    assert [(c.start, c.title) for c in chapters] == [
        (0.0, "Begrüßung"),
        (8.0, "Im Gespräch mit Jana Albers (Praxisgemeinschaft Nordstadt)"),  # intro at 1.0 s is too close to 0
        (40.0, "Im Gespräch mit Tobias Reimann (Landesverband der Apotheken)"),  # the host's introduction
    ]
    # with a shorter gap Jana's chapter starts at the sentence that introduces her (word 7 of the host's turn)
    assert propose_chapters(sample_transcript(), episode, min_gap=3.0)[1].start == 3.4
    assert propose_chapters(sample_transcript(TURNS[:1]), episode) == []  # a monologue has no chapters


def test_episode_without_mastered_audio_is_a_clear_error(tmp_path, mp3):
    show = write_show(tmp_path, episodes=2)
    out = tmp_path / "public"
    write_master(out, "001-folge-1", mp3)
    report = publish(show, out)
    [failed] = report.failed
    assert failed.episode == "002-folge-2"
    assert "'002-folge-2' has no mastered audio" in str(failed.error)
    assert "recording" in failed.error.fix and "audiokit build" in failed.error.fix
    assert statuses(report)[("", "site")] == "done"  # the other episode is still published
    assert (out / "feed.xml").read_text("utf-8").count("<item>") == 1


@pytest.mark.parametrize(
    ("size", "message"), [((1000, 1000), "not between 1400 and 3000"), ((1400, 1600), "not square")]
)
def test_wrongly_sized_cover_is_a_clear_error(tmp_path, mp3, size, message):
    show = write_show(tmp_path)
    Image.new("RGB", size, (10, 20, 30)).save(show / "cover.png")
    out = tmp_path / "public"
    master_all(show, out, mp3)
    with pytest.raises(PublishError) as info:  # before any work (issue 10, item 3)
        publish(show, out)
    assert "show.toml: cover cover.png" in str(info.value) and message in str(info.value)
    assert "1400-3000 px" in info.value.fix


def test_missing_cover_is_a_clear_error(tmp_path):
    show = write_show(tmp_path)
    (show / "cover.png").unlink()
    with pytest.raises(ConfigError, match="key 'cover' names 'cover.png', which does not exist") as info:
        publish(show, tmp_path / "public")
    assert "1400-3000 px" in info.value.fix


@pytest.mark.parametrize(("mode", "fmt"), [("RGBA", "PNG"), ("P", "PNG"), ("RGB", "JPEG")])
def test_cover_is_published_as_rgb_in_the_format_its_name_says(tmp_path, mp3, mode, fmt):
    show = write_show(tmp_path)
    Image.new(mode, (1400, 1400)).save(show / "cover.png", format=fmt)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    with Image.open(out / "cover.png") as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (1400, 1400))


def test_duplicate_episode_numbers_name_both_episodes(tmp_path):
    show = write_show(tmp_path, episodes=1)
    add_episode(show, 2)
    toml = show / "002-folge-2" / "episode.toml"
    toml.write_text(toml.read_text("utf-8").replace("number = 2", "number = 1"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"002-folge-2/episode.toml: episode number 1 is already used by 001-folge-1"):
        publish(show, tmp_path / "public")


def test_duplicate_slug_is_refused(tmp_path):
    show = write_show(tmp_path, episodes=0)
    loaded = load_show(show)
    new_episode(loaded, "Doppelt", slug="007-doppelt")
    with pytest.raises(ConfigError, match="007-doppelt already exists") as info:
        new_episode(loaded, "Doppelt", slug="007-doppelt")
    assert "--slug" in info.value.fix


def test_date_without_time_zone_names_the_episode_and_the_fix(tmp_path):
    show = write_show(tmp_path, episodes=0)
    add_episode(show, 1, date="2026-11-10T18:00:00")
    with pytest.raises(ConfigError, match=r"001-folge-1/episode.toml: key 'date' has no time zone") as info:
        publish(show, tmp_path / "public")
    assert "+01:00" in info.value.fix


def test_unknown_category_and_bad_publish_settings_are_clear_errors(tmp_path, mp3):
    show = write_show(tmp_path, extra="\n[publish]\nchapter_gap = 5\n")
    toml = show / "show.toml"
    toml.write_text(toml.read_text("utf-8").replace('"Technology"', '"Technik"'), encoding="utf-8")
    out = tmp_path / "public"
    master_all(show, out, mp3)
    with pytest.raises(ConfigError) as info:  # before any work (issue 10, item 3)
        publish(show, out)
    assert "001-folge-1/episode.toml: key 'publish.chapter_gap' is not a known setting" in str(info.value)
    toml = show / "001-folge-1" / "episode.toml"
    toml.write_text(toml.read_text("utf-8").replace("chapter_gap", "chapter_min_gap"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        publish(show, out)
    assert "show.toml: key 'categories': 'Technik' is not an Apple Podcasts category" in str(info.value)


def test_show_templates_override_the_defaults(tmp_path, mp3):
    show = write_show(tmp_path)
    (show / "templates").mkdir()
    (show / "templates" / "shownotes.html.j2").write_text(
        "<p>Eigene Notizen zu {{ episode.title }}</p><script>x()</script>\n", encoding="utf-8"
    )
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    notes = (out / "001-folge-1" / "shownotes.html").read_text("utf-8")
    assert notes == "<p>Eigene Notizen zu Folge 1: Akten &amp; Abläufe</p>\n"  # still sanitised


def test_removed_transcript_removes_its_exports(tmp_path, mp3):
    show = write_show(tmp_path)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    publish(show, out)
    (show / "001-folge-1" / "transcript.json").unlink()
    report = publish(show, out)
    assert statuses(report)[("001-folge-1", "publish")] == "done"
    assert not list((out / "001-folge-1").glob("transcript.*"))
    assert "podcast:transcript" not in (out / "feed.xml").read_text("utf-8")


def test_second_build_of_100_episodes_runs_no_stage(tmp_path, mp3):
    show = write_show(tmp_path, episodes=100)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    first = publish(show, out)
    assert not first.failed and len(first.results) == 101
    assert set(statuses(first).values()) == {"done"}
    second = publish(show, out)
    assert len(second.results) == 101 and set(statuses(second).values()) == {"skipped"}
    assert not second.changed

    transcript = show / "042-folge-42" / "transcript.json"
    transcript.write_text(transcript.read_text("utf-8").replace("holprig", "mühsam"), encoding="utf-8")
    os.utime(transcript, ns=(transcript.stat().st_atime_ns, transcript.stat().st_mtime_ns + 10**9))
    third = publish(show, out)
    ran = sorted(key for key, status in statuses(third).items() if status == "done")
    assert ran == [("", "site"), ("042-folge-42", "publish")]
    assert "mühsam" in (out / "042-folge-42" / "transcript.vtt").read_text("utf-8")


def test_chapters_and_metadata_are_written_into_the_audio_tags(tmp_path, mp3):
    from mutagen.id3 import ID3

    show = write_show(tmp_path, chapters=False)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    audio = out / "001-folge-1" / "001-folge-1.mp3"
    linked = tmp_path / "published-before.mp3"
    os.link(audio, linked)  # stands for the published copy the staging folder shares
    before = linked.read_bytes()
    assert not tag_and_publish(show, out).failed  # the mastering stage tags its audio, publishing never does
    assert linked.read_bytes() == before  # tagged as a new file, never in place
    tags = ID3(audio)
    assert str(tags["TIT2"]) == "Folge 1: Akten & Abläufe" and str(tags["TALB"]) == "Werkstatt & <Gespräch>"
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in chapters] == [
        (0, "Begrüßung"),
        (40000, "Im Gespräch mit Tobias Reimann (Landesverband der Apotheken)"),
    ]
    assert tags.getall("APIC")[0].mime in ("image/png", "image/jpeg")
    size = f'length="{audio.stat().st_size}"'
    assert size in (out / "feed.xml").read_text("utf-8")  # the enclosure is the tagged file


def test_demo_show_publishes_and_passes_the_check(demo_show, tmp_path):
    from audiokit.ffmpeg import media_path, run_ffmpeg
    from audiokit.publish import check_site

    slug = "001-epa-im-praxisalltag"
    mp3 = tmp_path / "demo.mp3"
    run_ffmpeg(
        [
            "-i",
            media_path(demo_show / slug / "aufnahme.opus"),
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "32k",
            media_path(mp3),
        ]
    )
    out = tmp_path / "public"
    write_master(out, slug, mp3, offset=1.5)
    report = publish(demo_show, out)
    assert not report.failed and statuses(report) == {(slug, "publish"): "done", ("", "site"): "done"}
    assert check_site(out) == []
    assert "podcast_guid" in (demo_show / "show.toml").read_text("utf-8")
