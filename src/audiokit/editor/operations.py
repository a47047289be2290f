"""The editing operations: each changes a transcript in place and returns a label for the history.

Each takes the operation as the editor sends it (a JSON object with ``op``; a turn is named by its
segment id) so the browser and the tests speak the same language; bad input raises :class:`EditError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import TranscriptError
from ..glossary import Glossary, add_replacement, read_glossary_text, write_glossary_text
from ..i18n import _
from ..timefmt import timestamp
from ..transcript import Segment, Transcript, TranscriptSpeaker, now_iso
from .align import align
from .cuts import add_cut
from .history import ChangedOnDisk, History
from .review import mark


class EditError(TranscriptError):
    """An editing operation that cannot be applied as given."""


def apply(transcript: Transcript, op: dict[str, Any], *, show_dir: Path) -> str:
    """Apply one operation to ``transcript`` (in place); return its label for the version history.
    On EditError the transcript may be half changed: apply to a copy you can throw away."""
    name = op.get("op")
    handler = OPERATIONS.get(name) if isinstance(name, str) else None
    if handler is None:
        raise EditError(
            _("unknown operation {name!r}").format(name=name),
            _("use one of: {value}").format(value=", ".join(OPERATIONS)),
        )
    label = handler(transcript, _Args(op), show_dir)
    transcript.provenance["edited"] = now_iso()
    return label


def apply_and_save(history: History, op: dict[str, Any], *, expected: str, show_dir: Path) -> str:
    """Apply ``op`` to the current transcript and save it as a new version based on ``expected``;
    return the new ETag. A glossary rule the operation adds is saved with it: a refused save (the
    file changed meanwhile, bad input) leaves the glossary as it was, undo takes the rule back."""
    transcript, current = history.load()
    if current != expected:
        raise ChangedOnDisk(history.path, current)
    before = read_glossary_text(show_dir)
    try:
        label = apply(transcript, op, show_dir=show_dir)
        after = read_glossary_text(show_dir)
        change = None if after == before else {"show": str(show_dir), "before": before, "after": after}
        return history.commit(transcript, label, expected=expected, glossary=change)
    except BaseException:
        if read_glossary_text(show_dir) != before:
            write_glossary_text(show_dir, before)
        raise


class _Args:
    """Typed access to the fields of an operation."""

    def __init__(self, op: dict[str, Any]) -> None:
        self.op = op

    def number(self, key: str) -> int:
        value = self.op.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise EditError(
                _("{value}: {key!r} must be a whole number").format(value=self.op.get("op"), key=key),
                _("reload the editor"),
            )
        return value

    def seconds(self, key: str) -> float:
        value = self.op.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1e6:
            raise EditError(
                _("{value}: {key!r} must be a time in seconds").format(value=self.op.get("op"), key=key),
                _("reload the editor"),
            )
        return float(value)

    def string(self, key: str, *, empty: bool = False) -> str:
        value = self.op.get(key, "")
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise EditError(
                _("{value}: {key!r} must be a non-empty text").format(value=self.op.get("op"), key=key),
                _("enter a {key}").format(key=key),
            )
        return " ".join(value.split())


def _segment(t: Transcript, args: _Args) -> tuple[int, Segment]:
    """The position and the segment an operation names by its id (``segment``)."""
    wanted = args.op.get("segment")
    for index, segment in enumerate(t.segments):
        if segment.id == wanted:
            return index, segment
    raise EditError(_("there is no turn {wanted!r}").format(wanted=wanted), _("reload the editor"))


def _speaker_id(t: Transcript, args: _Args) -> str:
    """The speaker an operation names: an id, or a name (a new speaker unless it exists)."""
    if args.op.get("speaker"):
        return t.speaker(args.string("speaker")).id
    name, organisation = args.string("name"), args.string("organisation", empty=True)
    if known := next((s for s in t.speakers if (s.name, s.organisation) == (name, organisation)), None):
        return known.id
    speaker = TranscriptSpeaker(new_speaker_id(t.speakers), name, organisation, confidence=1.0, source="editor")
    t.speakers.append(speaker)
    return speaker.id


def new_speaker_id(speakers: list[TranscriptSpeaker]) -> str:
    """An id no speaker has yet: ``S<n>``."""
    ids = {s.id for s in speakers}
    return next(f"S{n}" for n in itertools.count(len(speakers) + 1) if f"S{n}" not in ids)


def retime(segment: Segment, text: str) -> None:
    """Replace the words of ``segment`` by ``text``, keeping the times of unchanged words."""
    segment.words = align(segment.words, text.split(), start=segment.start, end=segment.end).words


def edit(t: Transcript, args: _Args, show_dir: Path) -> str:
    index, segment = _segment(t, args)
    text = args.string("text", empty=True)
    if not text:
        del t.segments[index]
        return f"Absatz {index + 1} gelöscht"
    retime(segment, text)
    return f"Text in Absatz {index + 1} geändert"


def rename(t: Transcript, args: _Args, show_dir: Path) -> str:
    speaker = t.speaker(args.string("speaker"))
    name, organisation = args.string("name"), args.string("organisation", empty=True)
    old = speaker.label
    other = next((s for s in t.speakers if s is not speaker and (s.name, s.organisation) == (name, organisation)), None)
    if other is not None:  # the same person under two labels: merge them
        for segment in t.segments:
            if segment.speaker == speaker.id:
                segment.speaker = other.id
        t.speakers.remove(speaker)
        return f"{old} mit {other.label} zusammengeführt"
    speaker.name, speaker.organisation, speaker.confidence, speaker.source = name, organisation, 1.0, "editor"
    return f"{old} umbenannt in {speaker.label}"


def reassign(t: Transcript, args: _Args, show_dir: Path) -> str:
    index, segment = _segment(t, args)
    segment.speaker = _speaker_id(t, args)
    return f"Absatz {index + 1} an {t.speaker(segment.speaker).label}"


def split(t: Transcript, args: _Args, show_dir: Path) -> str:
    index, segment = _segment(t, args)
    at = args.number("word")
    if not 0 < at < len(segment.words):
        raise EditError(
            _("turn {value} cannot be split before word {at}").format(value=index + 1, at=at),
            _("put the cursor inside the turn"),
        )
    words = segment.words
    second = Segment(segment.speaker, words[at].start, segment.end, words[at:], segment.overlap, t.new_segment_id())
    segment.words, segment.end = words[:at], words[at - 1].end
    t.segments.insert(index + 1, second)
    return f"Absatz {index + 1} geteilt"


def merge(t: Transcript, args: _Args, show_dir: Path) -> str:
    index, segment = _segment(t, args)
    if index + 1 >= len(t.segments):
        raise EditError(
            _("turn {value} is the last one").format(value=index + 1), _("there is no next turn to merge with")
        )
    following = t.segments.pop(index + 1)
    segment.words += following.words
    segment.end = max(segment.end, following.end)
    segment.overlap = segment.overlap or following.overlap
    return f"Absatz {index + 1} mit dem nächsten zusammengeführt"


def replace_always(t: Transcript, args: _Args, show_dir: Path) -> str:
    wrong, right = args.string("wrong"), args.string("right")
    add_replacement(show_dir, wrong, right)
    rule = Glossary(replacements={wrong: right})
    count = 0
    for segment in t.segments:
        text = rule.apply(segment.text)
        if text != segment.text:
            count += 1
            retime(segment, text)
    return f"Immer „{wrong}“ → „{right}“ ({count} Absätze)"


def cut(t: Transcript, args: _Args, show_dir: Path) -> str:
    """Cut ``start``…``end`` (recording seconds) out of the published audio."""
    made = add_cut(t, args.seconds("start"), args.seconds("end"))
    return f"Geschnitten: {timestamp(made.start, 1)}–{timestamp(made.end, 1)}"


def set_cut(t: Transcript, args: _Args, show_dir: Path) -> str:
    """Apply (``applied`` true) or take back one cut, or every proposal (``cut`` "all")."""
    applied = args.op.get("applied")
    if not isinstance(applied, bool):
        raise EditError(_("set_cut: 'applied' must be true or false"), _("reload the editor"))
    which = args.string("cut")
    chosen = [c for c in t.cuts if not c.applied] if which == "all" else [t.cut(which)]
    for c in chosen:
        c.applied = applied
    if which == "all":
        return f"{len(chosen)} Vorschläge übernommen"
    return f"Schnitt {which} {'übernommen' if applied else 'zurückgenommen'}"


def remove_cut(t: Transcript, args: _Args, show_dir: Path) -> str:
    """Drop a cut: a proposal rejected, or a cut taken back for good."""
    gone = t.cut(args.string("cut"))
    t.cuts.remove(gone)
    return f"Schnitt {gone.id} verworfen"


def review(t: Transcript, args: _Args, show_dir: Path) -> str:
    """Mark the transcript as reviewed (``reviewed`` true) or unreviewed again."""
    reviewed = args.op.get("reviewed")
    if not isinstance(reviewed, bool):
        raise EditError(_("review: 'reviewed' must be true or false"), _("reload the editor"))
    return mark(t, reviewed)


OPERATIONS: dict[str, Callable[[Transcript, _Args, Path], str]] = {
    op.__name__: op for op in (edit, rename, reassign, split, merge, replace_always, cut, set_cut, remove_cut, review)
}
