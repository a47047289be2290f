"""``label_words``: the speaker of every recognised word, with real names where they can be found.

Names are put on the voice clusters from this evidence, strongest first:

1. **voice-sample**: an enrolled sample whose embedding matches a cluster's centroid
   (confidence: the cosine similarity).
2. **introduction**: a name said in the words. "ich bin …" / "mein Name ist …" names the voice
   saying it; "Danke, Frau Sommer" at the start of a turn answers the previous voice; otherwise
   the name belongs to the next other voice (the host says "… begrüße ich Lena Hartmann" or
   asks "Frau Hartmann, …?" and Lena answers). Every mention votes; people
   and clusters are matched to maximise the votes (confidence: 0.9 x the share of the person's
   and of the cluster's votes that agree).
3. **order**: an unnamed host is the voice that speaks first; one person left for one voice
   left is that voice.

Whatever stays open is ``unresolved`` ("Sprecher N").
"""

from __future__ import annotations

import difflib
import logging
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from ..errors import AudiokitError, ConfigError
from ..ffmpeg import Progress
from ..i18n import _
from ..people import HOST_ROLES
from ..transcript import TranscriptSpeaker, Word
from ..workspace import Episode, Speaker
from .clustering import MAX_SPEAKERS
from .diarize import Voices, attribute, find_voices
from .enrol import enrolled_voices

log = logging.getLogger("audiokit")

UNRESOLVED = "Sprecher {}"
VOICE_MATCH = 0.75  # cosine similarity a voice sample needs to name a cluster
NAME_MATCH = 0.8  # difflib ratio for a recognised word to count as a name
SELF_INTRO = ("ich bin", "mein name ist", "ich heisse", "hier spricht")
RESPONSES = ("danke", "hallo", "guten abend", "guten tag", "guten morgen", "servus", "moin")
INTRO_CUES = ("begruess", "gast", "willkommen", "bei mir", "mit mir", "mit uns", "vorstellen", "zugeschaltet")
UMLAUTS = {ord("ä"): "ae", ord("ö"): "oe", ord("ü"): "ue", ord("ß"): "ss"}
TITLES = {"dr", "prof", "frau", "herr", "herrn", "doktor", "professor", "professorin"}


@dataclass
class Name:
    """The person (index into the episode's speakers) a cluster was mapped to, and how sure that is."""

    person: int | None
    confidence: float
    source: str


def fold(text: str) -> str:
    """Lower-case ASCII without punctuation: ``Größe,`` -> ``groesse``."""
    text = text.lower().translate(UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9 -]", "", text)


def _like(text: str, name: str) -> bool:
    if len(text) < 3 or len(name) < 3:
        return False
    m = difflib.SequenceMatcher(None, text, name)
    return m.real_quick_ratio() >= NAME_MATCH and m.quick_ratio() >= NAME_MATCH and m.ratio() >= NAME_MATCH


def _cue(folded: list[str], i: int, cues: tuple[str, ...], span: int) -> bool:
    before = " ".join(folded[max(0, i - span) : i])
    return any(cue in before for cue in cues)


def mentions(words: list[Word], people: list[Speaker]) -> list[tuple[int, int]]:
    """(word index, person index) for every mention of a person in the words.

    A first name counts alone; a last name (often an ordinary word, "Sommer") only after a first
    name, Frau/Herr/Dr or an introduction ("zu Gast ist …"). A word naming several people is
    skipped; one person named by neighbouring words ("Lena Hartmann") counts once.
    """
    names = [[t for t in fold(p.name).split() if t not in TITLES] for p in people]
    parts = [(n, "") if len(n) < 2 else (n[:-1], n[-1]) for n in names]  # first names, last name (if any)
    folded = [fold(w.text).replace(" ", "") for w in words]
    found: list[tuple[int, int]] = []
    for i, text in enumerate(folded):
        previous = folded[i - 1] if i else ""
        announced = previous in TITLES or _cue(folded, i, INTRO_CUES, 4)
        hits = [
            p
            for p, (firsts, last) in enumerate(parts)
            if any(_like(text, f) for f in firsts)
            or (_like(text, last) and (announced or any(_like(previous, f) for f in firsts)))
        ]
        if len(hits) == 1 and not (found and found[-1][1] == hits[0] and i - found[-1][0] <= 2):
            found.append((i, hits[0]))
    return found


def _intro_votes(words: list[Word], clusters: np.ndarray, people: list[Speaker], k: int) -> np.ndarray:
    """Votes (people x clusters) from the names said in the words (see the module docstring).

    An introduction ("begrüße ich …") points at the next *new* voice, several in one turn at successive new voices.
    """
    votes = np.zeros((len(people), k))
    folded = [fold(w.text) for w in words]
    first_seen = {int(c): i for i, c in reversed(list(enumerate(clusters.tolist())))}
    turn = np.concatenate([[0], np.cumsum(clusters[1:] != clusters[:-1])])
    turn_start = np.flatnonzero(np.concatenate([[True], clusters[1:] != clusters[:-1]]))
    claimed: dict[int, set[int]] = {}  # turn -> new voices already given to an introduction
    for i, person in mentions(words, people):
        speaker = int(clusters[i])
        if _cue(folded, i, SELF_INTRO, 3):
            votes[person, speaker] += 2.0
            continue
        votes[person, speaker] -= 0.5
        earlier = np.flatnonzero(clusters[:i] != speaker)
        if _cue(folded, i, RESPONSES, 4) and i - turn_start[turn[i]] < 8 and len(earlier):
            votes[person, clusters[earlier[-1]]] += 1.0  # "Danke, Frau Sommer" answers the previous voice
            continue
        taken = claimed.setdefault(int(turn[i]), set())
        new = sorted((seen, c) for c, seen in first_seen.items() if seen > i and c != speaker and c not in taken)
        if _cue(folded, i, INTRO_CUES, 6) and new:
            target = new[0][1]
            taken.add(target)
            votes[person, target] += 1.5
            continue
        later = np.flatnonzero(clusters[i:] != speaker)
        if len(later):
            votes[person, clusters[i + later[0]]] += 1.0
    return votes


def _match(score: np.ndarray, rows: list[int], cols: list[int], minimum: float) -> list[tuple[int, int]]:
    """Pairs (row, column) maximising the total score among ``rows`` x ``cols``, each scoring over ``minimum``."""
    from scipy.optimize import linear_sum_assignment

    if not rows or not cols:
        return []
    sub = score[np.ix_(rows, cols)]
    r, c = linear_sum_assignment(sub, maximize=True)
    return [(rows[a], cols[b]) for a, b in zip(r, c) if sub[a, b] > minimum]


def name_clusters(
    people: list[Speaker],
    words: list[Word],
    clusters: np.ndarray,
    centroids: np.ndarray,
    voices: dict[int, np.ndarray],
    bound: dict[int, int] | None = None,
) -> list[Name]:
    """One Name per cluster; ``clusters`` holds each word's cluster, ``voices`` enrolled embeddings by person.

    ``bound``: cluster -> person whose enrolled voice anchored that cluster in the clustering.
    """
    k = len(centroids)
    names = [Name(None, 0.0, "unresolved") for _ in range(k)]
    speaking = set(clusters.tolist())

    def free_people() -> list[int]:
        taken = {n.person for n in names}
        return [p for p in range(len(people)) if p not in taken]

    def free_clusters() -> list[int]:  # unnamed clusters that carry words
        return [c for c in range(k) if names[c].person is None and c in speaking]

    sims = np.full((len(people), k), -1.0)
    for person, vector in voices.items():
        sims[person] = centroids @ vector
    for c, person in (bound or {}).items():
        if c in speaking and person in voices:
            names[c] = Name(person, round(float(np.clip(sims[person, c], 0, 1)), 3), "voice-sample")
    for person, c in _match(sims, [p for p in sorted(voices) if p in free_people()], free_clusters(), VOICE_MATCH):
        names[c] = Name(person, round(float(np.clip(sims[person, c], 0, 1)), 3), "voice-sample")

    votes = _intro_votes(words, clusters, people, k)
    for person, c in _match(votes, free_people(), free_clusters(), 0.0):
        positive = np.clip(votes, 0, None)
        share = (votes[person, c] / positive[person].sum() + votes[person, c] / positive[:, c].sum()) / 2
        names[c] = Name(person, round(0.9 * float(share), 3), "introduction")

    first = [int(c) for c in dict.fromkeys(clusters.tolist())]  # clusters in order of appearance
    hosts = [p for p in free_people() if people[p].role in HOST_ROLES]
    if hosts and first and names[first[0]].person is None:
        names[first[0]] = Name(hosts[0], 0.5, "order")
    rest = [c for c in first if names[c].person is None]
    if len(free_people()) == 1 and len(rest) == 1:
        names[rest[0]] = Name(free_people()[0], 0.4, "order")
    return names


@dataclass
class SpeakerLabels:
    """The speakers found (ids ``S1``, ``S2``, … in order of appearance) and one speaker id per word.

    ``missing``: people listed in episode.toml whose voice was not found; ``overlaps``: spans
    (seconds) where two voices speak at once on a single track.
    """

    speakers: list[TranscriptSpeaker]
    labels: list[str]
    missing: list[str] = field(default_factory=list)
    overlaps: list[tuple[float, float]] = field(default_factory=list)


def _result(episode: Episode, groups: np.ndarray, names: list[Name]) -> SpeakerLabels:
    """Number the groups that carry words by first appearance and turn them into speakers."""
    order = [int(g) for g in dict.fromkeys(groups.tolist())]
    ids = {g: f"S{n}" for n, g in enumerate(order, start=1)}
    speakers, unresolved = [], 0
    for g in order:
        name = names[g]
        if name.person is None:
            unresolved += 1
            s = TranscriptSpeaker(ids[g], UNRESOLVED.format(unresolved))
        else:
            person = episode.speakers[name.person]
            s = TranscriptSpeaker(ids[g], person.name, person.organisation, person.role, name.confidence, name.source)
        log.info(_("speaker %s: %s (%s, confidence %.2f)"), s.id, s.name, s.source, s.confidence)
        speakers.append(s)
    heard = {names[g].person for g in order}
    missing = [p.name for i, p in enumerate(episode.speakers) if i not in heard]
    for unheard in missing:
        log.warning(_("%s: %s is listed in episode.toml but was not heard"), episode.slug, unheard)
    return SpeakerLabels(speakers, [ids[int(g)] for g in groups], missing)


def episode_voices(episode: Episode, progress: Progress | None = None) -> Voices:
    """The voices of a single-track episode: exactly ``speaker_count``, else as many as are heard.

    The listed people are the expected count (the estimate may still find fewer or more voices),
    and their voice samples anchor clusters.
    """
    if episode.recording is None:
        raise AudiokitError(
            _("{file}: a multitrack episode needs the track of every word").format(file=episode.file),
            _("pass word_tracks to label_words"),
        )
    return find_voices(
        episode.recording,
        count=episode.speaker_count,
        expected=len(episode.speakers) or None,
        anchors=enrolled_voices(episode),
        max_speakers=max(MAX_SPEAKERS, len(episode.speakers)),
        progress=progress,
    )


def label_words(
    episode: Episode,
    words: list[Word],
    *,
    word_tracks: list[int] | None = None,
    voices: Voices | None = None,
    progress: Progress | None = None,
) -> SpeakerLabels:
    """Say who speaks each word.

    Multitrack (``word_tracks[i]`` = index of the track word i came from, in the order of
    ``episode.audio_inputs``): the word belongs to that track's speaker. Single track: every word
    gets one of the voices of ``episode_voices`` (``voices``, if computed beforehand while the words
    are recognised; ``progress`` gets seconds of audio done), named as the module docstring says.
    """
    if word_tracks is not None:
        if len(word_tracks) != len(words):
            raise ValueError(f"{len(words)} words but {len(word_tracks)} track indices")
        names = [Name(i, 1.0, "track") for i, s in enumerate(episode.speakers) if s.track is not None]
        bad = next((t for t in word_tracks if not 0 <= t < len(names)), None)
        if bad is not None:
            raise ConfigError(
                _("{file}: a word comes from track {bad}, but {len_names} tracks are listed").format(
                    file=episode.file, bad=bad, len_names=len(names)
                ),
                _("give every speaker exactly one track in episode.toml"),
            )
        return _result(episode, np.array(word_tracks, int), names)
    if not words:
        return SpeakerLabels([], [])
    voices = voices or episode_voices(episode, progress)
    groups = attribute(words, voices)
    names = name_clusters(
        episode.speakers, words, groups, voices.clusters.centroids, voices.anchors, voices.clusters.anchors
    )
    result = _result(episode, groups, names)
    result.overlaps = voices.overlaps
    return result
