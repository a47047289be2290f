"""feed.xml: real client parsers (podcastparser, feedparser), Podcasting 2.0 tags, GUIDs, safety."""

from __future__ import annotations

import email.utils
import re
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree

from audiokit.publish.check import NS
from audiokit.publish.guid import episode_guid, podcast_guid
from helpers_publish import BASE_URL, add_episode, master_all, publish, tone_mp3, write_show

EPISODES = 3


@pytest.fixture(scope="module")
def mp3(tmp_path_factory) -> Path:
    return tone_mp3(tmp_path_factory.mktemp("audio") / "tone.mp3")


@pytest.fixture(scope="module")
def site(tmp_path_factory, mp3) -> Path:
    """A show of three published episodes (the second is explicit, the third has no chapters)."""
    root = tmp_path_factory.mktemp("feed")
    show = write_show(root, episodes=2, top="explicit = false")
    add_episode(show, 3, chapters=False, top="explicit = true")
    out = root / "public"
    master_all(show, out, mp3)
    report = publish(show, out)
    assert not report.failed, report.failed
    return out


def parse_xml(path: Path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


@pytest.mark.parametrize(
    ("url", "guid"),
    [
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("podnews.net/rss/", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    ],
)
def test_podcast_guid_matches_spec_vectors(url, guid):
    assert podcast_guid(url) == guid


def test_episode_guid_depends_on_show_guid_and_slug_only():
    show = podcast_guid("podnews.net/rss")
    # a fixed vector: UUIDv5 of the slug in the show's namespace, so it survives a move of the feed
    assert episode_guid(show, "001-a") == "urn:uuid:8208fb4d-e6cf-5305-b112-be517d1c05e5"
    assert episode_guid(show, "001-a") != episode_guid(show, "002-b")
    assert episode_guid(podcast_guid("example.org/feed.xml"), "001-a") != episode_guid(show, "001-a")


def test_podcastparser_sees_all_episodes_enclosures_durations_and_chapters(site):
    with open(site / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse(f"{BASE_URL}/feed.xml", fh)
    episodes = parsed["episodes"]
    assert len(episodes) == EPISODES
    assert parsed["cover_url"] == f"{BASE_URL}/cover.png"
    for episode in episodes:
        slug = re.search(r"/(\d{3}-folge-\d)/", episode["link"]).group(1)
        audio = site / slug / f"{slug}.mp3"
        [enclosure] = episode["enclosures"]
        assert enclosure == {
            "url": f"{BASE_URL}/{slug}/{slug}.mp3",
            "file_size": audio.stat().st_size,
            "mime_type": "audio/mpeg",
        }
        assert episode["total_time"] == 80
        assert f"{BASE_URL}/{slug}/transcript.vtt" in episode["description_html"]
    by_number = {e["number"]: e for e in episodes}
    assert [(c["start"], c["title"]) for c in by_number[1]["chapters"]] == [
        (0, "Begrüßung"),
        (8, "Erfahrungen aus der Praxis"),
        (46, "Die Sicht der Apotheken"),
    ]
    assert [c["title"] for c in by_number[3]["chapters"]][0] == "Begrüßung"  # proposed from the transcript


def test_feedparser_sees_all_episodes_with_podcast_namespace(site):
    parsed = feedparser.parse(str(site / "feed.xml"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.podcast_guid == podcast_guid(f"{BASE_URL}/feed.xml")
    assert len(parsed.entries) == EPISODES
    for entry in parsed.entries:
        slug = entry.link.rstrip("/").rsplit("/", 1)[1]
        [enclosure] = entry.enclosures
        assert int(enclosure.length) == (site / slug / f"{slug}.mp3").stat().st_size
        assert enclosure.type == "audio/mpeg"
        assert entry.itunes_duration == "80"
        assert entry.podcast_chapters["url"] == f"{BASE_URL}/{slug}/chapters.json"
        assert entry.podcast_transcript["url"].startswith(f"{BASE_URL}/{slug}/transcript.")
        assert entry.published_parsed is not None


def test_items_carry_every_transcript_format_people_and_numbers(site):
    channel = parse_xml(site / "feed.xml").find("channel")
    assert [p.text for p in channel.findall("podcast:person", NS)] == ["Clara Vogt"]
    for item in channel.findall("item"):
        slug = item.findtext("link").rstrip("/").rsplit("/", 1)[1]
        transcripts = {t.get("type"): t for t in item.findall("podcast:transcript", NS)}
        assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain"}
        assert transcripts["text/vtt"].get("rel") == "captions"
        assert transcripts["text/vtt"].get("url") == f"{BASE_URL}/{slug}/transcript.vtt"
        assert all(t.get("language") == "de" for t in transcripts.values())
        people = [(p.text, p.get("role"), p.get("group")) for p in item.findall("podcast:person", NS)]
        assert people == [
            ("Clara Vogt", "host", "cast"),
            ("Jana Albers", "guest", "cast"),
            ("Tobias Reimann", "guest", "cast"),
        ]
        number = int(slug[:3])
        assert (
            item.findtext("podcast:episode", namespaces=NS)
            == item.findtext("itunes:episode", namespaces=NS)
            == str(number)
        )
        assert item.findtext("podcast:season", namespaces=NS) == "1"
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"


def test_channel_tags_explicit_categories_locked_and_https(site):
    text = (site / "feed.xml").read_text("utf-8")
    assert '<itunes:category text="Health &amp; Fitness">' in text
    channel = parse_xml(site / "feed.xml").find("channel")
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    explicit = [i.findtext("itunes:explicit", namespaces=NS) for i in channel.findall("item")]
    assert explicit == ["true", "false", "false"]  # newest first: episode 3 is explicit
    assert not re.search(r"<itunes:explicit>(yes|no|clean)<", text)
    locked = channel.find("podcast:locked", NS)
    assert (locked.text, locked.get("owner")) == ("yes", "redaktion@example.org")
    assert channel.find("itunes:category", NS).find("itunes:category", NS).get("text") == "Medicine"
    assert channel.findtext("link") == f"{BASE_URL}/"
    urls = re.findall(r'(?:url|href)="([^"]+)"', text) + re.findall(r"<link>([^<]+)<", text)
    assert urls and all(u.startswith("https://") for u in urls if not u.startswith("mailto:"))


def test_dates_are_rfc2822_with_zone_and_guids_unique(site):
    channel = parse_xml(site / "feed.xml").find("channel")
    items = channel.findall("item")
    for item in items:
        parsed = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
        assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 3600
    guids = [i.findtext("guid") for i in items]
    assert len(set(guids)) == EPISODES
    assert all(i.find("guid").get("isPermaLink") == "false" for i in items)


def test_guids_survive_a_move_of_the_feed(tmp_path, mp3):
    show = write_show(tmp_path, episodes=1)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    publish(show, out)
    before = parse_xml(out / "feed.xml").find("channel")
    assert f'podcast_guid = "{podcast_guid(BASE_URL + "/feed.xml")}"' in (show / "show.toml").read_text("utf-8")
    toml = (show / "show.toml").read_text("utf-8").replace(BASE_URL, "https://neu.example.org/podcast")
    (show / "show.toml").write_text(toml, encoding="utf-8")
    publish(show, out)
    after = parse_xml(out / "feed.xml").find("channel")
    assert after.find("atom:link", NS).get("href") == "https://neu.example.org/podcast/feed.xml"
    assert after.findtext("podcast:guid", namespaces=NS) == before.findtext("podcast:guid", namespaces=NS)
    assert after.find("item").findtext("guid") == before.find("item").findtext("guid")


def test_a_guid_kept_from_a_previous_host_wins(tmp_path, mp3):
    show = write_show(tmp_path, episodes=1, extra='\n[publish]\nguid = "alter-host-4711"\n')
    out = tmp_path / "public"
    master_all(show, out, mp3)
    publish(show, out)
    assert parse_xml(out / "feed.xml").find("channel/item").findtext("guid") == "alter-host-4711"


DANGEROUS = (
    'Vorsicht <script>alert("x")</script> und <img src=x onerror="alert(1)"> '
    '[Klick](javascript:alert(2)) <a href="javascript:alert(3)" onclick="alert(4)">hier</a> '
    "Steuerzeichen:\u0001\u0008\u001b\u007f Ende. Praxis & Apotheke, a < b, ]]> bleibt Text."
)


def test_dangerous_shownotes_give_a_well_formed_feed_without_the_danger(tmp_path, mp3):
    show = write_show(tmp_path, episodes=0)
    # a javascript: chapter URL is refused when episode.toml is read (tests/test_settings_validation.py)
    bad_chapter = '\n[[chapters]]\nstart = "00:50"\ntitle = "Böser Link"\nurl = "https://example.org/?a=1&b=2"\n'
    add_episode(show, 1, description=DANGEROUS, title="Titel mit ]]> & <b> und \u0007 Glocke", extra=bad_chapter)
    out = tmp_path / "public"
    master_all(show, out, mp3)
    assert not publish(show, out).failed
    raw = (out / "feed.xml").read_bytes()
    item = parse_xml(out / "feed.xml").find("channel/item")  # strict XML parse: well-formed
    for html in (item.findtext("description"), item.findtext("content:encoded", namespaces=NS)):
        assert "<script" not in html and 'alert("x")' not in html
        assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", html)
        assert "Praxis &amp; Apotheke, a &lt; b, ]]&gt; bleibt Text." in html
        assert "Steuerzeichen: Ende." in html
    assert item.findtext("title") == "Titel mit ]]> & <b> und  Glocke"
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", raw)
    with open(out / "feed.xml", "rb") as fh:
        [episode] = podcastparser.parse(f"{BASE_URL}/feed.xml", fh)["episodes"]
    assert episode["title"] == "Titel mit ]]> & <b> und Glocke"
    assert "<script" not in episode["description_html"]
    parsed = feedparser.parse(raw)
    assert not parsed.bozo and len(parsed.entries) == 1
    page = (out / "001-folge-1" / "index.html").read_text("utf-8")
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
    assert "Böser Link" in page and "javascript:" not in raw.decode("utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    assert "javascript:" not in (out / "001-folge-1" / "chapters.json").read_text("utf-8")
