"""Multitrack mastering: one file per speaker, each gated against bleed and room noise, levelled
to a common speech loudness, and mixed down; the mix is then mastered like one recording.

The gate opens a track where its own level stands clearly above its noise floor and is no more
than ``BLEED_MARGIN`` below the loudest other track. Bleed (another speaker picked up by this
microphone) is typically 15-25 dB below the other speaker's own track, so it stays shut; when two
people talk at once, both open. A closed track is attenuated by ``GATE_RANGE``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AudioError
from ..ffmpeg import check_complete, probe, stream_pcm
from ..i18n import _
from ..progress import ProgressFactory, no_progress
from .denoise import denoised
from .encode import FORMATS, output_rate, sample_depth
from .leveller import LevellerOptions, dilate, level_gains, open_runs, short_loudness, speech_loudness
from .limiter import ramp
from .loudness import Biquads, Grid, LoudnessMeter, rumble_filter
from .master import MasterResult, check_target, master_source, prefetched
from .presets import MasteringSettings
from .tags import Tags
from .windows import moving

log = logging.getLogger("audiokit")

BLEED_MARGIN = 10.0  # dB below the loudest other track at which a track still counts as speaking
NOISE_MARGIN = 10.0  # dB above the track's noise floor
GATE_RANGE = -40.0  # dB applied to a closed track
BLEED_DELAY = 0.04  # seconds bleed may lag behind the speaker's own track (about 13 m of room)
LENGTH_TOLERANCE = 1.0  # seconds the tracks may differ before a warning


def _blocks(paths: list[Path], rate: int, channels: int) -> Iterator[tuple[np.ndarray | None, ...]]:
    """Decode all tracks in lockstep; a track that has ended gives None."""
    streams = [prefetched(stream_pcm(p, sample_rate=rate, channels=channels)) for p in paths]
    try:
        yield from itertools.zip_longest(*streams)
    finally:
        for s in streams:
            s.close()


def gates(energies: list[np.ndarray], grid: Grid) -> list[np.ndarray]:
    """Per track, the segments where its own speaker talks (bleed and room noise excluded)."""
    levels = np.array([short_loudness(e, grid, 0.05) for e in energies])
    floors = [np.percentile(lv[np.isfinite(lv)], 10) if np.isfinite(lv).any() else np.inf for lv in levels]
    # bleed arrives a little later than the speaker's own track: compare with the others' recent peak
    reach = round(BLEED_DELAY / grid.seconds)
    recent = moving("max", levels, 2 * reach + 1, axis=1)
    result = []
    for i, level in enumerate(levels):
        loudest_other = np.max(np.delete(recent, i, axis=0), axis=0, initial=-np.inf)
        open_ = (level > floors[i] + NOISE_MARGIN) & (level >= loudest_other - BLEED_MARGIN)
        open_ = open_runs(open_, round(0.08 / grid.seconds))  # no blips
        # open a little early and hold through short gaps so words are not clipped
        result.append(dilate(open_, round(0.05 / grid.seconds), round(0.25 / grid.seconds)))
    return result


@dataclass
class MixSource:
    """The gated, levelled mixdown of several tracks (a ``Source`` for ``master_source``)."""

    paths: list[Path]
    rate: int
    channels: int
    duration: float
    curves: list[np.ndarray]  # gain in dB per segment, per track
    grid: Grid

    def analysis(self, highpass: float) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
        return ((block, None) for block in self.blocks(highpass))

    def blocks(self, highpass: float = 0.0) -> Iterator[np.ndarray]:
        """The mix through the rumble filter at ``highpass`` Hz (0: unfiltered)."""
        rumble = Biquads(rumble_filter(self.rate, highpass), self.rate, self.channels) if highpass else None
        pos, seg = 0, self.grid.segment
        lin = [10 ** (c / 20) for c in self.curves]
        for blocks in _blocks(self.paths, self.rate, self.channels):
            n = max(len(b) for b in blocks if b is not None)
            mix = np.zeros((n, self.channels), np.float32)
            for block, curve in zip(blocks, lin, strict=True):
                if block is not None:
                    mix[: len(block)] += block * ramp(curve, 0, pos, pos + len(block), seg)[:, None]
            pos += n
            yield mix if rumble is None else rumble(mix.T).T


def plan_tracks(
    paths: list[Path], rate: int, settings: MasteringSettings, progress: Callable[[float], None] | None = None
) -> tuple[list[np.ndarray], list[LoudnessMeter]]:
    """Analyse every track; return per-track gain curves (gate plus levelling, dB) and the meters."""
    channels = settings.channels
    meters = [
        LoudnessMeter(rate, channels, dual_mono=settings.dual_mono, true_peak=False, highpass=settings.highpass)
        for _ in paths
    ]
    for blocks in _blocks(paths, rate, channels):
        for meter, block in zip(meters, blocks, strict=True):
            if block is not None:
                meter.add(block)
        if progress is not None:
            progress(max(m.frames for m in meters) / rate)
    grid = meters[0].grid
    length = max(len(m.energies) for m in meters)
    energies = [np.pad(m.energies, (0, length - len(m.energies))) for m in meters]
    opened = gates(energies, grid)
    reference = speech_loudness(np.sum(np.multiply(energies, opened), axis=0), np.any(opened, axis=0), grid)
    options = LevellerOptions(max_boost=settings.max_boost)
    smooth = max(1, round(0.02 / grid.seconds))
    curves = []
    for e, o in zip(energies, opened, strict=True):
        level = level_gains(e, grid, active=o, reference=reference, options=options) if settings.leveller else 0.0
        curves.append(level + moving("mean", np.where(o, 0.0, GATE_RANGE), smooth))
    return curves, meters


def master_tracks(
    paths: list[Path],
    output: Path,
    settings: MasteringSettings,
    *,
    tags: Tags | None = None,
    cuts: Sequence[tuple[float, float]] = (),
    progress: ProgressFactory = no_progress,
) -> MasterResult:
    """Master one track per speaker into one mixed-down ``output`` without the ``cuts`` (seconds of the
    common timeline), each track denoised on its own first (as
    ``settings.denoise`` says); the tracks are only read. Tracks of different
    lengths are aligned at their start and padded with silence at the end (with a warning beyond LENGTH_TOLERANCE s)."""
    if len(paths) < 2:
        raise AudioError(_("multitrack mastering needs at least two tracks"), _("give one file per speaker"))
    paths = [Path(p) for p in paths]
    infos = [probe(p) for p in paths]
    rate = output_rate(FORMATS[settings.format], max(i.sample_rate for i in infos), settings.sample_rate)
    duration = max(i.duration for i in infos)
    for info in [i for i in infos if i.duration < duration - LENGTH_TOLERANCE]:
        log.warning(
            _("%s is %.1f s shorter than the longest track; padding it with silence"),
            info.path.name,
            duration - info.duration,
        )
    output = Path(output)
    check_target(output, settings, tags)
    with denoised(infos, settings.denoise, settings.channels, beside=output, progress=progress) as tracks:
        curves, meters = plan_tracks(tracks, rate, settings, progress(_("Analysing tracks"), duration))
        for meter, info in zip(meters, infos, strict=True):
            check_complete(info, meter.frames / meter.grid.rate)
        source = MixSource(tracks, rate, settings.channels, duration, curves, meters[0].grid)
        depth = max((sample_depth(i) for i in infos), key=["s16", "s24", "s32", "f32"].index)
        name = f"{len(paths)} tracks"
        return master_source(
            source, output, settings, name=name, depth=depth, level=False, tags=tags, cuts=cuts, progress=progress
        )
