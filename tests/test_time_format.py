"""One time format everywhere: m:ss under an hour, h:mm:ss from one, always floored; the site's and the editor's
JavaScript (in a real Chromium) give the strings audiokit.timefmt gives, and the feed's duration agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from audiokit.editor import EditorServer, open_episode
from audiokit.ffmpeg import probe
from audiokit.templating import templates_dir
from audiokit.timefmt import timestamp, whole_seconds
from helpers_editor import make_show
from helpers_publish import master_all, publish, tone_mp3, write_show

VALUES = [0, 59.9, 63.6, 3599.99, 3600, 3725.5, 18.9996, 8.9994, -1.0]
SHOWN = ["0:00", "0:59", "1:03", "59:59", "1:00:00", "1:02:05", "0:19", "0:08", "0:00"]


def test_the_rule_is_m_ss_under_an_hour_and_h_mm_ss_from_one_floored() -> None:
    assert [timestamp(v) for v in VALUES] == SHOWN
    assert [whole_seconds(v) for v in VALUES] == [0, 59, 63, 3599, 3600, 3725, 19, 8, 0]
    assert timestamp(63.6, 1) == "1:03.6" and timestamp(3725.5, 2) == "1:02:05.50"


@pytest.mark.slow
def test_the_site_script_formats_times_as_python_does(browser) -> None:
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=(templates_dir() / "site" / "site.js").read_text("utf-8"))
        assert page.evaluate(f"{VALUES}.map(formatTime)") == SHOWN
    finally:
        page.close()


@pytest.mark.slow
def test_the_editor_formats_times_as_python_does(tmp_path: Path, browser) -> None:
    episode, _ = make_show(tmp_path / "show")
    with EditorServer(open_episode(episode)).start() as server:
        page = browser.new_page()
        try:
            page.goto(server.url)
            page.wait_for_selector(".turn .w")
            assert page.evaluate(f"{VALUES}.map(clock)") == SHOWN
            shown = page.locator(".turn").first.locator(".time").inner_text()
            assert re.fullmatch(r"\d+:\d\d", shown), shown  # a turn's time is 0:00, not 00:00:00
        finally:
            page.close()


def test_feed_duration_and_page_agree_on_the_floored_second(tmp_path: Path) -> None:
    show = write_show(tmp_path, chapters=False)
    mp3 = tone_mp3(tmp_path / "tone.mp3", seconds=64.6)
    duration = probe(mp3).duration
    assert duration % 1 >= 0.5  # rounding would say 65 s
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    feed = (out / "feed.xml").read_text("utf-8")
    assert re.findall(r"<itunes:duration>([^<]+)</itunes:duration>", feed) == ["64"]
    page = (out / "001-folge-1" / "index.html").read_text("utf-8")
    assert "Dauer 1:04" in page
