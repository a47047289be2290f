"""Clips for social media, rendered for real: espeak-ng German words with known times, real ffmpeg
(showwaves, libass) and the Pillow fallback, checked with ffprobe, ffmpeg's ebur128 meter and
Tesseract OCR on a frame read back from the video."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from audiokit.cli import cli
from audiokit.clips import LAYOUTS, boundaries, render_clip
from audiokit.clips.layout import ACCENT
from audiokit.errors import AudiokitError, TranscriptError
from audiokit.ffmpeg import find_ffmpeg, media_path
from audiokit.scaffold import placeholder_cover
from audiokit.transcript import Segment, Transcript, TranscriptSpeaker, Word, load, now_iso
from audiokit.workspace import load_show
from helpers_mastering import ffmpeg_loudness
from synth import RATE, Voice, speak, write_wav

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="needs tesseract-ocr (apt-get install tesseract-ocr tesseract-ocr-deu)"
)

# Runs of one speaker; every word is synthesised on its own, so its time in the recording is known.
RUNS = [
    ("S1", ["Wasserfall", "Bibliothek"]),
    ("S2", ["Regenschirm", "Sonnenblume"]),
    ("S1", ["Apotheke", "Kaffeetasse"]),
    ("S2", ["Fahrradweg", "Gesundheit"]),
    ("S1", ["Wochenende", "Feuerwehr"]),
]
NAMES = {"S1": "Anna Beispiel", "S2": "Bernd Müller"}
ORGANISATIONS = {"S1": "Klinikum Nord", "S2": "Verlag Lindenhof"}
VOICES = {"S1": Voice("f3", pitch=60), "S2": Voice("m3", pitch=35)}
LEAD, GAP = 1.0, 0.35
START, END = 1.5, 10.5  # the clip: both inside a word
QUIET_START = 0.9  # in the silence before the first word


@pytest.fixture(scope="module")
def show(tmp_path_factory) -> Path:
    """A show with one episode: the words of RUNS spoken by two voices, and a transcript whose word
    times are where each word was put into the recording."""
    root = tmp_path_factory.mktemp("clips") / "show"
    episode_dir = root / "001-woerter"
    episode_dir.mkdir(parents=True)
    placeholder_cover("Wörterbuch").save(root / "cover.png")
    (root / "show.toml").write_text(
        'title = "Wörterbuch"\nauthor = "Redaktion"\nbase_url = "https://example.org/woerter"\ncover = "cover.png"\n'
        '\n[[hosts]]\nname = "Anna Beispiel"\n',
        encoding="utf-8",
    )
    (episode_dir / "episode.toml").write_text(
        'title = "Lange Wörter"\nnumber = 1\ndate = 2026-11-10T18:00:00+01:00\nrecording = "aufnahme.wav"\n'
        '\n[[speakers]]\nname = "Bernd Müller"\n',
        encoding="utf-8",
    )
    pieces, segments, cursor = [], [], LEAD
    for speaker, words in RUNS:
        timed = []
        for text in words:
            audio = speak(text, VOICES[speaker])
            pieces.append((cursor, audio))
            timed.append(Word(text, round(cursor, 3), round(cursor + len(audio) / RATE, 3)))
            cursor += len(audio) / RATE + GAP
        segments.append(Segment(speaker, timed[0].start, timed[-1].end, timed))
    total = cursor + LEAD
    recording = np.zeros(round(total * RATE), np.float32)
    for at, audio in pieces:
        recording[round(at * RATE) : round(at * RATE) + len(audio)] += audio
    write_wav(episode_dir / "aufnahme.wav", recording)
    Transcript(
        "de",
        total,
        [TranscriptSpeaker(i, n, ORGANISATIONS[i]) for i, n in NAMES.items()],
        segments,
        {"audiokit": "test", "created": now_iso()},
    ).save(episode_dir / "transcript.json")
    return root


def episode_of(show_dir: Path):
    return load_show(show_dir).episodes()[0]


def words_in_clip(show_dir: Path, start: float = START, end: float = END) -> list[tuple[str, Word]]:
    data = json.loads((show_dir / "001-woerter" / "transcript.json").read_text("utf-8"))
    return [
        (s["speaker"], Word(w["text"], w["start"], w["end"]))
        for s in data["segments"]
        for w in s["words"]
        if start <= (w["start"] + w["end"]) / 2 < end
    ]


def ffprobe(path: Path) -> dict:
    ffprobe = str(Path(find_ffmpeg()).with_name("ffprobe"))
    proc = subprocess.run(
        [ffprobe, "-v", "error", "-show_streams", "-show_format", "-of", "json", media_path(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def frame_text(video: Path, at: float, layout: str, tmp_path: Path, *, highlighted: bool = False) -> str:
    """OCR (German) of the speaker and caption area of the frame at ``at`` seconds; ``highlighted``:
    only what the caption box shows in the accent colour (the word being spoken)."""
    frame = tmp_path / f"frame-{at:.2f}.png"
    subprocess.run(
        [
            find_ffmpeg(),
            "-v",
            "error",
            "-y",
            "-ss",
            f"{at:.3f}",
            "-i",
            media_path(video),
            "-frames:v",
            "1",
            media_path(frame),
        ],
        check=True,
    )
    box, speaker = LAYOUTS[layout].captions, LAYOUTS[layout].speaker
    with Image.open(frame) as image:
        area = image.convert("RGB").crop((box.x, box.y if highlighted else speaker.y, box.x + box.w, box.y + box.h))
    pixels = np.asarray(area).astype(int)
    if highlighted:  # near ACCENT (240, 180, 60)
        ink = np.abs(pixels - np.array(ACCENT)).max(axis=2) < 50
    else:  # light text on the dark backdrop
        ink = pixels.mean(axis=2) > 140
    Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)).save(frame)  # dark text on white reads best
    proc = subprocess.run(
        ["tesseract", str(frame), "-", "-l", "deu", "--psm", "6"], capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture(scope="module")
def square(show, tmp_path_factory):
    """A 9-s square clip with captions, drawn by ffmpeg (showwaves, libass)."""
    out = tmp_path_factory.mktemp("square") / "clip.mp4"
    return render_clip(episode_of(show), START, END, "square", out, renderer="ffmpeg")


def test_square_clip_is_h264_aac_at_the_size_length_and_loudness_platforms_want(square):
    info = ffprobe(square.path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["pix_fmt"], video["width"], video["height"]) == ("h264", "yuv420p", 1080, 1080)
    assert audio["codec_name"] == "aac"
    assert float(info["format"]["duration"]) == pytest.approx(square.end - square.start, abs=0.1)
    assert square.duration == pytest.approx(square.end - square.start, abs=0.1)
    integrated, true_peak = ffmpeg_loudness(square.path)
    assert integrated == pytest.approx(-14.0, abs=1.0)
    assert square.true_peak <= -1.0
    assert true_peak <= -1.0 + 0.1  # ffmpeg's true-peak meter may read a little above BS.1770's
    assert square.loudness == pytest.approx(integrated, abs=0.5)
    data = square.path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat")  # faststart: playable while it downloads


def test_a_frame_shows_the_word_spoken_at_that_moment_and_who_speaks(square, show, tmp_path):
    spoken = words_in_clip(show, square.start, square.end)
    for speaker, word in (spoken[1], spoken[-2]):
        at = (word.start + word.end) / 2 - square.start
        text = frame_text(square.path, at, "square", tmp_path)
        assert word.text in text, f"{word.text!r} at {at:.2f} s, OCR read {text!r}"
        assert NAMES[speaker].split()[0] in text
        assert frame_text(square.path, at, "square", tmp_path, highlighted=True).split() == [word.text]
        away = [w.text for _, w in spoken if abs(w.start - word.start) > 3]  # other captions' words
        assert away and not any(w in text for w in away), text


def test_sidecars_hold_the_clips_words_timed_from_the_clip_start(square, show):
    srt, vtt = (p.read_text("utf-8") for p in square.sidecars)
    assert [p.suffix for p in square.sidecars] == [".srt", ".vtt"]
    assert all(p.parent == square.path.parent for p in square.sidecars)
    spoken = words_in_clip(show, square.start, square.end)
    first = spoken[0][1]
    start = re.search(r"(\d\d):(\d\d):(\d\d),(\d{3}) -->", srt).groups()
    assert int(start[2]) + int(start[3]) / 1000 == pytest.approx(first.start - square.start, abs=0.01)
    every = {w.text for _, w in words_in_clip(show, 0, 99)}
    shown = set(re.findall(r"[A-Za-zÄÖÜäöüß]+", srt)) & every
    assert shown == {w.text for _, w in spoken}
    assert vtt.startswith("WEBVTT") and "<v Bernd Müller>" in vtt


def test_pillow_fallback_draws_portrait_frames_with_the_spoken_word(show, tmp_path):
    result = render_clip(episode_of(show), START, END, "portrait", tmp_path / "hoch.mp4", renderer="pillow")
    video = next(s for s in ffprobe(result.path)["streams"] if s["codec_type"] == "video")
    assert (video["codec_name"], video["pix_fmt"], video["width"], video["height"]) == ("h264", "yuv420p", 1080, 1920)
    speaker, word = words_in_clip(show, result.start, result.end)[3]
    text = frame_text(result.path, (word.start + word.end) / 2 - result.start, "portrait", tmp_path)
    assert word.text in text and NAMES[speaker].split()[0] in text, text
    assert frame_text(
        result.path, (word.start + word.end) / 2 - result.start, "portrait", tmp_path, highlighted=True
    ).split() == [word.text]


def test_cli_renders_landscape_without_captions_and_prints_the_paths(show, tmp_path):
    out = tmp_path / "quer.mp4"
    result = CliRunner().invoke(
        cli,
        [
            "-q",
            "clip",
            str(show / "001-woerter"),
            "--start",
            "0:01.5",
            "--end",
            "00:00:08",
            "--layout",
            "landscape",
            "--no-captions",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == [str(out), str(out.with_suffix(".srt")), str(out.with_suffix(".vtt"))]
    info = ffprobe(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1920, 1080)
    gaps = boundaries.gaps(load(show / "001-woerter" / "transcript.json"), 99.0)
    start, end = boundaries.snap(1.5, gaps, is_start=True), boundaries.snap(8.0, gaps, is_start=False)
    assert float(info["format"]["duration"]) == pytest.approx(end - start, abs=0.1)
    speaker, word = words_in_clip(show, start, end)[2]
    assert word.text not in frame_text(out, (word.start + word.end) / 2 - start, "landscape", tmp_path)


def test_audio_only_cuts_the_mastered_audio_on_its_own_timeline(show, tmp_path):
    """With mastered audio (here: the recording behind 2 s of intro), times count in it, and the
    transcript's recording times are shifted by master.json's offset."""
    copy = tmp_path / "show"
    shutil.copytree(show, copy)
    folder, internal = copy / "public" / "001-woerter", copy / ".public.audiokit" / "001-woerter"
    folder.mkdir(parents=True)
    internal.mkdir(parents=True)  # where a build into the default SHOW/public keeps master.json
    subprocess.run(
        [
            find_ffmpeg(),
            "-v",
            "error",
            "-i",
            media_path(copy / "001-woerter" / "aufnahme.wav"),
            "-af",
            "adelay=2000:all=1",
            media_path(folder / "001-woerter.flac"),
        ],
        check=True,
    )
    (internal / "master.json").write_text(
        json.dumps({"audio": "001-woerter.flac", "mime": "audio/flac", "duration": 20.0, "offset": 2.0}),
        encoding="utf-8",
    )
    result = render_clip(episode_of(copy), START + 2, END + 2, out=tmp_path / "clip.m4a", audio_only=True)
    info = ffprobe(result.path)
    assert [s["codec_name"] for s in info["streams"] if s["codec_type"] == "audio"] == ["aac"]
    assert not any(s["codec_type"] == "video" and not s["disposition"]["attached_pic"] for s in info["streams"])
    assert float(info["format"]["duration"]) == pytest.approx(result.end - result.start, abs=0.1)
    assert ffmpeg_loudness(result.path)[0] == pytest.approx(-14.0, abs=1.0)
    first = words_in_clip(show, result.start - 2, result.end - 2)[0][1]
    srt = result.sidecars[0].read_text("utf-8")
    start = re.search(r"00:00:(\d\d),(\d{3}) -->", srt).groups()
    assert int(start[0]) + int(start[1]) / 1000 == pytest.approx(first.start - (result.start - 2), abs=0.01)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0:08", "0:03", "before it starts"),
        (1, 4, "it must be 5-180 s"),
        (0, "3:10", "it must be 5-180 s"),
        (10, 40, "after the end of the audio"),
        ("zwölf", 20, "is not a time"),
    ],
)
def test_bad_ranges_are_refused_before_any_work(show, tmp_path, start, end, message):
    with pytest.raises(AudiokitError, match=message):
        render_clip(episode_of(show), start, end, out=tmp_path / "x.mp4")
    assert not list(tmp_path.iterdir())


def test_captions_need_a_transcript_and_bad_names_are_refused(show, tmp_path):
    copy = tmp_path / "show"
    shutil.copytree(show, copy)
    (copy / "001-woerter" / "transcript.json").unlink()
    with pytest.raises(TranscriptError, match="no transcript"):
        render_clip(episode_of(copy), START, END, out=tmp_path / "x.mp4")
    with pytest.raises(AudiokitError, match="unknown clip layout"):
        render_clip(episode_of(copy), START, END, "round", out=tmp_path / "x.mp4")
    with pytest.raises(AudiokitError, match="must end in .mp4"):
        render_clip(episode_of(copy), START, END, out=tmp_path / "x.mov")
    runner = CliRunner().invoke(cli, ["clip", str(copy / "001-woerter"), "--start", "1", "--end", "2"])
    assert runner.exit_code == 1 and "Error:" in runner.output and "Traceback" not in runner.output


def test_a_show_template_replaces_the_drawn_background(show, tmp_path):
    from audiokit.clips.layout import background, get_layout

    copy = tmp_path / "show"
    shutil.copytree(show, copy)
    layout = get_layout("square")
    drawn = background(episode_of(copy), layout)
    assert drawn.size == (1080, 1080)
    (copy / "templates").mkdir()
    Image.new("RGB", (1080, 1080), (200, 10, 10)).save(copy / "templates" / "clip-square.png")
    assert background(episode_of(copy), layout).getpixel((5, 5)) == (200, 10, 10)
    Image.new("RGB", (1080, 1920)).save(copy / "templates" / "clip-square.png")
    with pytest.raises(AudiokitError, match="make it 1080×1080 px"):
        background(episode_of(copy), layout)


def wave_frames(video: Path, layout: str) -> np.ndarray:
    """Every frame's wave box as a mask of the accent colour: (frames, height, width)."""
    box = LAYOUTS[layout].wave
    raw = subprocess.run(
        [find_ffmpeg(), "-v", "error", "-i", media_path(video), "-vf", f"crop={box.w}:{box.h}:{box.x}:{box.y}"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    pixels = np.frombuffer(raw, np.uint8).reshape(-1, box.h, box.w, 3).astype(int)
    return np.abs(pixels - np.array(ACCENT)).max(axis=3) < 60


@pytest.fixture(scope="module")
def layouts(show, tmp_path_factory) -> dict:
    """Clips of every layout starting in silence (the first frame's audio is quiet), by ffmpeg; posters
    for portrait and landscape."""
    folder = tmp_path_factory.mktemp("layouts")
    return {
        name: render_clip(episode_of(show), QUIET_START, END, name, folder / f"{name}.mp4", poster=name != "square")
        for name in LAYOUTS
    }


@pytest.mark.parametrize("layout", ["square", "portrait", "landscape"])
def test_the_first_frame_shows_the_waveform_and_the_speaker_with_organisation(layouts, layout, show, tmp_path):
    """The first frame is the thumbnail LinkedIn shows: bars of several heights although the clip starts in
    silence, and the first words' speaker with organisation."""
    first = wave_frames(layouts[layout].path, layout)[0]
    heights = first.sum(axis=0)
    assert (heights > 0).mean() > 0.5  # bars across the box
    assert heights.max() > 0.4 * first.shape[0] and np.percentile(heights[heights > 0], 10) >= 4  # speech, no flat line
    speaker = words_in_clip(show, layouts[layout].start, layouts[layout].end)[0][0]
    text = " ".join(frame_text(layouts[layout].path, 0.0, layout, tmp_path).split())
    assert NAMES[speaker] in text and ORGANISATIONS[speaker] in text, text


def test_the_waveform_scrolls_smoothly_and_never_goes_flat(layouts):
    """Frame after frame the bars move by a few pixels instead of being drawn anew, and pauses keep bars."""
    frames = wave_frames(layouts["square"].path, "square")
    heights = frames.sum(axis=1).astype(float)  # (frames, width)
    assert ((heights > 0).mean(axis=1) > 0.5).all()  # every frame has bars across the box
    assert (np.nanmedian(np.where(heights > 0, heights, np.nan), axis=1) >= 4).all()
    width, errors = heights.shape[1], []
    for now, after in zip(heights, heights[1:]):
        best = min(np.abs(after[: width - 24] - now[shift : shift + width - 24]).mean() for shift in range(13))
        errors.append(best / now.mean())
    assert np.median(errors) < 0.1 and max(errors) < 0.3, (np.median(errors), max(errors))
    assert len(heights) == pytest.approx((layouts["square"].end - layouts["square"].start) * 25, abs=2)


def test_clips_start_and_end_in_pauses_never_inside_a_word(square, layouts, show):
    """START and END lie inside words: the clips moved to the pauses around them; QUIET_START stays."""
    words = [w for _, w in words_in_clip(show, 0, 99)]
    assert any(w.start < START < w.end for w in words) and any(w.start < END < w.end for w in words)
    assert square.start != START and abs(square.start - START) <= boundaries.SNAP_SECONDS
    assert all(result.start == QUIET_START for result in layouts.values())  # already in a pause
    for result in [square, *layouts.values()]:
        assert result.end != END and abs(result.end - END) <= boundaries.SNAP_SECONDS
        assert not any(w.start < t < w.end for w in words for t in (result.start, result.end)), result
        inside = [w.text for w in words if result.start <= w.start and w.end <= result.end]
        assert inside and inside == [w.text for _, w in words_in_clip(show, result.start, result.end)]
        assert result.duration == pytest.approx(result.end - result.start, abs=0.1)


def test_a_boundary_prefers_a_sentence_end_and_keeps_a_time_in_a_pause():
    def segment(speaker, *timed):
        words = [Word(t, a, b) for t, a, b in timed]
        return Segment(speaker, words[0].start, words[-1].end, words)

    transcript = Transcript(
        "de",
        20.0,
        [TranscriptSpeaker("S1", "Anna Beispiel")],
        [segment("S1", ("Erstens", 1.0, 2.0), ("gut.", 2.1, 3.0), ("Dann", 3.5, 4.0), ("weiter", 4.6, 5.5))],
    )
    gaps = boundaries.gaps(transcript, 20.0)
    assert [g.kind for g in gaps] == [0, 2, 0, 1, 0]
    assert boundaries.snap(3.9, gaps, is_start=True) == pytest.approx(3.3)  # the sentence end before "Dann"
    assert boundaries.snap(4.9, gaps, is_start=False) == pytest.approx(5.7)  # the end of the speech, not the pause
    assert boundaries.snap(5.0, gaps, is_start=True) == pytest.approx(4.4)  # no sentence end within 1.5 s: the pause
    assert boundaries.snap(3.2, gaps, is_start=True) == 3.2  # already in the pause
    assert boundaries.snap(12.0, gaps, is_start=False) == 12.0  # after the speech
    assert boundaries.snap(1.5, gaps, is_start=True) == pytest.approx(0.8)  # before the first word


def test_posters_are_the_first_frame_beside_the_video(layouts):
    for name, result in layouts.items():
        if name == "square":
            assert result.poster is None  # not asked for
            continue
        assert result.poster == result.path.with_suffix(".jpg")
        with Image.open(result.poster) as poster:
            assert poster.format == "JPEG" and poster.size == LAYOUTS[name].size
            box = LAYOUTS[name].wave
            area = np.asarray(poster.convert("RGB").crop((box.x, box.y, box.x + box.w, box.y + box.h))).astype(int)
        assert (np.abs(area - np.array(ACCENT)).max(axis=2) < 60).mean() > 0.05  # the waveform shows


def test_soundbite_clips_get_their_first_frame_as_poster(show, tmp_path):
    from audiokit.clips.soundbite_clips import render_soundbites

    copy = tmp_path / "show"
    shutil.copytree(show, copy)
    toml = copy / "001-woerter" / "episode.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[[soundbites]]\nstart = 3\nduration = 6\ntitle = "Kurz"\n', "utf-8")
    folder = tmp_path / "public"
    folder.mkdir()
    shutil.copy(copy / "001-woerter" / "aufnahme.wav", folder / "001-woerter.wav")
    (folder / "master.json").write_text(
        json.dumps({"audio": "001-woerter.wav", "mime": "audio/wav", "duration": 20.0}), encoding="utf-8"
    )
    render_soundbites(episode_of(copy), folder, {"test": 1})
    assert sorted(p.name for p in folder.glob("soundbite-*")) == [
        f"soundbite-00003000.{suffix}" for suffix in ("jpg", "mp4", "srt", "vtt")
    ]
    first = wave_frames(folder / "soundbite-00003000.mp4", "square")[0]
    box = LAYOUTS["square"].wave
    with Image.open(folder / "soundbite-00003000.jpg") as poster:
        area = np.asarray(poster.convert("RGB").crop((box.x, box.y, box.x + box.w, box.y + box.h))).astype(int)
    ink = np.abs(area - np.array(ACCENT)).max(axis=2) < 60
    assert ink.mean() > 0.05 and (ink == first).mean() > 0.95  # the first frame, waveform and all
