"""Intro and outro jingles: loaded whole (they are short), matched to the target loudness, and
joined to the streamed recording with short equal-power crossfades."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..ffmpeg import probe, stream_pcm
from ..i18n import _
from .loudness import LoudnessMeter, audible

MAX_JINGLE_SECONDS = 120.0


def load_jingle(path: Path, rate: int, channels: int, *, target: float, dual_mono: bool) -> np.ndarray:
    """Decode ``path`` at ``rate``/``channels`` with its loudness set to ``target`` LUFS."""
    info = probe(path)
    if info.duration > MAX_JINGLE_SECONDS:
        raise AudioError(
            _("{path}: a jingle of {duration:.0f} s is too long").format(path=path, duration=info.duration),
            _("use a jingle shorter than {MAX_JINGLE_SECONDS:.0f} s").format(MAX_JINGLE_SECONDS=MAX_JINGLE_SECONDS),
        )
    audio = np.concatenate(
        [np.zeros((0, channels), np.float32), *stream_pcm(path, sample_rate=rate, channels=channels)]
    )
    meter = LoudnessMeter(rate, channels, dual_mono=dual_mono, true_peak=False)
    meter.add(audio)
    loudness = meter.result().integrated
    if not np.isfinite(loudness) or not audible(meter.energies, meter.grid):
        raise AudioError(
            _("{path}: the jingle is silent or shorter than 0.4 s").format(path=path), _("use another jingle file")
        )
    return audio * np.float32(10 ** ((target - loudness) / 20))


def crossfade_frames(seconds: float, rate: int, *lengths: int) -> int:
    """Crossfade length in frames, at most half of every part it joins."""
    return max(0, min([round(seconds * rate)] + [n // 2 for n in lengths]))


def equal_power_fades(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Fade-out and fade-in curves of ``n`` frames (columns) whose powers add up to one."""
    t = (np.arange(n, dtype=np.float32) + 0.5) / max(n, 1)
    return np.cos(t * np.pi / 2)[:, None], np.sin(t * np.pi / 2)[:, None]


def with_jingles(
    program: Iterator[np.ndarray], intro: np.ndarray | None, outro: np.ndarray | None, fade_in: int, fade_out: int
) -> Iterator[np.ndarray]:
    """``program`` with ``intro`` before it and ``outro`` after it, overlapping by ``fade_in`` and
    ``fade_out`` frames (the program must be at least that long)."""
    head = np.zeros((0, 0), np.float32)
    if intro is not None:
        parts: list[np.ndarray] = []
        for block in program:
            parts.append(block)
            if sum(map(len, parts)) >= fade_in:
                break
        head = np.concatenate(parts)
        out_curve, in_curve = equal_power_fades(fade_in)
        yield intro[: len(intro) - fade_in]
        yield intro[len(intro) - fade_in :] * out_curve + head[:fade_in] * in_curve
        head = head[fade_in:]
    if outro is None:
        if len(head):
            yield head
        yield from program
        return
    tail = head
    for block in program:
        tail = np.concatenate([tail, block]) if len(tail) else block
        if len(tail) > fade_out:
            yield tail[: len(tail) - fade_out]
            tail = tail[len(tail) - fade_out :]
    out_curve, in_curve = equal_power_fades(fade_out)
    yield tail * out_curve + outro[:fade_out] * in_curve
    yield outro[fade_out:]
