"""Images a show names (its cover): opened with Pillow, which reads only the header at first, so that an
image too large for podcast artwork is refused before a single pixel is decoded."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .i18n import N_, _

if TYPE_CHECKING:
    from PIL import Image

MAX_SIDE = 3000
"""The largest artwork podcast directories (Apple Podcasts, Spotify) accept, in px a side."""
TOO_LARGE_FIX = N_("scale it down to a square of 1400-{MAX_SIDE} px")


class ImageTooLarge(ValueError):
    """An image over MAX_SIDE px a side; the message says how large, without the file name."""


def open_image(path: Path | BinaryIO) -> Image.Image:
    """``path`` opened, its header read; ImageTooLarge for an image over MAX_SIDE px a side (or one Pillow
    takes for a decompression bomb), never decoded and without Pillow's warning."""
    from PIL import Image

    with warnings.catch_warnings(record=True):  # Pillow's DecompressionBombWarning: the size check below
        warnings.simplefilter("always", Image.DecompressionBombWarning)
        try:
            image = Image.open(path)
        except Image.DecompressionBombError as exc:
            raise ImageTooLarge(
                _("has far more pixels than {MAX_SIDE}×{MAX_SIDE}, the most directories accept").format(
                    MAX_SIDE=MAX_SIDE
                )
            ) from exc
    if max(image.size) > MAX_SIDE:
        image.close()
        raise ImageTooLarge(
            _("is {width}×{height} px, over the {MAX_SIDE} px a side directories accept").format(
                width=image.width, height=image.height, MAX_SIDE=MAX_SIDE
            )
        )
    return image
