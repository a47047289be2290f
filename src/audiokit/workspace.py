"""The show/episode workspace: ``show.toml`` plus one folder with ``episode.toml`` per episode."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zoneinfo
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from msgspec import structs

from .config import schema
from .config.tomlio import read_toml
from .config.validate import Place, convert
from .errors import ConfigError, UnsafePathError
from .i18n import _
from .images import MAX_SIDE, TOO_LARGE_FIX, ImageTooLarge, open_image
from .paths import check_slug, resolve_inside, slugify
from .people import speaker_label
from .timefmt import milliseconds, parse_clock

SHOW_FILE = "show.toml"
EPISODE_FILE = "episode.toml"
TRANSCRIPT_FILE = "transcript.json"
FEED_FILE = "feed.xml"  # in the output folder; its URL fixes the show's podcast:guid
HISTORY_DIR = ".transcript-history"  # the editor's versions of transcript.json, beside it
MAX_TIME = 240 * 3600.0
"""Seconds: ten days, later than anything in a recording (chapter and soundbite times)."""
FIRST_YEAR = 1900
"""Earlier dates cannot be written as an RFC 2822 pubDate."""
T = TypeVar("T")


@dataclass
class Speaker:
    """A person who speaks: shown as ``Name [Organisation]`` in transcripts, as podcast:person in feeds."""

    name: str
    organisation: str = ""
    role: str = "guest"
    voice_sample: Path | None = None
    track: Path | None = None
    img: str = ""
    href: str = ""

    @property
    def label(self) -> str:
        return speaker_label(self.name, self.organisation)


CLIP_SECONDS = (5.0, 180.0)  # the length a soundbite or shared clip may have
SWEET_SPOT = (20.0, 90.0)  # the length social platforms favour: a clip outside is warned about, proposals keep to it


@dataclass
class Chapter:
    """A chapter mark: start in seconds from the start of the published audio."""

    start: float
    title: str
    url: str = ""


@dataclass
class Soundbite:
    """A passage to share (``[[soundbites]]``): start and length in seconds on the published audio."""

    start: float
    duration: float
    title: str

    @property
    def end(self) -> float:
        return self.start + self.duration

    @property
    def clip_name(self) -> str:
        """The file name of its rendered clip in the episode's output folder."""
        return f"soundbite-{milliseconds(self.start):08d}.mp4"

    @property
    def poster_name(self) -> str:
        """The file name of its clip's poster image (the clip's first frame) beside the clip."""
        return f"soundbite-{milliseconds(self.start):08d}.jpg"


@dataclass
class Show:
    """A podcast: its folder, feed metadata, hosts and stage settings."""

    dir: Path
    slug: str
    title: str
    author: str
    language: str
    base_url: str
    cover: Path
    description: str = ""
    categories: list[str] = field(default_factory=list)
    explicit: bool = False
    owner_name: str = ""
    owner_email: str = ""
    hosts: list[Speaker] = field(default_factory=list)
    podcast_guid: str = ""
    locked: bool = True
    time_zone: str = "Europe/Berlin"
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.dir / SHOW_FILE

    def episodes(self) -> list[Episode]:
        """All episodes of the show, ordered by season, number and date."""
        return load_episodes(self)


@dataclass
class Episode:
    """One episode: metadata, speakers and its recording (one file, or one track per speaker)."""

    show: Show = field(repr=False)
    dir: Path
    slug: str
    title: str
    number: int
    date: dt.datetime
    season: int | None = None
    description: str = ""
    speakers: list[Speaker] = field(default_factory=list)
    recording: Path | None = None
    chapters: list[Chapter] = field(default_factory=list)
    soundbites: list[Soundbite] = field(default_factory=list)
    episode_type: str = "full"
    explicit: bool | None = None
    speaker_count: int | None = None
    draft: bool = False
    waiting: str = ""  # the recording not there yet (loaded with drafts=True only): a draft too
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.dir / EPISODE_FILE

    @property
    def draft_reason(self) -> str:
        """Why the episode is not ready to build: ``draft = true``, or its recording is not there yet
        ("" for an episode to build)."""
        return _("marked draft = true") if self.draft else self.waiting

    @property
    def multitrack(self) -> bool:
        return self.recording is None

    @property
    def audio_inputs(self) -> list[Path]:
        """The recording, or every speaker's track in speaker order."""
        return [self.recording] if self.recording is not None else [s.track for s in self.speakers if s.track]

    @property
    def transcript_path(self) -> Path:
        """The canonical transcript JSON: lives beside episode.toml because editors correct it."""
        return self.dir / TRANSCRIPT_FILE

    def stage_settings(self, stage: str) -> dict[str, Any]:
        """Show-level settings of ``stage`` overridden by the episode's own table."""
        return {**self.show.settings.get(stage, {}), **self.settings.get(stage, {})}

    def setting_layers(self, stage: str) -> list[tuple[dict[str, Any], Place]]:
        """The ``[stage]`` tables of show.toml and episode.toml, each with its place for error messages."""
        tables = (self.show.settings.get(stage, {}), self.settings.get(stage, {}))
        return [(t, Place(f, f"{stage}.")) for t, f in zip(tables, (self.show.file, self.file))]


def parse_timestamp(value: Any, where: str) -> float:
    """Seconds from ``90``, ``90.5``, ``"01:30"`` or ``"00:01:30.5"``, at most MAX_TIME."""
    seconds = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d+(:\d{1,2}){0,2}(\.\d+)?", value.strip()):
        seconds = parse_clock(value)
    if 0 <= seconds <= MAX_TIME:
        return seconds
    if MAX_TIME < seconds < math.inf:
        raise ConfigError(
            _("{where} is {seconds:g} s, later than any recording").format(where=where, seconds=seconds),
            _("give the time in the published audio"),
        )
    raise ConfigError(
        _("{where} is not a time").format(where=where), _('write seconds (90) or "mm:ss" / "hh:mm:ss" ("01:30")')
    )


def _read(file: Path, kind: type[T]) -> tuple[T, dict[str, dict[str, Any]]]:
    """``file`` checked against its schema, and its stage tables as written (checked by the stage that
    reads them, so that each names the file an override comes from)."""
    data = read_toml(file)
    tables = {name: data.pop(name) for name in schema.STAGE_TABLES if name in data}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise Place(file).error(
                name, _("must be a table"), _("write it as [{name}] with its keys below").format(name=name)
            )
    return convert(data, kind, Place(file)), tables


def _same_keys(toml: Any, kind: type, *skip: str) -> dict[str, Any]:
    """The values of ``toml`` (a file's schema) for the fields of the same name of ``kind``, but ``skip``."""
    names = {f.name for f in fields(kind)} - set(skip)
    return {f.name: getattr(toml, f.name) for f in structs.fields(toml) if f.name in names}


def _speaker(s: schema.Speaker, place: Place, root: Path, waiting: list[str] | None = None) -> Speaker:
    return Speaker(
        name=s.name.strip(),
        organisation=s.organisation.strip(),
        role=s.role,
        voice_sample=_existing(root, s.voice_sample, place, "voice_sample") if s.voice_sample else None,
        track=_existing(root, s.track, place, "track", waiting) if s.track else None,
        img=s.img.strip(),
        href=s.href.strip(),
    )


def _existing(
    root: Path, relative: str, place: Place, key: str, waiting: list[str] | None = None, fix: str = ""
) -> Path:
    """The file ``relative`` names inside ``root``; a missing one is an error, or noted in ``waiting``."""
    path = resolve_inside(root, relative, place.where(key))
    if path.is_file():
        return path
    if waiting is None:
        fix = fix or _("put the file there or correct the path")
        raise place.error(key, _("names {relative!r}, which does not exist").format(relative=relative), fix)
    waiting.append(relative)
    return path


def load_show(folder: Path | str) -> Show:
    """Read and validate ``folder/show.toml``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(
            _("{folder} is not a folder").format(folder=folder), _("give the show folder that holds show.toml")
        )
    file = folder / SHOW_FILE
    if not file.is_file() and (folder / EPISODE_FILE).is_file():
        raise ConfigError(
            _("{folder} is an episode folder (it holds {EPISODE_FILE}), not a show folder").format(
                folder=folder, EPISODE_FILE=EPISODE_FILE
            ),
            _("give the show folder that holds {SHOW_FILE}: {shown_parent_folder}").format(
                SHOW_FILE=SHOW_FILE, shown_parent_folder=shown_parent(folder)
            ),
        )
    toml, tables = _read(file, schema.ShowFile)
    place = Place(file)
    try:
        zoneinfo.ZoneInfo(toml.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise place.error(
            "time_zone",
            _("is {time_zone!r}, not a known time zone").format(time_zone=toml.time_zone),
            _('write for example: time_zone = "Europe/Berlin"'),
        ) from exc
    base_url = toml.base_url.strip().rstrip("/")
    if not base_url.startswith("https://"):
        raise place.error("base_url", _("must be an https:// URL"), _("podcast directories require HTTPS"))
    if not schema.URL_RE.match(base_url) or re.search(r"[?#]", base_url):
        raise place.error(
            "base_url",
            _("is {base_url!r}, not the web address of a folder").format(base_url=base_url),
            _('give the folder address only, for example: base_url = "https://podcast.example.org/show"'),
        )
    cover = _existing(
        folder, toml.cover, place, "cover", fix=_("add a square JPEG or PNG of 1400-3000 px at that path")
    )
    _check_image(cover, place)
    show = Show(
        **_same_keys(toml, Show, "slug", "base_url", "cover", "hosts", "podcast_guid"),
        dir=folder.resolve(),
        slug=check_slug(toml.slug or slugify(folder.resolve().name), place.where("slug")),
        base_url=base_url,
        cover=cover,
        podcast_guid=toml.podcast_guid.lower(),
        settings={**tables, "build": structs.asdict(toml.build)},
    )
    show.hosts = [_speaker(h, place.inside(f"hosts[{i}]"), show.dir) for i, h in enumerate(toml.hosts)]
    return show


def _check_image(path: Path, place: Place) -> None:
    """Refuse a cover that is not a readable image, or too large to be artwork, before any work starts
    (the other size rules: publish check)."""
    from PIL import UnidentifiedImageError

    try:
        with open_image(path) as image:
            image.verify()
    except ImageTooLarge as exc:
        raise place.error(
            "cover",
            _("names {name!r}, which {exc}").format(name=path.name, exc=exc),
            _(TOO_LARGE_FIX).format(MAX_SIDE=MAX_SIDE),
        ) from exc
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise place.error(
            "cover",
            _("names {name!r}, which is not a readable image ({error})").format(
                name=path.name, error=exc.__class__.__name__
            ),
            _("save the cover as a square JPEG or PNG of 1400-3000 px"),
        ) from exc


def load_episode(show: Show, folder: Path | str, *, drafts: bool = False) -> Episode:
    """Read and validate ``folder/episode.toml`` of ``show``. With ``drafts``, an episode whose recording
    (or a track) is not there yet is no error: it loads as a draft, ``waiting`` says for what."""
    given = Path(folder)
    folder = given.resolve()
    if show.dir not in folder.parents:
        raise UnsafePathError(
            _("{given}: the episode folder leads outside the show folder {dir} (symlink?)").format(
                given=given, dir=show.dir
            ),
            _("move the episode folder into the show folder instead of linking to it"),
        )
    file = folder / EPISODE_FILE
    slug = check_slug(folder.name, _("{folder}: episode folder name").format(folder=folder))
    toml, tables = _read(file, schema.EpisodeFile)
    place = Place(file)
    if toml.date.year < FIRST_YEAR:
        raise place.error(
            "date",
            _("is in the year {year}").format(year=toml.date.year),
            _("give the real publication date, for example: date = 2026-11-10T18:00:00+01:00"),
        )
    episode = Episode(
        **_same_keys(toml, Episode, "speakers", "recording", "chapters", "soundbites"),
        show=show,
        dir=folder,
        slug=slug,
        settings=tables,
    )
    waiting: list[str] | None = [] if drafts else None
    speakers = [_speaker(s, place.inside(f"speakers[{i}]"), folder, waiting) for i, s in enumerate(toml.speakers)]
    episode.speakers = speakers or list(show.hosts)
    hosts = {h.name: h for h in show.hosts}
    for speaker in episode.speakers:  # a show host inherits the host's enrolled voice sample
        if speaker.name in hosts and speaker.voice_sample is None:
            speaker.voice_sample = hosts[speaker.name].voice_sample
    tracks = [s for s in episode.speakers if s.track is not None]
    if toml.recording and tracks:
        raise place.error(
            "recording",
            _("is given together with per-speaker tracks"),
            _("use either one recording or a track for every speaker"),
        )
    if toml.recording:
        episode.recording = _existing(folder, toml.recording, place, "recording", waiting)
    elif not tracks and waiting is not None:
        episode.waiting = _("no recording given yet")
    elif not tracks:
        raise place.error("recording", _("is missing"), _('add recording = "aufnahme.wav" or a track per speaker'))
    elif len(tracks) != len(episode.speakers):
        missing = next(s.name for s in episode.speakers if s.track is None)
        raise ConfigError(
            _("{file}: speaker {missing!r} has no track while others have one").format(file=file, missing=missing),
            _("give every speaker a track, or use one recording"),
        )
    if waiting:
        episode.waiting = _("its recording {name!r}, which does not exist yet").format(name=waiting[0])
    if episode.waiting and (stray := unused_audio(episode)):
        names = ", ".join(repr(p.name) for p in stray)
        episode.waiting += _(' (the folder holds {names}: write recording = "{name}" in {file})').format(
            names=names, name=stray[0].name, file=EPISODE_FILE
        )
    episode.chapters = _chapters(toml.chapters, place)
    episode.soundbites = _soundbites(toml.soundbites, place)
    return episode


def _chapters(entries: list[schema.Chapter], place: Place) -> list[Chapter]:
    """The ``[[chapters]]`` of episode.toml; two chapters may not start at the same time."""
    chapters: list[Chapter] = []
    for i, entry in enumerate(entries):
        at = place.inside(f"chapters[{i}]")
        chapter = Chapter(parse_timestamp(entry.start, at.where("start")), entry.title.strip(), entry.url.strip())
        twin = next((other for other in chapters if abs(other.start - chapter.start) < 0.001), None)
        if twin is not None:
            raise at.error(
                "start",
                _("is {start:g} s, where chapter {title!r} starts too").format(start=chapter.start, title=twin.title),
                _("give every chapter its own start time"),
            )
        chapters.append(chapter)
    return chapters


def _soundbites(entries: list[schema.Soundbite], place: Place) -> list[Soundbite]:
    """The ``[[soundbites]]`` of episode.toml; two soundbites may not start at the same time."""
    bites: list[Soundbite] = []
    for i, entry in enumerate(entries):
        at = place.inside(f"soundbites[{i}]")
        bite = Soundbite(
            parse_timestamp(entry.start, at.where("start")),
            parse_timestamp(entry.duration, at.where("duration")),
            entry.title.strip(),
        )
        if not CLIP_SECONDS[0] <= bite.duration <= CLIP_SECONDS[1]:
            raise at.error(
                "duration",
                _("is {duration:g} s").format(duration=bite.duration),
                _("give {value:g}-{value2:g} seconds (a shared clip), for example: duration = 45").format(
                    value=CLIP_SECONDS[0], value2=CLIP_SECONDS[1]
                ),
            )
        if any(abs(other.start - bite.start) < 0.001 for other in bites):
            raise at.error(
                "start",
                _("is {start:g} s, where another soundbite starts too").format(start=bite.start),
                _("give every soundbite its own start time"),
            )
        bites.append(bite)
    return bites


AUDIO_SUFFIXES = frozenset(".wav .mp3 .m4a .aac .flac .ogg .oga .opus .mka .mp4 .webm .aif .aiff .wma".split())
"""Files that are probably a recording (what Zoom, Teams, a recorder or a DAW leave)."""


def unused_audio(episode: Episode) -> list[Path]:
    """Audio files in the episode folder that episode.toml names nowhere (a Zoom ``GMT…_Recording.m4a``
    copied there, but ``recording`` still naming the template's ``aufnahme.wav``)."""
    named = [episode.recording, *(s.track for s in episode.speakers), *(s.voice_sample for s in episode.speakers)]
    used = {p.resolve() for p in named if p is not None}
    try:
        files = sorted(p for p in episode.dir.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
    except OSError:
        return []
    return [p for p in files if p.resolve() not in used]


def shown_parent(folder: Path) -> Path:
    """The folder holding ``folder``, relative to the working directory when below it (as a user types it)."""
    parent = Path(folder).resolve().parent
    return Path(os.path.relpath(parent)) if Path.cwd() in (parent, *parent.parents) else parent


def check_episode_folder(folder: Path) -> None:
    """Refuse a ``folder`` that is not an episode folder, naming it as given; a show folder gets its episodes
    (or ``audiokit new``) suggested."""
    folder = Path(folder)
    if (folder / EPISODE_FILE).is_file():
        return
    if (folder / SHOW_FILE).is_file():
        slugs = sorted(p.parent.name for p in folder.glob(f"*/{EPISODE_FILE}"))
        fix = (
            _("give one of its episode folders, for example {value}").format(value=folder / slugs[0])
            if slugs
            else _('create an episode first: audiokit new {folder} "Titel der Folge"').format(folder=folder)
        )
        raise ConfigError(
            _("{folder} is a show folder (it holds {SHOW_FILE}), not an episode folder").format(
                folder=folder, SHOW_FILE=SHOW_FILE
            ),
            fix,
        )
    raise ConfigError(
        _("{folder} has no {EPISODE_FILE}").format(folder=folder, EPISODE_FILE=EPISODE_FILE),
        _("give an episode folder: the one that holds episode.toml"),
    )


def load_episodes(show: Show, *, drafts: bool = False) -> list[Episode]:
    """Every sub-folder with an episode.toml, in show order. With ``drafts``, an episode whose recording
    is not there yet loads as a draft (see ``Episode.draft_reason``) instead of failing. Two episodes
    to build (drafts aside) may not share a number."""
    episodes = [load_episode(show, p.parent, drafts=drafts) for p in sorted(show.dir.glob(f"*/{EPISODE_FILE}"))]
    seen: dict[tuple[int | None, int], Episode] = {}
    for episode in (e for e in episodes if not e.draft_reason):
        key = (episode.season, episode.number)
        if key in seen:
            raise ConfigError(
                _("{file}: episode number {number} is already used by {slug}/{EPISODE_FILE}").format(
                    file=episode.file, number=episode.number, slug=seen[key].slug, EPISODE_FILE=EPISODE_FILE
                ),
                _("give every episode its own number (or season)"),
            )
        seen[key] = episode
    return sorted(episodes, key=lambda e: (e.season or 0, e.number, e.date))
