"""Social-media clips of an episode: an MP4 with cover, titles, a moving waveform and burned-in
captions (square, portrait or landscape), or an M4A, at -14 LUFS and -1 dBTP, with SRT/WebVTT.

    from audiokit.clips import render_clip
    result = render_clip(episode, start="12:30", end="13:15", layout="square", out=Path("clip.mp4"))
    print(result.path, result.loudness)
"""

from __future__ import annotations

from .layout import LAYOUTS, Layout
from .render import ClipResult, clip_name, render_clip

__all__ = ["LAYOUTS", "ClipResult", "Layout", "clip_name", "render_clip"]
