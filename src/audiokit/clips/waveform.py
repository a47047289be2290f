"""The clip's waveform: a smoothed level envelope of its audio, one bar per video frame, drawn once as
a long strip that scrolls through the wave box (``crop_x`` per frame), the bar being heard at
``PLAYHEAD`` of the box's width. Frame after frame the picture moves by one bar instead of being
drawn anew, and pauses keep bars of ``MIN_HEIGHT``: no frame, the first (a platform's thumbnail)
included, shows a flat line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..ffmpeg import stream_pcm
from .layout import ACCENT, Layout

RATE = 8000  # Hz the audio is decoded at for the envelope
WINDOW = 0.08  # seconds of audio each bar's level is measured over, centred on its frame
SMOOTH = 3  # bars the levels are averaged over
RANGE_DB = 36.0  # levels this far below the clip's loud speech draw the shortest bar
HEADROOM_DB = 6.0  # loud speech stays this far under the full height: louder moments still stand out
MIN_HEIGHT = 0.08  # the shortest bar, as a share of the box's height
BAR_PITCH, BAR_WIDTH = 6, 4  # pixels from one bar to the next, and a bar's width
PLAYHEAD = 0.25  # where in the box the bar being heard is


def envelope(audio: Path, fps: int, frames: int) -> np.ndarray:
    """Per video frame of ``audio`` a height from MIN_HEIGHT to 1: its level in dB over WINDOW
    seconds around the frame, relative to the clip's loud speech (95th percentile), smoothed."""
    samples = np.concatenate([b[:, 0] for b in stream_pcm(audio, sample_rate=RATE, channels=1)] or [np.zeros(0)])
    per_frame, half = RATE / fps, round(WINDOW * RATE / 2)
    power = np.concatenate([[0.0], np.cumsum(samples.astype(np.float64) ** 2)])
    centres = (np.arange(frames) * per_frame + per_frame / 2).astype(int)
    a, b = np.clip(centres - half, 0, len(samples)), np.clip(centres + half, 0, len(samples))
    rms = np.sqrt((power[b] - power[a]) / np.maximum(b - a, 1))
    level = 20 * np.log10(rms + 1e-9)
    loud = float(np.percentile(level, 95)) if frames else 0.0
    height = np.clip((level - (loud - RANGE_DB)) / (RANGE_DB + HEADROOM_DB), 0.0, 1.0)
    height = np.convolve(np.pad(height, SMOOTH // 2, mode="edge"), np.ones(SMOOTH) / SMOOTH, mode="valid")
    return MIN_HEIGHT + (1 - MIN_HEIGHT) * height[:frames]


def strip(heights: np.ndarray, layout: Layout) -> Image.Image:
    """The bars of ``heights`` (RGBA, transparent between them) mirrored around the middle, led and
    followed by a box width of shortest bars, so that every frame's crop of it is full of bars."""
    box = layout.wave
    lead = round(PLAYHEAD * box.w) // BAR_PITCH
    tail = box.w // BAR_PITCH + 1
    bars = np.concatenate([np.full(lead, MIN_HEIGHT), heights, np.full(tail, MIN_HEIGHT)])
    image = Image.new("RGBA", (len(bars) * BAR_PITCH, box.h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    middle = box.h / 2
    for i, height in enumerate(bars):
        half = max(1.0, height * box.h / 2)
        left = i * BAR_PITCH
        draw.rectangle([left, round(middle - half), left + BAR_WIDTH - 1, round(middle + half)], fill=(*ACCENT, 255))
    return image


def crop_x(frame: int) -> int:
    """The left edge, in the strip, of what frame number ``frame`` shows."""
    return frame * BAR_PITCH
