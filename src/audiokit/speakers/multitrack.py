"""Multitrack activity: where each track's own speaker talks, with bleed and room noise gated out.

Every track is streamed once (16 kHz, in parallel) and described per 32 ms frame by its Silero
speech probability and its power. The bleed of track j into track i is measured as the median
power ratio over frames where j clearly talks alone; a frame of track i counts as its own
speech only when its power stands ``MARGIN_DB`` above the bleed predicted from the other tracks
and above its own noise floor. Two tracks may be active at once: overlaps stay overlaps.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..ffmpeg import Progress, probe, stream_pcm
from ..i18n import _
from .embeddings import RATE
from .vad import FRAME_SECONDS, RegionTracker, SpeechFrames

MARGIN_DB = 6.0  # own speech must exceed predicted bleed and noise floor by this much
SOLO_DB = 10.0  # a track "talks alone" when it is this much louder than every other track
DEFAULT_BLEED_DB = -20.0  # assumed coupling when a pair never shows a solo passage
PAD = 0.15  # seconds added on each side of a region, so that word edges are not cut


def _frames(tracks: list[Path], progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
    """Speech probability and power, shape (tracks, frames), streaming all tracks side by side."""
    streams = [stream_pcm(t, sample_rate=RATE, channels=1, block_seconds=32.0) for t in tracks]
    detectors = [SpeechFrames() for _ in tracks]
    frames: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in tracks]  # per track: (probs, power) per block
    seconds = 0.0
    try:
        for blocks in itertools.zip_longest(*streams):
            size = max(len(b) for b in blocks if b is not None)
            for i, block in enumerate(blocks):
                samples = np.zeros(size, np.float32)
                if block is not None:
                    samples[: len(block)] = block[:, 0]
                frames[i].append(detectors[i].push(samples))
            seconds += size / RATE
            if progress is not None:
                progress(seconds * len(tracks))
    finally:
        for stream in streams:
            stream.close()
    for detector, parts in zip(detectors, frames):
        parts.append(detector.close())
    probs = np.array([np.concatenate([p for p, _ in parts]) for parts in frames])
    return probs, np.array([np.concatenate([e for _, e in parts]) for parts in frames])


def bleed_matrix(probs: np.ndarray, power: np.ndarray) -> np.ndarray:
    """``g[i, j]``: power ratio of track j's speech as heard on track i (diagonal 0)."""
    n = len(power)
    g = np.zeros((n, n))
    solo_ratio = 10 ** (SOLO_DB / 10)
    floor = 1e-12
    for j in range(n):
        others = np.delete(power, j, axis=0).max(axis=0) if n > 1 else np.zeros(power.shape[1])
        solo = (probs[j] > 0.5) & (power[j] > solo_ratio * np.maximum(others, floor))
        if solo.sum() >= 25:  # 0.8 s of evidence
            g[:, j] = np.median(power[:, solo] / np.maximum(power[j, solo], floor), axis=1)
        else:
            g[:, j] = 10 ** (DEFAULT_BLEED_DB / 10)
        g[j, j] = 0.0
    return g


def noise_floor(probs: np.ndarray, power: np.ndarray) -> np.ndarray:
    """Per track, the median power of frames without speech (room tone), shape (tracks, 1)."""
    floors = []
    for p, e in zip(probs, power):
        quiet = e[p < 0.2]
        floors.append(np.median(quiet) if len(quiet) >= 25 else np.percentile(e, 1) if len(e) else 0.0)
    return np.array(floors)[:, None]


def own_speech(probs: np.ndarray, power: np.ndarray) -> np.ndarray:
    """Per track and frame, the speech probability where the track's own speaker is heard, else 0."""
    margin = 10 ** (MARGIN_DB / 10)
    bleed = bleed_matrix(probs, power) @ power
    noise = noise_floor(probs, power)
    gate = (power > margin * bleed) & (power > margin * noise)
    return np.where(gate, probs, 0.0)


def track_activity(tracks: list[Path], *, progress: Progress | None = None) -> list[list[tuple[float, float]]]:
    """Per track, the (start, end) seconds where that track's own speaker talks.

    ``progress`` is called with the seconds of audio processed so far, summed over the tracks.
    """
    if not tracks:
        raise AudioError(_("no tracks given"), _("give one audio file per speaker"))
    durations = [probe(t).duration for t in tracks]  # clear errors for missing, empty or corrupt tracks
    probs, power = _frames(list(tracks), progress)
    end = max(durations + [probs.shape[1] * FRAME_SECONDS])
    activity = []
    for score in own_speech(probs, power):
        tracker = RegionTracker(min_silence=0.3, min_speech=0.2)
        regions = tracker.push(score) + tracker.close()
        padded: list[tuple[float, float]] = []
        for start, stop in regions:
            start, stop = max(0.0, start - PAD), min(end, stop + PAD)
            if padded and start <= padded[-1][1]:
                padded[-1] = (padded[-1][0], stop)
            else:
                padded.append((start, stop))
        activity.append([(round(a, 3), round(b, 3)) for a, b in padded])
    return activity
