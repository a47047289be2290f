"""Render a clip of an episode: the passage mastered to -14 LUFS / -1 dBTP with the project's meter and
limiter, then an MP4 (H.264 yuv420p, AAC, faststart) with cover, titles, a moving waveform and
burned-in captions, plus SRT/WebVTT sidecars; or an M4A alone.

Times are on the timeline of the audio the clip is cut from: the mastered episode (what listeners
hear and ``podcast:soundbite`` counts in), or the recording when the episode is not mastered yet.
The video is drawn by ffmpeg (``showwaves``, libass ``ass``) when the ffmpeg in use has those filters,
else frame by frame with Pillow (:mod:`.frames`).
"""

from __future__ import annotations

import functools
import logging
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic
from ..errors import AudiokitError, TranscriptError
from ..ffmpeg import Progress, find_ffmpeg, media_path, probe, run_ffmpeg
from ..outputs import check_output_file
from ..progress import ProgressFactory, no_progress
from ..timefmt import timestamp
from ..timeline import Timeline
from ..transcript import Transcript, load, on_timeline
from ..workspace import CLIP_SECONDS, Episode, parse_timestamp
from . import captions as cap
from .layout import ACCENT, Layout, background, font_file, get_layout

if TYPE_CHECKING:
    from ..mastering.master import MasterResult
    from ..mastering.tags import Tags

log = logging.getLogger("audiokit")

TARGET = -14.0  # LUFS, what social platforms normalise to
TRUE_PEAK = -1.0  # dBTP
MIN_SECONDS, MAX_SECONDS = CLIP_SECONDS
SWEET_SPOT = (20.0, 90.0)
FPS = 25
RATE = 48000
X264 = [*"-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p".split(), "-g", str(2 * FPS), "-r", str(FPS)]


@dataclass
class ClipResult:
    """A rendered clip: the MP4 (or M4A), its caption sidecars, length (s), loudness (LUFS) and true peak (dBTP)."""

    path: Path
    sidecars: list[Path] = field(default_factory=list)
    duration: float = 0.0
    loudness: float = 0.0
    true_peak: float | None = None


@dataclass(frozen=True)
class Source:
    """The audio a clip is cut from and its ``timeline``: recording (transcript) time ↔ time in it."""

    path: Path
    timeline: Timeline
    mastered: bool


def find_source(episode: Episode, master_dir: Path | None = None) -> Source:
    """The episode's mastered audio (in ``master_dir``, which must hold it, else where build or master
    put it), else its recording. A multitrack episode must be mastered first."""
    from ..mastering.manifest import read_master

    # where 'audiokit build' (default --out SHOW/public, bookkeeping beside it) and 'audiokit master EPISODE' put it
    places = [
        (episode.show.dir / ".public.audiokit" / episode.slug, episode.show.dir / "public" / episode.slug),
        (episode.dir / "master", episode.dir / "master"),
    ]
    if master_dir is not None:
        places = [(master_dir, master_dir)]
    for folder, audio_folder in places:
        if master_dir is not None or (folder / "master.json").is_file():
            master = read_master(folder, episode, audio_folder)
            audio = audio_folder / master.audio
            if any(p.is_file() and p.stat().st_mtime > audio.stat().st_mtime for p in episode.audio_inputs):
                log.warning(
                    "%s: the recording is newer than the mastered audio %s; build again to update it",
                    episode.slug,
                    audio,
                )
            return Source(audio, master.timeline, True)
    if episode.recording is None:  # multitrack
        raise AudiokitError(
            f"episode {episode.slug!r} is recorded on several tracks and not mastered yet",
            f"run 'audiokit build {episode.show.dir}' (or 'audiokit master {episode.dir}') first",
        )
    return Source(episode.recording, Timeline(), False)


def check_range(start: float | str, end: float | str, length: float) -> tuple[float, float]:
    """``start`` and ``end`` (seconds, "mm:ss" or "hh:mm:ss") as seconds, checked: start before end,
    5-180 s long (a warning outside 20-90 s), inside the ``length`` seconds of the audio."""
    start, end = parse_timestamp(start, "the clip's start"), parse_timestamp(end, "the clip's end")
    fix = f"give times from 0 to {length:.1f} s, the end after the start, 5-180 s apart (20-90 s work best)"
    if end <= start:
        raise AudiokitError(f"the clip ends ({end:g} s) before it starts ({start:g} s)", fix)
    if not MIN_SECONDS <= end - start <= MAX_SECONDS:
        raise AudiokitError(f"the clip is {end - start:g} s long; it must be {MIN_SECONDS:g}-{MAX_SECONDS:g} s", fix)
    if end > length + 0.05:
        raise AudiokitError(f"the clip ends at {end:g} s, after the end of the audio ({length:.1f} s)", fix)
    if not SWEET_SPOT[0] <= end - start <= SWEET_SPOT[1]:
        log.warning("the clip is %.0f s long; social platforms favour %g-%g s", end - start, *SWEET_SPOT)
    return start, min(end, length)


def clip_name(episode: Episode, start: float, end: float, layout: str = "square", audio_only: bool = False) -> str:
    """A file name for a clip: ``<slug>-<mmss>-<mmss>-<layout>.mp4`` (``.m4a`` for audio only)."""
    span = "-".join(timestamp(t).replace(":", "") for t in (start, end))
    tail = "" if audio_only else f"-{layout}"
    return f"{episode.slug}-{span}{tail}{'.m4a' if audio_only else '.mp4'}"


def render_clip(
    episode: Episode,
    start: float | str,
    end: float | str,
    layout: str | Layout = "square",
    out: Path | None = None,
    captions: bool = True,
    audio_only: bool = False,
    progress: ProgressFactory | None = None,
    *,
    master_dir: Path | None = None,
    renderer: str = "auto",
) -> ClipResult:
    """Render ``start``…``end`` of ``episode`` as a social-media clip at ``out`` (default: the
    episode folder's ``clips/``), written atomically, with .srt/.vtt beside it when the episode has
    a transcript. ``captions=False`` leaves the burned-in captions out; ``audio_only`` writes M4A.
    ``master_dir`` is the folder with master.json (default: where build or master put it);
    ``renderer`` "ffmpeg" or "pillow" forces how frames are drawn ("auto": ffmpeg if it can)."""
    from ..mastering import episode_settings, episode_tags

    progress = progress or no_progress
    layout = get_layout(layout)
    by_ffmpeg = _use_ffmpeg(renderer)
    source = find_source(episode, master_dir)
    start, end = check_range(start, end, probe(source.path).duration)
    if out is None:
        out = episode.dir / "clips" / clip_name(episode, start, end, layout.name, audio_only)
    out = Path(out)
    if out.suffix.lower() != (".m4a" if audio_only else ".mp4"):
        raise AudiokitError(f"{out} must end in {'.m4a' if audio_only else '.mp4'}", "name the output file accordingly")
    transcript = _transcript(episode, required=captions and not audio_only)
    published = on_timeline(transcript, source.timeline) if transcript else None  # times in the source audio
    part = cap.clip_transcript(published, start, end) if published else None
    side = {out.with_suffix(f".{fmt}"): text for fmt, text in cap.sidecars(part, start).items()} if part else {}
    for target in (out, *side):
        check_output_file(target, [*episode.audio_inputs, source.path])
    tags = episode_tags(episode)
    tags.title, tags.chapters = f"{episode.title} ({timestamp(start)}–{timestamp(end)})", []
    with tempfile.TemporaryDirectory(prefix="audiokit-clip-") as tmp:
        work = Path(tmp)
        excerpt = work / "excerpt.wav"
        cut = ["-ss", f"{start:.3f}", "-t", f"{end - start:.3f}", "-i", media_path(source.path)]
        run_ffmpeg([*cut, *f"-map 0:a:0 -ac 2 -ar {RATE} -c:a pcm_f32le".split(), media_path(excerpt)])
        audio = out if audio_only else work / "audio.m4a"
        highpass = 0.0 if source.mastered else episode_settings(episode).highpass
        mastered = _master(
            excerpt, audio, name=out.name, highpass=highpass, tags=tags if audio_only else None, progress=progress
        )
        if not audio_only:
            pages = cap.pages(part, start, mastered.duration, layout.caption_chars) if captions and part else []
            if captions and not pages:
                log.warning(
                    "%s: the transcript has no words between %s and %s; the clip has no captions",
                    episode.slug,
                    timestamp(start),
                    timestamp(end),
                )
            still = work / "background.png"
            background(episode, layout).save(still)
            metadata = [f for key in ("title", "artist", "album") for f in ("-metadata", f"{key}={getattr(tags, key)}")]
            with atomic.atomic_path(out) as target:
                encode = [*X264, "-map_metadata", "-1", *metadata, "-c:a", "copy", "-t", f"{mastered.duration:.3f}"]
                encode += ["-movflags", "+faststart", "-f", "mp4", media_path(target)]
                update = progress(f"Rendering {out.name}", mastered.duration)
                if by_ffmpeg:
                    _draw_with_ffmpeg(still, audio, pages, layout, work, mastered.duration, encode, update)
                else:
                    from .frames import render_frames

                    render_frames(still, audio, pages, layout, mastered.duration, update, fps=FPS, output=encode)
    for path, text in side.items():
        atomic.write_text(path, text)
    output = mastered.stats["output"]
    log.info("%s: %.1f s, %.1f LUFS, %.1f dBTP", out.name, mastered.duration, output["integrated"], output["true_peak"])
    return ClipResult(out, list(side), mastered.duration, output["integrated"], output["true_peak"])


def _draw_with_ffmpeg(
    still: Path,
    audio: Path,
    pages: list[cap.Page],
    layout: Layout,
    work: Path,
    duration: float,
    output: list[str],
    update: Progress,
) -> None:
    """Encode the still, the waveform over it (showwaves) and the captions (libass, from an ASS file
    in the scratch folder ``work``) with ``audio``; ``output``: the encoder's options and the target."""
    wave = layout.wave
    colour = "0x{:02X}{:02X}{:02X}".format(*ACCENT)
    graph = (
        f"[1:a]aformat=channel_layouts=mono,showwaves=s={wave.w}x{wave.h}:mode=cline:rate={FPS}:"
        f"colors={colour}:draw=full,format=rgba[wave];[0:v][wave]overlay={wave.x}:{wave.y}:shortest=1"
    )
    if pages:
        ass_file = work / "captions.ass"
        atomic.write_text(ass_file, cap.ass(pages, layout))
        graph += f",ass=filename={filter_value(str(ass_file))}:fontsdir={filter_value(str(font_file().parent))}"
    inputs = ["-loop", "1", "-framerate", str(FPS), "-i", media_path(still), "-i", media_path(audio)]
    maps = ["-filter_complex", graph + ",format=yuv420p[video]", "-map", "[video]", "-map", "1:a"]
    run_ffmpeg([*inputs, *maps, *output], duration=duration, progress=update)


def _transcript(episode: Episode, *, required: bool) -> Transcript | None:
    path = episode.transcript_path
    if path.is_file():
        return load(path)
    if required:
        raise TranscriptError(
            f"episode {episode.slug!r} has no transcript for the captions ({path} is missing)",
            f"run 'audiokit transcribe {episode.dir}' first, or render with --no-captions",
        )
    return None


def _master(
    excerpt: Path, target: Path, *, name: str, highpass: float, tags: Tags | None, progress: ProgressFactory
) -> MasterResult:
    """The excerpt at TARGET LUFS and TRUE_PEAK dBTP as AAC in ``target``, with the project's meter and
    limiter (no levelling, no trimming: the clip keeps its length)."""
    from ..mastering import MasteringSettings
    from ..mastering.master import FileSource, master_source

    settings = MasteringSettings.from_preset(
        "podcast",
        target=TARGET,
        true_peak=TRUE_PEAK,
        format="m4a",
        sample_rate=RATE,
        leveller=False,
        trim_silence=False,
        highpass=highpass,
    )
    source = FileSource(excerpt, RATE, 2, probe(excerpt).duration)
    return master_source(source, target, settings, name=name, depth="f32", level=False, tags=tags, progress=progress)


@functools.lru_cache(maxsize=1)
def ffmpeg_filters() -> frozenset[str]:
    """The names of the filters the ffmpeg in use has."""
    listing = subprocess.run(
        [find_ffmpeg(), "-hide_banner", "-filters"], capture_output=True, text=True, stdin=subprocess.DEVNULL
    ).stdout
    return frozenset(parts[1] for line in listing.splitlines() if len(parts := line.split()) > 2 and "->" in parts[2])


def _use_ffmpeg(renderer: str) -> bool:
    if renderer not in ("auto", "ffmpeg", "pillow"):
        raise AudiokitError(f"unknown clip renderer {renderer!r}", "use auto, ffmpeg or pillow")
    missing = {"showwaves", "ass", "overlay"} - ffmpeg_filters()
    if renderer == "ffmpeg" and missing:
        raise AudiokitError(
            f"this ffmpeg lacks the filters {', '.join(sorted(missing))}",
            "install an ffmpeg built with libass, or use the pillow renderer",
        )
    if renderer == "auto" and missing:
        log.info("ffmpeg lacks %s: drawing the clip's frames with Pillow", ", ".join(sorted(missing)))
    return renderer == "ffmpeg" or (renderer == "auto" and not missing)


def filter_value(value: str) -> str:
    """``value`` escaped as a filter option inside a filter graph (both levels of ffmpeg's quoting)."""
    for specials in ("\\':", "\\'[],;"):
        value = "".join("\\" + char if char in specials else char for char in value)
    return value
