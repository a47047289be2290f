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
from ..i18n import _
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
        return _("the image file does not exist")
    except ImageTooLarge as exc:
        return str(exc)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        return _("is not a readable image ({exc})").format(exc=exc)
    if fmt not in ("JPEG", "PNG"):
        return _("is {fmt}, not JPEG or PNG").format(fmt=fmt)
    if width != height:
        return _("is {width}×{height} px, not square").format(width=width, height=height)
    if not ARTWORK_MIN <= width <= ARTWORK_MAX:
        return _("is {width}×{height} px, not between {low} and {high} px").format(
            width=width, height=height, low=ARTWORK_MIN, high=ARTWORK_MAX
        )
    if need_rgb and mode != "RGB":
        return _("has colour mode {mode}, not RGB").format(mode=mode)
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
        keys = "; ".join(
            _("key '{key}' still holds the template's placeholder {text!r}").format(key=key, text=text)
            for key, text in found
        )
        raise ConfigError(
            f"{episode.file}: {keys}",
            _("replace it with the real text, or mark the episode as not ready: draft = true"),
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
            self.add(where, _("{what} has no URL").format(what=what), _("give every link a URL"))
            return None
        if not url.startswith("https://"):
            self.add(
                where,
                _("{what} URL {url!r} is not HTTPS").format(what=what, url=url),
                _("serve the site over https:// (base_url)"),
            )
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        if name and not FILE_NAME_RE.match(name):
            self.add(
                where,
                _("{what} file name {name!r} is not plain ASCII").format(what=what, name=name),
                _("use only letters a-z, A-Z, digits, '.', '_' and '-' in file names"),
            )
        if not self.base or not url.startswith(self.base):
            self.add(
                where,
                _("{what} {url!r} is not inside the published site {base!r}").format(
                    what=what, url=url, base=self.base
                ),
                _("publish the file in this folder"),
            )
            return None
        path = self.out / unquote(urlsplit(url[len(self.base) :]).path)
        if not path.is_file():
            self.add(
                where,
                _("{what} {url!r} links to {path}, which does not exist").format(what=what, url=url, path=path),
                _("rebuild the show"),
            )
            return None
        return path

    def https(self, where: str, url: str | None, what: str) -> None:
        if url and not url.startswith("https://"):
            self.add(
                where, _("{what} URL {url!r} is not HTTPS").format(what=what, url=url), _("use https:// addresses")
            )

    def run(self) -> list[Problem]:
        feed = self.out / "feed.xml"
        if not feed.is_file():
            self.add(
                str(feed),
                _("the feed does not exist"),
                _(
                    "give the folder 'audiokit build' wrote (default SHOW/public), or build it: audiokit build SHOW --out {out}"
                ).format(out=self.out),
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
                _("contains the control character U+{value:04X}").format(value=ord(control.group())),
                _("remove it from the transcript or the TOML file and rebuild (audiokit strips it on input)"),
            )
        for placeholder in PLACEHOLDERS:
            if placeholder in text:
                self.add(
                    where,
                    _("contains the template's placeholder {placeholder!r}").format(placeholder=placeholder),
                    _("replace it in episode.toml (or the transcript) and rebuild"),
                )

    def check_feed(self, feed: Path) -> None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            root = etree.parse(str(feed), parser).getroot()
        except etree.XMLSyntaxError as exc:
            self.add(
                str(feed), _("is not well-formed XML ({exc})").format(exc=exc), _("rebuild; report the bug if it stays")
            )
            return
        where = "feed.xml"
        if root.tag != "rss" or root.get("version") != "2.0":
            self.add(where, _("is not an RSS 2.0 document"), _("rebuild the feed"))
            return
        for prefix in ("itunes", "content", "podcast"):
            if NS[prefix] not in root.nsmap.values():
                self.add(
                    where,
                    _("the {prefix} namespace ({value}) is not declared").format(prefix=prefix, value=NS[prefix]),
                    _("rebuild the feed"),
                )
        channel = root.find("channel")
        if channel is None:
            self.add(where, _("has no <channel>"), _("rebuild the feed"))
            return
        self_link = channel.find("atom:link[@rel='self']", NS)
        feed_url = self_link.get("href", "") if self_link is not None else ""
        if not feed_url:
            self.add(where, _("has no atom:link rel=self (the feed's own URL)"), _("rebuild the feed"))
        self.base = feed_url.rsplit("/", 1)[0] + "/" if feed_url else ""
        self.https(where, feed_url, _("feed"))
        self.check_channel(channel, where)
        guids: set[str] = set()
        enclosures: set[str] = set()
        for index, item in enumerate(channel.findall("item"), start=1):
            self.check_item(
                item,
                _("feed.xml item {index} ({title})").format(index=index, title=item.findtext("title") or _("untitled")),
                guids,
                enclosures,
            )

    def check_channel(self, channel: etree._Element, where: str) -> None:
        for tag in ("title", "description", "language", "link"):
            if not (channel.findtext(tag) or "").strip():
                self.add(
                    where, _("the channel has no <{tag}>").format(tag=tag), _("set {tag} in show.toml").format(tag=tag)
                )
        language = channel.findtext("language") or ""
        if language and not LANGUAGE_RE.match(language):
            self.add(
                where,
                _("language {language!r} is not a language code").format(language=language),
                _('write language = "de" in show.toml'),
            )
        self.https(where, channel.findtext("link"), _("channel link"))
        image = channel.find("itunes:image", NS)
        if image is None:
            self.add(where, _("has no itunes:image"), _("set cover in show.toml"))
        else:
            path = self.local(where, image.get("href"), _("itunes:image"))
            if path and (problem := artwork_problem(path)):
                self.add(
                    where,
                    _("the artwork {name} {problem}").format(name=path.name, problem=problem),
                    _("use a square JPEG or PNG of 1400-3000 px in RGB colours"),
                )
            elif path and is_placeholder_cover(path):
                self.add(
                    where,
                    _("the artwork {name} is the placeholder cover 'audiokit init' made").format(name=path.name),
                    _(
                        "put the show's own artwork (square JPEG or PNG of 1400-3000 px) at cover in show.toml and rebuild"
                    ),
                )
        if not (channel.findtext("itunes:owner/itunes:email", namespaces=NS) or "").strip():
            self.add(
                where,
                _("has no itunes:owner with itunes:email (Apple and Spotify send their ownership check there)"),
                _('set owner_email = "redaktion@example.org" in show.toml and rebuild'),
            )
        categories = channel.findall("itunes:category", NS)
        if not categories:
            self.add(where, _("has no itunes:category"), _('add categories = ["Technology"] to show.toml'))
        for category in categories:
            for sub in category.findall("itunes:category", NS) or [None]:
                value = category.get("text", "") + (f"/{sub.get('text', '')}" if sub is not None else "")
                if problem := category_problem(value):
                    self.add(where, problem, _("use Apple's list of categories"))
        explicit = channel.findtext("itunes:explicit", namespaces=NS)
        if explicit not in ("true", "false"):
            self.add(
                where,
                _("itunes:explicit is {explicit!r}, not true or false").format(explicit=explicit),
                _("rebuild the feed"),
            )
        guid = channel.findtext("podcast:guid", namespaces=NS)
        try:
            version = uuid.UUID(guid or "").version
        except ValueError:
            version = None
        if version != 5:
            self.add(
                where,
                _("podcast:guid {guid!r} is not a version 5 UUID").format(guid=guid),
                _("remove podcast_guid from show.toml to have it computed from the feed URL"),
            )
        if channel.findtext("podcast:locked", namespaces=NS) not in ("yes", "no"):
            self.add(where, _("podcast:locked is missing or not yes/no"), _("rebuild the feed"))
        self.check_persons(channel, where)

    def check_item(self, item: etree._Element, where: str, guids: set[str], enclosures: set[str]) -> None:
        if not (item.findtext("title") or "").strip():
            self.add(where, _("has no <title>"), _("give the episode a title"))
        guid = (item.findtext("guid") or "").strip()
        if not guid:
            self.add(where, _("has no <guid>"), _("rebuild the feed"))
        elif guid in guids:
            self.add(where, _("guid {guid!r} is used twice").format(guid=guid), _("give every episode its own guid"))
        guids.add(guid)
        self.https(where, item.findtext("link"), _("episode link"))
        self.check_enclosure(item, where, enclosures)
        date = item.findtext("pubDate") or ""
        try:
            parsed = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.add(
                where,
                _("pubDate {date!r} is not an RFC 2822 date with a time zone").format(date=date),
                _("write date = 2026-11-10T18:00:00+01:00 in episode.toml"),
            )
        duration = (item.findtext("itunes:duration", namespaces=NS) or "").strip()
        if not DURATION_RE.match(duration):
            self.add(
                where,
                _("itunes:duration {duration!r} is missing or malformed").format(duration=duration),
                _("rebuild the feed"),
            )
        episode_type = item.findtext("itunes:episodeType", namespaces=NS)
        if episode_type not in ("full", "trailer", "bonus"):
            self.add(
                where,
                _("itunes:episodeType is {episode_type!r}").format(episode_type=episode_type),
                _("use full, trailer or bonus"),
            )
        number = item.findtext("itunes:episode", namespaces=NS)
        if episode_type == "full" and not (number or "").isdigit():
            self.add(where, _("a full episode has no itunes:episode number"), _("set number in episode.toml"))
        for transcript in item.findall("podcast:transcript", NS):
            self.check_transcript(transcript, where)
        for chapters in item.findall("podcast:chapters", NS):
            if chapters.get("type") != "application/json+chapters":
                self.add(
                    where,
                    _("podcast:chapters type is {value!r}").format(value=chapters.get("type")),
                    _("use application/json+chapters"),
                )
            if path := self.local(where, chapters.get("url"), _("podcast:chapters")):
                self.check_chapters(path, where)
        self.check_persons(item, where)

    def check_persons(self, parent: etree._Element, where: str) -> None:
        for person in parent.findall("podcast:person", NS):
            self.https(where, person.get("img"), _("podcast:person img"))
            self.https(where, person.get("href"), _("podcast:person href"))

    def check_enclosure(self, item: etree._Element, where: str, seen: set[str]) -> None:
        enclosure = item.find("enclosure")
        if enclosure is None:
            self.add(where, _("has no <enclosure>"), _("master the episode and rebuild"))
            return
        url = enclosure.get("url", "")
        if url in seen:
            self.add(
                where,
                _("enclosure {url!r} is used by another item too").format(url=url),
                _("give every episode its own audio"),
            )
        seen.add(url)
        if not (enclosure.get("type") or "").startswith(("audio/", "video/")):
            self.add(
                where,
                _("enclosure type {value!r} is not an audio type").format(value=enclosure.get("type")),
                _("rebuild the feed"),
            )
        path = self.local(where, url, _("enclosure"))
        length = enclosure.get("length", "")
        if path is not None and (not length.isdigit() or int(length) != path.stat().st_size):
            self.add(
                where,
                _("enclosure length {length} differs from the file size {st_size}").format(
                    length=length, st_size=path.stat().st_size
                ),
                _("rebuild the feed after the last change to the audio"),
            )

    def check_transcript(self, element: etree._Element, where: str) -> None:
        mime = element.get("type")
        if mime not in TRANSCRIPT_TYPES:
            self.add(
                where,
                _("podcast:transcript type {mime!r} is not a transcript type").format(mime=mime),
                _("use one of {value}").format(value=", ".join(sorted(TRANSCRIPT_TYPES))),
            )
        path = self.local(where, element.get("url"), _("podcast:transcript"))
        if path is None:
            return
        text = path.read_text("utf-8", errors="replace")
        if mime == "text/vtt" and not text.startswith("WEBVTT"):
            self.add(
                where,
                _("{name} does not start with WEBVTT").format(name=path.name),
                _("rebuild the transcript exports"),
            )
        if mime == "application/json":
            try:
                data = json.loads(text)
                ok = data.get("version") == "1.0.0" and all(
                    {"startTime", "endTime", "body"} <= set(s) for s in data["segments"]
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                ok = False
            if not ok:
                self.add(
                    where,
                    _("{name} is not a Podcasting 2.0 JSON transcript").format(name=path.name),
                    _("rebuild the exports"),
                )

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
                _("{name} is not valid Podcasting 2.0 JSON chapters (version 1.2.0, sorted)").format(name=path.name),
                _("check the chapters in episode.toml and rebuild"),
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
                    self.add(
                        where, _("loads {url!r} from elsewhere").format(url=url), _("pages must use local assets only")
                    )
                continue
            if not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() and url not in missing:
                missing.add(url)
                self.add(where, _("links to {url!r}, which does not exist").format(url=url), _("rebuild the site"))


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
        what = (
            _("{out} is a show folder, not the folder the build wrote")
            if show == out
            else _("{out} is an episode folder, not the folder the build wrote")
        )
        fix = (
            _("check the output folder: audiokit check {public}")
            if (public / FEED_FILE).is_file()
            else _("check the output folder: audiokit check {public} (build it first: audiokit build {show})")
        )
        raise ConfigError(what.format(out=out), fix.format(public=public, show=show))
    return _Checker(out).run()
