"""The listener site: pages in the HTML, and the episode page in headless Chromium (seek, search, phone)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers_publish import add_episode, master_all, publish, tone_mp3, write_show

SLUG = "001-folge-1"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    show = write_show(root, episodes=1)
    add_episode(show, 2, chapters=False, transcript=False, date="2026-12-01T18:00:00+01:00")
    out = root / "public"
    master_all(show, out, tone_mp3(root / "tone.mp3"))
    assert not publish(show, out).failed
    return out


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def elements(page: Path) -> list[tuple[str, dict[str, str]]]:
    parser = Elements()
    parser.feed(page.read_text("utf-8"))
    return parser.elements


def test_index_lists_episodes_newest_first_with_local_assets(site):
    html = (site / "index.html").read_text("utf-8")
    links = [
        a["href"]
        for tag, a in elements(site / "index.html")
        if tag == "a" and a.get("href", "").endswith("/index.html")
    ]
    assert links == ["002-folge-2/index.html", f"{SLUG}/index.html"]
    assert '<img class="cover" src="cover.png"' in html
    assert "https://podcast.example.org/werkstatt/feed.xml" in html
    assert "Werkstatt &amp; &lt;Gespräch&gt;" in html  # show title escaped
    assert (site / "assets" / "site.css").is_file() and (site / "assets" / "site.js").is_file()


def test_episode_page_has_player_chapters_and_named_transcript(site):
    found = elements(site / SLUG / "index.html")
    [source] = [a for tag, a in found if tag == "source"]
    assert source == {"src": f"{SLUG}.mp3", "type": "audio/mpeg"}
    seeks = [a["data-t"] for tag, a in found if tag == "button" and "data-t" in a]
    assert seeks[:3] == ["0.0", "8.0", "46.0"]  # chapters, then one timestamp per turn
    assert len(seeks) == 3 + 5
    html = (site / SLUG / "index.html").read_text("utf-8")
    assert html.count("<cite>Clara Vogt</cite>") == 3 and html.count("<cite>Jana Albers</cite>") == 1
    assert 'type="search"' in html
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="mailto:', ""))


def test_episode_without_transcript_has_no_transcript_section(site):
    html = (site / "002-folge-2" / "index.html").read_text("utf-8")
    assert "<audio" in html and 'id="transkript"' not in html


@pytest.mark.slow
def test_episode_page_in_chromium_seeks_on_chapters_and_searches(site, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((site / SLUG / "index.html").as_uri())
    page.wait_for_function("document.getElementById('player').readyState >= 1")  # the MP3 loaded
    assert page.locator(".turn cite").all_inner_texts() == [
        "Clara Vogt",
        "Jana Albers",
        "Clara Vogt",
        "Tobias Reimann",
        "Clara Vogt",
    ]
    assert page.locator(".turn .org").first.inner_text() == "Netzwerk Digitale Gesundheit"
    assert page.locator(".chapters .chapter-title").all_inner_texts() == [
        "Begrüßung",
        "Erfahrungen aus der Praxis",
        "Die Sicht der Apotheken",
    ]
    assert page.locator(".chapters").is_visible() and page.locator(".transcript").is_visible()

    page.get_by_role("button", name=re.compile("Die Sicht der Apotheken")).click()
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 46) < 1.5")
    page.locator(".turn button.ts").nth(1).click()  # Jana's turn at 00:08
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 8) < 1.5")
    page.evaluate("document.getElementById('player').pause()")

    page.fill("#suche", "holprig")
    assert page.locator(".turn:visible cite").all_inner_texts() == ["Jana Albers"]
    assert page.locator("#treffer").inner_text() == "1 Abschnitt gefunden"
    page.fill("#suche", "apotheken")  # in Clara's question and in Tobias's organisation
    assert page.locator(".turn:visible cite").all_inner_texts() == ["Clara Vogt", "Tobias Reimann"]
    assert page.locator(".turn mark").all_inner_texts() == ["Apotheken"]
    assert page.locator("#treffer").inner_text() == "2 Abschnitte gefunden"
    page.screenshot(path=str(tmp_path / "episode-desktop.png"), full_page=True)
    page.fill("#suche", "")
    assert page.locator(".turn:visible").count() == 5
    page.close()


@pytest.mark.slow
def test_episode_page_is_readable_on_a_phone(site, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page.goto((site / SLUG / "index.html").as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.turn .text')).fontSize)")
    assert font >= 16
    box = page.locator(".chapters button.seek").first.bounding_box()
    assert box["height"] >= 40  # a finger can hit a chapter
    page.screenshot(path=str(tmp_path / "episode-phone.png"), full_page=True)
    page.goto((site / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
