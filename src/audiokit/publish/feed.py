"""feed.xml: RSS 2.0 with the itunes, content, podcast (Podcasting 2.0) and psc namespaces. feedgen stays
behind this module: callers hand over typed FeedChannel / FeedItem objects. Where feedgen falls short
(itunes:explicit true/false, the podcast namespace, Podlove chapters) a feedgen extension adds the elements.
Every text is stripped of control characters first and no CDATA is used, so ``&``, ``<`` and ``]]>`` are
escaped by lxml and the feed stays well-formed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..timefmt import clock, whole_seconds
from ..workspace import Chapter, Episode, Show, Speaker
from .categories import split_category
from .markup import clean_text, safe_url

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
    "psc": "http://podlove.org/simple-chapters",
}
PERSON_ROLES = {"host": "host", "cohost": "co-host", "moderator": "host", "guest": "guest"}


@dataclass
class TranscriptLink:
    """One podcast:transcript: URL, MIME type and ``rel`` ("captions" for WebVTT)."""

    url: str
    mime: str
    rel: str = ""


@dataclass
class FeedItem:
    """Everything the feed says about one published episode."""

    episode: Episode
    guid: str
    page_url: str
    audio_url: str
    audio_length: int
    audio_mime: str
    duration: float
    summary_html: str
    shownotes_html: str
    chapters: list[Chapter] = field(default_factory=list)
    chapters_url: str = ""
    transcripts: list[TranscriptLink] = field(default_factory=list)
    people: list[Speaker] = field(default_factory=list)  # podcast:person, as the transcript names them


@dataclass
class FeedChannel:
    """The show as the feed presents it."""

    show: Show
    feed_url: str
    site_url: str
    cover_url: str
    guid: str


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """A ``prefix:name`` child of ``parent``, with its text and non-empty ``attrs`` cleaned."""
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", {k: clean_text(v) for k, v in attrs.items() if v})
    if text is not None:
        element.text = clean_text(text)
    return element


def _persons(parent: etree._Element, speakers: list[Speaker]) -> None:
    for speaker in speakers:
        _sub(
            parent,
            "podcast:person",
            speaker.name,
            role=PERSON_ROLES.get(speaker.role, "guest"),
            group="cast",
            img=safe_url(speaker.img),
            href=safe_url(speaker.href),
        )


def _seconds(value: float) -> str:
    """Seconds as a plain decimal (``73.5``), as podcast:soundbite wants them."""
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


class _ChannelExtension(BaseExtension):
    """podcast:guid, podcast:locked, podcast:person for hosts and itunes:explicit true/false."""

    channel: FeedChannel  # set by render_feed (feedgen makes the instance)

    def extend_ns(self) -> dict[str, str]:
        return {prefix: NS[prefix] for prefix in ("itunes", "podcast", "psc")}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        show = self.channel.show
        channel = feed[0]
        _sub(channel, "itunes:explicit", "true" if show.explicit else "false")
        _sub(channel, "podcast:guid", self.channel.guid)
        _sub(channel, "podcast:locked", "yes" if show.locked else "no", owner=show.owner_email)
        _persons(channel, show.hosts)
        return feed


class _ItemExtension(BaseEntryExtension):
    """podcast:season/episode/person/transcript/soundbite/chapters, psc:chapters and itunes:explicit for one item."""

    item: FeedItem  # set by render_feed (feedgen makes the instance)

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        item, episode = self.item, self.item.episode
        if episode.explicit is not None:
            _sub(entry, "itunes:explicit", "true" if episode.explicit else "false")
        if episode.season is not None:
            _sub(entry, "podcast:season", str(episode.season))
        _sub(entry, "podcast:episode", str(episode.number))
        _persons(entry, item.people)
        for link in item.transcripts:
            _sub(
                entry, "podcast:transcript", url=link.url, type=link.mime, language=episode.show.language, rel=link.rel
            )
        if item.chapters_url:
            _sub(entry, "podcast:chapters", url=item.chapters_url, type="application/json+chapters")
        for bite in item.episode.soundbites:
            if bite.start < item.duration:  # one past the end of the audio would point nowhere
                length = min(bite.duration, item.duration - bite.start)
                _sub(entry, "podcast:soundbite", bite.title, startTime=_seconds(bite.start), duration=_seconds(length))
        if item.chapters:
            psc = _sub(entry, "psc:chapters", version="1.2")
            for chapter in item.chapters:
                _sub(psc, "psc:chapter", start=clock(chapter.start, 3), title=chapter.title, href=safe_url(chapter.url))
        return entry


def render_feed(channel: FeedChannel, items: list[FeedItem]) -> bytes:
    """The feed as UTF-8 XML bytes; items newest first."""
    show = channel.show
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("audiokit", _ChannelExtension, _ItemExtension)
    fg.audiokit.channel = channel
    fg.title(clean_text(show.title))
    fg.link(href=channel.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=channel.site_url, rel="alternate")  # feedgen uses the last link as the RSS <link>
    fg.description(clean_text(show.description or show.title))
    fg.language(show.language)
    fg.generator("audiokit")
    fg.docs("https://www.rssboard.org/rss-specification")
    fg.image(url=channel.cover_url, title=clean_text(show.title), link=channel.site_url)
    fg.podcast.itunes_author(clean_text(show.author))
    fg.podcast.itunes_image(channel.cover_url)
    fg.podcast.itunes_type("episodic")
    if show.owner_email:
        fg.podcast.itunes_owner(name=clean_text(show.owner_name or show.author), email=show.owner_email)
    categories = [split_category(c) for c in show.categories]
    if categories:
        fg.podcast.itunes_category([{"cat": c, "sub": s} if s else {"cat": c} for c, s in categories])
    items = sorted(items, key=lambda i: (i.episode.date, i.episode.number), reverse=True)
    fg.lastBuildDate(items[0].episode.date if items else dt.datetime.now(dt.timezone.utc))
    for item in items:
        episode = item.episode
        entry = fg.add_entry(order="append")
        entry.audiokit.item = item
        entry.title(clean_text(episode.title))
        entry.link(href=item.page_url)
        entry.guid(item.guid, permalink=False)
        entry.pubDate(episode.date)
        entry.description(clean_text(item.summary_html or episode.title))
        entry.content(clean_text(item.shownotes_html))
        entry.enclosure(item.audio_url, str(item.audio_length), item.audio_mime)
        entry.podcast.itunes_duration(str(whole_seconds(item.duration)))
        entry.podcast.itunes_episode_type(episode.episode_type)
        if episode.number > 0:
            entry.podcast.itunes_episode(episode.number)
        if episode.season is not None:
            entry.podcast.itunes_season(episode.season)
    return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
