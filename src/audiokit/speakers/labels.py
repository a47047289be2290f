"""``label_words``: the speaker of every recognised word, with real names where they can be found."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..errors import AudiokitError, ConfigError
from ..ffmpeg import Progress
from ..transcript import TranscriptSpeaker, Word
from ..workspace import Episode
from .clustering import MAX_SPEAKERS
from .diarize import Voices, find_voices
from .enrol import enrolled_voices
from .naming import Name, name_clusters
from .resegment import resegment

log = logging.getLogger("audiokit")

UNRESOLVED = "Sprecher {}"


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
            speakers.append(TranscriptSpeaker(ids[g], UNRESOLVED.format(unresolved)))
            continue
        person = episode.speakers[name.person]
        speakers.append(
            TranscriptSpeaker(ids[g], person.name, person.organisation, person.role, name.confidence, name.source)
        )
    for s in speakers:
        log.info("speaker %s: %s (%s, confidence %.2f)", s.id, s.name, s.source, s.confidence)
    heard = {names[g].person for g in order}
    missing = [p.name for i, p in enumerate(episode.speakers) if i not in heard]
    for unheard in missing:
        log.warning("%s: %s is listed in episode.toml but was not heard", episode.slug, unheard)
    return SpeakerLabels(speakers, [ids[int(g)] for g in groups], missing)


def _by_track(episode: Episode, word_tracks: list[int]) -> SpeakerLabels:
    names = [Name(i, 1.0, "track") for i, s in enumerate(episode.speakers) if s.track is not None]
    bad = next((t for t in word_tracks if not 0 <= t < len(names)), None)
    if bad is not None:
        raise ConfigError(
            f"{episode.file}: a word comes from track {bad}, but {len(names)} tracks are listed",
            "give every speaker exactly one track in episode.toml",
        )
    return _result(episode, np.array(word_tracks, int), names)


def episode_voices(episode: Episode, progress: Progress | None = None) -> Voices:
    """The voices of a single-track episode: exactly ``speaker_count``, else as many as are heard.

    The listed people are expected, not counted: the estimate may find fewer or more voices.
    """
    if episode.recording is None:
        raise AudiokitError(
            f"{episode.file}: a multitrack episode needs the track of every word", "pass word_tracks to label_words"
        )
    return find_voices(
        episode.recording,
        count=episode.speaker_count,
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
    ``episode.audio_inputs``): the word belongs to that track's speaker. Single track: embed
    the speech of ``episode.recording``, cluster the voices (exactly ``episode.speaker_count``, else as
    many as are heard: the listed people are expected, not counted), give every word a voice, and name
    the voices from voice samples, introductions, roles and order; a voice nobody is listed for
    becomes "Sprecher N". ``voices`` may come from ``episode_voices`` computed beforehand (while the
    words are recognised); ``progress`` gets seconds of audio done.
    """
    if word_tracks is not None:
        if len(word_tracks) != len(words):
            raise ValueError(f"{len(words)} words but {len(word_tracks)} track indices")
        return _by_track(episode, word_tracks)
    if not words:
        return SpeakerLabels([], [])
    voices = voices or episode_voices(episode, progress)
    groups = resegment(words, voices.emb, voices.clusters)
    names = name_clusters(episode.speakers, words, groups, voices.clusters.centroids, enrolled_voices(episode))
    result = _result(episode, groups, names)
    result.overlaps = voices.overlaps
    return result
