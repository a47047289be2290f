"""Tags, cover art and chapters with mutagen: ID3 (CHAP/CTOC) for MP3 and WAV, MP4 atoms for M4A
(chapters muxed by ffmpeg, as mutagen cannot write them), Vorbis comments for Opus and FLAC.

``write_tagged_copy`` never touches an existing file in place: it writes a new file beside the
target and renames it over, so a hard-linked published copy stays intact.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import mutagen
from mutagen import id3
from mutagen.flac import FLAC, Picture
from mutagen.mp4 import MP4, MP4Cover, MP4Tags
from PIL import UnidentifiedImageError

from ..atomic import atomic_path
from ..errors import ConfigError, PublishError
from ..ffmpeg import media_path, run_ffmpeg
from ..i18n import _
from ..images import MAX_SIDE, TOO_LARGE_FIX, ImageTooLarge, open_image
from ..timefmt import clock
from ..workspace import Chapter
from .encode import FORMATS, Format

COVER_MAX_PIXELS = 1400
COVER_MAX_BYTES = 1_000_000
_LANGUAGES = {"de": "deu", "en": "eng", "fr": "fra", "it": "ita", "es": "spa", "nl": "nld"}
TRACK_MAX = {"m4a": 0xFFFF}
"""The largest track number a format's tags hold: MP4's trkn atom has 16 bits; ID3 and Vorbis comments
write it as text."""


@dataclass
class Tags:
    """What a published episode file says about itself. Chapter starts are seconds in the file."""

    title: str = ""
    artist: str = ""
    album: str = ""
    date: str = ""  # ISO date (2026-11-10) or year
    track: int | None = None
    comment: str = ""
    genre: str = "Podcast"
    language: str = "de"
    cover: Path | None = None
    chapters: list[Chapter] = field(default_factory=list)


def check_tags(tags: Tags, fmt: Format, where: str = "") -> None:
    """Raise an AudiokitError, before any audio work, if ``tags`` cannot go into ``fmt``'s tags: a track
    number too large for them (``where`` names its origin), or a cover that cannot be read."""
    top = TRACK_MAX.get(fmt.name)
    if top is not None and tags.track is not None and tags.track > top:
        raise ConfigError(
            _("{where} is {track}, more than the {top} that {name} tags can hold").format(
                where=where or _("the track number"), track=tags.track, top=top, name=fmt.name
            ),
            _("give a number of at most {top}, or another format (mp3 and opus hold any number)").format(top=top),
        )
    if tags.cover is not None:
        cover_image(tags.cover)


def cover_image(path: Path) -> tuple[bytes, str, tuple[int, int]]:
    """Cover bytes, MIME type and size; large or unusual images become a 1400 px JPEG."""
    data = Path(path).read_bytes()
    try:
        with open_image(io.BytesIO(data)) as image:
            if image.format in ("JPEG", "PNG") and len(data) <= COVER_MAX_BYTES and max(image.size) <= COVER_MAX_PIXELS:
                return data, f"image/{image.format.lower()}", image.size
            image = image.convert("RGB")
            image.thumbnail((COVER_MAX_PIXELS, COVER_MAX_PIXELS))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=90)
            return out.getvalue(), "image/jpeg", image.size
    except ImageTooLarge as exc:
        raise PublishError(
            _("{path}: the cover {exc}").format(path=path, exc=exc), _(TOO_LARGE_FIX).format(MAX_SIDE=MAX_SIDE)
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise PublishError(
            _("{path}: the cover is not a readable image ({exc})").format(path=path, exc=exc),
            _("use a JPEG or PNG file"),
        ) from exc


def _spans(chapters: list[Chapter], duration: float) -> list[tuple[Chapter, float, float]]:
    """Chapters inside the audio, sorted, each with its start and end in seconds."""
    inside = sorted((c for c in chapters if 0 <= c.start < duration), key=lambda c: c.start)
    return [(c, c.start, end) for c, end in zip(inside, [c.start for c in inside[1:]] + [duration], strict=False)]


def _id3(tags: Tags, duration: float) -> list[id3.Frame]:
    texts = {id3.TIT2: tags.title, id3.TPE1: tags.artist, id3.TALB: tags.album, id3.TCON: tags.genre}
    frames: list[id3.Frame] = [kind(encoding=3, text=text) for kind, text in texts.items()]
    optional = {id3.TDRC: tags.date, id3.TRCK: "" if tags.track is None else str(tags.track)}
    frames += [kind(encoding=3, text=text) for kind, text in optional.items() if text]
    if tags.comment:
        frames.append(id3.COMM(encoding=3, lang=_LANGUAGES.get(tags.language, "und"), desc="", text=tags.comment))
    if tags.cover is not None:
        data, mime, _ = cover_image(tags.cover)
        frames.append(id3.APIC(encoding=3, mime=mime, type=id3.PictureType.COVER_FRONT, desc="Cover", data=data))
    spans = _spans(tags.chapters, duration)
    for i, (chapter, start, end) in enumerate(spans):
        sub: list[id3.Frame] = [id3.TIT2(encoding=3, text=chapter.title)]
        if chapter.url:
            sub.append(id3.WXXX(encoding=3, desc="", url=chapter.url))
        frames.append(
            id3.CHAP(element_id=f"chp{i}", start_time=round(start * 1000), end_time=round(end * 1000), sub_frames=sub)
        )
    if spans:
        frames.append(
            id3.CTOC(
                element_id="toc",
                flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                child_element_ids=[f"chp{i}" for i in range(len(spans))],
                sub_frames=[id3.TIT2(encoding=3, text="Kapitel")],
            )
        )
    return frames


def _vorbis(tags: Tags, duration: float) -> dict[str, str]:
    comments = {
        "TITLE": tags.title,
        "ARTIST": tags.artist,
        "ALBUM": tags.album,
        "GENRE": tags.genre,
        "DATE": tags.date,
        "COMMENT": tags.comment,
        "TRACKNUMBER": "" if tags.track is None else str(tags.track),
    }
    for i, (chapter, start, _end) in enumerate(_spans(tags.chapters, duration)):
        comments[f"CHAPTER{i:03d}"] = clock(start, 3)
        comments[f"CHAPTER{i:03d}NAME"] = chapter.title
    return {k: v for k, v in comments.items() if v}


def _mux_chapters(path: Path, tags: Tags, duration: float) -> None:
    """Rewrite the M4A ``path`` (a private file) with the chapters of ``tags`` and nothing else."""
    lines = [";FFMETADATA1"]
    for chapter, start, end in _spans(tags.chapters, duration):
        title = re.sub(r"([=;#\\\n])", r"\\\1", chapter.title)
        lines.append(f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={round(start * 1000)}\nEND={round(end * 1000)}\ntitle={title}")
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "chapters.txt"
        meta.write_text("\n".join(lines) + "\n", "utf-8")
        remuxed = Path(tmp) / "out.m4a"
        run_ffmpeg(
            ["-v", "error", "-i", media_path(path), "-f", "ffmetadata", "-i", media_path(meta)]
            + "-map 0:a -map_metadata 1 -map_chapters 1 -c copy -movflags +faststart -f ipod".split()
            + [media_path(remuxed)]
        )
        shutil.move(remuxed, path)


def apply_tags(path: Path, fmt: Format, tags: Tags) -> None:
    """Tag ``path`` in place. Only for a file nobody else sees yet (a fresh temp file)."""
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise PublishError(
            _("{path}: mutagen cannot read the file to tag it ({exc})").format(path=path, exc=exc),
            _("check that it is a complete audio file"),
        ) from exc
    if audio is None:
        raise PublishError(
            _("{path}: mutagen cannot read the file to tag it").format(path=path),
            _("check that it is a complete audio file"),
        )
    duration = audio.info.length
    if fmt.name == "m4a":
        _mux_chapters(path, tags, duration)
        audio = MP4(path)
    if audio.tags is None:  # a FLAC file may come without a comment block
        audio.add_tags()
    if fmt.name in ("mp3", "wav"):
        audio.tags.clear()
        for frame in _id3(tags, duration):
            audio.tags.add(frame)
        audio.save(v2_version=3)
    elif fmt.name == "m4a":
        mp4_tags = cast(MP4Tags, audio.tags)  # mutagen declares FileType.tags as None
        values = {
            "\xa9nam": tags.title,
            "\xa9ART": tags.artist,
            "\xa9alb": tags.album,
            "\xa9day": tags.date,
            "\xa9cmt": tags.comment,
            "\xa9gen": tags.genre,
        }
        mp4_tags.update({k: [v] for k, v in values.items() if v})
        if tags.track is not None:
            mp4_tags["trkn"] = [(tags.track, 0)]
        if tags.cover is not None:
            data, mime, _size = cover_image(tags.cover)
            kind = MP4Cover.FORMAT_PNG if mime == "image/png" else MP4Cover.FORMAT_JPEG
            mp4_tags["covr"] = [MP4Cover(data, imageformat=kind)]
        audio.save()
    else:
        audio.tags.clear()
        audio.tags.update(_vorbis(tags, duration))
        if isinstance(audio, FLAC):
            audio.clear_pictures()
        if tags.cover is not None:
            picture = Picture()
            picture.data, picture.mime, (picture.width, picture.height) = cover_image(tags.cover)
            picture.type, picture.depth = id3.PictureType.COVER_FRONT, 24
            if isinstance(audio, FLAC):
                audio.add_picture(picture)
            else:
                audio.tags["METADATA_BLOCK_PICTURE"] = base64.b64encode(picture.write()).decode("ascii")
        audio.save()


def write_tagged_copy(source: Path, target: Path, tags: Tags) -> None:
    """Write ``source`` with exactly ``tags`` to ``target`` (which may be ``source``), atomically:
    the new file is complete before it replaces the target. Old tags and chapters are dropped."""
    suffix = Path(source).suffix
    fmt = next((f for f in FORMATS.values() if f.suffix == suffix.lower()), None)
    if fmt is None:
        raise PublishError(
            _("{source}: cannot tag {value}").format(source=source, value=suffix or _("files without a suffix")),
            _("give a file ending in {value}").format(value=", ".join(f.suffix for f in FORMATS.values())),
        )
    check_tags(tags, fmt)
    with atomic_path(Path(target), suffix=fmt.suffix) as tmp:
        shutil.copyfile(source, tmp)
        apply_tags(tmp, fmt, tags)
