"""The rules podcast directories apply. ``check_site(out)`` checks a published folder: feed.xml (namespaces,
channel and item elements, GUIDs, dates, HTTPS, ASCII file names), the artwork (Pillow), that each enclosure
length equals its file's size, that every linked transcript, chapters and image file exists and is
well-formed, and that the pages link only to files that exist and load nothing from elsewhere. The cover
and the template's placeholders are checked on input, too."""

from __future__ import annotations

import email.utils
import json
import re
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from PIL import UnidentifiedImageError

from ..cleantext import CONTROL_RE
from ..config.schema import LANGUAGE_RE
from ..errors import ConfigError
from ..images import MAX_SIDE, ImageTooLarge, open_image
from ..workspace import EPISODE_FILE, FEED_FILE, SHOW_FILE, Episode, Speaker, shown_parent
from .categories import category_problem
from .feed import NS

TRANSCRIPT_TYPES = {"text/vtt", "application/x-subrip", "application/json", "text/html", "text/plain"}
FILE_NAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
DURATION_RE = re.compile(r"^\d+$|^\d+:\d{1,2}(:\d{1,2})?$")
ARTWORK_MIN, ARTWORK_MAX = 1400, MAX_SIDE
TEXT_SUFFIXES = {".xml", ".html", ".txt", ".vtt", ".srt", ".json"}
PLACEHOLDER_NAME = "Gast Vorname Nachname"
PLACEHOLDER_ORGANISATION = "Organisation"
PLACEHOLDER_DESCRIPTION = "Worum geht es in dieser Folge?"
PLACEHOLDERS = (PLACEHOLDER_NAME, PLACEHOLDER_DESCRIPTION)
"""Text of ``templates/episode.toml.j2`` that the user is meant to replace, distinctive enough to look for in
published files; it is never published."""


@dataclass(frozen=True)
class Problem:
    """One violated rule: where, what is wrong, and how to fix it."""

    where: str
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" + (f" — {self.fix}" if self.fix else "")


def artwork_problem(path: Path, *, need_rgb: bool = True) -> str:
    """Why ``path`` is not valid podcast artwork (square JPEG/PNG, 1400-3000 px, RGB, all there), or ""."""
    try:
        with open_image(path) as image:
            fmt, (width, height), mode = image.format, image.size, image.mode
            if fmt in ("JPEG", "PNG") and ARTWORK_MIN <= width == height <= ARTWORK_MAX:
                image.load()  # a truncated file fails here; a header too large was refused unread
    except FileNotFoundError:
        return "the image file does not exist"
    except ImageTooLarge as exc:
        return str(exc)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        return f"is not a readable image ({exc})"
    if fmt not in ("JPEG", "PNG"):
        return f"is {fmt}, not JPEG or PNG"
    if width != height:
        return f"is {width}×{height} px, not square"
    if not ARTWORK_MIN <= width <= ARTWORK_MAX:
        return f"is {width}×{height} px, not between {ARTWORK_MIN} and {ARTWORK_MAX} px"
    if need_rgb and mode != "RGB":
        return f"has colour mode {mode}, not RGB"
    return ""


def check_placeholders(episode: Episode, people: list[Speaker]) -> None:
    """Raise ConfigError if the description or one of ``people`` still holds template text: one error
    naming every placeholder left, so they are all replaced in one go."""
    found = [("description", PLACEHOLDER_DESCRIPTION)] if PLACEHOLDER_DESCRIPTION in episode.description else []
    found += [
        ("speakers", s.label)
        for s in people
        if s.name == PLACEHOLDER_NAME or s.organisation == PLACEHOLDER_ORGANISATION
    ]
    if found:
        keys = "; ".join(f"key '{key}' still holds the template's placeholder {text!r}" for key, text in found)
        raise ConfigError(
            f"{episode.file}: {keys}", "replace it with the real text, or mark the episode as not ready: draft = true"
        )


PLACEHOLDER_COVER_KEY = "audiokit-placeholder-cover"
"""The PNG text key ``audiokit init`` writes into its placeholder cover, so ``check`` can tell it."""


def is_placeholder_cover(path: Path) -> bool:
    """True for the placeholder cover ``audiokit init`` made (a PNG with the marker kept in its metadata)."""
    try:
        with open_image(path) as image:
            return bool(image.info.get(PLACEHOLDER_COVER_KEY))
    except (OSError, UnidentifiedImageError, ImageTooLarge, SyntaxError):
        return False


class _Checker:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.problems: list[Problem] = []
        self.base = ""

    def add(self, where: str, what: str, fix: str = "") -> None:
        self.problems.append(Problem(where, what, fix))

    def local(self, where: str, url: str | None, what: str) -> Path | None:
        """The file in ``out`` that ``url`` names; records a problem if it is not there or not allowed."""
        if not url:
            self.add(where, f"{what} has no URL", "give every link a URL")
            return None
        if not url.startswith("https://"):
            self.add(where, f"{what} URL {url!r} is not HTTPS", "serve the site over https:// (base_url)")
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        if name and not FILE_NAME_RE.match(name):
            self.add(
                where,
                f"{what} file name {name!r} is not plain ASCII",
                "use only letters a-z, A-Z, digits, '.', '_' and '-' in file names",
            )
        if not self.base or not url.startswith(self.base):
            self.add(
                where,
                f"{what} {url!r} is not inside the published site {self.base!r}",
                "publish the file in this folder",
            )
            return None
        path = self.out / unquote(urlsplit(url[len(self.base) :]).path)
        if not path.is_file():
            self.add(where, f"{what} {url!r} links to {path}, which does not exist", "rebuild the show")
            return None
        return path

    def https(self, where: str, url: str | None, what: str) -> None:
        if url and not url.startswith("https://"):
            self.add(where, f"{what} URL {url!r} is not HTTPS", "use https:// addresses")

    def run(self) -> list[Problem]:
        feed = self.out / "feed.xml"
        if not feed.is_file():
            self.add(
                str(feed),
                "the feed does not exist",
                f"give the folder 'audiokit build' wrote (default SHOW/public), or build it: "
                f"audiokit build SHOW --out {self.out}",
            )
        else:
            self.check_feed(feed)
        for page in [self.out / "index.html", *sorted(self.out.glob("*/index.html"))]:
            if page.is_file():
                self.check_page(page)
        for path in sorted(self.out.glob("*/*.*")) + [feed]:
            if path.suffix in TEXT_SUFFIXES and path.is_file():
                self.check_text(path)
        return self.problems

    def check_text(self, path: Path) -> None:
        """Control characters and template placeholders in a published text file."""
        where = str(path.relative_to(self.out))
        text = path.read_text("utf-8", errors="replace")
        if control := CONTROL_RE.search(text):
            self.add(
                where,
                f"contains the control character U+{ord(control.group()):04X}",
                "remove it from the transcript or the TOML file and rebuild (audiokit strips it on input)",
            )
        for placeholder in PLACEHOLDERS:
            if placeholder in text:
                self.add(
                    where,
                    f"contains the template's placeholder {placeholder!r}",
                    "replace it in episode.toml (or the transcript) and rebuild",
                )

    def check_feed(self, feed: Path) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            root = etree.parse(str(feed), parser).getroot()
        except etree.XMLSyntaxError as exc:
            self.add(str(feed), f"is not well-formed XML ({exc})", "rebuild; report the bug if it stays")
            return
        where = "feed.xml"
        if root.tag != "rss" or root.get("version") != "2.0":
            self.add(where, "is not an RSS 2.0 document", "rebuild the feed")
            return
        for prefix in ("itunes", "content", "podcast"):
            if NS[prefix] not in root.nsmap.values():
                self.add(where, f"the {prefix} namespace ({NS[prefix]}) is not declared", "rebuild the feed")
        channel = root.find("channel")
        if channel is None:
            self.add(where, "has no <channel>", "rebuild the feed")
            return
        self_link = channel.find("atom:link[@rel='self']", NS)
        feed_url = self_link.get("href", "") if self_link is not None else ""
        if not feed_url:
            self.add(where, "has no atom:link rel=self (the feed's own URL)", "rebuild the feed")
        self.base = feed_url.rsplit("/", 1)[0] + "/" if feed_url else ""
        self.https(where, feed_url, "feed")
        self.check_channel(channel, where)
        guids: set[str] = set()
        enclosures: set[str] = set()
        for index, item in enumerate(channel.findall("item"), start=1):
            self.check_item(item, f"feed.xml item {index} ({item.findtext('title') or 'untitled'})", guids, enclosures)

    def check_channel(self, channel: etree._Element, where: str) -> None:
        for tag in ("title", "description", "language", "link"):
            if not (channel.findtext(tag) or "").strip():
                self.add(where, f"the channel has no <{tag}>", f"set {tag} in show.toml")
        language = channel.findtext("language") or ""
        if language and not LANGUAGE_RE.match(language):
            self.add(where, f"language {language!r} is not a language code", 'write language = "de" in show.toml')
        self.https(where, channel.findtext("link"), "channel link")
        image = channel.find("itunes:image", NS)
        if image is None:
            self.add(where, "has no itunes:image", "set cover in show.toml")
        else:
            path = self.local(where, image.get("href"), "itunes:image")
            if path and (problem := artwork_problem(path)):
                self.add(
                    where,
                    f"the artwork {path.name} {problem}",
                    "use a square JPEG or PNG of 1400-3000 px in RGB colours",
                )
            elif path and is_placeholder_cover(path):
                self.add(
                    where,
                    f"the artwork {path.name} is the placeholder cover 'audiokit init' made",
                    "put the show's own artwork (square JPEG or PNG of 1400-3000 px) at cover in show.toml and rebuild",
                )
        if not (channel.findtext("itunes:owner/itunes:email", namespaces=NS) or "").strip():
            self.add(
                where,
                "has no itunes:owner with itunes:email (Apple and Spotify send their ownership check there)",
                'set owner_email = "redaktion@example.org" in show.toml and rebuild',
            )
        categories = channel.findall("itunes:category", NS)
        if not categories:
            self.add(where, "has no itunes:category", 'add categories = ["Technology"] to show.toml')
        for category in categories:
            for sub in category.findall("itunes:category", NS) or [None]:
                value = category.get("text", "") + (f"/{sub.get('text', '')}" if sub is not None else "")
                if problem := category_problem(value):
                    self.add(where, problem, "use Apple's list of categories")
        explicit = channel.findtext("itunes:explicit", namespaces=NS)
        if explicit not in ("true", "false"):
            self.add(where, f"itunes:explicit is {explicit!r}, not true or false", "rebuild the feed")
        guid = channel.findtext("podcast:guid", namespaces=NS)
        try:
            version = uuid.UUID(guid or "").version
        except ValueError:
            version = None
        if version != 5:
            self.add(
                where,
                f"podcast:guid {guid!r} is not a version 5 UUID",
                "remove podcast_guid from show.toml to have it computed from the feed URL",
            )
        if channel.findtext("podcast:locked", namespaces=NS) not in ("yes", "no"):
            self.add(where, "podcast:locked is missing or not yes/no", "rebuild the feed")
        self.check_persons(channel, where)

    def check_item(self, item: etree._Element, where: str, guids: set[str], enclosures: set[str]) -> None:
        if not (item.findtext("title") or "").strip():
            self.add(where, "has no <title>", "give the episode a title")
        guid = (item.findtext("guid") or "").strip()
        if not guid:
            self.add(where, "has no <guid>", "rebuild the feed")
        elif guid in guids:
            self.add(where, f"guid {guid!r} is used twice", "give every episode its own guid")
        guids.add(guid)
        self.https(where, item.findtext("link"), "episode link")
        self.check_enclosure(item, where, enclosures)
        date = item.findtext("pubDate") or ""
        try:
            parsed = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.add(
                where,
                f"pubDate {date!r} is not an RFC 2822 date with a time zone",
                "write date = 2026-11-10T18:00:00+01:00 in episode.toml",
            )
        duration = (item.findtext("itunes:duration", namespaces=NS) or "").strip()
        if not DURATION_RE.match(duration):
            self.add(where, f"itunes:duration {duration!r} is missing or malformed", "rebuild the feed")
        episode_type = item.findtext("itunes:episodeType", namespaces=NS)
        if episode_type not in ("full", "trailer", "bonus"):
            self.add(where, f"itunes:episodeType is {episode_type!r}", "use full, trailer or bonus")
        number = item.findtext("itunes:episode", namespaces=NS)
        if episode_type == "full" and not (number or "").isdigit():
            self.add(where, "a full episode has no itunes:episode number", "set number in episode.toml")
        for transcript in item.findall("podcast:transcript", NS):
            self.check_transcript(transcript, where)
        for chapters in item.findall("podcast:chapters", NS):
            if chapters.get("type") != "application/json+chapters":
                self.add(where, f"podcast:chapters type is {chapters.get('type')!r}", "use application/json+chapters")
            if path := self.local(where, chapters.get("url"), "podcast:chapters"):
                self.check_chapters(path, where)
        self.check_persons(item, where)

    def check_persons(self, parent: etree._Element, where: str) -> None:
        for person in parent.findall("podcast:person", NS):
            self.https(where, person.get("img"), "podcast:person img")
            self.https(where, person.get("href"), "podcast:person href")

    def check_enclosure(self, item: etree._Element, where: str, seen: set[str]) -> None:
        enclosure = item.find("enclosure")
        if enclosure is None:
            self.add(where, "has no <enclosure>", "master the episode and rebuild")
            return
        url = enclosure.get("url", "")
        if url in seen:
            self.add(where, f"enclosure {url!r} is used by another item too", "give every episode its own audio")
        seen.add(url)
        if not (enclosure.get("type") or "").startswith(("audio/", "video/")):
            self.add(where, f"enclosure type {enclosure.get('type')!r} is not an audio type", "rebuild the feed")
        path = self.local(where, url, "enclosure")
        length = enclosure.get("length", "")
        if path is not None and (not length.isdigit() or int(length) != path.stat().st_size):
            self.add(
                where,
                f"enclosure length {length} differs from the file size {path.stat().st_size}",
                "rebuild the feed after the last change to the audio",
            )

    def check_transcript(self, element: etree._Element, where: str) -> None:
        mime = element.get("type")
        if mime not in TRANSCRIPT_TYPES:
            self.add(
                where,
                f"podcast:transcript type {mime!r} is not a transcript type",
                f"use one of {', '.join(sorted(TRANSCRIPT_TYPES))}",
            )
        path = self.local(where, element.get("url"), "podcast:transcript")
        if path is None:
            return
        text = path.read_text("utf-8", errors="replace")
        if mime == "text/vtt" and not text.startswith("WEBVTT"):
            self.add(where, f"{path.name} does not start with WEBVTT", "rebuild the transcript exports")
        if mime == "application/json":
            try:
                data = json.loads(text)
                ok = data.get("version") == "1.0.0" and all(
                    {"startTime", "endTime", "body"} <= set(s) for s in data["segments"]
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                self.add(where, f"{path.name} is not a Podcasting 2.0 JSON transcript", "rebuild the exports")

    def check_chapters(self, path: Path, where: str) -> None:
        try:
            data = json.loads(path.read_text("utf-8"))
            starts = [c["startTime"] for c in data["chapters"]]
            ok = (
                data.get("version") == "1.2.0"
                and all(isinstance(c["title"], str) for c in data["chapters"])
                and all(isinstance(s, (int, float)) and s >= 0 for s in starts)
                and starts == sorted(starts)
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            self.add(
                where,
                f"{path.name} is not valid Podcasting 2.0 JSON chapters (version 1.2.0, sorted)",
                "check the chapters in episode.toml and rebuild",
            )

    def check_page(self, page: Path) -> None:
        links = _Links()
        links.feed(page.read_text("utf-8", errors="replace"))
        where = str(page.relative_to(self.out))
        missing: set[str] = set()
        for tag, attr, url in links.found:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//"):
                if attr == "src" or tag == "link":
                    self.add(where, f"loads {url!r} from elsewhere", "pages must use local assets only")
                continue
            if not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() and url not in missing:
                missing.add(url)
                self.add(where, f"links to {url!r}, which does not exist", "rebuild the site")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append((tag, name, value))


def check_site(out: Path | str) -> list[Problem]:
    """Every problem found in the published folder ``out`` (empty when it passes). A show folder (or an
    episode folder) is refused with a ConfigError that names the output folder to check."""
    out = Path(out)
    if (out / SHOW_FILE).is_file() or (out / EPISODE_FILE).is_file():
        show = out if (out / SHOW_FILE).is_file() else shown_parent(out)
        public = show / "public"
        build_first = "" if (public / FEED_FILE).is_file() else f" (build it first: audiokit build {show})"
        raise ConfigError(
            f"{out} is {'a show' if show == out else 'an episode'} folder, not the folder the build wrote",
            f"check the output folder: audiokit check {public}{build_first}",
        )
    return _Checker(out).run()
