"""Issue 20, items 2, 3, 7 and 8: a renamed header renames the speaker, the site's basics (subscribe, social
cards, favicon, cover, download, share at this time), errors that point the right way, and what directories
reject (no owner e-mail, the placeholder cover); ``new`` dates in the show's time zone."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zoneinfo
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image

from audiokit.cli import cli
from audiokit.editor import import_text
from audiokit.errors import ConfigError
from audiokit.exports import export_transcript
from audiokit.people import same_person
from audiokit.publish.check import NS, check_site, is_placeholder_cover
from audiokit.publish.episode import published_speakers, show_publish
from audiokit.scaffold import init_show, new_episode
from audiokit.transcript import load as load_transcript
from audiokit.workspace import load_show
from helpers_publish import (
    BASE_URL,
    add_episode,
    built_site,
    master_all,
    publish,
    sample_transcript,
    tone_mp3,
    write_show,
)

JANA = "Jana Albers [Praxisgemeinschaft Nordstadt]"
TWO_TURNS = [  # Jana speaks twice: renaming her first header leaves the second one with the old name
    ("S1", 1.0, "Hallo und willkommen in der Werkstatt. Bei mir ist heute Jana Albers aus der Praxis."),
    ("S2", 8.0, "Danke, ich freue mich. Wir haben im Frühjahr angefangen und es war holprig."),
    ("S1", 20.0, "Jetzt kommt noch Tobias Reimann dazu. Wie sieht das in den Apotheken aus?"),
    ("S3", 30.0, "Bei uns war die Umstellung leichter, weil die Rezepte schon digital laufen."),
    ("S2", 46.0, "In der Praxis brauchen wir noch etwas Zeit, aber es wird besser."),
    ("S1", 70.0, "Vielen Dank euch beiden fürs Zuhören und bis bald."),
]
APPLE = "https://podcasts.apple.com/de/podcast/werkstatt/id1234567890"
SPOTIFY = "https://open.spotify.com/show/0123456789abcdefghijkl"
SLUG = "001-folge-1"


def rename_first(text: str, old: str, new: str) -> str:
    assert text.count(f"{old}:") == 2
    return text.replace(f"{old}:", f"{new}:", 1)


# item 2: the text round trip


def test_a_renamed_header_renames_the_speaker_even_where_other_headers_keep_the_old_name() -> None:
    transcript = sample_transcript(TWO_TURNS)
    text = rename_first(export_transcript(transcript, "txt"), JANA, "Dr. Jana Albers [Praxisgemeinschaft Nordstadt]")
    imported = import_text(transcript, text)
    assert [s.label for s in imported.speakers if "Jana" in s.name] == [
        "Dr. Jana Albers [Praxisgemeinschaft Nordstadt]"
    ]
    jana = next(s for s in imported.speakers if "Jana" in s.name)
    assert jana.id == "S2"  # the same speaker, renamed
    assert [s.speaker for s in imported.segments] == [s.speaker for s in transcript.segments]


def test_a_new_name_on_one_turn_is_a_reassignment_not_a_rename() -> None:
    transcript = sample_transcript(TWO_TURNS)
    imported = import_text(transcript, rename_first(export_transcript(transcript, "txt"), JANA, "Paul Neumann"))
    paul = next(s for s in imported.speakers if s.name == "Paul Neumann")
    assert paul.id not in {s.id for s in transcript.speakers}
    assert imported.speaker("S2").label == JANA  # Jana keeps her name and her second turn
    assert [
        imported.speaker(s.speaker).name for s in imported.segments if "Jana" in imported.speaker(s.speaker).name
    ] == ["Jana Albers"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Dr. Sabine Wolff", "Sabine Wolff", True),
        ("Prof. Dr. med. Sabine Wolff", "Sabine Wolff", True),
        ("Sabine Wolf", "Sabine Wolff", True),
        ("Frau Wolff", "Sabine Wolff", True),
        ("Sprecher 2", "Sprecher 3", False),
        ("Paul Neumann", "Jana Albers", False),
    ],
)
def test_same_person(a: str, b: str, same: bool) -> None:
    assert same_person(a, b) is same


def test_renamed_speaker_is_one_person_in_feed_and_guest_list_with_picture_and_link(tmp_path: Path) -> None:
    show = write_show(tmp_path, episodes=1)
    toml = show / SLUG / "episode.toml"
    toml.write_text(
        toml.read_text("utf-8").replace(
            'organisation = "Praxisgemeinschaft Nordstadt"\n',
            'organisation = "Praxisgemeinschaft Nordstadt"\nimg = "https://example.org/jana.jpg"\n'
            'href = "https://example.org/jana"\n',
        ),
        "utf-8",
    )
    sample_transcript(TWO_TURNS).save(show / SLUG / "transcript.json")
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", str(show / SLUG), "--format", "txt"])
    assert exported.exit_code == 0, exported.output
    corrected = tmp_path / "korrigiert.txt"
    corrected.write_text(rename_first(exported.output, JANA, "Dr. Jana Albers [Praxisgemeinschaft Nordstadt]"))
    result = runner.invoke(cli, ["import-text", str(show / SLUG), str(corrected)])
    assert result.exit_code == 0, result.output
    assert "new speaker" not in result.output

    out = tmp_path / "public"
    master_all(show, out, tone_mp3(tmp_path / "tone.mp3"))
    assert not publish(show, out).failed
    page = lxml.html.parse(str(out / SLUG / "index.html")).getroot()
    assert [li.text_content() for li in page.xpath("//section[@class='people']//li")] == [
        "Dr. Jana Albers, Praxisgemeinschaft Nordstadt",
        "Tobias Reimann, Landesverband der Apotheken",
    ]
    feed = etree.parse(str(out / "feed.xml")).getroot()
    persons = [(p.text, p.get("img"), p.get("href")) for p in feed.iterfind(".//item/podcast:person", NS)]
    assert [p for p in persons if "Jana" in p[0]] == [
        ("Dr. Jana Albers", "https://example.org/jana.jpg", "https://example.org/jana")
    ]
    episode = load_show(show).episodes()[0]
    people = published_speakers(episode, load_transcript(episode.transcript_path))
    assert [p.name for p in people] == ["Clara Vogt", "Dr. Jana Albers", "Tobias Reimann"]


# item 3: the site's basics


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_site(
        tmp_path_factory.mktemp("basics"),
        description="Über **Akten** & <script>alert(1)</script>Abläufe in der Praxis.",
        settings=f'\n[publish]\napple_podcasts_url = "{APPLE}"\nspotify_url = "{SPOTIFY}"\n',
    )


def meta(page: Path) -> dict[str, str]:
    """The og: and twitter: tags of ``page``, as a real HTML parser reads them."""
    root = lxml.html.parse(str(page)).getroot()
    tags = {m.get("property") or m.get("name"): m.get("content") for m in root.iter("meta")}
    return {k: v for k, v in tags.items() if k and k.startswith(("og:", "twitter:"))}


def test_index_and_episode_pages_have_social_cards(site: Path) -> None:
    index = meta(site / "index.html")
    assert index["og:title"] == "Werkstatt & <Gespräch>"
    assert index["og:type"] == "website" and index["og:url"] == BASE_URL + "/"
    assert index["og:image"] == f"{BASE_URL}/cover.png" == index["twitter:image"]
    assert index["og:description"].startswith("Gespräche über Digitalisierung")
    episode = meta(site / SLUG / "index.html")
    assert episode["og:title"] == "Folge 1: Akten & Abläufe" == episode["twitter:title"]
    assert episode["og:url"] == f"{BASE_URL}/{SLUG}/" and episode["og:type"] == "article"
    assert episode["og:image"] == f"{BASE_URL}/cover.png"
    assert episode["og:description"] == "Über Akten & Abläufe in der Praxis."  # Markdown and script removed
    assert episode["og:audio"] == f"{BASE_URL}/{SLUG}/{SLUG}.mp3" and episode["twitter:card"] == "summary"
    assert check_site(site) == []


def test_favicon_cover_download_and_subscribe_buttons(site: Path) -> None:
    with Image.open(site / "favicon.png") as icon:
        assert icon.format == "PNG" and icon.size == (64, 64)
    page = lxml.html.parse(str(site / SLUG / "index.html")).getroot()
    assert page.xpath("//link[@rel='icon']")[0].get("href") == "../favicon.png"
    assert page.xpath("//img[@class='cover']")[0].get("src") == "../cover.png"
    [download] = page.xpath("//a[@class='download']")
    assert download.get("href") == f"{SLUG}.mp3" and download.get("download") is not None
    assert re.search(r"MP3, \d+,\d MB", download.text_content())
    index = lxml.html.parse(str(site / "index.html")).getroot()
    header = index.xpath("//header//a[@class='feed']")[0]
    assert header.get("href") == "#abonnieren"  # not the raw XML
    buttons = {a.text_content(): a.get("href") for a in index.xpath("//*[@id='abonnieren']//a[@class='button']")}
    assert buttons == {
        "Apple Podcasts": APPLE,
        "Spotify": SPOTIFY,
        "In Podcast-App öffnen": "podcast://podcast.example.org/werkstatt/feed.xml",
    }
    assert index.xpath("//*[@id='feed-adresse']")[0].get("value") == f"{BASE_URL}/feed.xml"
    feed = feedparser.parse((site / "feed.xml").read_bytes())  # the feed is still what clients read
    assert not feed.bozo and feed.feed.title == "Werkstatt & <Gespräch>"


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory) -> Path:
    """A built show with no directory addresses in [publish]."""
    return built_site(tmp_path_factory.mktemp("plain"))


def test_without_apple_or_spotify_only_the_podcast_app_button(plain_site: Path) -> None:
    index = lxml.html.parse(str(plain_site / "index.html")).getroot()
    assert [a.text_content() for a in index.xpath("//*[@id='abonnieren']//a[@class='button']")] == [
        "In Podcast-App öffnen"
    ]


def test_directory_addresses_are_validated(tmp_path: Path) -> None:
    show = write_show(tmp_path, episodes=0)
    text = (show / "show.toml").read_text("utf-8")
    (show / "show.toml").write_text(text + '\n[publish]\nspotify_url = "https://evil.example/spotify"\n')
    with pytest.raises(ConfigError, match=r"spotify_url.*not an https://open\.spotify\.com/… address"):
        show_publish(load_show(show))


def test_subscribe_copy_and_share_at_this_time_in_chromium(site: Path, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    page.get_by_role("button", name="Feed-Adresse kopieren").click()
    page.wait_for_function("document.querySelector(\"[data-status='feed-adresse']\").textContent !== ''")
    selected = page.evaluate(
        "(() => { const i = document.getElementById('feed-adresse');"
        " return i.value.slice(i.selectionStart, i.selectionEnd); })()"
    )
    assert selected == f"{BASE_URL}/feed.xml"  # copied (or selected for Ctrl+C where the clipboard is closed)

    page.goto((site / SLUG / "index.html").as_uri())
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.evaluate("document.getElementById('player').currentTime = 46.6")
    page.get_by_role("button", name="Link ab dieser Stelle teilen").click()
    link = page.locator("#stelle")
    assert link.is_visible()
    assert link.input_value() == f"{BASE_URL}/{SLUG}/#t=46"
    page.close()

    shared = context.new_page()  # the player honours the shared second
    shared.goto((site / SLUG / "index.html").as_uri() + "#t=46")
    shared.wait_for_function("Math.abs(document.getElementById('player').currentTime - 46) < 0.5")
    context.close()


# item 8: what directories reject; `new` in the show's time zone


def test_check_fails_a_feed_without_owner_email(plain_site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "public"
    shutil.copytree(plain_site, copy)
    feed = copy / "feed.xml"
    tree = etree.parse(str(feed))
    for owner in tree.getroot().iterfind(".//itunes:owner", NS):
        owner.getparent().remove(owner)
    tree.write(str(feed), xml_declaration=True, encoding="UTF-8")
    assert podcastparser.parse("feed.xml", feed.open("rb"))["episodes"]  # clients read it; directories refuse it
    problems = [str(p) for p in check_site(copy)]
    assert any("itunes:owner with itunes:email" in p and "owner_email" in p for p in problems), problems


def test_check_fails_the_placeholder_cover_of_init(plain_site: Path, tmp_path: Path) -> None:
    made = init_show(
        tmp_path / "neu", title="Neu", author="A", base_url=BASE_URL, host="Clara Vogt", owner_email="a@b.de"
    )
    assert is_placeholder_cover(made.cover)
    assert not is_placeholder_cover(plain_site / "cover.png")
    copy = tmp_path / "public"
    shutil.copytree(plain_site, copy)
    shutil.copyfile(made.cover, copy / "cover.png")
    problems = [str(p) for p in check_site(copy)]
    assert any("placeholder cover 'audiokit init' made" in p for p in problems), problems


def test_new_dates_the_episode_in_the_show_time_zone_and_names_the_next_step(tmp_path: Path) -> None:
    show = init_show(tmp_path / "show", title="Neu", author="A", base_url=BASE_URL, host="Clara Vogt")
    folder = new_episode(show, "Erste Folge")
    date = dt.datetime.fromisoformat(
        re.search(r"^date = (\S+)$", (folder / "episode.toml").read_text("utf-8"), re.M).group(1)
    )
    berlin = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert date.utcoffset() == berlin.utcoffset()
    (show.file).write_text(
        show.file.read_text("utf-8").replace("title =", 'time_zone = "America/New_York"\ntitle =', 1)
    )
    result = CliRunner().invoke(cli, ["new", str(show.dir), "Zweite Folge"])
    assert result.exit_code == 0, result.output
    text = (show.dir / "002-zweite-folge" / "episode.toml").read_text("utf-8")
    offset = dt.datetime.now(zoneinfo.ZoneInfo("America/New_York")).utcoffset()
    assert dt.datetime.fromisoformat(re.search(r"^date = (\S+)$", text, re.M).group(1)).utcoffset() == offset
    assert "next: put the recording into" in result.stderr and "audiokit build" in result.stderr
    show.file.write_text(show.file.read_text("utf-8").replace("America/New_York", "Mars/Olympus"))
    with pytest.raises(ConfigError, match="time_zone.*not a known time zone"):
        load_show(show.dir)


# item 7: errors that point the right way


def test_build_on_an_episode_folder_names_the_show(tmp_path: Path, monkeypatch) -> None:
    show = write_show(tmp_path, episodes=1)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["build", f"show/{SLUG}"])
    assert result.exit_code == 1
    assert f"Error: show/{SLUG} is an episode folder, not a show folder — build the show that holds it: " in (
        result.output
    )
    assert f"audiokit build show (add --episode {SLUG}" in result.output and "audiokit init" not in result.output
    assert show.is_dir()


def test_edit_and_import_text_on_a_show_name_what_was_typed(tmp_path: Path, monkeypatch) -> None:
    write_show(tmp_path, episodes=1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("Clara Vogt:\nHallo\n")
    for args in (["edit", "show", "--no-browser"], ["import-text", "show", "x.txt"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        assert result.output.strip() == (
            f"Error: show is a show folder (it holds show.toml), not an episode folder — give one of its episode "
            f"folders, for example show/{SLUG}"
        )


def test_check_on_a_show_points_at_the_output_folder(tmp_path: Path, monkeypatch) -> None:
    write_show(tmp_path, episodes=1)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "show"])
    assert result.exit_code == 1
    assert "Error: show is a show folder, not the folder the build wrote — check the output folder: " in result.output
    assert "audiokit check show/public (build it first: audiokit build show)" in result.output
    assert "feed does not exist" not in result.output


def test_an_unnamed_zoom_recording_is_pointed_out(tmp_path: Path, caplog) -> None:
    show = write_show(tmp_path, episodes=1)
    add_episode(show, 2)
    (show / "002-folge-2" / "aufnahme.wav").unlink()  # still waiting: the Zoom file is there instead
    (show / "002-folge-2" / "GMT20261110-170000_Recording.m4a").write_bytes(b"\0")
    (show / SLUG / "zoom_0.m4a").write_bytes(b"\0")
    out = tmp_path / "public"
    master_all(show, out, tone_mp3(tmp_path / "tone.mp3"))
    with caplog.at_level("WARNING", logger="audiokit"):
        assert not publish(show, out).failed
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert f"{SLUG}: zoom_0.m4a not named in episode.toml, so not used" in messages
    assert (
        "the folder holds 'GMT20261110-170000_Recording.m4a': write recording = \"GMT20261110-170000_Recording.m4a\""
        in (messages)
    )


def test_every_placeholder_is_reported_at_once(tmp_path: Path) -> None:
    placeholder = '\n[[speakers]]\nname = "Gast Vorname Nachname"\norganisation = "Organisation"\n'
    show = write_show(tmp_path, episodes=2, description="Worum geht es in dieser Folge?", extra=placeholder)
    with pytest.raises(ConfigError) as caught:
        publish(show, tmp_path / "public")
    message = str(caught.value)
    assert message.startswith("2 problems in the show's files — correct them all, then build again:\n")
    for slug in (SLUG, "002-folge-2"):
        line = next(line for line in message.splitlines() if slug in line)
        assert "'description'" in line and "Gast Vorname Nachname [Organisation]" in line
