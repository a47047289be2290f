"""ITU-R BS.1770-4 loudness, EBU Tech 3342 loudness range and 4x-oversampled true peak, streaming.

Audio is cut into short *segments* (about 10 ms) on a fixed grid; per segment the meter keeps the
K-weighted energy and the sample peak. Gating blocks (400 ms, 100 ms step) and short-term windows
(3 s) are sums of whole segments, so the integrated loudness and the loudness range come out exactly
as BS.1770-4 / Tech 3342 define them, and the same per-segment figures drive the leveller and the
limiter. True peak uses the BS.1770-4 Annex 2 interpolation filter, evaluated only where a
segment could reach the peak being looked for (its sample peak times the filter's gain bound).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from ..errors import AudioError
from ..ffmpeg import Progress, probe, stream_pcm
from ..i18n import _

ABSOLUTE_GATE = -70.0
_OFFSET = -0.691

# BS.1770-4 Annex 2: 48-tap interpolator as 4 phases of 12 taps; phases 2 and 3 mirror phases 1 and 0.
TAPS = 12
_ANNEX2 = np.array(
    """
    0.0017089843750 0.0109863281250 -0.0196533203125 0.0332031250000 -0.0594482421875 0.1373291015625
    0.9721679687500 -0.1022949218750 0.0476074218750 -0.0266113281250 0.0148925781250 -0.0083007812500
    -0.0291748046875 0.0292968750000 -0.0517578125000 0.0891113281250 -0.1665039062500 0.4650878906250
    0.7797851562500 -0.2003173828125 0.1015625000000 -0.0582275390625 0.0330810546875 -0.0189208984375
    """.split(),
    dtype=np.float32,
).reshape(2, TAPS)
TRUE_PEAK_PHASES = np.stack([_ANNEX2[0], _ANNEX2[1], _ANNEX2[1, ::-1], _ANNEX2[0, ::-1]])
# No interpolated value exceeds the largest sample in its window times this bound.
TRUE_PEAK_BOUND = float(np.abs(TRUE_PEAK_PHASES).sum(axis=1).max())


def to_db(value: float | np.ndarray, power: bool = False) -> Any:
    """Amplitude (or power) to dB; zero gives -inf without a warning."""
    with np.errstate(divide="ignore"):
        return (10 if power else 20) * np.log10(value)


def k_weighting(rate: int) -> np.ndarray:
    """The two K-weighting biquads (shelf, then RLB high-pass) for ``rate`` as an SOS array."""
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2 * (k * k - 1) / a0,
        (1 - k / q + k * k) / a0,
    ]
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


def rumble_filter(rate: int, hz: float) -> np.ndarray:
    """The rumble filter: a 2nd-order Butterworth high-pass at ``hz`` (bilinear, pre-warped), as SOS."""
    k = math.tan(math.pi * hz / rate)
    a0 = 1 + math.sqrt(2) * k + k * k
    return np.array([[1 / a0, -2 / a0, 1 / a0, 1.0, 2 * (k * k - 1) / a0, (1 - math.sqrt(2) * k + k * k) / a0]])


def biquad_filters(sos: np.ndarray, prefix: str = "") -> list[str]:
    """ffmpeg ``biquad`` filter arguments for each SOS row ``b0 b1 b2 a0 a1 a2``: single precision, one
    thread (ffmpeg's threads would cost more than they give on two channels)."""
    return [
        f"{prefix}b0={b0!r}:b1={b1!r}:b2={b2!r}:a0={a0!r}:a1={a1!r}:a2={a2!r}:precision=f32:threads=1"
        for b0, b1, b2, a0, a1, a2 in np.asarray(sos, dtype=np.float64).tolist()
    ]


class Biquads:
    """A cascade of biquads (SOS rows ``b0 b1 b2 a0 a1 a2``) over float32 audio (channels, frames),
    streaming: libavfilter (through PyAV) runs it in C and keeps the state between calls.
    (scipy's sosfilt costs about as much per call and its import alone takes half a second.)"""

    def __init__(self, sos: np.ndarray, rate: int, channels: int) -> None:
        self.rate, self.layout = rate, f"{channels}c"
        self._graph = av.filter.Graph()
        node = self._graph.add_abuffer(format="fltp", sample_rate=rate, layout=self.layout, channels=channels)
        for args in biquad_filters(sos):
            section = self._graph.add("biquad", args)
            node.link_to(section)
            node = section
        sink = self._graph.add("abuffersink")
        node.link_to(sink)
        self._graph.configure()

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Filter ``data`` (channels, frames), continuing from the previous call."""
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data, dtype=np.float32), format="fltp", layout=self.layout
        )
        frame.sample_rate = self.rate
        self._graph.push(frame)
        out = []
        while True:
            try:
                out.append(self._graph.pull().to_ndarray())
            except (av.error.BlockingIOError, av.error.EOFError):
                break
        return np.concatenate(out, axis=1) if len(out) > 1 else out[0]


@dataclass(frozen=True)
class Grid:
    """The segment grid of a sample rate: ``segment`` frames, ``per_step`` segments per 100 ms step."""

    rate: int
    segment: int
    per_step: int

    @classmethod
    def for_rate(cls, rate: int) -> Grid:
        step = round(rate / 10)
        per_step = max(d for d in range(1, 11) if step % d == 0)
        return cls(rate, step // per_step, per_step)

    @property
    def step(self) -> int:
        return self.segment * self.per_step

    @property
    def seconds(self) -> float:
        """Length of one segment in seconds."""
        return self.segment / self.rate


def channel_weights(channels: int, dual_mono: bool) -> np.ndarray:
    """BS.1770 channel weights; a mono signal measured as dual-mono counts twice (+3 dB)."""
    if channels == 1:
        return np.array([2.0 if dual_mono else 1.0], dtype=np.float32)
    if channels == 6:  # L R C LFE Ls Rs
        return np.array([1, 1, 1, 0, 1.41, 1.41], dtype=np.float32)
    return np.ones(channels, dtype=np.float32)


def sample_peaks(data: np.ndarray, segment: int) -> np.ndarray:
    """Largest absolute sample per whole segment of ``data`` (frames, channels)."""
    frames, width = len(data) // segment * segment, data.shape[1]
    if not frames:
        return np.zeros(0, np.float32)
    magnitudes = np.abs(data[:frames]).reshape(-1, segment, width)  # whole rows: faster than column views
    return np.max([magnitudes[:, :, c].max(axis=1) for c in range(width)], axis=0)


def segment_true_peaks(
    history: np.ndarray, data: np.ndarray, sample: np.ndarray, segment: int, threshold: float
) -> np.ndarray:
    """True peak per segment of ``data``, given its ``sample`` peaks and the TAPS-1 frames before it.

    Only segments that could reach ``threshold`` (the larger of their own and the previous
    segment's sample peak, times TRUE_PEAK_BOUND) are interpolated; the others keep their sample
    peak, which is then below ``threshold`` as well.
    """
    true = sample.copy()
    reach = np.maximum(sample, np.concatenate([[float(np.abs(history).max(initial=0))], sample[:-1]]))
    candidates = np.flatnonzero(reach * TRUE_PEAK_BOUND >= threshold)
    if candidates.size:
        index = candidates[:, None] * segment + np.arange(segment + TAPS - 1)[None, :]
        for c in range(data.shape[1]):
            rows = np.concatenate([history[:, c], data[:, c]])[index]
            for weights in TRUE_PEAK_PHASES[:, ::-1]:  # each phase a 12-tap FIR: shifted multiply-adds, no copies
                phase = rows[:, :segment] * weights[0]
                for k in range(1, TAPS):
                    phase += rows[:, k : k + segment] * weights[k]
                true[candidates] = np.maximum(true[candidates], np.abs(phase).max(axis=1))
    return true


@dataclass
class Loudness:
    """Measured loudness of a signal (LUFS, LU, dBTP, dBFS, seconds)."""

    integrated: float
    lra: float
    true_peak: float | None
    sample_peak: float
    duration: float

    def as_dict(self) -> dict[str, float | None]:
        def tidy(v: float | None) -> float | None:
            return None if v is None or not math.isfinite(v) else round(v, 2)

        return {k: tidy(v) for k, v in asdict(self).items()}


class LoudnessMeter:
    """Feed float32 blocks (frames, channels) with ``add``; read results at any time.

    ``energies`` holds the K-weighted, channel-weighted energy (sum of squares) of every complete
    segment and ``peaks`` its sample peak; both are what the leveller and limiter plan with.
    """

    def __init__(
        self, rate: int, channels: int, *, dual_mono: bool = False, true_peak: bool = True, highpass: float = 0.0
    ) -> None:
        self.grid = Grid.for_rate(rate)
        self.channels = channels
        self.weights = channel_weights(channels, dual_mono)
        self.true_peak = true_peak
        sos = k_weighting(rate)
        if highpass:  # energies as after the rumble filter (peaks stay those of the input)
            sos = np.vstack([rumble_filter(rate, highpass), sos])
        self._filter = Biquads(sos, rate, channels)
        self._pending: list[np.ndarray] = []  # the frames of an incomplete segment (and their K-weighted copy)
        self._history = np.zeros((TAPS - 1, channels), dtype=np.float32)
        self._energies: list[np.ndarray] = []
        self._peaks: list[np.ndarray] = []
        self._tp = 0.0
        self.frames = 0

    def add(self, block: np.ndarray, weighted: np.ndarray | None = None) -> None:
        """Measure ``block``; ``weighted`` is its K-weighted copy, if the caller has one (else the meter filters)."""
        self.frames += len(block)
        parts = [block] if weighted is None else [block, weighted]
        if self._pending:
            parts = [np.concatenate([p, b]) for p, b in zip(self._pending, parts, strict=True)]
        usable = len(parts[0]) - len(parts[0]) % self.grid.segment
        self._pending = [np.array(p[usable:], dtype=np.float32) for p in parts] if usable < len(parts[0]) else []
        if usable:
            self._process(*(p[:usable] for p in parts))

    def _process(self, data: np.ndarray, weighted: np.ndarray | None = None) -> None:
        seg = self.grid.segment
        if weighted is None:
            sums = np.square(self._filter(data.T)).reshape(self.channels, -1, seg).sum(axis=2)
        else:  # square whole rows, then sum columns: faster than squaring column views
            squares = np.square(weighted).reshape(-1, seg, self.channels)
            sums = np.array([squares[:, :, c].sum(axis=1) for c in range(self.channels)])
        self._energies.append(np.dot(self.weights.astype(np.float64), sums))
        sample = sample_peaks(data, seg)
        if self.true_peak:
            # the loudest sample so far is a lower bound of the true peak being looked for
            threshold = max(self._tp, float(sample.max()))
            true = segment_true_peaks(self._history, data, sample, seg, threshold)
            self._tp = max(self._tp, float(true.max()))
            self._history = np.array(data[-(TAPS - 1) :])
        self._peaks.append(sample)

    @property
    def energies(self) -> np.ndarray:
        if len(self._energies) > 1:
            self._energies = [np.concatenate(self._energies)]
        return self._energies[0] if self._energies else np.zeros(0)

    @property
    def peaks(self) -> np.ndarray:
        if len(self._peaks) > 1:
            self._peaks = [np.concatenate(self._peaks)]
        return self._peaks[0] if self._peaks else np.zeros(0, np.float32)

    def result(self) -> Loudness:
        tail_peak = float(np.abs(self._pending[0]).max()) if self._pending else 0.0
        sample_peak = max(float(self.peaks.max()) if len(self.peaks) else 0.0, tail_peak)
        true_peak = max(self._tp, tail_peak) if self.true_peak else None
        return Loudness(
            integrated=integrated_loudness(self.energies, self.grid),
            lra=loudness_range(self.energies, self.grid),
            true_peak=float(to_db(true_peak)) if true_peak is not None else None,
            sample_peak=float(to_db(sample_peak)),
            duration=self.frames / self.grid.rate,
        )


def _window_means(energies: np.ndarray, grid: Grid, steps: int) -> np.ndarray:
    """Mean square of every window of ``steps`` 100 ms steps, hopping one step."""
    n = len(energies) // grid.per_step
    if n < steps:
        return np.zeros(0)
    step_sums = energies[: n * grid.per_step].reshape(n, grid.per_step).sum(axis=1)
    csum = np.concatenate([[0.0], np.cumsum(step_sums)])
    return (csum[steps:] - csum[:-steps]) / (steps * grid.step)


def gated_loudness(energies: np.ndarray, grid: Grid) -> tuple[float, np.ndarray]:
    """Integrated loudness (BS.1770-4) and the mask of 400 ms blocks that passed both gates."""
    blocks = _window_means(energies, grid, 4)
    level = _OFFSET + to_db(blocks, power=True)
    above = level > ABSOLUTE_GATE
    if not above.any():
        return -math.inf, above
    relative = _OFFSET + to_db(blocks[above].mean(), power=True) - 10
    gated = above & (level > relative)
    return float(_OFFSET + to_db(blocks[gated].mean(), power=True)), gated


def integrated_loudness(energies: np.ndarray, grid: Grid) -> float:
    return gated_loudness(energies, grid)[0]


def audible(energies: np.ndarray, grid: Grid) -> bool:
    """Whether a segment after the first 100 ms is above the absolute gate: before it, the high-pass
    filters settle on a constant offset (DC), which is no sound."""
    level = _OFFSET + to_db(energies[grid.per_step :] / grid.segment, power=True)
    return bool((level > ABSOLUTE_GATE).any())


def loudness_range(energies: np.ndarray, grid: Grid) -> float:
    """EBU Tech 3342 loudness range from 3 s short-term windows at a 100 ms hop."""
    short = _window_means(energies, grid, 30)
    level = _OFFSET + to_db(short, power=True)
    level = level[level > ABSOLUTE_GATE]
    if len(level) < 2:
        return 0.0
    relative = _OFFSET + to_db(np.mean(10 ** ((level - _OFFSET) / 10)), power=True) - 20
    level = level[level > relative]
    if len(level) < 2:
        return 0.0
    low, high = np.percentile(level, [10, 95])
    return float(high - low)


def measure(path: Path, *, dual_mono: bool = True, progress: Progress | None = None) -> Loudness:
    """Measure a file at its own sample rate and channels (mono as dual-mono unless told otherwise)."""
    info = probe(Path(path))
    meter = LoudnessMeter(info.sample_rate, info.channels, dual_mono=dual_mono)
    for block in stream_pcm(Path(path), sample_rate=info.sample_rate, channels=info.channels):
        meter.add(block)
        if progress is not None:
            progress(meter.frames / info.sample_rate)
    if meter.frames == 0:
        raise AudioError(
            _("{path}: no audio could be decoded").format(path=path), _("the file may be corrupt or empty")
        )
    return meter.result()
