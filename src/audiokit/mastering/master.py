"""Master a recording: one analysis pass, then one pass that applies the gains, limits, encodes
and measures the encoded result on the fly.

Pass 1 decodes the recording twice at once, plain and K-weighted (two ffmpeg processes beside the
meter), and keeps per-segment (about 10 ms) K-weighted energies and sample peaks, plus a few seconds
of samples. From them the leveller plans a gain curve, the silence trim is chosen and the overall
gain is solved so that the levelled, limited result meets the target; for a lossy format, the
samples are encoded first to learn how much loudness the codec takes and how far it overshoots the
peaks. Pass 2 decodes again, applies the curve, adds jingles, runs the streaming true-peak limiter
and pipes the audio into the encoder, whose output is decoded and measured while it is written.
Only if that measurement misses the target is the file encoded again. Each encoder's ffmpeg is
started one phase ahead, so its start-up is hidden. Memory stays flat: ~10 s blocks and the
per-segment figures.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..atomic import atomic_path
from ..errors import AudioError, ConfigError
from ..ffmpeg import check_complete, probe, stream_pcm
from ..i18n import _
from ..progress import ProgressFactory, no_progress
from .calibrate import SAMPLES_USED, Samples, calibrate, calibration_encoder
from .cuts import FADE_SECONDS, SEARCH_SECONDS, frame_ranges, with_cuts
from .denoise import CLEAN_MARGIN, NoiseMargin, denoised
from .encode import FORMATS, Encoder, Format, output_rate, sample_depth
from .jingles import crossfade_frames, load_jingle, with_jingles
from .leveller import LevellerOptions, level_gains, speech_activity, trim_bounds
from .limiter import StreamLimiter, plan_gain, ramp
from .loudness import Grid, Loudness, LoudnessMeter, audible, biquad_filters, k_weighting, rumble_filter
from .presets import MasteringSettings
from .tags import Tags, apply_tags, check_tags

log = logging.getLogger("audiokit")

MIN_SECONDS = 0.4  # one BS.1770 gating block
MAX_ATTEMPTS = 3  # encodes, if the measured result misses the target
LOUDNESS_TOLERANCE = 0.3  # LU from the target that the encoded result may miss
MIN_MARGIN = 0.3  # dB kept below the true-peak limit beyond the measured codec overshoot
PEAK_WEIGHT = 10.0  # an encode's dB over the true-peak limit counts as this many LU of loudness miss
MAX_STEP = 10.0  # LU the planned target moves at most between two encodes


class Source(Protocol):
    """Audio to master, decoded as float32 blocks (frames, channels) at ``rate``, through the rumble
    filter (a 2nd-order Butterworth high-pass) at ``highpass`` Hz, or unfiltered for 0."""

    rate: int
    channels: int
    duration: float  # expected seconds, for progress

    def blocks(self, highpass: float = 0.0) -> Iterator[np.ndarray]: ...

    def analysis(self, highpass: float) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """``blocks`` for pass 1, each with its K-weighted copy, or None to have the meter filter it."""
        ...


def prefetched(blocks: Generator[np.ndarray, None, None], depth: int = 3) -> Generator[np.ndarray, None, None]:
    """Read ``blocks`` ahead in a thread, so the decoder keeps working while the caller computes."""
    ready: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    end = object()

    def produce() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        ready.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            ready.put(end)
        except BaseException as exc:  # handed to the consumer
            ready.put(exc)
        finally:
            blocks.close()

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                ready.get(timeout=0.1)


@dataclass
class FileSource:
    """One recording, decoded, resampled and high-passed by ffmpeg, in a process of its own."""

    path: Path
    rate: int
    channels: int
    duration: float

    def blocks(self, highpass: float = 0.0) -> Iterator[np.ndarray]:
        return prefetched(self._decode(highpass))

    def analysis(self, highpass: float) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        """The K-weighted copy comes from a second ffmpeg process, so both decoders run beside the meter."""
        plain, weighted = prefetched(self._decode(highpass)), prefetched(self._decode(highpass, k_weighted=True))
        try:
            yield from zip(plain, weighted, strict=True)
        finally:
            plain.close()
            weighted.close()

    def _decode(self, highpass: float, k_weighted: bool = False) -> Generator[np.ndarray, None, None]:
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels}c")
        chain = [f"aresample={self.rate}", f"aformat=sample_fmts=fltp:channel_layouts={layout}"]
        chain += biquad_filters(rumble_filter(self.rate, highpass), "biquad=") if highpass else []
        chain += biquad_filters(k_weighting(self.rate), "biquad=") if k_weighted else []
        return stream_pcm(self.path, sample_rate=self.rate, channels=self.channels, filters=",".join(chain))


@dataclass
class Plan:
    """What pass 1 decided: levelling (dB per source segment), the part to keep, the overall gain
    and the limiter ceiling."""

    grid: Grid
    levels: np.ndarray
    active: np.ndarray  # segments with speech
    start: int  # first frame kept
    end: int  # frame after the last one kept
    gain: float = 0.0
    ceiling: float = 0.0
    cuts: list[tuple[int, int]] = field(default_factory=list)  # program frames removed
    rendered: list[tuple[int, int]] = field(default_factory=list)  # the cuts as the last render made them

    @property
    def kept(self) -> int:
        """Frames of the program: the kept part without the cuts."""
        return self.end - self.start - sum(b - a for a, b in self.cuts)

    def cut_seconds(self, rate: int) -> list[tuple[float, float]]:
        """The rendered cuts as recording seconds."""
        return [((a + self.start) / rate, (b + self.start) / rate) for a, b in self.rendered]

    @property
    def segments(self) -> slice:
        return slice(self.start // self.grid.segment, -(-self.end // self.grid.segment))

    def solve(self, meter: LoudnessMeter, *, target: float, ceiling: float) -> None:
        """Choose the overall gain that brings the kept, levelled, limited audio to ``target``."""
        kept = self.segments
        self.ceiling = ceiling
        self.gain = plan_gain(
            meter.energies[kept], meter.peaks[kept], self.levels[kept], self.grid, target=target, ceiling=ceiling
        )

    def gains(self, lo: int, hi: int) -> np.ndarray:
        """Linear gain for source frames ``lo``…``hi`` (linear between segment centres)."""
        seg = self.grid.segment
        first, last = max(0, lo // seg - 1), min(len(self.levels), -(-hi // seg) + 1)
        return ramp(10 ** ((self.levels[first:last] + self.gain) / 20), first, lo, hi, seg)

    def apply(self, block: np.ndarray, pos: int) -> np.ndarray:
        """The kept part of a source block starting at frame ``pos``, gain applied."""
        lo, hi = max(pos, self.start), min(pos + len(block), self.end)
        if lo >= hi:
            return block[:0]
        return block[lo - pos : hi - pos] * self.gains(lo, hi)[:, None]

    def stats(self) -> dict[str, float]:
        speech = self.levels[self.active] if self.active.any() else np.zeros(1)
        return {
            "gain": round(self.gain, 2),
            "max_boost": round(float(speech.max()), 2),
            "max_cut": round(float(speech.min()), 2),
        }


@dataclass
class MasterResult:
    """A finished master: the file, its format, length, size, timeline offset and statistics."""

    path: Path
    format: Format
    duration: float
    bytes: int
    offset: float  # add to a recording-timeline time to get the time in the published audio
    stats: dict[str, Any]
    cuts: list[tuple[float, float]] = field(default_factory=list)  # recording seconds left out, as rendered

    def manifest(self) -> dict[str, Any]:
        """The content of master.json."""
        return {
            "audio": self.path.name,
            "mime": self.format.mime,
            "duration": round(self.duration, 3),
            "bytes": self.bytes,
            "offset": round(self.offset, 3),
            "cuts": [[round(a, 6), round(b, 6)] for a, b in self.cuts],
            "loudness": self.stats,
        }


def check_measurable(meter: LoudnessMeter, name: str) -> Loudness:
    """The loudness of an analysed source; silent or too short sources raise AudioError."""
    result = meter.result()
    if result.duration < MIN_SECONDS:
        raise AudioError(
            _("{name}: {duration:.2f} s of audio is too short to master").format(name=name, duration=result.duration),
            _("give at least {MIN_SECONDS} s of audio").format(MIN_SECONDS=MIN_SECONDS),
        )
    if not math.isfinite(result.integrated) or not audible(meter.energies, meter.grid):
        raise AudioError(
            _(
                "{name}: the recording is silent: no audible content above -70 LUFS (a constant DC offset is not sound)"
            ).format(name=name),
            _("check that the right file or input channel was recorded"),
        )
    return result


def make_plan(meter: LoudnessMeter, settings: MasteringSettings, *, level: bool) -> Plan:
    """Levelling curve and trim from the analysis of pass 1 (the gain is solved afterwards)."""
    grid, energies = meter.grid, meter.energies
    active = speech_activity(energies, grid)
    options = LevellerOptions(max_boost=settings.max_boost)
    levels = level_gains(energies, grid, active=active, options=options) if level else np.zeros(len(energies))
    first, last = trim_bounds(active, grid) if settings.trim_silence else (0, len(energies))
    return Plan(grid, levels, active, first * grid.segment, min(last * grid.segment, meter.frames))


def program(source: Source, plan: Plan, highpass: float) -> Iterator[np.ndarray]:
    """The kept part of ``source``, through the rumble filter, with the planned gain applied."""
    pos = 0
    for block in source.blocks(highpass):
        piece = plan.apply(block, pos)
        if len(piece):
            yield piece
        pos += len(block)
        if pos >= plan.end:
            break


def codec_ceiling(plan: Plan, samples: Samples, settings: MasteringSettings, encoder: Encoder) -> tuple[float, float]:
    """Target and ceiling that compensate the codec, learnt by encoding the most speech-filled samples
    with ``encoder`` (from ``calibration_encoder``)."""
    seg = plan.grid.segment
    speech = [int(plan.active[pos // seg : (pos + len(p)) // seg].sum()) for pos, p in samples.pieces]
    chosen = sorted(range(len(speech)), key=lambda i: -speech[i])[:SAMPLES_USED]
    pieces = []
    for pos, audio in (samples.pieces[i] for i in sorted(chosen)):  # high-passed already
        if len(piece := plan.apply(audio, pos)):
            pieces.append(piece)
    if not pieces:
        return settings.target, plan.ceiling
    cal = calibrate(pieces, plan.grid, plan.ceiling, encoder)
    return settings.target + cal.loudness_loss, settings.true_peak - max(MIN_MARGIN, cal.overshoot + MIN_MARGIN)


@dataclass
class Jingles:
    """Intro and outro audio (or None) and the crossfade of each, in frames."""

    intro: np.ndarray | None
    outro: np.ndarray | None
    fade_in: int
    fade_out: int

    @property
    def lead(self) -> int:
        """Frames the recording starts after the beginning of the output."""
        return 0 if self.intro is None else len(self.intro) - self.fade_in


def load_jingles(settings: MasteringSettings, rate: int, channels: int, program_frames: int) -> Jingles:
    """The settings' jingles at the target loudness, with crossfades that fit ``program_frames``."""

    def load(path: Path | None) -> np.ndarray | None:
        return (
            None
            if path is None
            else load_jingle(path, rate, channels, target=settings.target, dual_mono=settings.dual_mono)
        )

    intro, outro = load(settings.intro), load(settings.outro)
    fades = [
        crossfade_frames(settings.crossfade, rate, len(j), program_frames) if j is not None else 0
        for j in (intro, outro)
    ]
    return Jingles(intro, outro, *fades)


def render(
    source: Source, plan: Plan, jingles: Jingles, encoder: Encoder, highpass: float, progress: Callable[[float], None]
) -> float:
    """Pass 2: stream gained program and jingles through the limiter into ``encoder``; returns the
    largest limiter reduction (dB)."""
    limiter = StreamLimiter(plan.grid, source.channels, plan.ceiling)
    fade, search = round(FADE_SECONDS * source.rate), round(SEARCH_SECONDS * source.rate)
    kept = with_cuts(program(source, plan, highpass), plan.cuts, fade, search, plan.rendered)
    blocks = with_jingles(kept, jingles.intro, jingles.outro, jingles.fade_in, jingles.fade_out)
    for block in blocks:
        encoder.write(limiter.push(block))
        progress(encoder.frames / source.rate)
    encoder.write(limiter.flush())
    return limiter.max_reduction


def check_target(output: Path, settings: MasteringSettings, tags: Tags | None) -> Format:
    """The format of ``output``; a suffix that does not match it, or ``tags`` it cannot hold, raise before any audio work."""
    fmt = FORMATS[settings.format]
    if output.suffix.lower() != fmt.suffix:
        raise ConfigError(
            _("{output}: a {name} master must end in {suffix}").format(output=output, name=fmt.name, suffix=fmt.suffix),
            _("name it *{suffix}").format(suffix=fmt.suffix),
        )
    if tags is not None:
        check_tags(tags, fmt)
    return fmt


def master_source(
    source: Source,
    output: Path,
    settings: MasteringSettings,
    *,
    name: str,
    depth: str,
    level: bool = True,
    check: Callable[[LoudnessMeter], None] | None = None,
    tags: Tags | None = None,
    cuts: Sequence[tuple[float, float]] = (),
    progress: ProgressFactory = no_progress,
    listen: Callable[[np.ndarray], None] | None = None,
) -> MasterResult:
    """Master ``source`` into ``output``, written atomically (its suffix should match the format),
    without the ``cuts`` (ranges in seconds of the source).

    ``listen`` is given every block of the analysis pass, ``check`` may inspect the analysis then (e.g.
    for truncation); ``level`` switches the speech leveller (multitrack sources are levelled per track
    before they get here).
    """
    fmt = check_target(output, settings, tags)
    samples = Samples(source.rate, source.channels, source.duration)
    meter = LoudnessMeter(source.rate, source.channels, dual_mono=settings.dual_mono, true_peak=False)
    tries: list[tuple[float, float]] = []  # (planned target, measured loudness) of every encode
    best: Encode | None = None
    with atomic_path(output) as tmp, _scratch(tmp) as trial, contextlib.ExitStack() as started:

        def start_encoder() -> Encoder:
            return started.enter_context(
                Encoder(
                    trial,
                    fmt,
                    source.rate,
                    source.channels,
                    bitrate=settings.bitrate,
                    depth=depth,
                    dual_mono=settings.dual_mono,
                )
            )

        # ffmpeg starts up for the codec calibration during the analysis, for the master during calibration
        calibrator = (
            started.enter_context(
                calibration_encoder(
                    fmt, source.rate, source.channels, bitrate=settings.bitrate, dual_mono=settings.dual_mono
                )
            )
            if fmt.lossy
            else None
        )
        update = progress(_("Analysing {name}").format(name=name), source.duration)
        for plain, weighted in source.analysis(settings.highpass):
            if fmt.lossy:
                samples.add(plain, meter.frames)
            meter.add(plain, weighted)
            if listen is not None:
                listen(plain)
            update(meter.frames / source.rate)
        if check is not None:
            check(meter)
        measured = check_measurable(meter, name)
        plan = make_plan(meter, settings, level=level)
        fade, search = round(FADE_SECONDS * source.rate), round(SEARCH_SECONDS * source.rate)
        plan.cuts = frame_ranges(cuts, source.rate, plan.start, plan.end, fade=fade, search=search)
        target = settings.target
        plan.solve(meter, target=target, ceiling=settings.true_peak - fmt.margin)
        encoder = start_encoder()
        if calibrator is not None:
            target, ceiling = codec_ceiling(plan, samples, settings, calibrator)
            plan.solve(meter, target=target, ceiling=ceiling)
        jingles = load_jingles(settings, source.rate, source.channels, plan.kept)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            update = progress(_("Mastering {name}").format(name=name), plan.kept / source.rate)
            with encoder if attempt == 1 else start_encoder() as encoder:
                reduction = render(source, plan, jingles, encoder, settings.highpass, update)
                result = encoder.finish()
            over = (result.true_peak or 0.0) - settings.true_peak
            miss = settings.target - result.integrated
            tries.append((target, result.integrated))
            encode = Encode(
                abs(miss) + PEAK_WEIGHT * max(0.0, over),
                attempt,
                result,
                reduction,
                plan.gain,
                plan.ceiling,
                encoder.frames,
            )
            if best is None or encode.error < best.error:
                os.replace(trial, tmp)
                best = encode
            if over <= 0 and abs(miss) <= LOUDNESS_TOLERANCE:
                break
            last = attempt == MAX_ATTEMPTS
            log.log(  # another encode is an internal step (shown with -v); the closest kept is a warning
                logging.WARNING if last else logging.DEBUG,
                _("%s: the encoded audio measures %.2f LUFS, %.2f dBTP%s"),
                name,
                result.integrated,
                result.true_peak,
                _("; keeping the closest, encode {attempt}").format(attempt=best.attempt)
                if last
                else _("; encoding again"),
            )
            if last:
                break
            target = next_target(tries, settings.target)
            plan.solve(meter, target=target, ceiling=plan.ceiling - max(0.0, over) - 0.2 * (over > 0))
        if tags is not None:
            apply_tags(tmp, fmt, tags)
    assert best is not None  # the first encode always becomes the best so far
    result, reduction = best.result, best.reduction
    stats = {
        "preset": settings.label,
        "target": settings.target,
        "true_peak_limit": settings.true_peak,
        "dual_mono": settings.dual_mono,
        "input": measured.as_dict(),
        "output": result.as_dict(),
        "sample_rate": source.rate,
        "channels": source.channels,
        "format": fmt.name,
        "levelling": {**plan.stats(), "gain": round(best.gain, 2)},
        "limiter": {"ceiling": round(best.ceiling, 2), "max_reduction": round(reduction, 2)},
        "trim": {
            "start": round(float(plan.start) / source.rate, 3),
            "end": round(float(meter.frames - plan.end) / source.rate, 3),
        },
        "cuts": {"count": len(plan.rendered), "removed": round(sum(b - a for a, b in plan.rendered) / source.rate, 3)},
        "encodes": attempt,
        "kept_encode": best.attempt,
    }
    offset = float(jingles.lead - plan.start) / source.rate
    return MasterResult(
        output, fmt, best.frames / source.rate, output.stat().st_size, offset, stats, plan.cut_seconds(source.rate)
    )


@dataclass
class Encode:
    """One encode of the master: how far it is from the target (LU, true-peak excess weighted) and
    what it measured."""

    error: float
    attempt: int
    result: Loudness
    reduction: float
    gain: float
    ceiling: float
    frames: int


def next_target(tries: list[tuple[float, float]], goal: float) -> float:
    """The target to plan the next encode for, from (planned target, measured loudness) of the encodes
    so far: a secant step through the last two when they show how the result follows the plan (short
    or heavily limited audio does not follow it one to one), else the last miss added."""
    planned, measured = tries[-1]
    step = goal - measured
    if len(tries) > 1:
        (p0, m0), (p1, m1) = tries[-2:]
        if abs(p1 - p0) > 0.01 and (m1 - m0) / (p1 - p0) > 0.2:
            step /= (m1 - m0) / (p1 - p0)
    return planned + max(-MAX_STEP, min(MAX_STEP, step))


@contextlib.contextmanager
def _scratch(beside: Path) -> Iterator[Path]:
    """A temporary file name beside ``beside`` for one encode, removed afterwards."""
    path = beside.with_name(beside.name + ".try")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def master_file(
    path: Path,
    output: Path,
    settings: MasteringSettings,
    *,
    tags: Tags | None = None,
    cuts: Sequence[tuple[float, float]] = (),
    progress: ProgressFactory = no_progress,
) -> MasterResult:
    """Master one recording ``path`` into ``output`` without the ``cuts`` (recording seconds),
    denoised first as ``settings.denoise`` says. The source is only read. For "light", the analysis
    pass of the recording measures its noise margin as well; only a recording that is not clean is
    then denoised and mastered from the denoised audio."""
    info, output = probe(Path(path)), Path(output)
    check_target(output, settings, tags)
    rate = output_rate(FORMATS[settings.format], info.sample_rate, settings.sample_rate)

    def master(audio: Path, margin: NoiseMargin | None = None) -> MasterResult:
        def check(meter: LoudnessMeter) -> None:
            check_complete(info, meter.frames / meter.grid.rate)
            if margin is not None and margin.margin < CLEAN_MARGIN:
                raise _Noisy

        return master_source(
            FileSource(audio, rate, settings.channels, info.duration),
            output,
            settings,
            name=Path(path).name,
            depth=sample_depth(info),
            level=settings.leveller,
            tags=tags,
            cuts=cuts,
            progress=progress,
            check=check,
            listen=None if margin is None else margin.add,
        )

    if settings.denoise == "light":
        with NoiseMargin(rate) as margin:
            try:
                return master(info.path, margin)
            except _Noisy:
                log.debug("%s: denoised (speech %.0f dB above the quiet between it)", info.path.name, margin.margin)
    with denoised([info], settings.denoise, settings.channels, beside=output, progress=progress, noisy=True) as paths:
        return master(paths[0])


class _Noisy(Exception):
    """The analysis found a recording that "light" denoises after all."""
