"""Tags, cover art and chapters read back with mutagen and with ffprobe."""

from __future__ import annotations

import io
import json
import subprocess

import mutagen
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from PIL import Image

from audiokit.ffmpeg import find_ffmpeg, media_path
from audiokit.mastering import MasteringSettings, Tags, master_file, write_tagged_copy
from audiokit.workspace import Chapter
from helpers_mastering import sine, write_pcm

CHAPTERS = [
    Chapter(0.0, "Begrüßung"),
    Chapter(4.5, "Wärme & Netze; Teil=2", "https://example.org/netz"),
    Chapter(9.25, "Ausblick"),
]


@pytest.fixture(scope="module")
def cover(tmp_path_factory):
    path = tmp_path_factory.mktemp("art") / "cover.png"
    Image.new("RGB", (600, 600), (20, 120, 90)).save(path)
    return path


@pytest.fixture(scope="module")
def tags(cover):
    return Tags(
        title="Folge 7: Wärmepumpen",
        artist="Redaktion Süd",
        album="Werkgespräch",
        date="2026-11-10",
        track=7,
        comment="Über Heizungen im Bestand.",
        cover=cover,
        chapters=CHAPTERS,
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return write_pcm(tmp_path_factory.mktemp("src") / "ton.wav", sine(300, -25, 12))


def ffprobe(path):
    ffprobe_bin = find_ffmpeg().replace("ffmpeg", "ffprobe")
    out = subprocess.run(
        [
            ffprobe_bin,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_chapters",
            "-show_streams",
            "-show_format",
            media_path(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def _chapters_from_ffprobe(info):
    return sorted((round(float(c["start_time"]), 2), c["tags"]["title"]) for c in info["chapters"])


@pytest.mark.parametrize("fmt", ["mp3", "m4a"])
def test_tags_cover_and_chapters_read_back(tmp_path, source, tags, fmt):
    result = master_file(
        source, tmp_path / f"folge.{fmt}", MasteringSettings.from_preset("podcast", format=fmt), tags=tags
    )
    info = ffprobe(result.path)
    assert _chapters_from_ffprobe(info) == [(c.start, c.title) for c in CHAPTERS]
    assert any(s.get("disposition", {}).get("attached_pic") for s in info["streams"])
    assert info["format"]["tags"]["title"] == tags.title
    audio = mutagen.File(result.path)
    if fmt == "mp3":
        id3 = ID3(result.path)
        assert str(id3["TIT2"]) == tags.title and str(id3["TALB"]) == "Werkgespräch" and str(id3["TRCK"]) == "7"
        assert id3.getall("APIC")[0].data == tags.cover.read_bytes()
        chaps = sorted(id3.getall("CHAP"), key=lambda c: c.start_time)
        assert [(c.start_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
            (round(c.start * 1000), c.title) for c in CHAPTERS
        ]
        assert chaps[-1].end_time == pytest.approx(result.duration * 1000, abs=60)
        assert id3.getall("CTOC")[0].child_element_ids == [c.element_id for c in chaps]
        assert chaps[1].sub_frames.getall("WXXX")[0].url == "https://example.org/netz"
    else:
        assert audio.tags["\xa9nam"] == [tags.title] and audio.tags["trkn"] == [(7, 0)]
        assert bytes(audio.tags["covr"][0]) == tags.cover.read_bytes()
        assert [(round(c.start, 2), c.title) for c in MP4(result.path).chapters] == [
            (c.start, c.title) for c in CHAPTERS
        ]


def test_retagging_writes_a_new_file_and_leaves_a_hard_link_alone(tmp_path, source, tags):
    published = master_file(source, tmp_path / "folge.mp3", MasteringSettings.from_preset("podcast"), tags=tags).path
    staging = tmp_path / "staging.mp3"
    staging.hardlink_to(published)
    before = published.read_bytes()
    auto = Tags(title="Neu", chapters=[Chapter(0, "Start"), Chapter(6, "Mitte")])
    write_tagged_copy(staging, staging, auto)
    assert published.read_bytes() == before  # the published copy is untouched
    assert staging.stat().st_ino != published.stat().st_ino
    id3 = ID3(staging)
    assert str(id3["TIT2"]) == "Neu" and not id3.getall("APIC")
    assert sorted(str(c.sub_frames["TIT2"]) for c in id3.getall("CHAP")) == ["Mitte", "Start"]
    assert mutagen.File(staging).info.length == pytest.approx(mutagen.File(published).info.length)


def test_large_cover_is_embedded_as_a_small_jpeg(tmp_path, source):
    big = tmp_path / "big.png"
    Image.new("RGB", (1800, 1800), (200, 40, 40)).save(big)
    out = master_file(
        source, tmp_path / "f.mp3", MasteringSettings.from_preset("podcast"), tags=Tags(title="x", cover=big)
    ).path
    picture = ID3(out).getall("APIC")[0]
    assert picture.mime == "image/jpeg"
    with Image.open(io.BytesIO(picture.data)) as image:
        assert max(image.size) == 1400


def test_opus_and_flac_carry_vorbis_comments_and_chapters(tmp_path, source, tags):
    for fmt in ("opus", "flac"):
        result = master_file(
            source, tmp_path / f"f.{fmt}", MasteringSettings.from_preset("podcast", format=fmt), tags=tags
        )
        info = ffprobe(result.path)
        assert _chapters_from_ffprobe(info) == [(c.start, c.title) for c in CHAPTERS]
        assert mutagen.File(result.path).tags["TITLE"] == [tags.title]
