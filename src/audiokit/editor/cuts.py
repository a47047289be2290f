"""Cuts: ranges of the recording left out of the published audio, kept in the transcript (so the
version history undoes them), proposed from the audio and the words, applied or taken back.

Proposals: German fillers ("äh", "ähm", "öhm", "hm"), which Whisper mostly leaves out of the text, are
found as speech with no words — Silero VAD (the model faster-whisper ships) and energy — between two
words, plus the fillers Whisper does write; pauses between words longer than ``[mastering] max_pause``
are shortened to it. Coughs and clicks are not proposed: without a trained detector they cannot be
told from short words reliably. A proposal is not applied until it is accepted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config.schema import MasteringSettings
from ..config.validate import convert
from ..errors import TranscriptError
from ..ffmpeg import stream_pcm
from ..i18n import _
from ..timeline import Cut, merged
from ..transcript import Transcript, Word
from ..workspace import Episode
from .history import History

log = logging.getLogger("audiokit")

RATE = 16000
CHUNK = 512  # Silero VAD's window at 16 kHz (32 ms)
FILLER_WORDS = frozenset({"äh", "ähm", "öhm", "ehm", "hm", "hmm", "äm", "öh", "eh", "ähh", "ähmm"})
JOIN = 0.15  # s of silence within one stretch of speech (stops, breaths)
OVERLAP = 0.03  # s a word must share with a stretch of speech to count as heard in it
SPEECH_PROB = 0.5
MIN_FILLER, MAX_FILLER = 0.12, 1.2  # s of speech that can be a filler
PAD = 0.03  # s of room kept between a cut and a word
MIN_CUT = 0.05


@dataclass
class Frames:
    """Per 32 ms chunk of the recording: Silero's speech probability and the RMS level (dBFS)."""

    speech: np.ndarray
    level: np.ndarray

    def times(self, start: float, end: float) -> slice:
        return slice(max(0, int(start * RATE / CHUNK)), max(0, int(end * RATE / CHUNK)))


def analyse(path: Path) -> Frames:
    """Speech probability and level of ``path`` per chunk, decoded streamed at 16 kHz mono."""
    from faster_whisper.vad import get_vad_model

    model = get_vad_model()
    speech: list[np.ndarray] = []
    level: list[np.ndarray] = []
    step = CHUNK * 600  # ~19 s per VAD call
    for block in _blocks(stream_pcm(path, sample_rate=RATE, channels=1), step):
        speech.append(np.asarray(model(block), np.float32).reshape(-1))
        rms = np.sqrt(np.mean(block.reshape(-1, CHUNK) ** 2, axis=1) + 1e-12)
        level.append((20 * np.log10(rms)).astype(np.float32))
    if not speech:
        return Frames(np.zeros(0, np.float32), np.zeros(0, np.float32))
    return Frames(np.concatenate(speech), np.concatenate(level))


def _blocks(blocks: Iterable[np.ndarray], step: int) -> Iterator[np.ndarray]:
    """Mono samples re-cut into blocks of ``step`` (the last one zero-padded to a multiple of CHUNK)."""
    pending = np.zeros(0, np.float32)
    for block in blocks:
        pending = np.concatenate([pending, block[:, 0]])
        while len(pending) >= step:
            yield pending[:step]
            pending = pending[step:]
    if len(pending):
        yield np.pad(pending, (0, -len(pending) % CHUNK))


def _plain(text: str) -> str:
    return re.sub(r"[^\wäöüß]", "", text.lower())


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The runs of True in ``mask`` as (first, after last) indices."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def speech_runs(frames: Frames) -> list[tuple[float, float]]:
    """Stretches of speech (seconds): VAD speech above the noise floor, joined across short stops."""
    if not len(frames.level):
        return []
    floor = float(np.percentile(frames.level, 10))
    mask = (frames.speech > SPEECH_PROB) & (frames.level > floor + 12)
    chunk = CHUNK / RATE
    return merged(((a * chunk, b * chunk) for a, b in _runs(mask)), gap=JOIN)


def propose(transcript: Transcript, frames: Frames, *, max_pause: float) -> list[Cut]:
    """Filler and pause cuts for ``transcript`` from the analysis of its recording (not applied; ids to
    be given by the caller); ranges already cut are left alone. A filler is a stretch of speech that
    no word is heard in: between two words, or at the start of a word that Whisper stretched back over
    it (that word's start is moved to its own speech, in place)."""
    words = sorted(transcript.words, key=lambda w: w.start)
    runs = speech_runs(frames)
    written = [w for w in words if _plain(w.text) in FILLER_WORDS]
    owners: list[list[Word]] = [[] for _ in runs]  # the words heard in each run: the last run a word overlaps
    for w in words:
        mine = [n for n, (a, b) in enumerate(runs) if min(b, w.end) - max(a, w.start) > OVERLAP]
        if mine:
            owners[mine[-1]].append(w)
    found: list[Cut] = []
    for n, (a, b) in enumerate(runs):
        if owners[n] and not all(w in written for w in owners[n]):
            continue
        if not owners[n] and not MIN_FILLER <= b - a <= MAX_FILLER:
            continue
        earlier = runs[n - 1][1] if n else max(0.0, a - PAD)
        later = runs[n + 1][0] if n + 1 < len(runs) else b + PAD
        for w in words:  # a word Whisper stretched back over the filler starts at its own speech
            if w.start < b and w.end > later and w not in written:
                w.start = max(w.start, later - PAD)
        # the filler and the pause after it go; the pause before it stays
        found.append(Cut("", max(a - PAD, (earlier + a) / 2), max(b, later - PAD), "filler", applied=False))
    heard = merged((c.start, c.end) for c in found)
    for w in written:  # written where no speech was detected: its own span
        if not any(w.start < y and x < w.end for x, y in heard):
            found.append(Cut("", w.start, w.end, "filler", applied=False))
    for (_start, a), (b, _end) in zip(runs, runs[1:], strict=False):
        found += _pause(a, b, max_pause)
    taken = merged((c.start, c.end) for c in transcript.cuts)
    return sorted(
        (c for c in found if c.length >= MIN_CUT and not any(c.start < y and x < c.end for x, y in taken)),
        key=lambda c: c.start,
    )


def _pause(start: float, end: float, max_pause: float) -> list[Cut]:
    """A cut shortening the silence ``start``…``end`` to ``max_pause`` (half kept on each side)."""
    if end - start <= max_pause:
        return []
    return [Cut("", start + max_pause / 2, end - max_pause / 2, "pause", applied=False)]


def max_pause(episode: Episode) -> float:
    """``[mastering] max_pause`` of the episode (episode.toml over show.toml), checked."""
    pause = MasteringSettings.from_preset().max_pause
    for table, place in episode.setting_layers("mastering"):
        if "max_pause" in table:
            pause = convert({"max_pause": table["max_pause"]}, MasteringSettings, place).max_pause
    return pause


def _source(episode: Episode) -> Path:
    if episode.recording is None:
        raise TranscriptError(
            _("{slug}: fillers and pauses are proposed for a single recording only").format(slug=episode.slug),
            _("cut a multitrack episode in the editor or with 'audiokit cuts --add'"),
        )
    return episode.recording


def propose_cuts(episode: Episode) -> list[Cut]:
    """Analyse the episode's recording and add filler and pause proposals (not applied) to its transcript
    as one undoable version; returns the new proposals."""
    history = History(episode.transcript_path)
    transcript, etag = history.load()
    known = {(round(c.start, 2), round(c.end, 2)) for c in transcript.cuts}
    new = [
        c
        for c in propose(transcript, analyse(_source(episode)), max_pause=max_pause(episode))
        if (round(c.start, 2), round(c.end, 2)) not in known
    ]
    for cut in new:
        cut.id = transcript.new_cut_id()
        transcript.cuts.append(cut)
    if new:
        history.commit(transcript, f"{len(new)} cuts proposed", expected=etag)
    log.info(_("%s: %d cuts proposed"), episode.slug, len(new))
    return new


def list_cuts(episode: Episode) -> list[Cut]:
    """The cuts of the episode's transcript, in time order."""
    transcript, _ = History(episode.transcript_path).load()
    return sorted(transcript.cuts, key=lambda c: c.start)


def set_applied(episode: Episode, ids: Iterable[str] | None, applied: bool) -> list[Cut]:
    """Apply (or take back) the cuts ``ids`` (None: every cut) as one undoable version; returns them."""
    history = History(episode.transcript_path)
    transcript, etag = history.load()
    chosen = transcript.cuts if ids is None else [transcript.cut(i) for i in ids]
    changed = [c for c in chosen if c.applied != applied]
    for cut in changed:
        cut.applied = applied
    if changed:
        verb = "applied" if applied else "taken back"
        history.commit(transcript, f"cuts {verb}: {', '.join(c.id for c in changed)}", expected=etag)
    return chosen


def add_cut(transcript: Transcript, start: float, end: float, reason: str = "edit") -> Cut:
    """Add an applied cut of ``start``…``end`` (recording seconds) to ``transcript``."""
    if not 0 <= start < end:
        raise TranscriptError(
            _("a cut from {start:g} s to {end:g} s is empty").format(start=start, end=end),
            _("give an end after the start"),
        )
    cut = Cut(transcript.new_cut_id(), start, end, reason, applied=True)
    transcript.cuts.append(cut)
    return cut
