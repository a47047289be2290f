"""Clip layouts (square, portrait, landscape): where cover, titles, waveform and captions go, the
fonts, and the still background every frame starts from (drawn once with Pillow)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

from ..errors import AudiokitError
from ..i18n import _
from ..images import ImageTooLarge, open_image
from ..workspace import Episode

BACKGROUND = (22, 61, 90)  # the placeholder cover's blue
ACCENT = (240, 180, 60)  # its amber: the waveform, the current word, the speaker's name
TEXT = (255, 255, 255)
FONT = "DejaVuSans.ttf"  # a system font with umlauts (Debian: fonts-dejavu-core), as for the placeholder cover
BOLD_FONT = "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: left, top, width, height."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Layout:
    """One video format: its size and the boxes of cover, titles, waveform, speaker name and captions.
    Font sizes are in pixels; ``caption_chars`` is the most characters a caption shows at once."""

    name: str
    width: int
    height: int
    cover: Box
    titles: Box
    wave: Box
    speaker: Box
    captions: Box
    title_size: int
    caption_size: int
    caption_chars: int

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout(
            "square",
            1080,
            1080,
            cover=Box(330, 60, 420, 420),
            titles=Box(60, 500, 960, 110),
            wave=Box(90, 630, 900, 150),
            speaker=Box(60, 792, 960, 80),
            captions=Box(60, 875, 960, 170),
            title_size=44,
            caption_size=66,
            caption_chars=30,
        ),
        Layout(
            "portrait",
            1080,
            1920,
            cover=Box(190, 150, 700, 700),
            titles=Box(60, 890, 960, 130),
            wave=Box(90, 1070, 900, 240),
            speaker=Box(60, 1336, 960, 96),
            captions=Box(60, 1440, 960, 300),
            title_size=50,
            caption_size=76,
            caption_chars=26,
        ),
        Layout(
            "landscape",
            1920,
            1080,
            cover=Box(100, 200, 640, 640),
            titles=Box(820, 130, 1000, 130),
            wave=Box(820, 300, 1000, 220),
            speaker=Box(820, 540, 1000, 96),
            captions=Box(820, 645, 1000, 260),
            title_size=50,
            caption_size=70,
            caption_chars=34,
        ),
    )
}


def get_layout(layout: str | Layout) -> Layout:
    """The layout named ``layout`` (or ``layout`` itself); an unknown name raises AudiokitError."""
    if isinstance(layout, Layout):
        return layout
    try:
        return LAYOUTS[layout]
    except KeyError:
        raise AudiokitError(
            _("unknown clip layout {layout!r}").format(layout=layout),
            _("use one of: {value}").format(value=", ".join(LAYOUTS)),
        ) from None


@functools.lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The caption and title font at ``size`` pixels; AudiokitError when no TrueType font is found
    (Pillow's built-in one has no umlauts)."""
    try:
        return ImageFont.truetype(BOLD_FONT if bold else FONT, size)
    except OSError:
        raise AudiokitError(
            _("the font {FONT} was not found").format(FONT=FONT), _("install it (apt-get install fonts-dejavu-core)")
        ) from None


def fit(draw: ImageDraw.ImageDraw, text: str, width: int, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The largest font up to ``size`` (down to half of it) that fits ``text`` into ``width``."""
    points = size
    while points > size // 2 and draw.textlength(text, font=font(points, bold)) > width:
        points -= 2
    return font(points, bold)


def shorten(draw: ImageDraw.ImageDraw, text: str, width: int, face: ImageFont.FreeTypeFont) -> str:
    """``text`` cut at a word with "…" until it fits into ``width``."""
    words = text.split()
    while len(words) > 1 and draw.textlength(" ".join(words), font=face) > width:
        words = words[:-1]
        words[-1] = words[-1].rstrip(",;:–-") + "…"
    return " ".join(words)


def background(episode: Episode, layout: Layout) -> Image.Image:
    """The still part of every frame: the show's template for the layout if it has one, else the
    blurred, darkened cover as backdrop, the cover, the show's and the episode's title."""
    own = episode.show.dir / "templates" / f"clip-{layout.name}.png"
    if own.is_file():
        fix = _("make it {width}×{height} px, the size of a {name} clip").format(
            width=layout.width, height=layout.height, name=layout.name
        )
        try:
            with open_image(own) as image:
                frame = image.convert("RGB")
        except ImageTooLarge as exc:
            raise AudiokitError(_("the clip template {own} {exc}").format(own=own, exc=exc), fix) from exc
        except OSError as exc:
            raise AudiokitError(
                _("cannot read the clip template {own} ({exc})").format(own=own, exc=exc), _("save it as PNG")
            ) from exc
        if frame.size != layout.size:
            raise AudiokitError(
                _("the clip template {own} is {width}×{height} px").format(
                    own=own, width=frame.width, height=frame.height
                ),
                fix,
            )
        return frame
    try:
        with open_image(episode.show.cover) as image:
            cover = image.convert("RGB")
    except (OSError, ImageTooLarge) as exc:
        raise AudiokitError(
            _("cannot read the show's cover {cover} ({exc})").format(cover=episode.show.cover, exc=exc),
            _("give a JPEG or PNG as cover in show.toml"),
        ) from exc
    backdrop = ImageOps.fit(cover, layout.size).filter(ImageFilter.GaussianBlur(layout.width // 30))
    frame = Image.blend(ImageEnhance.Brightness(backdrop).enhance(0.45), Image.new("RGB", layout.size, BACKGROUND), 0.5)
    box = layout.cover
    frame.paste(ImageOps.fit(cover, (box.w, box.h)), (box.x, box.y))
    draw = ImageDraw.Draw(frame)
    box, size = layout.titles, layout.title_size
    for text, y, points, bold, fill in (
        (episode.show.title, box.y, size, True, ACCENT),
        (episode.title, box.y + round(size * 1.35), round(size * 0.85), False, TEXT),
    ):
        face = fit(draw, text, box.w, points, bold)
        draw.text((box.x + box.w // 2, y), shorten(draw, text, box.w, face), font=face, fill=fill, anchor="mt")
    return frame


@dataclass(frozen=True)
class TextLine:
    """A line of text to draw: its top (pixels), font size and colour."""

    text: str
    y: int
    size: int
    fill: tuple[int, int, int]


def speaker_lines(layout: Layout, name: str, organisation: str) -> list[TextLine]:
    """The speaker's name (accent colour) and below it the organisation, each fitted into the speaker box."""
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    box, lines, y = layout.speaker, [], layout.speaker.y
    for text, size, fill in (
        (name, round(layout.caption_size * 0.6), ACCENT),
        (organisation, layout.caption_size // 2, TEXT),
    ):
        if text:
            face = fit(draw, text, box.w, size)
            lines.append(TextLine(shorten(draw, text, box.w, face), y, int(face.size), fill))
            y += round(face.size * 1.25)
    return lines


def font_file(bold: bool = False) -> Path:
    """The file of the caption font, for libass."""
    path = font(10, bold).path  # where Pillow found the font file that font() named
    assert isinstance(path, str)
    return Path(path)
