"""The fallback renderer for an ffmpeg without libass: every frame drawn with Pillow (background,
the scrolling waveform, the caption page with the current word highlighted, the speaker's name and
organisation) and piped into ffmpeg as raw video."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from ..errors import FFmpegError
from ..ffmpeg import FFmpegProcess, media_path
from ..i18n import _
from . import waveform
from .captions import Page
from .layout import ACCENT, TEXT, Layout, font, speaker_lines


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
    """The speaker's name and organisation and the page's words, ``current`` highlighted, centred in their boxes."""
    middle = layout.speaker.x + layout.speaker.w // 2
    for name_line in speaker_lines(layout, page.speaker, page.organisation):
        face = font(name_line.size)
        draw.text(
            (middle, name_line.y),
            name_line.text,
            font=face,
            fill=name_line.fill,
            anchor="mt",
            stroke_width=3,
            stroke_fill=(0, 0, 0),
        )
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
    wave = waveform.strip(waveform.envelope(audio, fps, frames), layout)
    with Image.open(still) as image:
        base = image.convert("RGB")
    size = f"{layout.width}x{layout.height}"
    raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size, "-r", str(fps), "-i", "pipe:0", "-i", media_path(audio)]
    with FFmpegProcess([*raw, "-map", "0:v", "-map", "1:a", *output], stdin=True) as proc:
        pipe = proc.stdin
        try:
            page_index = 0
            for index in range(frames):
                t = index / fps
                while page_index < len(pages) and pages[page_index].end <= t:
                    page_index += 1
                frame = base.copy()
                draw = ImageDraw.Draw(frame)
                left = waveform.crop_x(index)
                bars = wave.crop((left, 0, left + layout.wave.w, layout.wave.h))
                frame.paste(bars, (layout.wave.x, layout.wave.y), bars)
                if page_index < len(pages) and pages[page_index].start <= t:
                    page = pages[page_index]
                    draw_page(draw, layout, page, page.current(t))
                pipe.write(frame.tobytes())
                update(t)
            pipe.close()
        except BrokenPipeError:  # ffmpeg stopped: its stderr says why
            pass
        if proc.failed():
            raise FFmpegError(
                _("encoding the clip's frames failed: {tail}").format(tail=proc.tail()), _("check the free disk space")
            )
