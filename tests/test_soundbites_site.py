"""Soundbites published: ``podcast:soundbite`` in the feed (feedparser, lxml), players on the episode page
(in headless Chromium), and the build stage that renders them into clips, incrementally."""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from audiokit.build import build
from audiokit.ffmpeg import media_path
from audiokit.publish.check import NS
from audiokit.stages import default_stages
from audiokit.stages.master import MasterStage
from audiokit.stages.publish import PublishEpisodeStage, PublishShowStage
from audiokit.stages.soundbites import SoundbiteStage
from helpers_publish import master_all, publish, tone_mp3, write_show

SLUG = "001-folge-1"
SOUNDBITES = """
[[soundbites]]
start = 0
duration = 5.25
title = "Gleich am Anfang"

[[soundbites]]
start = "00:08"
duration = 6
title = "Holprige Wochen & <Updates>"

[[soundbites]]
start = 46
duration = 5.5
title = "Die Apotheken"

[[soundbites]]
start = "01:30"
duration = 20
title = "Nach dem Ende"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """One published episode (80 s of audio) with three soundbites, the last after the end of the audio;
    built without the clip stage, so the page falls back to the episode audio."""
    root = tmp_path_factory.mktemp("soundbites")
    show = write_show(root, episodes=1, extra=SOUNDBITES)
    out = root / "public"
    master_all(show, out, tone_mp3(root / "tone.mp3"))
    assert not publish(show, out).failed
    return out


def test_feed_carries_the_soundbites_within_the_audio(site):
    entry = feedparser.parse(str(site / "feed.xml")).entries[0]
    # feedparser keeps the attributes of an item's last podcast:soundbite only (and not its text)
    assert entry.podcast_soundbite == {"starttime": "46", "duration": "5.5"}
    bites = etree.parse(str(site / "feed.xml")).getroot().findall(".//item/podcast:soundbite", NS)
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [
        ("0", "5.25", "Gleich am Anfang"),
        ("8", "6", "Holprige Wochen & <Updates>"),
        ("46", "5.5", "Die Apotheken"),
    ]


def test_episode_page_has_a_player_per_soundbite(site):
    html = (site / SLUG / "index.html").read_text("utf-8")
    section = html[html.index('<section class="soundbites"') :]
    section = section[: section.index("</section>")]
    assert section.count("<video") == 3 and "Nach dem Ende" not in section
    assert "Holprige Wochen &amp; &lt;Updates&gt;" in section
    posters = re.findall(r'<video [^>]*poster="([^"]+)"', section)  # the clip's first frame, not a black box
    assert posters == ["soundbite-00000000.jpg", "soundbite-00008000.jpg", "soundbite-00046000.jpg"]
    sources = re.findall(r'<source src="([^"]+)" type="([^"]+)">', section)
    assert sources == [
        ("soundbite-00000000.mp4", "video/mp4"),
        (f"{SLUG}.mp3#t=0.000,5.250", "audio/mpeg"),
        ("soundbite-00008000.mp4", "video/mp4"),
        (f"{SLUG}.mp3#t=8.000,14.000", "audio/mpeg"),
        ("soundbite-00046000.mp4", "video/mp4"),
        (f"{SLUG}.mp3#t=46.000,51.500", "audio/mpeg"),
    ]


@pytest.mark.slow
def test_soundbite_player_without_clip_plays_its_passage_of_the_episode(site, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((site / SLUG / "index.html").as_uri())
    assert page.locator(".soundbite-title").all_inner_texts() == [
        "0:00 Gleich am Anfang",
        "0:08 Holprige Wochen & <Updates>",
        "0:46 Die Apotheken",
    ]
    page.wait_for_function("document.querySelectorAll('.soundbite video')[2].readyState >= 1")
    bite = page.locator(".soundbite video").nth(2)
    assert bite.evaluate("v => v.currentSrc").endswith(f"{SLUG}.mp3#t=46.000,51.500")  # the clip is missing
    assert bite.evaluate("v => v.currentTime") == pytest.approx(46, abs=0.3)
    page.locator("h1").click()  # a user gesture, so that the page may play sound
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("!document.getElementById('player').paused")
    bite.evaluate("v => v.play()")
    page.wait_for_function("document.getElementById('player').paused")  # one player at a time
    page.wait_for_function("document.querySelectorAll('.soundbite video')[2].currentTime > 47")
    page.wait_for_function("document.querySelectorAll('.soundbite video')[2].paused", timeout=15000)
    assert bite.evaluate("v => v.currentTime") == pytest.approx(51.5, abs=0.4)  # stopped at the end
    page.close()


def test_the_pipeline_renders_soundbites_after_transcription_before_publishing():
    names = [s.name for s in default_stages()]
    assert names.index("transcribe") < names.index("soundbites") < names.index("publish")


def ffprobe(path: Path) -> dict:
    import subprocess

    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", media_path(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


@pytest.mark.slow
def test_build_renders_soundbite_clips_incrementally(transcribed_demo_show, tmp_path, browser):
    demo_show = transcribed_demo_show
    episode = demo_show / "001-epa-im-praxisalltag"
    toml = episode / "episode.toml"
    original = toml.read_text("utf-8")
    toml.write_text(original + '\n[[soundbites]]\nstart = "00:10"\nduration = 6\ntitle = "Zu Gast"\n', "utf-8")
    out = tmp_path / "public"
    stages = [MasterStage(), SoundbiteStage(), PublishEpisodeStage(), PublishShowStage()]  # the demo is transcribed

    def run() -> dict[str, str]:
        report = build(demo_show, out, stages=stages)
        assert not report.failed, report.failed
        return {r.stage: r.status for r in report.results}

    assert run()["soundbites"] == "done"
    folder = out / episode.name
    clip = folder / "soundbite-00010000.mp4"
    info = ffprobe(clip)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 1080, 1080)
    assert float(info["format"]["duration"]) == pytest.approx(6.0, abs=0.1)
    assert (folder / "soundbite-00010000.vtt").is_file() and (folder / "soundbite-00010000.jpg").is_file()
    assert (
        b'<podcast:soundbite startTime="10" duration="6">Zu Gast</podcast:soundbite>' in (out / "feed.xml").read_bytes()
    )

    page = browser.new_page()
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("document.querySelector('.soundbite video').readyState >= 1")
    player = page.locator(".soundbite video")
    assert player.evaluate("v => v.currentSrc").endswith("/soundbite-00010000.mp4")  # the clip, not the fallback
    assert player.evaluate("v => [v.videoWidth, v.videoHeight]") == [1080, 1080]
    assert player.evaluate("v => v.duration") == pytest.approx(6.0, abs=0.1)
    page.close()

    assert set(run().values()) == {"skipped"}  # nothing changed: nothing done
    stamp = clip.stat().st_mtime_ns
    toml.write_text(
        original + '\n[[soundbites]]\nstart = "00:10"\nduration = 6\ntitle = "Neuer Titel"\n'
        '\n[[soundbites]]\nstart = "00:30"\nduration = 5\ntitle = "Dazu"\n',
        "utf-8",
    )
    assert run()["soundbites"] == "done"
    assert clip.stat().st_mtime_ns == stamp  # a new title: the clip stays as it was
    assert (folder / "soundbite-00030000.mp4").is_file()
    assert b">Neuer Titel</podcast:soundbite>" in (out / "feed.xml").read_bytes()

    toml.write_text(original + '\n[[soundbites]]\nstart = "00:30"\nduration = 5\ntitle = "Dazu"\n', "utf-8")
    run()
    assert sorted(p.name for p in folder.glob("soundbite-*")) == [
        "soundbite-00030000.jpg",
        "soundbite-00030000.mp4",
        "soundbite-00030000.srt",
        "soundbite-00030000.vtt",
    ]

    toml.write_text(original + '\n[[soundbites]]\nstart = "01:30"\nduration = 10\ntitle = "Zu spät"\n', "utf-8")
    report = build(demo_show, out, stages=stages)
    [failed] = report.failed
    assert failed.stage == "soundbites"
    assert "episode.toml: soundbite 'Zu spät' at 1:30: the clip ends at 100 s, after the end" in str(failed.error)
    assert (folder / "soundbite-00030000.mp4").is_file()  # the episode stays as it was published
