"""The show/episode workspace: ``show.toml`` plus one folder with ``episode.toml`` per episode."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import check_slug, resolve_inside, slugify
from .tomlfields import Fields, read_toml

SHOW_FILE = "show.toml"
EPISODE_FILE = "episode.toml"
ROLES = ("host", "guest", "cohost", "moderator")
STAGE_TABLES = ("mastering", "transcription", "publish")


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


@dataclass
class Chapter:
    """A chapter mark: start in seconds from the start of the published audio."""

    start: float
    title: str
    url: str = ""


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
    episode_type: str = "full"
    explicit: bool | None = None
    speaker_count: int | None = None
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.dir / EPISODE_FILE

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
        return self.dir / "transcript.json"

    def stage_settings(self, stage: str) -> dict[str, Any]:
        """Show-level settings of ``stage`` overridden by the episode's own table."""
        return {**self.show.settings.get(stage, {}), **self.settings.get(stage, {})}


def parse_timestamp(value: Any, where: str) -> float:
    """Seconds from ``90``, ``90.5``, ``"01:30"`` or ``"00:01:30.5"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(:\d{1,2}){0,2}(\.\d+)?", value.strip()):
        seconds = 0.0
        for part in value.strip().split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    raise ConfigError(f"{where} is not a time", 'write seconds (90) or "mm:ss" / "hh:mm:ss" ("01:30")')


def _speaker(f: Fields, root: Path, default_role: str) -> Speaker:
    role = f.text("role", default_role, '"guest"')
    if role not in ROLES:
        raise f.error("role", f"is {role!r}", f"use one of: {', '.join(ROLES)}")
    sample = f.text("voice_sample", "", '"voices/anna.wav"')
    track = f.text("track", "", '"spuren/anna.flac"')
    speaker = Speaker(
        name=f.text("name", example='"Anna Beispiel"').strip(),
        organisation=f.text("organisation", "", '"Beispiel-Klinik"').strip(),
        role=role,
        voice_sample=_existing(root, sample, f, "voice_sample") if sample else None,
        track=_existing(root, track, f, "track") if track else None,
        img=f.text("img", "", '"https://…/anna.jpg"'),
        href=f.text("href", "", '"https://…"'),
    )
    f.reject_unknown()
    return speaker


def _existing(root: Path, relative: str, f: Fields, key: str) -> Path:
    path = resolve_inside(root, relative, f.where(key))
    if not path.is_file():
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
    base_url = f.text("base_url", example='"https://podcast.example.org/werkgespraech"').rstrip("/")
    if not base_url.startswith("https://"):
        raise f.error("base_url", "must be an https:// URL", "podcast directories require HTTPS")
    cover_rel = f.text("cover", example='"cover.png"')
    cover = resolve_inside(folder, cover_rel, f.where("cover"))
    if not cover.is_file():
        raise f.error("cover", f"names {cover_rel!r}, which does not exist",
                      "add a square JPEG or PNG of 1400-3000 px at that path")
    _check_image(cover, f)
    language = f.text("language", "de", '"de"')
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
        owner_email=f.text("owner_email", "", '"redaktion@example.org"'),
        podcast_guid=f.text("podcast_guid", ""),
        locked=f.get("locked", bool, True, "true"),
    )
    show.hosts = [_speaker(h, show.dir, "host") for h in f.tables("hosts")]
    show.settings = _stage_tables(f)
    f.reject_unknown()
    return show


def _check_image(path: Path, f: Fields) -> None:
    """Refuse a cover that is not a readable image before any work starts (size rules: publish check)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError) as exc:
        raise f.error("cover", f"names {path.name!r}, which is not a readable image ({exc.__class__.__name__})",
                      "save the cover as a square JPEG or PNG of 1400-3000 px") from exc


def _folder_slug(folder: Path) -> str:
    return slugify(folder.resolve().name)


def load_episode(show: Show, folder: Path | str) -> Episode:
    """Read and validate ``folder/episode.toml`` of ``show``."""
    folder = Path(folder).resolve()
    file = folder / EPISODE_FILE
    slug = check_slug(folder.name, f"{folder}: episode folder name")
    f = Fields(read_toml(file), file)
    episode_type = f.text("type", "full", '"full"')
    if episode_type not in ("full", "trailer", "bonus"):
        raise f.error("type", f"is {episode_type!r}", "use full, trailer or bonus")
    number = f.get("number", int, example="1")
    if number < 0:
        raise f.error("number", "is negative", "number episodes from 0 or 1")
    episode = Episode(
        show=show,
        dir=folder,
        slug=slug,
        title=f.text("title", example='"Die ePA im Praxisalltag"'),
        number=number,
        season=f.get("season", int, None, "1"),
        date=f.datetime("date"),
        description=f.text("description", ""),
        episode_type=episode_type,
        explicit=f.get("explicit", bool, None, "false"),
        speaker_count=f.get("speaker_count", int, None, "3"),
    )
    episode.speakers = [_speaker(s, folder, "guest") for s in f.tables("speakers")] or list(show.hosts)
    _merge_host_samples(episode)
    recording = f.text("recording", "", '"aufnahme.wav"')
    tracks = [s for s in episode.speakers if s.track is not None]
    if recording and tracks:
        raise f.error("recording", "is given together with per-speaker tracks",
                      "use either one recording or a track for every speaker")
    if recording:
        episode.recording = _existing(folder, recording, f, "recording")
    elif not tracks:
        raise f.error("recording", "is missing", 'add recording = "aufnahme.wav" or a track per speaker')
    elif len(tracks) != len(episode.speakers):
        missing = next(s.name for s in episode.speakers if s.track is None)
        raise ConfigError(f"{file}: speaker {missing!r} has no track while others have one",
                          "give every speaker a track, or use one recording")
    episode.chapters = [
        Chapter(parse_timestamp(c.get("start", object, example='"00:00"'), c.where("start")),
                c.text("title", example='"Begrüßung"'), c.text("url", ""))
        for c in f.tables("chapters")
    ]
    episode.settings = _stage_tables(f)
    f.reject_unknown()
    return episode


def _merge_host_samples(episode: Episode) -> None:
    """An episode speaker who is a show host inherits the host's enrolled voice sample."""
    by_name = {h.name: h for h in episode.show.hosts}
    for speaker in episode.speakers:
        host = by_name.get(speaker.name)
        if host is not None and speaker.voice_sample is None:
            speaker.voice_sample = host.voice_sample


def load_episodes(show: Show) -> list[Episode]:
    """Every sub-folder with an episode.toml; duplicate episode numbers are an error."""
    episodes = [load_episode(show, p.parent) for p in sorted(show.dir.glob(f"*/{EPISODE_FILE}"))]
    seen: dict[tuple[int | None, int], Episode] = {}
    for episode in episodes:
        key = (episode.season, episode.number)
        if key in seen:
            raise ConfigError(
                f"{episode.file}: episode number {episode.number} is already used by {seen[key].slug}",
                "give every episode its own number (or season)",
            )
        seen[key] = episode
    return sorted(episodes, key=lambda e: (e.season or 0, e.number, e.date))
