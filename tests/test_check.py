"""``check_site`` and ``audiokit check``: a built site passes; each broken rule is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from audiokit.cli import cli
from audiokit.publish.check import artwork_problem, check_site
from helpers_publish import BASE_URL, built_site

SLUG = "001-folge-1"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory.mktemp("check"), episodes=2)


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A private copy of the built site to break."""
    return Path(shutil.copytree(built, tmp_path / "public"))


def problems_of(site: Path) -> list[str]:
    return [str(p) for p in check_site(site)]


def edit_feed(site: Path, old: str, new: str, count: int = -1) -> None:
    feed = site / "feed.xml"
    text = feed.read_text("utf-8")
    assert old in text
    feed.write_text(text.replace(old, new, count), encoding="utf-8")


def test_a_built_site_passes(built):
    assert check_site(built) == []
    result = CliRunner().invoke(cli, ["check", str(built)])
    assert result.exit_code == 0 and "no problems found" in result.output


def test_enclosure_length_must_equal_the_file_size(site):
    with open(site / SLUG / f"{SLUG}.mp3", "ab") as fh:
        fh.write(b"\0" * 10)
    [problem] = problems_of(site)
    assert "enclosure length" in problem and "differs from the file size" in problem


def test_linked_files_must_exist(site):
    (site / SLUG / "transcript.srt").unlink()
    (site / SLUG / "chapters.json").unlink()
    found = problems_of(site)
    assert any("podcast:transcript" in p and "transcript.srt" in p and "does not exist" in p for p in found)
    assert any("podcast:chapters" in p and "does not exist" in p for p in found)
    assert any(p.startswith(f"{SLUG}/index.html: links to 'transcript.srt'") for p in found)


def test_artwork_rules(site, tmp_path):
    Image.new("RGB", (1200, 1200)).save(site / "cover.png")
    assert any("artwork cover.png is 1200×1200 px, not between 1400 and 3000 px" in p for p in problems_of(site))
    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (1500, 1500)).save(cmyk)
    assert artwork_problem(cmyk) == "has colour mode CMYK, not RGB"
    gif = tmp_path / "cover.gif"
    Image.new("RGB", (1500, 1500)).save(gif)
    assert artwork_problem(gif) == "is GIF, not JPEG or PNG"
    assert artwork_problem(tmp_path / "none.png") == "the image file does not exist"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "<itunes:explicit>false</itunes:explicit>",
            "<itunes:explicit>no</itunes:explicit>",
            "itunes:explicit is 'no', not true or false",
        ),
        ("+0100</pubDate>", "</pubDate>", "is not an RFC 2822 date with a time zone"),
        (
            f'url="{BASE_URL}/{SLUG}/{SLUG}.mp3"',
            f'url="http://podcast.example.org/werkstatt/{SLUG}/{SLUG}.mp3"',
            "is not HTTPS",
        ),
        ("<itunes:duration>80</itunes:duration>", "", "itunes:duration '' is missing or malformed"),
        ('text="Technology"', 'text="Technik"', "'Technik' is not an Apple Podcasts category"),
        ("<podcast:guid>", "<podcast:guid>x", "is not a version 5 UUID"),
        ("<language>de</language>", "<language>Deutsch</language>", "language 'Deutsch' is not a language code"),
        ('type="text/vtt"', 'type="text/webvtt"', "podcast:transcript type 'text/webvtt' is not a transcript type"),
        ("</channel>", "<item><title>Kopie</title></item></channel>", "has no <enclosure>"),
        ("<rss ", "<rss><broken", "is not well-formed XML"),
    ],
)
def test_feed_rules(site, old, new, expected):
    edit_feed(site, old, new)
    assert any(expected in p for p in problems_of(site)), problems_of(site)


def test_guids_and_enclosures_must_be_unique(site):
    feed = (site / "feed.xml").read_text("utf-8")
    guids = [line for line in feed.splitlines() if "<guid" in line]
    edit_feed(site, guids[1], guids[0], 1)
    assert any("is used twice" in p for p in problems_of(site))


def test_file_names_must_be_ascii(site):
    (site / SLUG / "transcript.vtt").rename(site / SLUG / "transkript-ä.vtt")
    edit_feed(site, f'{SLUG}/transcript.vtt"', f'{SLUG}/transkript-%C3%A4.vtt"')
    assert any("file name 'transkript-ä.vtt' is not plain ASCII" in p for p in problems_of(site))


def test_broken_chapters_and_json_transcripts_are_reported(site):
    (site / SLUG / "chapters.json").write_text(
        '{"version": "1.2.0", "chapters": [{"startTime": 5, "title": "b"}, {"startTime": 1, "title": "a"}]}',
        encoding="utf-8",
    )
    (site / SLUG / "transcript.json").write_text('{"segments": []}', encoding="utf-8")
    found = problems_of(site)
    assert any("chapters.json is not valid Podcasting 2.0 JSON chapters" in p for p in found)
    assert any("transcript.json is not a Podcasting 2.0 JSON transcript" in p for p in found)


def test_pages_must_not_load_external_assets(site):
    page = site / SLUG / "index.html"
    page.write_text(
        page.read_text("utf-8").replace("</body>", '<script src="https://cdn.example.com/x.js"></script></body>'),
        encoding="utf-8",
    )
    assert problems_of(site) == [
        f"{SLUG}/index.html: loads 'https://cdn.example.com/x.js' from elsewhere — pages must use local assets only"
    ]


def test_cli_lists_problems_and_exits_1(site):
    (site / "feed.xml").unlink()
    result = CliRunner().invoke(cli, ["check", str(site)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == (
        f"{site / 'feed.xml'}: the feed does not exist — give the folder 'audiokit build' wrote (default "
        f"SHOW/public), or build it: audiokit build SHOW --out {site}"
    )
    assert lines[1:] == [
        "index.html: links to 'feed.xml', which does not exist — rebuild the site",
        f"{SLUG}/index.html: links to '../feed.xml', which does not exist — rebuild the site",
        "002-folge-2/index.html: links to '../feed.xml', which does not exist — rebuild the site",
    ]
