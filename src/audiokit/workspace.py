"""The show/episode workspace: ``show.toml`` plus one folder with ``episode.toml`` per episode."""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, UnsafePathError
from .paths import check_slug, resolve_inside, slugify
from .tomlfields import Fields, read_toml

SHOW_FILE = "show.toml"
EPISODE_FILE = "episode.toml"
TRANSCRIPT_FILE = "transcript.json"
ROLES = ("host", "guest", "cohost", "moderator")
STAGE_TABLES = ("mastering", "transcription", "publish")
LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{1,8})*$")
"""A language code as RSS and podcast directories want it: ``de``, ``de-DE``, ``de-CH``."""
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z0-9-]{2,}$")
URL_RE = re.compile(r"^(?P<scheme>https?)://[^\s/?#<>\"'`]+[^\s<>\"'`]*$", re.IGNORECASE)
MAX_SPEAKERS = 20
FIRST_YEAR = 1900
"""Earlier dates cannot be written as an RFC 2822 pubDate."""


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
        return f"{self.name} [{self.organisation}]" if self.organisation else self.name


CLIP_SECONDS = (5.0, 180.0)  # the length a soundbite or shared clip may have


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
        return f"soundbite-{round(self.start * 1000):08d}.mp4"


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
        return "marked draft = true" if self.draft else self.waiting

    @property
    def multitrack(self) -> bool:
        return self.recording is None

    @property
    def audio_inputs(self) -> list[Path]:
        """The recording, or every speaker's track in speaker order."""
        if self.recording is not None:
            return [self.recording]
        return [s.track for s in self.speakers if s.track is not None]

    @property
    def transcript_path(self) -> Path:
        """The canonical transcript JSON: lives beside episode.toml because editors correct it."""
        return self.dir / TRANSCRIPT_FILE

    def stage_settings(self, stage: str) -> dict[str, Any]:
        """Show-level settings of ``stage`` overridden by the episode's own table."""
        return {**self.show.settings.get(stage, {}), **self.settings.get(stage, {})}


def parse_timestamp(value: Any, where: str) -> float:
    """Seconds from ``90``, ``90.5``, ``"01:30"`` or ``"00:01:30.5"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(:\d{1,2}){0,2}(\.\d+)?", value.strip()):
        seconds = 0.0
        for part in value.strip().split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    raise ConfigError(f"{where} is not a time", 'write seconds (90) or "mm:ss" / "hh:mm:ss" ("01:30")')


def _speaker(f: Fields, root: Path, default_role: str, waiting: list[str] | None = None) -> Speaker:
    role = f.text("role", default_role, '"guest"')
    if role not in ROLES:
        raise f.error("role", f"is {role!r}", f"use one of: {', '.join(ROLES)}")
    sample = f.path("voice_sample", "", '"voices/anna.wav"')
    track = f.path("track", "", '"spuren/anna.flac"')
    speaker = Speaker(
        name=f.text("name", example='"Anna Beispiel"').strip(),
        organisation=f.text("organisation", "", '"Beispiel-Klinik"').strip(),
        role=role,
        voice_sample=_existing(root, sample, f, "voice_sample") if sample else None,
        track=_existing(root, track, f, "track", waiting) if track else None,
        img=web_address(f, "img", '"https://example.org/anna.jpg"', https=True),
        href=web_address(f, "href", '"https://example.org/anna"', https=True),
    )
    f.reject_unknown()
    return speaker


def web_address(f: Fields, key: str, example: str, *, https: bool = False) -> str:
    """The URL at ``key`` ("" when absent): an http(s) address (``https`` only, if asked), nothing else."""
    url = f.text(key, "", example).strip()
    match = URL_RE.match(url)
    if url and (not match or (https and match["scheme"].lower() != "https")):
        kind = "an https:// address" if https else "an http:// or https:// address"
        raise f.error(key, f"is {url!r}, not {kind}", f"for example: {key} = {example}")
    return url


def _existing(root: Path, relative: str, f: Fields, key: str, waiting: list[str] | None = None) -> Path:
    """The file ``relative`` names inside ``root``; a missing one is an error, or noted in ``waiting``."""
    path = resolve_inside(root, relative, f.where(key))
    if not path.is_file():
        if waiting is not None:
            waiting.append(relative)
            return path
        raise f.error(key, f"names {relative!r}, which does not exist", "put the file there or correct the path")
    return path


def _stage_tables(f: Fields) -> dict[str, dict[str, Any]]:
    return {name: f.table(name).data for name in STAGE_TABLES if name in f.data}


def load_show(folder: Path | str) -> Show:
    """Read and validate ``folder/show.toml``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder", "give the show folder that holds show.toml")
    file = folder / SHOW_FILE
    f = Fields(read_toml(file), file)
    base_url = f.text("base_url", example='"https://podcast.example.org/werkgespraech"').strip().rstrip("/")
    if not base_url.startswith("https://"):
        raise f.error("base_url", "must be an https:// URL", "podcast directories require HTTPS")
    if not URL_RE.match(base_url) or re.search(r"[?#]", base_url):
        raise f.error(
            "base_url",
            f"is {base_url!r}, not the web address of a folder",
            'give the folder address only, for example: base_url = "https://podcast.example.org/show"',
        )
    cover_rel = f.path("cover", example='"cover.png"')
    cover = resolve_inside(folder, cover_rel, f.where("cover"))
    if not cover.is_file():
        raise f.error(
            "cover",
            f"names {cover_rel!r}, which does not exist",
            "add a square JPEG or PNG of 1400-3000 px at that path",
        )
    _check_image(cover, f)
    language = f.text("language", "de", '"de"').strip()
    if not LANGUAGE_RE.match(language):
        raise f.error("language", f"is {language!r}, not a language code", 'for example: language = "de" or "de-AT"')
    show = Show(
        dir=folder.resolve(),
        slug=check_slug(f.text("slug", _folder_slug(folder), '"werkgespraech"'), f.where("slug")),
        title=f.text("title", example='"Werkgespräch"'),
        author=f.text("author", example='"Digitalwerk"'),
        language=language,
        base_url=base_url,
        cover=cover,
        description=f.text("description", ""),
        categories=f.strings("categories", []),
        explicit=f.get("explicit", bool, False, "false"),
        owner_name=f.text("owner_name", ""),
        owner_email=_email(f),
        podcast_guid=_podcast_guid(f),
        locked=f.get("locked", bool, True, "true"),
    )
    show.hosts = [_speaker(h, show.dir, "host") for h in f.tables("hosts")]
    show.settings = _stage_tables(f)
    if "build" in f.data:  # where ``audiokit build`` runs the episode stages
        build = f.table("build")
        show.settings["build"] = {"cluster": build.text("cluster", "", '"tcp://scheduler.example.org:8786"')}
        build.reject_unknown()
    f.reject_unknown()
    return show


def _email(f: Fields) -> str:
    email = f.text("owner_email", "", '"redaktion@example.org"').strip()
    if email and not EMAIL_RE.match(email):
        raise f.error(
            "owner_email", f"is {email!r}, not an e-mail address", 'for example: owner_email = "redaktion@example.org"'
        )
    return email


def _podcast_guid(f: Fields) -> str:
    """podcast_guid as Podcasting 2.0 wants it: a version 5 UUID (lower case, no braces or urn:)."""
    value = f.text("podcast_guid", "", '"…"').strip()
    if not value:
        return ""
    try:
        guid = uuid.UUID(value)
    except ValueError:
        guid = None
    if guid is None or guid.version != 5 or str(guid) != value.lower():
        raise f.error(
            "podcast_guid",
            f"is {value!r}, not a version 5 UUID",
            "remove the line: audiokit computes the GUID from the feed address on the next build",
        )
    return str(guid)


def _check_image(path: Path, f: Fields) -> None:
    """Refuse a cover that is not a readable image before any work starts (size rules: publish check)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise f.error(
            "cover",
            f"names {path.name!r}, which is not a readable image ({exc.__class__.__name__})",
            "save the cover as a square JPEG or PNG of 1400-3000 px",
        ) from exc


def _folder_slug(folder: Path) -> str:
    return slugify(folder.resolve().name)


def load_episode(show: Show, folder: Path | str, *, drafts: bool = False) -> Episode:
    """Read and validate ``folder/episode.toml`` of ``show``. With ``drafts``, an episode whose recording
    (or a track) is not there yet is no error: it loads as a draft, ``waiting`` says for what."""
    given = Path(folder)
    folder = given.resolve()
    if show.dir not in folder.parents:
        raise UnsafePathError(
            f"{given}: the episode folder leads outside the show folder {show.dir} (symlink?)",
            "move the episode folder into the show folder instead of linking to it",
        )
    file = folder / EPISODE_FILE
    slug = check_slug(folder.name, f"{folder}: episode folder name")
    f = Fields(read_toml(file), file)
    episode_type = f.text("type", "full", '"full"')
    if episode_type not in ("full", "trailer", "bonus"):
        raise f.error("type", f"is {episode_type!r}", "use full, trailer or bonus")
    number = f.get("number", int, example="1")
    if number < 0:
        raise f.error("number", "is negative", "number episodes from 0 or 1")
    season = f.get("season", int, None, "1")
    if season is not None and season < 1:
        raise f.error("season", f"is {season}", "number seasons from 1 (or leave season out)")
    speaker_count = f.get("speaker_count", int, None, "3")
    if speaker_count is not None and not 1 <= speaker_count <= MAX_SPEAKERS:
        raise f.error("speaker_count", f"is {speaker_count}", f"give the number of voices, 1 to {MAX_SPEAKERS}")
    date = f.datetime("date")
    if date.year < FIRST_YEAR:
        raise f.error(
            "date",
            f"is in the year {date.year}",
            "give the real publication date, for example: date = 2026-11-10T18:00:00+01:00",
        )
    episode = Episode(
        show=show,
        dir=folder,
        slug=slug,
        title=f.text("title", example='"Die ePA im Praxisalltag"'),
        number=number,
        season=season,
        date=date,
        description=f.text("description", ""),
        episode_type=episode_type,
        explicit=f.get("explicit", bool, None, "false"),
        speaker_count=speaker_count,
        draft=f.get("draft", bool, False, "true"),
    )
    waiting: list[str] | None = [] if drafts else None
    episode.speakers = [_speaker(s, folder, "guest", waiting) for s in f.tables("speakers")] or list(show.hosts)
    _merge_host_samples(episode)
    recording = f.path("recording", "", '"aufnahme.wav"')
    tracks = [s for s in episode.speakers if s.track is not None]
    if recording and tracks:
        raise f.error(
            "recording",
            "is given together with per-speaker tracks",
            "use either one recording or a track for every speaker",
        )
    if recording:
        episode.recording = _existing(folder, recording, f, "recording", waiting)
    elif not tracks and waiting is not None:
        episode.waiting = "no recording given yet"
    elif not tracks:
        raise f.error("recording", "is missing", 'add recording = "aufnahme.wav" or a track per speaker')
    elif len(tracks) != len(episode.speakers):
        missing = next(s.name for s in episode.speakers if s.track is None)
        raise ConfigError(
            f"{file}: speaker {missing!r} has no track while others have one",
            "give every speaker a track, or use one recording",
        )
    if waiting:
        episode.waiting = f"its recording {waiting[0]!r}, which does not exist yet"
    episode.chapters = _chapters(f)
    episode.soundbites = _soundbites(f)
    episode.settings = _stage_tables(f)
    f.reject_unknown()
    return episode


def _chapters(f: Fields) -> list[Chapter]:
    """The ``[[chapters]]`` of episode.toml; two chapters may not start at the same time."""
    chapters: list[Chapter] = []
    for c in f.tables("chapters"):
        chapter = Chapter(
            parse_timestamp(c.get("start", object, example='"00:00"'), c.where("start")),
            c.text("title", example='"Begrüßung"').strip(),
            web_address(c, "url", '"https://example.org/artikel"'),
        )
        c.reject_unknown()
        twin = next((other for other in chapters if abs(other.start - chapter.start) < 0.001), None)
        if twin is not None:
            raise c.error(
                "start",
                f"is {chapter.start:g} s, where chapter {twin.title!r} starts too",
                "give every chapter its own start time",
            )
        chapters.append(chapter)
    return chapters


def _soundbites(f: Fields) -> list[Soundbite]:
    """The ``[[soundbites]]`` of episode.toml; two soundbites may not start at the same time."""
    bites: list[Soundbite] = []
    for b in f.tables("soundbites"):
        bite = Soundbite(
            parse_timestamp(b.get("start", object, example='"12:30"'), b.where("start")),
            parse_timestamp(b.get("duration", object, example="45"), b.where("duration")),
            b.text("title", example='"Warum die ePA Zeit spart"').strip(),
        )
        b.reject_unknown()
        if not CLIP_SECONDS[0] <= bite.duration <= CLIP_SECONDS[1]:
            raise b.error(
                "duration",
                f"is {bite.duration:g} s",
                f"give {CLIP_SECONDS[0]:g}-{CLIP_SECONDS[1]:g} seconds (a shared clip), for example: duration = 45",
            )
        if any(abs(other.start - bite.start) < 0.001 for other in bites):
            raise b.error(
                "start",
                f"is {bite.start:g} s, where another soundbite starts too",
                "give every soundbite its own start time",
            )
        bites.append(bite)
    return bites


def _merge_host_samples(episode: Episode) -> None:
    """An episode speaker who is a show host inherits the host's enrolled voice sample."""
    by_name = {h.name: h for h in episode.show.hosts}
    for speaker in episode.speakers:
        host = by_name.get(speaker.name)
        if host is not None and speaker.voice_sample is None:
            speaker.voice_sample = host.voice_sample


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
                f"{episode.file}: episode number {episode.number} is already used by {seen[key].slug}",
                "give every episode its own number (or season)",
            )
        seen[key] = episode
    return sorted(episodes, key=lambda e: (e.season or 0, e.number, e.date))
