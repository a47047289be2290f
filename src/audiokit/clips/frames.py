"""The fallback renderer for an ffmpeg without ``showwaves`` or libass: every frame drawn with Pillow
(background, scrolling level bars, the caption page with the current word highlighted, the
speaker's name) and piped into ffmpeg as raw video."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..errors import FFmpegError
from ..ffmpeg import find_ffmpeg, media_path, stream_pcm
from .captions import Page
from .layout import ACCENT, TEXT, Layout, font

LEVEL_RATE = 8000  # Hz the audio is decoded at for the level bars
BARS = 60


def frame_levels(audio: Path, fps: int, frames: int) -> np.ndarray:
    """RMS level of every video frame's stretch of ``audio``, scaled so the loudest frame is 1."""
    per_frame = LEVEL_RATE // fps
    samples = np.concatenate(
        [b[:, 0] for b in stream_pcm(audio, sample_rate=LEVEL_RATE, channels=1)] or [np.zeros(0, np.float32)]
    )
    samples = np.pad(samples, (0, max(0, frames * per_frame - len(samples))))[: frames * per_frame]
    rms = np.sqrt((samples.reshape(frames, per_frame) ** 2).mean(axis=1))
    return rms / max(float(rms.max()), 1e-6)


def draw_bars(draw: ImageDraw.ImageDraw, layout: Layout, levels: np.ndarray, index: int) -> None:
    """The last BARS frame levels up to ``index`` as bars mirrored around the wave box's middle."""
    box = layout.wave
    step = box.w / BARS
    middle = box.y + box.h / 2
    for i in range(BARS):
        frame = index - (BARS - 1 - i)
        level = float(levels[frame]) if frame >= 0 else 0.0
        half = max(2.0, level * box.h / 2)
        left = box.x + i * step
        draw.rectangle([left + step * 0.2, middle - half, left + step * 0.8, middle + half], fill=ACCENT)


def wrap(draw: ImageDraw.ImageDraw, words: list[str], width: int, size: int) -> list[list[int]]:
    """Indices of ``words`` per line so that each line fits into ``width``."""
    face = font(size, bold=True)
    lines: list[list[int]] = [[]]
    for i in range(len(words)):
        candidate = " ".join(words[j] for j in lines[-1] + [i])
        if lines[-1] and draw.textlength(candidate, font=face) > width:
            lines.append([])
        lines[-1].append(i)
    return lines


def draw_page(draw: ImageDraw.ImageDraw, layout: Layout, page: Page, current: int) -> None:
    """The speaker's name and the page's words, ``current`` highlighted, centred in their boxes."""
    speaker = layout.speaker
    name_face, top_middle = font(round(layout.caption_size * 0.6)), (speaker.x + speaker.w // 2, speaker.y)
    draw.text(top_middle, page.speaker, font=name_face, fill=ACCENT, anchor="mt", stroke_width=3, stroke_fill=(0, 0, 0))
    face = font(layout.caption_size, bold=True)
    words = [w.text for w in page.words]
    space = draw.textlength(" ", font=face)
    y = layout.captions.y
    for line in wrap(draw, words, layout.captions.w, layout.caption_size):
        widths = [draw.textlength(words[i], font=face) for i in line]
        x = layout.captions.x + (layout.captions.w - sum(widths) - space * (len(line) - 1)) / 2
        for i, width in zip(line, widths):
            fill = ACCENT if i == current else TEXT
            draw.text((x, y), words[i], font=face, fill=fill, anchor="lt", stroke_width=4, stroke_fill=(0, 0, 0))
            x += width + space
        y += round(layout.caption_size * 1.2)


def render_frames(
    still: Path,
    audio: Path,
    pages: list[Page],
    layout: Layout,
    duration: float,
    update: Callable[[float], None],
    *,
    fps: int,
    output: list[str],
) -> None:
    """Draw ``duration`` seconds of frames over ``still`` and encode them with ``audio``
    (``output``: the encoder's options and the target)."""
    frames = max(1, round(duration * fps))
    levels = frame_levels(audio, fps, frames)
    with Image.open(still) as image:
        base = image.convert("RGB")
    size = f"{layout.width}x{layout.height}"
    raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", str(fps), "-i", "pipe:0", "-i", media_path(audio)]
    cmd = [find_ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", "-y", *raw, "-map", "0:v", "-map", "1:a", *output]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        pipe = proc.stdin
        assert pipe is not None
        try:
            page_index = 0
            for index in range(frames):
                t = index / fps
                while page_index < len(pages) and pages[page_index].end <= t:
                    page_index += 1
                frame = base.copy()
                draw = ImageDraw.Draw(frame)
                draw_bars(draw, layout, levels, index)
                if page_index < len(pages) and pages[page_index].start <= t:
                    page = pages[page_index]
                    draw_page(draw, layout, page, page.current(t))
                pipe.write(frame.tobytes())
                update(t)
            pipe.close()
        except BrokenPipeError:  # ffmpeg stopped: its stderr says why
            pass
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            errors.seek(0)
            tail = " | ".join(errors.read().decode("utf-8", "replace").strip().splitlines()[-5:])
            raise FFmpegError(f"encoding the clip's frames failed: {tail}", "check the free disk space")
