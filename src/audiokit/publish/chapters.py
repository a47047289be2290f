"""Chapters: from episode.toml, or proposed from the transcript at guest introductions. Times are seconds on
the published audio; the Podcasting 2.0 JSON form is ``{"version": "1.2.0", "chapters": [{"startTime",
"title", "url"?}]}``."""

from __future__ import annotations

import json
import re

from ..exports import SENTENCE_END
from ..people import HOST_ROLES
from ..transcript import Segment, Transcript, TranscriptSpeaker
from ..workspace import Chapter, Episode
from .markup import safe_url

OPENING_TITLE = "Begrüßung"
MIN_WORDS = 6
"""A guest's first turn with at least this many words opens their chapter (shorter ones are interjections)."""
INTRO_LOOKBACK = 90.0
"""How far before a guest's first turn an introduction by someone else may start, in seconds."""


def episode_chapters(
    episode: Episode, transcript: Transcript | None, *, offset: float = 0.0, auto: bool = True, min_gap: float = 30.0
) -> list[Chapter]:
    """The chapters of ``episode.toml``; without any, chapters proposed from ``transcript`` (if ``auto``)."""
    if episode.chapters:
        return sorted(episode.chapters, key=lambda c: c.start)
    if transcript is None or not auto:
        return []
    return propose_chapters(transcript, episode, offset=offset, min_gap=min_gap)


def propose_chapters(
    transcript: Transcript, episode: Episode | None = None, *, offset: float = 0.0, min_gap: float = 30.0
) -> list[Chapter]:
    """An opening chapter, then one chapter per guest where they are introduced or first speak at length: at
    the sentence of another speaker just before that names the guest (the introduction) or, when that is
    within ``min_gap`` seconds of the previous chapter (all guests introduced in the opening), at the guest's
    first substantial turn. A guest whose turn is still that close joins the previous chapter's title.
    Returns [] when there is only one."""
    known = {s.name: s for s in (episode.speakers if episode else [])}
    segments = sorted((s for s in transcript.segments if s.words), key=lambda s: s.start)
    chapters = [Chapter(0.0, OPENING_TITLE)]
    guests: list[TranscriptSpeaker] = []  # the guests of the last chapter
    seen: set[str] = set()
    for index, segment in enumerate(segments):
        speaker = transcript.speaker(segment.speaker)
        if speaker.id in seen or _is_host(speaker, known) or len(segment.words) < MIN_WORDS:
            continue
        seen.add(speaker.id)
        starts = [round(max(0.0, t + offset), 3) for t in (_introduction(segments, index, speaker), segment.start)]
        start = next((t for t in starts if t - chapters[-1].start >= min_gap), None)
        if start is not None:
            chapters.append(Chapter(start, ""))
            guests = []
        elif len(chapters) == 1:
            continue  # speaks at length only during the opening: the opening keeps its title
        guests.append(speaker)
        chapters[-1].title = _title(guests, known)
    return chapters if len(chapters) > 1 else []


def _is_host(speaker: TranscriptSpeaker, known: dict) -> bool:
    return (speaker.role or getattr(known.get(speaker.name), "role", "")) in HOST_ROLES


def _introduction(segments: list[Segment], index: int, guest: TranscriptSpeaker) -> float:
    """When ``guest`` is introduced: the start of the sentence in which another speaker names them
    shortly before their first turn, else the start of that turn (recording time)."""
    first = segments[index]
    names = {n for n in re.findall(r"\w+", guest.name.lower()) if len(n) > 2}
    for previous in reversed(segments[:index]):
        if first.start - previous.start > INTRO_LOOKBACK:
            break
        if previous.speaker == guest.id:
            continue
        words = previous.words
        named = [i for i, w in enumerate(words) if names & set(re.findall(r"\w+", w.text.lower()))]
        if named:
            sentence = named[-1]
            while sentence > 0 and not words[sentence - 1].text.endswith(SENTENCE_END):
                sentence -= 1
            return words[sentence].start
    return first.start


def _title(guests: list[TranscriptSpeaker], known: dict) -> str:
    parts = []
    for guest in guests:
        organisation = guest.organisation or getattr(known.get(guest.name), "organisation", "")
        parts.append(f"{guest.name} ({organisation})" if organisation else guest.name)
    return "Im Gespräch mit " + " und ".join(parts)


def chapters_json(chapters: list[Chapter]) -> str:
    """Podcasting 2.0 JSON chapters (version 1.2.0)."""
    items = []
    for chapter in chapters:
        item: dict = {"startTime": round(chapter.start, 3), "title": chapter.title}
        if url := safe_url(chapter.url):
            item["url"] = url
        items.append(item)
    return json.dumps({"version": "1.2.0", "chapters": items}, ensure_ascii=False, indent=1) + "\n"
