"""Render a clip of an episode: the passage mastered to -14 LUFS / -1 dBTP with the project's meter and
limiter, then an MP4 (H.264 yuv420p, AAC, faststart) with cover, titles, a moving waveform and
burned-in captions, plus SRT/WebVTT sidecars; or an M4A alone.

Times are on the timeline of the audio the clip is cut from: the mastered episode (what listeners
hear and ``podcast:soundbite`` counts in), or the recording when the episode is not mastered yet.
A requested range moves to the nearest sentence end or pause (:mod:`.boundaries`): no clip cuts a word.
The waveform scrolls (:mod:`.waveform`); the video is drawn by ffmpeg (``crop``, ``overlay``, libass
``ass``) when the ffmpeg in use has those filters, else frame by frame with Pillow (:mod:`.frames`).
"""

from __future__ import annotations

import functools
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic
from ..errors import AudiokitError, TranscriptError
from ..ffmpeg import Progress, ffmpeg_output, media_path, probe, run_ffmpeg
from ..i18n import _
from ..outputs import check_output_file
from ..progress import ProgressFactory, no_progress
from ..timefmt import timestamp
from ..timeline import Timeline
from ..transcript import Transcript, load, on_timeline
from ..workspace import CLIP_SECONDS, SWEET_SPOT, Episode, parse_timestamp
from . import boundaries, waveform
from . import captions as cap
from .layout import Layout, background, font_file, get_layout

if TYPE_CHECKING:
    from ..mastering.master import MasterResult
    from ..mastering.tags import Tags

log = logging.getLogger("audiokit")

TARGET = -14.0  # LUFS, what social platforms normalise to
TRUE_PEAK = -1.0  # dBTP
MIN_SECONDS, MAX_SECONDS = CLIP_SECONDS
FPS = 25
RATE = 48000
X264 = [*"-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p".split(), "-g", str(2 * FPS), "-r", str(FPS)]


@dataclass
class ClipResult:
    """A rendered clip: the MP4 (or M4A), its caption sidecars, length (s), loudness (LUFS), true peak
    (dBTP), the range of the source audio it holds (``start``, ``end``: the requested one moved into
    pauses) and its poster image (the first frame as JPEG), if one was asked for."""

    path: Path
    sidecars: list[Path] = field(default_factory=list)
    duration: float = 0.0
    loudness: float = 0.0
    true_peak: float | None = None
    start: float = 0.0
    end: float = 0.0
    poster: Path | None = None


@dataclass(frozen=True)
class Source:
    """The audio a clip is cut from and its ``timeline``: recording (transcript) time ↔ time in it."""

    path: Path
    timeline: Timeline
    mastered: bool


def find_source(episode: Episode, master_dir: Path | None = None) -> Source:
    """The episode's mastered audio (in ``master_dir``, which must hold it, else where build or master
    put it), else its recording. A multitrack episode must be mastered first."""
    from ..mastering.manifest import master_places, read_master

    places = master_places(episode) if master_dir is None else [(master_dir, master_dir)]
    for folder, audio_folder in places:
        if master_dir is not None or (folder / "master.json").is_file():
            master = read_master(folder, episode, audio_folder)
            audio = audio_folder / master.audio
            if any(p.is_file() and p.stat().st_mtime > audio.stat().st_mtime for p in episode.audio_inputs):
                log.warning(
                    _("%s: the recording is newer than the mastered audio %s; build again to update it"),
                    episode.slug,
                    audio,
                )
            return Source(audio, master.timeline, True)
    if episode.recording is None:  # multitrack
        raise AudiokitError(
            _("episode {slug!r} is recorded on several tracks and not mastered yet").format(slug=episode.slug),
            _("run 'audiokit build {dir}' (or 'audiokit master {dir2}') first").format(
                dir=episode.show.dir, dir2=episode.dir
            ),
        )
    return Source(episode.recording, Timeline(), False)


def check_range(start: float | str, end: float | str, length: float) -> tuple[float, float]:
    """``start`` and ``end`` (seconds, "mm:ss" or "hh:mm:ss") as seconds, checked: start before end,
    5-180 s long (a warning outside 20-90 s), inside the ``length`` seconds of the audio."""
    start, end = parse_timestamp(start, _("the clip's start")), parse_timestamp(end, _("the clip's end"))
    fix = _("give times from 0 to {length:.1f} s, the end after the start, 5-180 s apart (20-90 s work best)").format(
        length=length
    )
    if end <= start:
        raise AudiokitError(
            _("the clip ends ({end:g} s) before it starts ({start:g} s)").format(end=end, start=start), fix
        )
    if not MIN_SECONDS <= end - start <= MAX_SECONDS:
        raise AudiokitError(
            _("the clip is {value:g} s long; it must be {MIN_SECONDS:g}-{MAX_SECONDS:g} s").format(
                value=end - start, MIN_SECONDS=MIN_SECONDS, MAX_SECONDS=MAX_SECONDS
            ),
            fix,
        )
    if end > length + 0.05:
        raise AudiokitError(
            _("the clip ends at {end:g} s, after the end of the audio ({length:.1f} s)").format(end=end, length=length),
            fix,
        )
    if not SWEET_SPOT[0] <= end - start <= SWEET_SPOT[1]:
        log.warning(_("the clip is %.0f s long; social platforms favour %g-%g s"), end - start, *SWEET_SPOT)
    return start, min(end, length)


def clip_name(episode: Episode, start: float, end: float, layout: str = "square", audio_only: bool = False) -> str:
    """A file name for a clip: ``<slug>-<mmss>-<mmss>-<layout>.mp4`` (``.m4a`` for audio only)."""
    span = "-".join(timestamp(t).zfill(5).replace(":", "") for t in (start, end))
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
    snap: bool = True,
    poster: bool = False,
) -> ClipResult:
    """Render ``start``…``end`` of ``episode`` as a social-media clip at ``out`` (default: the
    episode folder's ``clips/``), written atomically, with .srt/.vtt beside it when the episode has
    a transcript. ``captions=False`` leaves the burned-in captions out; ``audio_only`` writes M4A.
    ``master_dir`` is the folder with master.json (default: where build or master put it);
    ``renderer`` "ffmpeg" or "pillow" forces how frames are drawn ("auto": ffmpeg if it can).
    ``snap`` moves start and end into the nearest pauses (see :mod:`.boundaries`; the result says
    where); ``poster`` writes the first frame beside the video as ``.jpg``."""
    from ..mastering import episode_settings, episode_tags

    progress = progress or no_progress
    layout = get_layout(layout)
    by_ffmpeg = _use_ffmpeg(renderer)
    source = find_source(episode, master_dir)
    length = probe(source.path).duration
    start, end = check_range(start, end, length)
    if out is None:  # named by the requested times
        out = episode.dir / "clips" / clip_name(episode, start, end, layout.name, audio_only)
    out = Path(out)
    if out.suffix.lower() != (".m4a" if audio_only else ".mp4"):
        raise AudiokitError(
            _("{out} must end in {value}").format(out=out, value=".m4a" if audio_only else ".mp4"),
            _("name the output file accordingly"),
        )
    transcript = _transcript(episode, required=captions and not audio_only)
    published = on_timeline(transcript, source.timeline) if transcript else None  # times in the source audio
    if snap and published:
        start, end = _snap(episode, published, start, end, length)
    part = cap.clip_transcript(published, start, end) if published else None
    side = {out.with_suffix(f".{fmt}"): text for fmt, text in cap.sidecars(part, start).items()} if part else {}
    still_out = out.with_suffix(".jpg") if poster and not audio_only else None
    for target in (out, *side, *([still_out] if still_out else [])):
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
                    _("%s: the transcript has no words between %s and %s; the clip has no captions"),
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
                update = progress(_("Rendering {name}").format(name=out.name), mastered.duration)
                if by_ffmpeg:
                    _draw_with_ffmpeg(still, audio, pages, layout, work, mastered.duration, encode, update)
                else:
                    from .frames import render_frames

                    render_frames(still, audio, pages, layout, mastered.duration, update, fps=FPS, output=encode)
            if still_out is not None:
                with atomic.atomic_path(still_out) as target:
                    run_ffmpeg(["-i", media_path(out), "-frames:v", "1", "-q:v", "3", media_path(target)])
    for path, text in side.items():
        atomic.write_text(path, text)
    output = mastered.stats["output"]
    log.info(
        _("%s: %.1f s, %.1f LUFS, %.1f dBTP"), out.name, mastered.duration, output["integrated"], output["true_peak"]
    )
    return ClipResult(
        out, list(side), mastered.duration, output["integrated"], output["true_peak"], start, end, still_out
    )


def _snap(episode: Episode, published: Transcript, start: float, end: float, length: float) -> tuple[float, float]:
    """``start`` and ``end`` moved into the pauses of ``published`` (logged when they move), unless that
    would take the clip out of MIN_SECONDS…MAX_SECONDS or past the audio."""
    gaps = boundaries.gaps(published, length)
    new_start = boundaries.snap(start, gaps, is_start=True)
    new_end = min(boundaries.snap(end, gaps, is_start=False), length)
    if not MIN_SECONDS <= new_end - new_start <= MAX_SECONDS or (new_start, new_end) == (start, end):
        return start, end
    log.info(
        _("%s: the clip runs from %s to %s, moved from %s–%s to start and end in pauses"),
        episode.slug,
        *(timestamp(t, 1) for t in (new_start, new_end, start, end)),
    )
    return new_start, new_end


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
    """Encode the still, the scrolling waveform over it (its strip cropped frame by frame) and the
    captions (libass, from an ASS file in the scratch folder ``work``) with ``audio``; ``output``: the
    encoder's options and the target."""
    wave, strip = layout.wave, work / "waveform.png"
    waveform.strip(waveform.envelope(audio, FPS, max(1, round(duration * FPS))), layout).save(strip)
    graph = (
        f"[2:v]format=rgba,loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),"
        f"crop=w={wave.w}:h={wave.h}:x={waveform.BAR_PITCH}*n:y=0[wave];"
        f"[0:v][wave]overlay={wave.x}:{wave.y}:shortest=1"
    )
    if pages:
        ass_file = work / "captions.ass"
        atomic.write_text(ass_file, cap.ass(pages, layout))
        graph += f",ass=filename={filter_value(str(ass_file))}:fontsdir={filter_value(str(font_file().parent))}"
    inputs = ["-loop", "1", "-framerate", str(FPS), "-i", media_path(still), "-i", media_path(audio)]
    inputs += ["-i", media_path(strip)]
    maps = ["-filter_complex", graph + ",format=yuv420p[video]", "-map", "[video]", "-map", "1:a"]
    run_ffmpeg([*inputs, *maps, *output], progress=update)


def _transcript(episode: Episode, *, required: bool) -> Transcript | None:
    path = episode.transcript_path
    if path.is_file():
        return load(path)
    if required:
        raise TranscriptError(
            _("episode {slug!r} has no transcript for the captions ({path} is missing)").format(
                slug=episode.slug, path=path
            ),
            _("run 'audiokit transcribe {dir}' first, or render with --no-captions").format(dir=episode.dir),
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
    listing = ffmpeg_output(["-filters"])
    return frozenset(parts[1] for line in listing.splitlines() if len(parts := line.split()) > 2 and "->" in parts[2])


def _use_ffmpeg(renderer: str) -> bool:
    if renderer not in ("auto", "ffmpeg", "pillow"):
        raise AudiokitError(
            _("unknown clip renderer {renderer!r}").format(renderer=renderer), _("use auto, ffmpeg or pillow")
        )
    missing = {"ass", "crop", "loop", "overlay"} - ffmpeg_filters()
    if renderer == "ffmpeg" and missing:
        raise AudiokitError(
            _("this ffmpeg lacks the filters {value}").format(value=", ".join(sorted(missing))),
            _("install an ffmpeg built with libass, or use the pillow renderer"),
        )
    if renderer == "auto" and missing:
        log.info(_("ffmpeg lacks %s: drawing the clip's frames with Pillow"), ", ".join(sorted(missing)))
    return renderer == "ffmpeg" or (renderer == "auto" and not missing)


def filter_value(value: str) -> str:
    """``value`` escaped as a filter option inside a filter graph (both levels of ffmpeg's quoting)."""
    for specials in ("\\':", "\\'[],;"):
        value = "".join("\\" + char if char in specials else char for char in value)
    return value
