"""Every setting a user writes — show.toml, episode.toml, glossary.toml and their stage tables — declared
once: type, default, range and meaning. Validation, the command-line overrides and the reference
(``audiokit settings``, docs/settings.md) all come from these declarations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from msgspec import Meta, Struct, field, structs

from ..i18n import N_
from .validate import Place, convert, split

LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{1,8})*$")
"""A language code as RSS and podcast directories want it: ``de``, ``de-DE``, ``de-CH``."""
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z0-9-]{2,}$")
URL_RE = re.compile(r"^(?P<scheme>https?)://[^\s/?#<>\"'`]+[^\s<>\"'`]*$", re.IGNORECASE)
MAX_SPEAKERS = 20

Role = Literal["host", "guest", "cohost", "moderator"]
PresetName = Literal["podcast", "podcast-mono", "broadcast"]
FormatName = Literal["mp3", "m4a", "opus", "flac", "wav"]  # each is also the file suffix
Device = Literal["auto", "cpu", "cuda"]
Denoise = Literal["off", "light", "strong"]
SampleRate = Literal[8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000]
FORMAT_NAMES: tuple[str, ...] = get_args(FormatName)
DEVICES: tuple[str, ...] = get_args(Device)
DENOISE_LEVELS: tuple[str, ...] = get_args(Denoise)


def doc(description: str, *examples: Any, **extra: Any) -> Meta:
    """The meaning of a key, examples, its limits (``ge``, ``le``, ``pattern``) and ``extra`` for messages
    (``unit``, ``kind``, ``fix``)."""
    limits = {k: extra.pop(k) for k in ("ge", "le", "pattern") if k in extra}
    return Meta(**limits, description=description, examples=list(examples) or None, extra=extra or None)


Text = Annotated[str, Meta(pattern=r"\S")]
"""Text that must be filled in."""
File = Annotated[str, Meta(extra={"path": True, "kind": N_("a file path")})]
"""A file inside the show folder, relative to the TOML file's folder; kept exactly as written."""
Jingle = Annotated[Path | None, Meta(extra={"path": True, "kind": N_("a file path")})]
"""An audio file inside the show folder, relative to it (resolved when the settings are read)."""
Time = Annotated[float | str, Meta(extra={"kind": N_('a time: seconds (90) or "mm:ss" ("01:30")')})]
WebAddress = Annotated[
    str, Meta(pattern=f"(?i)^$|{URL_RE.pattern}", extra={"kind": N_("an http:// or https:// address")})
]
HttpsAddress = Annotated[str, Meta(pattern=f"(?i)^$|{URL_RE.pattern}".replace("https?", "https"))]
HubAddress = Annotated[str, Meta(pattern=f"(?i){URL_RE.pattern}", extra={"kind": N_("an http:// or https:// address")})]
_HTTPS, _FULL = "an https:// address", "a full https:// address"
_EMAIL, _AT = f"^$|{EMAIL_RE.pattern}", "an e-mail address"
_UUID5 = r"(?i)^$|^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
_V5, _NEW = "a version 5 UUID", "remove the line: audiokit computes the GUID from the feed address on the next build"
TARGET_RE = re.compile(r"(?i)^$|^(sftp|ftps?|webdavs?|s3)://([^\s/:@]+@)?[^\s/@]+(/[^\s]*)?$")
"""An upload target: the scheme, a user name (never a password), host[:port] or bucket, a path."""
_NO_PASSWORD = "write it as scheme://user@host/path: the password goes into ~/.netrc or $AUDIOKIT_PUBLISH_PASSWORD"
_DATE = dt.datetime(2026, 11, 10, 18, tzinfo=dt.timezone(dt.timedelta(hours=1)))


class Table(Struct, forbid_unknown_fields=True):
    """A TOML table: a key it does not declare is an error (usually a typo)."""


def path_keys() -> frozenset[str]:
    """Every key of the settings files whose value names a file (its type is marked ``path``)."""

    def tables(cls: type[Table]) -> Iterator[type[Table]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from tables(sub)

    return frozenset(f.name for t in tables(Table) for f in structs.fields(t) if split(f.type)[1].get("path"))


class Speaker(Table):
    """A person who speaks: ``[[speakers]]`` of an episode (without any, the show's hosts speak)."""

    name: Annotated[Text, doc("Shown in transcripts and the feed.", "Anna Beispiel")]
    organisation: Annotated[str, doc('Shown as "Name [Organisation]".', "Beispiel-Klinik")] = ""
    role: Annotated[Role, doc("Part in the talk (podcast:person role).")] = "guest"
    voice_sample: Annotated[File, doc("10-30 s of clean speech to recognise the voice.", "voices/anna.wav")] = ""
    track: Annotated[File, doc("The person's own track of a multitrack recording.", "spuren/anna.flac")] = ""
    img: Annotated[HttpsAddress, doc("Portrait for podcast apps.", "https://example.org/a.jpg", kind=_HTTPS)] = ""
    href: Annotated[HttpsAddress, doc("The person's web page.", "https://example.org/anna", kind=_HTTPS)] = ""


class Host(Speaker):
    """A host of the show (``[[hosts]]``): speaks in the episodes that list no ``[[speakers]]``."""

    role: Annotated[Role, doc("Part in the talk (podcast:person role).")] = "host"


class Chapter(Table):
    """A chapter mark (``[[chapters]]``); the start is on the published audio (after an intro)."""

    start: Annotated[Time, doc("Where the chapter starts.", "00:00")]
    title: Annotated[Text, doc("Chapter title.", "Begrüßung")]
    url: Annotated[WebAddress, doc("A link for the chapter.", "https://example.org/artikel")] = ""


class Soundbite(Table):
    """A passage to share (``[[soundbites]]``): rendered as a clip, listed as podcast:soundbite."""

    start: Annotated[Time, doc("Where it starts on the published audio.", "12:30")]
    duration: Annotated[Time, doc("Its length, 5-180 seconds.", 45)]
    title: Annotated[Text, doc("What is said.", "Warum die ePA Zeit spart")]


@dataclass(frozen=True)
class Preset:
    """A loudness target: integrated loudness (LUFS), true-peak ceiling (dBTP), channels, and
    whether a mono signal is measured as dual-mono (as heard on two speakers, +3 dB)."""

    name: str
    target: float
    true_peak: float
    channels: int
    dual_mono: bool
    description: str


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("podcast", -16.0, -1.0, 2, True, N_("Apple/AES podcast delivery: -16 LUFS, -1 dBTP, stereo")),
        Preset(
            "podcast-mono", -19.0, -1.0, 1, False, N_("mono podcast: -19 LUFS measured as mono (= -16 on two speakers)")
        ),
        Preset("broadcast", -23.0, -1.0, 2, True, N_("EBU R128 broadcast: -23 LUFS, -1 dBTP")),
    )
}
_PRESET_KEYS = ("channels", "dual_mono", "target", "true_peak")
_BY_PRESET = "; the preset sets it."


class MasteringSettings(Table):
    """``[mastering]``: everything that shapes the master; start from a preset with ``from_preset``."""

    preset: Annotated[
        PresetName, doc("Loudness preset: " + "; ".join(p.description for p in PRESETS.values()) + ".")
    ] = "podcast"
    target: Annotated[float, doc("Integrated loudness" + _BY_PRESET, -16, unit="LUFS", ge=-40, le=-5)] = -16.0
    true_peak: Annotated[float, doc("True-peak ceiling" + _BY_PRESET, -1, unit="dBTP", ge=-12, le=0)] = -1.0
    channels: Annotated[Literal[1, 2], doc("1 (mono) or 2 (stereo)" + _BY_PRESET)] = 2
    dual_mono: Annotated[bool, doc("Measure mono as heard on two speakers (+3 dB)" + _BY_PRESET)] = True
    format: Annotated[FormatName, doc("Audio format, also the file suffix.")] = "mp3"
    bitrate: (
        Annotated[int, doc("Bitrate; unset: the format's default for the channels.", 128, unit="kbit/s", ge=16, le=512)]
        | None
    ) = None
    sample_rate: Annotated[SampleRate | None, doc("Output sample rate in Hz; unset: the recording's.", 48000)] = None
    denoise: Annotated[
        Denoise,
        doc(
            "Noise and reverb reduction before levelling (DeepFilterNet3), per track in a multitrack recording; "
            "light lowers noise by up to 12 dB and keeps some of the room, strong removes all it can. "
            "Jingles are left as they are.",
            "light",
        ),
    ] = "light"
    leveller: Annotated[bool, doc("Even out the loudness of the speakers.")] = True
    max_boost: Annotated[float, doc("Most the leveller raises a quiet voice.", 15, unit="dB", ge=0, le=30)] = 15.0
    highpass: Annotated[float, doc("Rumble filter; 0 switches it off.", 70, unit="Hz", ge=0, le=300)] = 70.0
    trim_silence: Annotated[bool, doc("Trim silence at the start and end.")] = True
    intro: Annotated[Jingle, doc("Jingle before the talk.", "jingles/intro.wav")] = None
    outro: Annotated[Jingle, doc("Jingle after the talk.", "jingles/outro.wav")] = None
    crossfade: Annotated[float, doc("Overlap of a jingle and the talk.", 0.3, unit="s", ge=0, le=5)] = 0.3
    max_pause: Annotated[
        float,
        doc(
            "Longer pauses between words are proposed as cuts that shorten them to this.", 1.5, unit="s", ge=0.2, le=30
        ),
    ] = 1.5

    @classmethod
    def from_preset(cls, name: str = "podcast", **overrides: Any) -> MasteringSettings:
        """The preset ``name`` with ``overrides`` (None values are ignored); bad values raise ConfigError."""
        values = {"preset": name, **{k: v for k, v in overrides.items() if v is not None}}
        convert(values, cls, Place(table="mastering."))
        preset = PRESETS[name]
        return convert({**{k: getattr(preset, k) for k in _PRESET_KEYS}, **values}, cls)

    @property
    def custom(self) -> list[str]:
        """The keys of the preset set to other values."""
        return [k for k in _PRESET_KEYS if getattr(self, k) != getattr(PRESETS[self.preset], k)]

    @property
    def label(self) -> str:
        """The preset name, marked custom when values beyond it were set."""
        return f"{self.preset} (custom: {', '.join(self.custom)})" if self.custom else self.preset

    def fingerprint(self) -> dict[str, Any]:
        """JSON-able view of every setting (jingle paths as strings)."""
        values = {k: str(v) if isinstance(v, Path) else v for k, v in structs.asdict(self).items() if v is not None}
        return {**values, "custom": self.custom}


class TranscriptionSettings(Table):
    """``[transcription]``: how an episode is transcribed."""

    model: Annotated[str, doc("embedded, a faster-whisper size name or a local CTranslate2 folder.", "embedded")] = (
        "embedded"
    )
    device: Annotated[Device, doc("Where Whisper runs.", "cpu")] = "auto"
    compute_type: Annotated[str, doc("CTranslate2 compute type; auto: int8 on CPU, float16 on CUDA.", "int8")] = "auto"
    cpu_threads: Annotated[int, doc("CPU threads; 0: CTranslate2's default.", 2, ge=0)] = 0
    beam_size: Annotated[int, doc("Beam search width.", 5, ge=1)] = 5
    batch_size: Annotated[int, doc("Speech clips decoded together; 0: one after another.", 8, ge=0)] | None = 8
    prompt: Annotated[bool, doc("Prompt Whisper with the speakers' names and the glossary terms.")] = True
    window: Annotated[float, doc("Audio decoded per call (bounds memory).", 300, unit="s", ge=30)] = 300.0
    max_pause: Annotated[float, doc("A turn is split at longer pauses.", 2.0, unit="s", ge=0.1)] = 2.0

    def as_dict(self) -> dict[str, Any]:
        return structs.asdict(self)


class Link(Table):
    """A link for the shownotes (``[[publish.links]]``)."""

    title: Annotated[Text, doc("Link text.", "Artikel zum Thema")]
    url: Annotated[str, doc("Where it leads.", "https://example.org/x", pattern="^(https?://|mailto:)", kind=_FULL)]


class EpisodePublish(Table):
    """The ``[publish]`` keys an episode can override."""

    links: Annotated[list[Link], doc("Links for the shownotes.")] = []
    auto_chapters: Annotated[bool, doc("Propose chapters from the transcript when there are none.")] = True
    chapter_min_gap: Annotated[float, doc("Shortest proposed chapter.", 30, unit="s", ge=0)] = 30.0
    unreviewed_transcripts: Annotated[
        Literal["label", "hold"],
        doc(
            'A transcript not yet reviewed (`audiokit review`, or the editor): "label" publishes it marked as '
            'made automatically, "hold" leaves it off the site and the feed until it is reviewed.'
        ),
    ] = "label"


class ShowPublish(EpisodePublish):
    """``[publish]`` of show.toml: how the episodes are published (an episode's own table wins) and where
    ``audiokit publish`` uploads the built show."""

    target: Annotated[
        str,
        doc(
            "Where `audiokit publish` uploads the built show; credentials come from the environment or ~/.netrc.",
            "sftp://redaktion@example.org/var/www/werkstatt",
            pattern=TARGET_RE.pattern,
            kind="an sftp://, ftp://, ftps://, webdav://, webdavs:// or s3:// address without a password",
            fix=_NO_PASSWORD,
        ),
    ] = ""
    notify: Annotated[list[HubAddress], doc("WebSub hubs told after each publish that the feed changed.")] = []
    apple_podcasts_url: Annotated[
        str,
        doc(
            "The show's page on Apple Podcasts: the site shows a subscribe button for it.",
            "https://podcasts.apple.com/de/podcast/werkstatt/id1234567890",
            pattern=r"(?i)^$|^https://podcasts\.apple\.com/[^\s<>\"'`]+$",
            kind="an https://podcasts.apple.com/… address",
            fix="copy the show's address from Apple Podcasts Connect, or remove the line",
        ),
    ] = ""
    spotify_url: Annotated[
        str,
        doc(
            "The show's page on Spotify: the site shows a subscribe button for it.",
            "https://open.spotify.com/show/0123456789abcdefghijkl",
            pattern=r"(?i)^$|^https://open\.spotify\.com/[^\s<>\"'`]+$",
            kind="an https://open.spotify.com/… address",
            fix="copy the show's link from Spotify for Creators, or remove the line",
        ),
    ] = ""


class PublishSettings(EpisodePublish):
    """``[publish]`` of episode.toml: the show's keys for its episodes, and the episode's GUID."""

    guid: Annotated[str, doc("Keep the GUID the episode had at a previous host.", "urn:uuid:…")] = ""


class BuildSettings(Table):
    """``[build]`` of show.toml: where ``audiokit build`` runs the episodes."""

    cluster: Annotated[str, doc("A Dask scheduler to build on.", "tcp://scheduler.example.org:8786")] = ""


class ShowFile(Table):
    """``show.toml``: the podcast's feed metadata, hosts and stage settings. Paths are relative to the
    show folder and must stay inside it."""

    title: Annotated[Text, doc("Name of the show.", "Werkgespräch")]
    author: Annotated[Text, doc("Publisher shown in podcast apps.", "Digitalwerk")]
    base_url: Annotated[Text, doc("https:// address the built site is served from.", "https://example.org/show")]
    cover: Annotated[File, doc("Square JPEG or PNG of 1400-3000 px.", "cover.png", pattern=r"\S")]
    language: Annotated[str, doc("Language code.", "de", pattern=LANGUAGE_RE.pattern, kind="a language code")] = "de"
    description: Annotated[str, doc("What the show is about.")] = ""
    categories: Annotated[list[str], doc("Apple Podcasts categories.", ["Technology", "Health & Fitness"])] = []
    explicit: Annotated[bool, doc("Explicit content.")] = False
    owner_name: Annotated[str, doc("Owner for podcast directories.")] = ""
    owner_email: Annotated[str, doc("Owner e-mail.", "redaktion@example.org", pattern=_EMAIL, kind=_AT)] = ""
    podcast_guid: Annotated[
        str, doc("Podcasting 2.0 GUID; stored by the first build, then kept.", pattern=_UUID5, kind=_V5, fix=_NEW)
    ] = ""
    locked: Annotated[bool, doc("Ask directories not to import the feed elsewhere (podcast:locked).")] = True
    slug: Annotated[str, doc("Short name in addresses; unset: the folder name.", "werkgespraech")] = ""
    time_zone: Annotated[
        str, doc("Time zone of new episodes' dates (`audiokit new`).", "Europe/Berlin", pattern=r"^[A-Za-z0-9_+\-/]+$")
    ] = "Europe/Berlin"
    hosts: Annotated[list[Host], doc("The hosts.")] = []
    mastering: Annotated[MasteringSettings, doc("How the episodes are mastered.")] | None = None
    transcription: Annotated[TranscriptionSettings, doc("How the episodes are transcribed.")] | None = None
    publish: Annotated[ShowPublish, doc("How the episodes are published.")] | None = None
    build: Annotated[BuildSettings, doc("Where the build runs.")] = field(default_factory=BuildSettings)


class EpisodeFile(Table):
    """``episode.toml`` in the episode's folder (its name is the episode's slug). Paths are relative to
    the episode folder; its stage tables override the show's key by key."""

    title: Annotated[Text, doc("Episode title.", "Die ePA im Praxisalltag")]
    number: Annotated[int, doc("Episode number.", 1, ge=0)]
    date: Annotated[dt.datetime, Meta(tz=True), doc("Publication date and time.", _DATE)]
    season: Annotated[int, doc("Season number.", 1, ge=1)] | None = None
    description: Annotated[str, doc("Shownotes; Markdown is allowed.")] = ""
    recording: Annotated[File, doc("One recording for everyone (or a track per speaker).", "aufnahme.wav")] = ""
    speakers: Annotated[list[Speaker], doc("Who speaks; unset: the show's hosts.")] = []
    speaker_count: (
        Annotated[int, doc("Number of voices; unset: as many as are heard.", 3, ge=1, le=MAX_SPEAKERS)] | None
    ) = None
    chapters: Annotated[list[Chapter], doc("Chapter marks; unset: proposed from the transcript.")] = []
    soundbites: Annotated[list[Soundbite], doc("Passages to share.")] = []
    episode_type: Annotated[Literal["full", "trailer", "bonus"], doc("Episode type.")] = field(
        default="full", name="type"
    )
    explicit: Annotated[bool, doc("Explicit content; unset: as the show.")] | None = None
    draft: Annotated[bool, doc("Not ready: the build skips it.")] = False
    mastering: Annotated[MasteringSettings, doc("Overrides the show's [mastering] key by key.")] | None = None
    transcription: Annotated[TranscriptionSettings, doc("Overrides the show's [transcription].")] | None = None
    publish: Annotated[PublishSettings, doc("Overrides the show's [publish] key by key.")] | None = None


class Glossary(Table):
    """``glossary.toml`` beside show.toml: terms that bias recognition and "always replace X with Y"
    rules (literal text, whole words, case-sensitive)."""

    terms: Annotated[list[str], doc("Names and domain terms.", ["ePA", "Gematik"])] = []
    replacements: Annotated[dict[str, Text], doc("Wrong text = right text.", {"E-Pa": "ePA"})] = field(
        default={}, name="replace"
    )

    def apply(self, text: str) -> str:
        """Apply every replacement to ``text`` (whole words, case-sensitive, literally)."""
        for wrong, right in self.replacements.items():
            text = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right.replace("\\", "\\\\"), text)
        return text


FILES = {"show.toml": ShowFile, "episode.toml": EpisodeFile, "glossary.toml": Glossary}
STAGE_TABLES = ("mastering", "transcription", "publish")
"""Tables of show.toml and episode.toml checked when their stage reads them (:func:`.validate.layered`)."""
