"""Soundbite proposals: passages of 20–60 s worth sharing, written as ``[[soundbites]]`` into episode.toml.

A candidate passage is a run of whole sentences of one speaker, or a question and the answers that
follow it (from one or more others), that starts after and ends before a pause of at least
``MIN_PAUSE`` (or the start/end of the transcript). Its times are padded into those pauses by up to
``PAD`` seconds. Each candidate gets a score between 0 and 1, the weighted sum of four parts:

* ``emphasis`` (weight 0.25): how lively it is spoken — the spread (10th to 90th percentile) of
  the pitch in semitones and of the level in dB over its voiced 40-ms frames, each turned into its
  rank among all candidates of the episode (0 to 1) and averaged. The audio is streamed once;
  without audio every candidate gets 0.5.
* ``names`` (0.30): density of speaker names, organisations and glossary terms — the share of its
  words that are one of them, full marks at one in ten words.
* ``standalone`` (0.20): half for not opening with a connective ("und", "aber", "also" …), half
  for ending a sentence with ``.``, ``!`` or ``?``.
* ``clean`` (0.25): free of filler words ("äh", "ähm", "halt", "sozusagen" …): 1 minus ten times
  their share of the words, at least 0.

A passage that greets, introduces or says goodbye ("Hallo und herzlich willkommen", "Mein Name ist",
"begrüße ich", "Danke fürs Zuhören" …, ``FRAMING``) is the show's frame, not its content: its score
is multiplied by ``FRAMING_FACTOR``.

The best candidates are picked greedily, never overlapping each other or a soundbite the episode
already has, and passing over one that would leave room for fewer than ``n`` (or as many as fit).
Their length on the published audio (the transcript's times through its timeline) is
``MIN_SECONDS`` to ``MAX_SECONDS``, inside the length a clip is not warned about (:data:`SWEET_SPOT`).
When fewer than ``n`` are found, a warning says why.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tomlkit
from tomlkit.exceptions import TOMLKitError

from .. import atomic
from ..errors import ConfigError, TranscriptError
from ..ffmpeg import stream_pcm
from ..glossary import load_glossary
from ..i18n import _
from ..timefmt import timestamp
from ..timeline import Timeline
from ..transcript import Transcript, Word
from ..transcript import load as load_transcript
from ..transcription.vocabulary import vocabulary
from ..workspace import SWEET_SPOT, Episode, Soundbite, load_episode
from . import boundaries

log = logging.getLogger("audiokit")

MIN_SECONDS, MAX_SECONDS = SWEET_SPOT[0], 60.0
MIN_PAUSE = boundaries.PAUSE
"""Shortest silence between words (s) at which a soundbite may start or end."""
PAD = boundaries.PAD
"""Seconds of the surrounding pause kept before the first and after the last word (at most half the pause)."""
FRAMING = re.compile(
    r"\b(hallo\b|(herzlich )?willkommen\b|mein name ist|ich heiße|begrüß|schön, dass (du|ihr|sie) da|"
    r"zu gast (ist|sind|bei|im|in)\b|(danke|dank) (fürs|für das|für's|für ihr|für euer) (zuhören|gespräch)|"
    r"bis zum nächsten mal|bis (bald|nächste woche)|tschüss|auf wiederhören|macht(’|')?s gut|"
    r"(danke|dank), dass (du|ihr|sie) dabei|dank an (sie|euch|dich|alle)\b|"
    r"nächsten? (folge|episode|sendung|ausgabe))"
)
"""Greetings, introductions and goodbyes (matched in the lower-cased text)."""
FRAMING_FACTOR = 0.3
WEIGHTS = {"emphasis": 0.25, "names": 0.30, "standalone": 0.20, "clean": 0.25}
FILLERS = frozenset(
    "äh ähm öh öhm ehm hm hmm mhm also halt sozusagen quasi irgendwie eigentlich gewissermaßen genau naja".split()
)
CONNECTIVES = frozenset(
    "und aber also oder denn sondern doch dann weil dass deshalb darum außerdem trotzdem jedoch sowie".split()
)
SENTENCE_END = (".", "!", "?")
TITLE_CHARS = 70
RATE = 16000
FRAME = 640  # 40 ms at 16 kHz
MIN_LAG, MAX_LAG = RATE // 400, RATE // 70  # pitch between 70 and 400 Hz


@dataclass
class Passage:
    """A candidate soundbite on the transcript's timeline, with its score and the parts of it."""

    start: float
    end: float
    words: list[Word]
    title: str
    parts: dict[str, float]

    @functools.cached_property
    def framing(self) -> bool:
        """Whether it greets, introduces or says goodbye (see FRAMING)."""
        return FRAMING.search(self.text.lower()) is not None

    @property
    def score(self) -> float:
        return sum(WEIGHTS[k] * v for k, v in self.parts.items()) * (FRAMING_FACTOR if self.framing else 1.0)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class _Sentence:
    speaker: str
    words: list[Word]
    gap_before: float
    gap_after: float = math.inf


def _token(text: str) -> str:
    return re.sub(r"[^\w-]", "", text.lower())


def _sentences(transcript: Transcript) -> list[_Sentence]:
    """Whole sentences (split at . ! ? and at segment ends) with the silence before and after each."""
    sentences: list[_Sentence] = []
    last_end: float | None = None
    for segment in sorted(transcript.segments, key=lambda s: s.start):
        current: list[Word] = []
        for word in segment.words:
            if not current:
                gap = math.inf if last_end is None else word.start - last_end
                if sentences:
                    sentences[-1].gap_after = gap
            current.append(word)
            last_end = word.end if last_end is None else max(last_end, word.end)
            if word.text.rstrip().endswith(SENTENCE_END) or word is segment.words[-1]:
                sentences.append(_Sentence(segment.speaker, current, gap))
                current = []
    return sentences


def _speakers_fit(run: list[_Sentence]) -> bool:
    """One speaker throughout, or one speaker's question followed by the others' answers."""
    changes = [k for k in range(1, len(run)) if run[k].speaker != run[k - 1].speaker]
    return not changes or run[changes[0] - 1].words[-1].text.rstrip().endswith("?")


def _candidates(transcript: Transcript) -> list[tuple[float, float, list[_Sentence]]]:
    sentences = _sentences(transcript)
    found = []
    for i, first in enumerate(sentences):
        if first.gap_before < MIN_PAUSE:
            continue
        start = max(0.0, first.words[0].start - min(PAD, first.gap_before / 2))
        for j in range(i, len(sentences)):
            last = sentences[j]
            end = last.words[-1].end + min(PAD, last.gap_after / 2, max(0.0, transcript.duration - last.words[-1].end))
            if end - start > MAX_SECONDS or not _speakers_fit(sentences[i : j + 1]):
                break
            if last.gap_after >= MIN_PAUSE and end - start >= MIN_SECONDS:
                found.append((start, end, sentences[i : j + 1]))
    return found


def vocabulary_tokens(items: list[str]) -> set[str]:
    """The words of names and terms that mark a name: those with a capital letter ("der", "von" are not)."""
    return {_token(w) for item in items for w in item.split() if any(c.isupper() for c in w) and len(_token(w)) > 1}


def _text_parts(words: list[Word], names: set[str]) -> dict[str, float]:
    tokens = [_token(w.text) for w in words]
    named = sum(t in names for t in tokens) / len(tokens)
    fillers = sum(t in FILLERS for t in tokens) / len(tokens)
    standalone = 0.5 * (tokens[0] not in CONNECTIVES) + 0.5 * words[-1].text.rstrip().endswith(SENTENCE_END)
    return {"names": min(1.0, named / 0.1), "standalone": standalone, "clean": max(0.0, 1.0 - 10 * fillers)}


def _title(transcript: Transcript, run: list[_Sentence]) -> str:
    name = transcript.speaker(run[0].speaker).name
    text = " ".join(w.text for w in run[0].words)
    if len(text) > TITLE_CHARS:
        text = text[:TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return f"{name}: {text}"


@dataclass
class Prosody:
    """Level (dB) and pitch (semitones re 100 Hz, NaN when unvoiced) of each 40-ms frame of the recording."""

    level: np.ndarray
    pitch: np.ndarray

    def spread(self, start: float, end: float) -> tuple[float, float]:
        """10th-to-90th percentile spread of pitch and level over the voiced frames of ``start``–``end``."""
        a, b = int(start * RATE / FRAME), int(math.ceil(end * RATE / FRAME))
        pitch, level = self.pitch[a:b], self.level[a:b]
        voiced = ~np.isnan(pitch)
        if voiced.sum() < 5:
            return 0.0, 0.0
        p10, p90 = np.percentile(pitch[voiced], [10, 90])
        l10, l90 = np.percentile(level[voiced], [10, 90])
        return float(p90 - p10), float(l90 - l10)


def _frame_features(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level and pitch of frames (n, FRAME) by normalised autocorrelation."""
    energy = np.mean(frames**2, axis=1)
    level = 10 * np.log10(energy + 1e-10)
    spectrum = np.fft.rfft(frames - frames.mean(axis=1, keepdims=True), n=2 * FRAME, axis=1)
    ac = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, : MAX_LAG + 1]
    norm = ac[:, MIN_LAG:] / np.maximum(ac[:, :1], 1e-12)
    lag = np.argmax(norm, axis=1) + MIN_LAG
    voiced = (norm[np.arange(len(lag)), lag - MIN_LAG] > 0.5) & (level > -50)
    pitch = np.where(voiced, 12 * np.log2(RATE / lag / 100.0), np.nan)
    return level.astype(np.float32), pitch.astype(np.float32)


def _track_features(path: Path) -> tuple[np.ndarray, np.ndarray]:
    levels, pitches = [], []
    pending = np.zeros(0, dtype=np.float32)
    for block in stream_pcm(path, sample_rate=RATE, channels=1):
        samples = np.concatenate([pending, block[:, 0]])
        usable = len(samples) - len(samples) % FRAME
        pending = samples[usable:]
        if usable:
            level, pitch = _frame_features(samples[:usable].reshape(-1, FRAME))
            levels.append(level)
            pitches.append(pitch)
    empty = np.zeros(0, dtype=np.float32)
    return (np.concatenate(levels), np.concatenate(pitches)) if levels else (empty, empty)


def measure_prosody(paths: list[Path]) -> Prosody:
    """Stream the recording (or every track) once; per frame the loudest track's level and pitch."""
    tracks = [_track_features(p) for p in paths]
    frames = max(len(level) for level, _ in tracks)
    level = np.full((len(tracks), frames), -100.0, dtype=np.float32)
    pitch = np.full((len(tracks), frames), np.nan, dtype=np.float32)
    for k, (lv, pt) in enumerate(tracks):
        level[k, : len(lv)], pitch[k, : len(pt)] = lv, pt
    loudest = np.argmax(level, axis=0)
    return Prosody(level.max(axis=0), pitch[loudest, np.arange(frames)])


def _ranks(values: list[float]) -> list[float]:
    """Each value's rank among ``values`` from 0 to 1 (ties share their mean rank)."""
    if len(values) < 2:
        return [0.5] * len(values)
    array = np.asarray(values)
    below = np.array([(array < v).sum() + ((array == v).sum() - 1) / 2 for v in array])
    return list(below / (len(values) - 1))


def rank_passages(transcript: Transcript, names: set[str], prosody: Prosody | None = None) -> list[Passage]:
    """Every candidate passage of ``transcript``, best first (see the module docstring for the score)."""
    passages = []
    for start, end, run in _candidates(transcript):
        words = [w for s in run for w in s.words]
        passages.append(Passage(start, end, words, _title(transcript, run), _text_parts(words, names)))
    if prosody is not None and len(prosody.level):
        spreads = [prosody.spread(p.start, p.end) for p in passages]
        pitch, level = _ranks([s[0] for s in spreads]), _ranks([s[1] for s in spreads])
        for passage, p, lv in zip(passages, pitch, level):
            passage.parts["emphasis"] = float(p + lv) / 2
    for passage in passages:
        passage.parts.setdefault("emphasis", 0.5)
    return sorted(passages, key=lambda p: (-p.score, p.start))


def pick(
    passages: list[Passage],
    n: int,
    *,
    offset: float = 0.0,
    keep: Sequence[Soundbite] = (),
    timeline: Timeline | None = None,
) -> list[Soundbite]:
    """The ``n`` best passages that overlap neither each other nor ``keep``, as soundbites on the published
    audio (``timeline``, by default just ``offset`` added; start rounded down and end up to 0.1 s), in time order.
    A passage is passed over when taking it would leave room for fewer than ``n`` (or as many as can be had),
    or when it is not MIN_SECONDS to MAX_SECONDS long on the published audio."""
    spans = published_spans(passages, timeline or Timeline(offset), keep)
    target = min(n, most_disjoint([span for span, p in spans]))
    taken: list[tuple[float, float]] = []
    chosen: list[Soundbite] = []
    for (start, end), passage in spans:
        if len(chosen) >= target:
            break
        if _overlaps((start, end), taken):
            continue
        trial = [*taken, (start, end)]
        if len(trial) + most_disjoint([s for s, p in spans if not _overlaps(s, trial)]) < target:
            continue
        taken = trial
        chosen.append(Soundbite(round(start, 1), round(end - start, 1), passage.title))
    return sorted(chosen, key=lambda b: b.start)


def published_spans(
    passages: list[Passage], timeline: Timeline, keep: Sequence[Soundbite] = ()
) -> list[tuple[tuple[float, float], Passage]]:
    """Each passage's span on the published audio (to 0.1 s, outwards) with it, in the passages' order:
    those MIN_SECONDS to MAX_SECONDS long there (cuts shorten) that overlap none of ``keep``."""
    kept = [(b.start, b.end) for b in keep]
    spans = []
    for passage in passages:
        start = math.floor(timeline.published(passage.start) * 10) / 10
        end = math.ceil(timeline.published(passage.end) * 10) / 10
        if MIN_SECONDS <= end - start <= MAX_SECONDS + 0.2 and not _overlaps((start, end), kept):
            spans.append(((start, end), passage))
    return spans


def _overlaps(span: tuple[float, float], others: Sequence[tuple[float, float]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in others)


def most_disjoint(spans: list[tuple[float, float]]) -> int:
    """How many of ``spans`` can be had without overlaps (earliest end first is optimal)."""
    count, free_from = 0, -math.inf
    for start, end in sorted(spans, key=lambda s: s[1]):
        if start >= free_from:
            count, free_from = count + 1, end
    return count


def propose_soundbites(
    episode: Episode, n: int = 5, *, offset: float = 0.0, replace: bool = False, timeline: Timeline | None = None
) -> list[Soundbite]:
    """Up to ``n`` new soundbites for ``episode`` from its transcript and recording, best passages first
    chosen, returned in time order. ``timeline``: the published audio's (master.json's offset and cuts),
    by default only ``offset`` (intro before the recording) added, as given.
    Without ``replace`` they avoid the soundbites episode.toml already has."""
    if n < 1:
        raise ConfigError(_("asked for {n} soundbites").format(n=n), _("ask for at least one (-n 5)"))
    if not episode.transcript_path.is_file():
        raise TranscriptError(
            _("{slug} has no transcript ({transcript_path} is missing)").format(
                slug=episode.slug, transcript_path=episode.transcript_path
            ),
            _("run 'audiokit transcribe' or 'audiokit build' first"),
        )
    transcript = load_transcript(episode.transcript_path)
    names = vocabulary_tokens(
        vocabulary(episode, load_glossary(episode.show.dir)) + [s.name for s in transcript.speakers]
    )
    inputs = [p for p in episode.audio_inputs if p.is_file()]
    prosody = measure_prosody(inputs) if inputs else None
    passages = rank_passages(transcript, names, prosody)
    log.info(_("%s: %d candidate passages of %g-%g s"), episode.slug, len(passages), MIN_SECONDS, MAX_SECONDS)
    keep, timeline = [] if replace else episode.soundbites, timeline or Timeline(offset)
    bites = pick(passages, n, keep=keep, timeline=timeline)
    if len(bites) < n:
        reason = shortfall(transcript, passages, n, timeline, keep)
        log.warning(_("%s: %d of %d soundbites proposed: %s"), episode.slug, len(bites), n, reason)
    return bites


def shortfall(
    transcript: Transcript, passages: list[Passage], n: int, timeline: Timeline, keep: Sequence[Soundbite]
) -> str:
    """Why fewer than ``n`` soundbites can be proposed: the soundbites kept take the room, the speech is
    too short, or too few passages stand alone between pauses."""
    free = most_disjoint([span for span, p in published_spans(passages, timeline)])
    if keep and most_disjoint([span for span, p in published_spans(passages, timeline, keep)]) < min(n, free):
        return _("the other passages overlap the {count} soundbites episode.toml has (--replace proposes anew)").format(
            count=len(keep)
        )
    words = transcript.words
    speech = max(w.end for w in words) - min(w.start for w in words) if words else 0.0
    if speech < n * MIN_SECONDS:
        return _("the episode has {speech:.0f} s of speech, too little for {n} passages of {low:g}-{high:g} s").format(
            speech=speech, n=n, low=MIN_SECONDS, high=MAX_SECONDS
        )
    return _(
        "only {free} passages of {low:g}-{high:g} s fit without overlapping: whole sentences of one speaker "
        "(or a question and its answer) between pauses of {pause:g} s"
    ).format(free=free, low=MIN_SECONDS, high=MAX_SECONDS, pause=MIN_PAUSE)


def write_soundbites(episode: Episode, bites: list[Soundbite], *, replace: bool = False) -> Episode:
    """Add ``bites`` as ``[[soundbites]]`` at the end of episode.toml (``replace``: instead of the ones
    there), keeping the file's comments and layout; written atomically. Returns the episode re-read."""
    try:
        doc = tomlkit.parse(episode.file.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(
            _("{file} cannot be read ({exc})").format(file=episode.file, exc=exc), _("fix the file and run again")
        ) from exc
    if replace and "soundbites" in doc:
        del doc["soundbites"]
    text = tomlkit.dumps(doc).rstrip("\n") + "\n"
    for bite in bites:
        table = {"start": timestamp(bite.start, 1), "duration": bite.duration, "title": bite.title}
        text += "\n" + tomlkit.dumps({"soundbites": [table]})
    atomic.write_text(episode.file, text)
    return load_episode(episode.show, episode.dir, drafts=True)
