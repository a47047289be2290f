"""The review state of an episode's transcript: "unreviewed" (every machine transcript) or "reviewed".

Marking is a version of the transcript like any edit (the editor's undo takes it back) and counts as
an edit, so a build keeps the checked transcript while the audio is unchanged; transcribing again
(new audio, ``transcribe --force``) makes it unreviewed. ``[publish] unreviewed_transcripts``
decides how an unreviewed transcript is published.
"""

from __future__ import annotations

import logging

from ..i18n import _
from ..transcript import Transcript, now_iso
from ..workspace import Episode
from .history import History

log = logging.getLogger("audiokit")


def mark(transcript: Transcript, reviewed: bool) -> str:
    """Set the review state of ``transcript`` (in place); return the label for the version history."""
    transcript.review = "reviewed" if reviewed else "unreviewed"
    transcript.provenance["edited"] = now_iso()
    return "Als geprüft markiert" if reviewed else "Wieder als ungeprüft markiert"


def set_review(episode: Episode, reviewed: bool = True) -> Transcript:
    """Mark the transcript of ``episode`` as reviewed (or, ``reviewed`` False, unreviewed again) as one
    undoable version; nothing is written when it already is. Returns the transcript."""
    history = History(episode.transcript_path)
    transcript, etag = history.load()
    if transcript.reviewed == reviewed:
        log.info(_("%s: the transcript is already %s"), episode.slug, transcript.review)
        return transcript
    history.commit(transcript, mark(transcript, reviewed), expected=etag)
    return transcript
