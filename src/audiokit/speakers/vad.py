"""Streaming voice activity: Silero VAD (shipped with faster-whisper) and online speech regions."""

from __future__ import annotations

import numpy as np

VAD_FRAME = 512  # samples at 16 kHz: Silero scores 32 ms frames
FRAME_SECONDS = VAD_FRAME / 16000


class SpeechFrames:
    """Silero speech probability and mean square of every 32 ms frame, fed block by block."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self.model = get_vad_model()
        self.rest = np.zeros(0, np.float32)

    def push(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        data = np.concatenate([self.rest, block])
        usable = len(data) - len(data) % VAD_FRAME
        self.rest = data[usable:]
        if not usable:
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        frames = data[:usable]
        return self.model(frames), np.square(frames).reshape(-1, VAD_FRAME).mean(axis=1)

    def close(self) -> tuple[np.ndarray, np.ndarray]:
        """The last frame, zero-padded (if any samples are left)."""
        return self.push(np.zeros(-len(self.rest) % VAD_FRAME, np.float32))


class RegionTracker:
    """Turns per-frame speech scores into (start, end) regions in seconds, online, with hysteresis.

    A region starts at a score >= ``on``, goes on while scores stay >= ``off`` or dip below for
    less than ``min_silence`` seconds, is dropped if shorter than ``min_speech`` and is split
    every ``max_speech`` seconds (so that callers buffer a bounded amount of audio).
    """

    def __init__(
        self,
        frame_seconds: float = FRAME_SECONDS,
        *,
        on: float = 0.5,
        off: float = 0.35,
        min_silence: float = 0.2,
        min_speech: float = 0.2,
        max_speech: float = 30.0,
    ) -> None:
        self.seconds = frame_seconds
        self.on, self.off = on, off
        self.min_silence = max(1, round(min_silence / frame_seconds))
        self.min_speech = max(1, round(min_speech / frame_seconds))
        self.max_speech = max(1, round(max_speech / frame_seconds))
        self.frame = 0
        self.start: int | None = None
        self.silent = 0

    @property
    def pending(self) -> float:
        """Time from which a region may still be reported (start of the open region, or now)."""
        return (self.frame if self.start is None else self.start) * self.seconds

    def _region(self, start: int, end: int) -> list[tuple[float, float]]:
        return [(start * self.seconds, end * self.seconds)] if end - start >= self.min_speech else []

    def push(self, scores: np.ndarray) -> list[tuple[float, float]]:
        """Feed the next frames' scores; return the regions that closed."""
        out: list[tuple[float, float]] = []
        for score in scores.tolist():
            i = self.frame
            self.frame += 1
            if self.start is None:
                if score >= self.on:
                    self.start, self.silent = i, 0
                continue
            self.silent = self.silent + 1 if score < self.off else 0
            if self.silent >= self.min_silence:
                out += self._region(self.start, i + 1 - self.silent)
                self.start = None
            elif i + 1 - self.start >= self.max_speech:
                out += self._region(self.start, i + 1)
                self.start = i + 1
        return out

    def close(self) -> list[tuple[float, float]]:
        """The region still open at the end of the audio."""
        if self.start is None:
            return []
        start, self.start = self.start, None
        return self._region(start, self.frame - self.silent)
