"""Fixtures for the publishing tests: shows with mastered audio and transcripts, made without the other stages.

A real MP3 (ffmpeg, synthesised tone) stands in for the mastering output, a hand-built
Transcript for the transcription output; ``master.json`` follows the team contract.
"""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import tomli_w

from audiokit.build import BuildReport, build
from audiokit.ffmpeg import media_path, probe, run_ffmpeg
from audiokit.mastering import episode_settings
from audiokit.scaffold import placeholder_cover
from audiokit.stages.master import MasterStage, sound_source
from audiokit.stages.publish import PublishEpisodeStage, PublishShowStage
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker, Word
from audiokit.workspace import load_show

BASE_URL = "https://podcast.example.org/werkstatt"


def header_png(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width`` × ``height`` px, with almost no pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")


SPEAKERS = [
    TranscriptSpeaker("S1", "Clara Vogt", "Netzwerk Digitale Gesundheit", "host", 0.9, "voice-sample"),
    TranscriptSpeaker("S2", "Jana Albers", "Praxisgemeinschaft Nordstadt", "guest", 0.8, "introduction"),
    TranscriptSpeaker("S3", "Tobias Reimann", "Landesverband der Apotheken", "guest", 0.8, "introduction"),
]

TURNS = [
    ("S1", 1.0, "Hallo und willkommen in der Werkstatt. Bei mir ist heute Jana Albers aus der Praxis."),
    (
        "S2",
        8.0,
        "Danke, ich freue mich. Wir haben im Frühjahr angefangen und die ersten Wochen waren holprig, "
        "weil die Software ständig neue Updates brauchte und das Team erst Routine finden musste.",
    ),
    ("S1", 40.0, "Jetzt kommt noch Tobias Reimann dazu. Wie sieht das in den Apotheken aus?"),
    ("S3", 46.0, "Bei uns war die Umstellung leichter, weil die Rezepte schon länger digital laufen."),
    ("S1", 70.0, "Vielen Dank euch beiden fürs Zuhören und bis bald."),
]


def timed_words(text: str, start: float, pace: float = 0.4) -> list[Word]:
    """Words of ``text`` one after another, ``pace`` seconds each."""
    return [
        Word(w, round(start + i * pace, 3), round(start + i * pace + pace * 0.8, 3)) for i, w in enumerate(text.split())
    ]


def sample_transcript(turns: list[tuple[str, float, str]] = TURNS) -> Transcript:
    """A three-speaker German transcript on the recording's timeline."""
    segments = []
    for speaker, start, text in turns:
        words = timed_words(text, start)
        segments.append(Segment(speaker, start, words[-1].end, words))
    return Transcript(
        "de",
        80.0,
        [TranscriptSpeaker(**vars(s)) for s in SPEAKERS],
        segments,
        {"audiokit": "test", "created": "2026-11-10T18:00:00+01:00"},
    )


def tone_mp3(path: Path, seconds: float = 80.0) -> Path:
    """A small real MP3 (8 kHz mono sine at a low bitrate)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=330:duration={seconds}:sample_rate=8000",
            "-ac",
            "1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "8k",
            media_path(path),
        ]
    )
    return path


def write_master(out: Path, slug: str, mp3: Path, *, offset: float = 0.0) -> Path:
    """Put ``mp3`` where the mastering stage would and write master.json; returns the audio path."""
    folder = out / slug
    folder.mkdir(parents=True, exist_ok=True)
    audio = folder / f"{slug}.mp3"
    shutil.copyfile(mp3, audio)
    info = probe(audio)
    (folder / "master.json").write_text(
        json.dumps(
            {
                "audio": audio.name,
                "mime": "audio/mpeg",
                "duration": info.duration,
                "bytes": audio.stat().st_size,
                "offset": offset,
                "loudness": {},
            }
        ),
        encoding="utf-8",
    )
    return audio


SHOW_TOML = """\
# Testshow
title = "Werkstatt & <Gespräch>"
author = "Redaktion Werkstatt"
language = "de"
description = "Gespräche über Digitalisierung in Praxis & Apotheke."
base_url = "{base_url}"
cover = "cover.png"
categories = ["Health & Fitness/Medicine", "Technology"]
explicit = false
owner_name = "Redaktion Werkstatt"
owner_email = "redaktion@example.org"

[[hosts]]
name = "Clara Vogt"
organisation = "Netzwerk Digitale Gesundheit"
"""

EPISODE_TOML = """\
title = {title}
number = {number}
season = 1
date = {date}
description = {description}
recording = "aufnahme.wav"
{top}
[[speakers]]
name = "Clara Vogt"
organisation = "Netzwerk Digitale Gesundheit"
role = "host"

[[speakers]]
name = "Jana Albers"
organisation = "Praxisgemeinschaft Nordstadt"
role = "guest"

[[speakers]]
name = "Tobias Reimann"
organisation = "Landesverband der Apotheken"
role = "guest"
{extra}"""

CHAPTERS_TOML = """
[[chapters]]
start = "00:00"
title = "Begrüßung"

[[chapters]]
start = "00:08"
title = "Erfahrungen aus der Praxis"

[[chapters]]
start = "00:46"
title = "Die Sicht der Apotheken"
"""


def toml_string(text: str) -> str:
    """``text`` as a TOML string literal (control characters escaped)."""
    return tomli_w.dumps({"v": text}).split("=", 1)[1].strip()


def write_show(
    root: Path,
    *,
    episodes: int = 1,
    base_url: str = BASE_URL,
    cover_size: int = 1400,
    chapters: bool = True,
    transcript: bool = True,
    description: str = "Eine Folge über **Akten**.",
    top: str = "",
    extra: str = "",
) -> Path:
    """A show folder with ``episodes`` episodes (dummy recordings, transcripts, chapters in episode.toml)."""
    show = root / "show"
    show.mkdir(parents=True)
    (show / "show.toml").write_text(SHOW_TOML.format(base_url=base_url), encoding="utf-8")
    placeholder_cover("Werkstatt", cover_size).save(show / "cover.png")
    for number in range(1, episodes + 1):
        add_episode(
            show, number, chapters=chapters, transcript=transcript, description=description, top=top, extra=extra
        )
    return show


def add_episode(
    show: Path,
    number: int,
    *,
    chapters: bool = True,
    transcript: bool = True,
    description: str = "Eine Folge.",
    title: str = "",
    top: str = "",
    extra: str = "",
    date: str = "",
) -> Path:
    """Add episode ``number``; ``top`` holds extra top-level TOML lines, ``extra`` extra tables."""
    folder = show / f"{number:03d}-folge-{number}"
    folder.mkdir()
    (folder / "aufnahme.wav").write_bytes(b"RIFF")  # the publishing stages never read the recording
    day = 1 + (number - 1) % 28
    (folder / "episode.toml").write_text(
        EPISODE_TOML.format(
            title=toml_string(title or f"Folge {number}: Akten & Abläufe"),
            number=number,
            top=top,
            date=date or f"2026-{1 + (number - 1) // 28 % 12:02d}-{day:02d}T18:00:00+01:00",
            description=toml_string(description),
            extra=(CHAPTERS_TOML if chapters else "") + extra,
        ),
        encoding="utf-8",
    )
    if transcript:
        sample_transcript().save(folder / "transcript.json")
    return folder


def master_all(show: Path, out: Path, mp3: Path, *, offset: float = 0.0) -> None:
    """Mastered audio for every episode of ``show``."""
    for toml in sorted(show.glob("*/episode.toml")):
        write_master(out, toml.parent.name, mp3, offset=offset)


def publish(show: Path, out: Path, **kwargs) -> BuildReport:
    """Build with the publishing stages only."""
    return build(show, out, stages=[PublishEpisodeStage(), PublishShowStage()], **kwargs)


def built_site(root: Path, *, episodes: int = 1, settings: str = "", **show: Any) -> Path:
    """``root/public``: a show of :func:`write_show` (``settings``: TOML appended to show.toml), mastered with a
    tone and published."""
    folder = write_show(root, episodes=episodes, **show)
    if settings:
        (folder / "show.toml").write_text((folder / "show.toml").read_text("utf-8") + settings, encoding="utf-8")
    out = root / "public"
    master_all(folder, out, tone_mp3(root / "tone.mp3"))
    assert not publish(folder, out).failed
    return out


def tag_and_publish(show: Path, out: Path) -> BuildReport:
    """Build with the mastering stage and the publishing stages. master.json gets the sound fingerprint
    the mastering stage computes, so it takes the audio of :func:`master_all` as its own and only tags it."""
    for episode in load_show(show).episodes():
        path = out / episode.slug / "master.json"
        manifest = json.loads(path.read_text("utf-8"))
        manifest["source"] = sound_source(episode, episode_settings(episode))
        path.write_text(json.dumps(manifest), encoding="utf-8")
    return build(show, out, stages=[MasterStage(), PublishEpisodeStage(), PublishShowStage()])
