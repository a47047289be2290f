"""Bring a corrected plain-text transcript back: keep the word timings, apply speaker renames.

The text (``audiokit.transcript_text`` form, edited in any word processor) is aligned to the
recognised words of the whole transcript at once, so typos, merged or split turns and moved
headers all survive. Within a block, the words are kept in the segments they came from; a new
segment starts where the block's words pass from one original segment to the next.
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..atomic import os_error
from ..errors import TranscriptError
from ..i18n import N_, _
from ..people import same_person, speaker_label
from ..transcript import Segment, Transcript, TranscriptSpeaker, Word, now_iso
from ..transcript_text import TextTurn, parse_text
from .align import align
from .operations import new_speaker_id

log = logging.getLogger("audiokit")

MAX_TEXT_BYTES = 4_000_000
"""The largest text taken: about 500,000 words, 50 hours of talk."""
_TOO_LARGE_FIX = N_("import the text export of this episode ('audiokit export --format txt'), corrected")

Block = tuple[TextTurn, list[Word], list[int | None]]
"""A turn of the text, its re-timed words and, per word, the index of the original word it kept."""


def read_text_file(path: Path) -> str:
    """The text of a corrected export ``path`` (UTF-8, with or without BOM), refused when too large."""
    try:
        size = path.stat().st_size
        if size > MAX_TEXT_BYTES:
            raise TranscriptError(
                _("{path} has {value:.1f} MB, more than the {value2:.0f} MB a transcript text can have").format(
                    path=path, value=size / 1000000.0, value2=MAX_TEXT_BYTES / 1000000.0
                ),
                _(_TOO_LARGE_FIX),
            )
        return path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TranscriptError(
            _("{path} is not UTF-8 text").format(path=path), _("save it as UTF-8 (plain text) and import again")
        ) from exc
    except OSError as exc:
        raise os_error(exc, _("cannot read {path}").format(path=path)) from exc


def import_text(transcript: Transcript, text: str) -> Transcript:
    """Return ``transcript`` with the words, turns and speaker names of ``text``."""
    if len(text) > MAX_TEXT_BYTES:
        raise TranscriptError(
            _("the text has {len_text:,} characters, more than a transcript text can have").format(len_text=len(text)),
            _(_TOO_LARGE_FIX),
        )
    turns = [t for t in parse_text(text) if t.text.split()]
    if not turns:
        raise TranscriptError(
            _("the text holds no speaker turn with words"),
            _("import a text exported with 'audiokit export --format txt'"),
        )
    origin = [i for i, s in enumerate(transcript.segments) for _ in s.words]
    first = [0, *itertools.accumulate(len(s.words) for s in transcript.segments)]  # each segment's first word
    old_words = transcript.words
    new_tokens = [tok for t in turns for tok in t.text.split()]
    aligned = align(old_words, new_tokens, start=0.0, end=transcript.duration)
    kept = sum(1 for i, w in zip(aligned.source, aligned.words) if i is not None and old_words[i].text == w.text)
    log.info(_("%d of %d words keep their times; %d re-timed"), kept, len(new_tokens), len(new_tokens) - kept)

    bounds = [0, *itertools.accumulate(len(t.text.split()) for t in turns)]
    blocks: list[Block] = [(t, aligned.words[a:b], aligned.source[a:b]) for t, a, b in zip(turns, bounds, bounds[1:])]

    speakers, speaker_of = _resolve_speakers(transcript, origin, blocks)
    segments: list[Segment] = []
    kept_ids: set[str] = set()
    for turn, words, source in blocks:
        speaker = speaker_of[turn.name, turn.organisation]
        segments += _segments(transcript, origin, first, speaker, words, source, kept_ids)
    used = {s.speaker for s in segments}
    before = {s.speaker for s in transcript.segments}
    return replace(
        transcript,
        speakers=[s for s in speakers if s.id in used or s.id not in before],
        segments=segments,
        provenance={**transcript.provenance, "edited": now_iso()},
    )


def _fill(seg_of: list[int | None]) -> list[int | None]:
    """Give re-timed words the original segment of their previous (else next) neighbour."""
    out = list(seg_of)
    for k in range(1, len(out)):
        if out[k] is None:
            out[k] = out[k - 1]
    for k in range(len(out) - 2, -1, -1):
        if out[k] is None:
            out[k] = out[k + 1]
    return out


def _segments(
    transcript: Transcript,
    origin: list[int],
    first: list[int],
    speaker: str,
    words: list[Word],
    source: list[int | None],
    kept_ids: set[str],
) -> list[Segment]:
    """Cut one block into segments where its words pass into another original segment. A segment that
    still begins (ends) with its original first (last) word keeps its original start (end), and the first
    segment made from an original one keeps its id (``kept_ids``), so an unchanged text imports as the
    very same transcript."""
    seg_of = _fill([None if i is None else origin[i] for i in source])
    out = []
    for seg, run in itertools.groupby(range(len(words)), key=lambda k: seg_of[k]):
        ks = list(run)
        group = [words[k] for k in ks]
        start, end = group[0].start, group[-1].end
        if seg is None:
            out.append(Segment(speaker, start, end, group))
            continue
        original = transcript.segments[seg]
        if source[ks[0]] == first[seg]:
            start = min(start, original.start)
        if source[ks[-1]] == first[seg + 1] - 1:
            end = max(end, original.end)
        sid = "" if original.id in kept_ids else original.id  # "": a new id
        kept_ids.add(original.id)
        out.append(Segment(speaker, start, end, group, original.overlap, sid))
    return out


def _resolve_speakers(
    transcript: Transcript, origin: list[int], blocks: list[Block]
) -> tuple[list[TranscriptSpeaker], dict[tuple[str, str], str]]:
    """Map every header to a speaker id: a known name; else the speaker it names in another spelling
    (``Dr. Sabine Wolff`` for ``Sabine Wolff``: a rename, even when other headers keep the old name), preferring
    the one whose words it holds; else a rename of the speaker whose words it holds, when no other header
    still names that speaker; else (a new name on some of a speaker's turns) a new speaker for those turns."""
    speakers = [replace(s) for s in transcript.speakers]
    by_label = {(s.name, s.organisation): s for s in speakers}
    name_count = Counter(s.name for s in speakers)

    votes: dict[tuple[str, str], Counter] = {}
    for turn, _text, source in blocks:
        votes.setdefault((turn.name, turn.organisation), Counter()).update(
            transcript.segments[origin[i]].speaker for i in source if i is not None
        )

    speaker_of: dict[tuple[str, str], str] = {}
    unknown = []
    for header in votes:
        name, organisation = header
        match = by_label.get(header) or next((s for s in speakers if s.name == name and name_count[name] == 1), None)
        if match is None:
            unknown.append(header)
            continue
        speaker_of[header] = match.id
        if match.organisation != organisation:
            log.info(_("speaker %s: organisation %r -> %r"), match.name, match.organisation, organisation)
            match.organisation, match.source, match.confidence = organisation, "editor", 1.0
    taken = set(speaker_of.values())
    for header in sorted(unknown, key=lambda h: -sum(votes[h].values())):
        name, organisation = header
        if (alike := _alike(speakers, name, votes[header])) is not None:
            log.info(
                _("speaker renamed: %s -> %s"), alike.label, speaker_label(name, organisation or alike.organisation)
            )
            alike.name, alike.source, alike.confidence = name, "editor", 1.0
            alike.organisation = organisation or alike.organisation
            speaker_of[header] = alike.id
            taken.add(alike.id)
            continue
        candidate = next((sid for sid, _ in votes[header].most_common() if sid not in taken), None)
        if candidate is not None:
            target = next(s for s in speakers if s.id == candidate)
            log.info(_("speaker renamed: %s -> %s"), target.label, name)
            target.name, target.organisation, target.source, target.confidence = name, organisation, "editor", 1.0
        else:
            target = TranscriptSpeaker(new_speaker_id(speakers), name, organisation, source="editor", confidence=1.0)
            speakers.append(target)
            log.info(_("new speaker: %s"), target.label)
        speaker_of[header] = target.id
        taken.add(target.id)
    return speakers, speaker_of


def _alike(speakers: list[TranscriptSpeaker], name: str, votes: Counter) -> TranscriptSpeaker | None:
    """The speaker ``name`` spells differently (see :func:`audiokit.people.same_person`): the one whose words
    the header holds, else the only one alike; None when there is none (or several, none of them voting)."""
    alike = [s for s in speakers if same_person(s.name, name)]
    voters = [sid for sid, _ in votes.most_common()]
    holding = sorted((s for s in alike if s.id in voters), key=lambda s: voters.index(s.id))
    if holding:
        return holding[0]
    return alike[0] if len(alike) == 1 else None
