"""``audiokit init`` and ``audiokit new``: create a show or an episode from ``templates/``."""

from __future__ import annotations

import datetime as dt
import logging
import os
import zoneinfo
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from . import atomic
from .config.tomlio import read_toml
from .errors import ConfigError
from .i18n import _
from .paths import check_slug, slugify
from .publish.check import PLACEHOLDER_COVER_KEY
from .publish.guid import podcast_guid
from .templating import environment
from .workspace import EPISODE_FILE, FEED_FILE, SHOW_FILE, Show, load_show

log = logging.getLogger("audiokit")

_ASCII_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def init_show(
    folder: Path, *, title: str, author: str, base_url: str, host: str, organisation: str = "", owner_email: str = ""
) -> Show:
    """Create ``folder`` with a show.toml and a placeholder cover (1400 px square PNG).

    Nothing is left behind when the values are refused, so the corrected command runs again.
    """
    folder = Path(folder)
    if (folder / SHOW_FILE).exists():
        raise ConfigError(
            _("{value} already exists").format(value=folder / SHOW_FILE), _("choose another folder or edit the file")
        )
    template = environment().get_template("show.toml.j2")
    text = template.render(
        title=title,
        author=author,
        description=f"{title} – ein Podcast von {author}.",
        base_url=base_url,
        host=host,
        organisation=organisation,
        owner_email=owner_email,
        podcast_guid=podcast_guid(base_url.rstrip("/") + "/" + FEED_FILE),
    )
    made_folder = not folder.exists()
    cover = folder / "cover.png"
    created = [folder / SHOW_FILE] + ([] if cover.exists() else [cover])
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise atomic.os_error(exc, _("cannot create {folder}").format(folder=folder)) from exc
        if cover in created:
            with atomic.atomic_path(cover) as tmp:
                marker = PngImagePlugin.PngInfo()
                marker.add_text(PLACEHOLDER_COVER_KEY, "1")  # 'audiokit check' refuses it in a built site
                placeholder_cover(title).save(tmp, format="PNG", pnginfo=marker)
        atomic.write_text(folder / SHOW_FILE, text)
        return load_show(folder)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        if made_folder and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise


def _shown(path: Path) -> str:
    """``path`` as the user would type it: relative to the working directory when below it."""
    cwd = Path.cwd()
    return os.path.relpath(path) if cwd in (path.resolve(), *path.resolve().parents) else str(path)


def placeholder_cover(title: str, size: int = 1400) -> Image.Image:
    """A plain square RGB cover with the title, for a show that has no artwork yet."""
    image = Image.new("RGB", (size, size), (22, 61, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle([size // 14, size // 14, size - size // 14, size - size // 14], outline=(240, 180, 60), width=12)
    points = size // 10
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    while True:
        try:  # a system font with umlauts (Debian: fonts-dejavu-core); Pillow's built-in one has none
            font = ImageFont.truetype("DejaVuSans.ttf", points)
        except OSError:
            font, title = ImageFont.load_default(points), title.translate(_ASCII_UMLAUTS)
        if points <= size // 40 or draw.textlength(title, font=font) < 0.75 * size:
            break
        points -= size // 100
    draw.text((size // 2, size // 2), title, fill=(255, 255, 255), anchor="mm", font=font)
    return image


def new_episode(show: Show, title: str, *, slug: str | None = None, date: dt.datetime | None = None) -> Path:
    """Create ``<show>/<slug>/episode.toml`` numbered after the last episode, hosts pre-filled.

    Returns the new folder; the user adds the recording there before the first build.
    """
    numbers = [read_toml(p).get("number", 0) for p in show.dir.glob(f"*/{EPISODE_FILE}")]
    number = max((n for n in numbers if isinstance(n, int)), default=0) + 1
    slug = check_slug(slug or f"{number:03d}-{slugify(title)}"[:80].strip("-"), _("episode slug"))
    folder = show.dir / slug
    if folder.exists():
        raise ConfigError(_("{folder} already exists").format(folder=folder), _("choose another title or --slug"))
    date = date or dt.datetime.now(zoneinfo.ZoneInfo(show.time_zone)).replace(microsecond=0)
    template = environment().get_template("episode.toml.j2")
    text = template.render(title=title, number=number, date=date.isoformat(), speakers=show.hosts)
    folder.mkdir()
    atomic.write_text(folder / EPISODE_FILE, text)
    log.info(
        _(
            "next: put the recording into %s, name it in %s (recording = ...), replace the sample description and "
            "guest, then run: audiokit build %s"
        ),
        _shown(folder),
        EPISODE_FILE,
        _shown(show.dir),
    )
    return folder
