"""Who speaks in an episode, as published (page, shownotes, podcast:person): the transcript is the one
source of truth for names, so a speaker renamed in the editor or by import-text is published renamed."""

from __future__ import annotations

from typing import Any

from ..transcript import Transcript
from ..workspace import Episode, Speaker

PERSON_FIELDS = ("name", "organisation", "role", "img", "href")


def published_speakers(episode: Episode, transcript: Transcript | None) -> list[Speaker]:
    """The named speakers of ``transcript`` who say something, in order of appearance; without a
    transcript, the speakers of episode.toml. Role, picture and link come from episode.toml (or the
    show's hosts) for the same name; a voice the transcript could not name is left out."""
    if transcript is None:
        return list(episode.speakers)
    known = {s.name: s for s in [*episode.show.hosts, *episode.speakers]}
    people: list[Speaker] = []
    seen: set[str] = set()
    for segment in transcript.segments:
        if not segment.words or segment.speaker in seen:
            continue
        seen.add(segment.speaker)
        voice = transcript.speaker(segment.speaker)
        if voice.source == "unresolved" or not voice.name.strip():
            continue
        same = known.get(voice.name)
        people.append(
            Speaker(
                voice.name,
                voice.organisation,
                voice.role or (same.role if same else "guest"),
                img=same.img if same else "",
                href=same.href if same else "",
            )
        )
    return people


def person(speaker: Speaker) -> dict[str, Any]:
    """A speaker as publish.json keeps it."""
    return {key: getattr(speaker, key) for key in PERSON_FIELDS}
