"""Output formats and the encoder: PCM in through a pipe, the encoded file out, and the encoded
stream decoded again on the fly so the published file itself is measured (loudness, true peak)
while it is being written, without a pass of its own."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import queue
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, FFmpegError
from ..ffmpeg import AudioInfo, FFmpegProcess, media_path
from ..i18n import _
from .loudness import Loudness, LoudnessMeter

log = logging.getLogger("audiokit")

_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_AAC_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000)
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)


@dataclass(frozen=True)
class Format:
    """An output format: file suffix, MIME type, ffmpeg codec and muxers, and what it can carry."""

    name: str
    suffix: str
    mime: str
    codec: str
    muxer: str  # for the file
    stream_muxer: str  # for the copy that is decoded again to measure the result
    rates: tuple[int, ...] | None  # None: any rate
    bitrates: tuple[int, int] | None  # default kbit/s for mono, stereo; None: lossless
    margin: float  # dB kept below the true-peak limit for the codec's own overshoot

    @property
    def lossy(self) -> bool:
        return self.bitrates is not None


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("mp3", ".mp3", "audio/mpeg", "libmp3lame", "mp3", "mp3", _MP3_RATES, (64, 128), 0.8),
        Format("m4a", ".m4a", "audio/mp4", "aac", "ipod", "adts", _AAC_RATES, (64, 128), 0.8),
        Format("opus", ".opus", "audio/ogg", "libopus", "ogg", "ogg", _OPUS_RATES, (48, 64), 0.8),
        Format("flac", ".flac", "audio/flac", "flac", "flac", "flac", None, None, 0.05),
        Format("wav", ".wav", "audio/wav", "pcm", "wav", "wav", None, None, 0.05),
    )
}


def output_rate(fmt: Format, source_rate: int, requested: int | None) -> int:
    """The sample rate to encode at: the requested one, else the source's. A source rate the format
    cannot carry (96 kHz for MP3, 44.1 kHz for Opus) is resampled to the nearest one it can, with a
    warning; a requested rate it cannot carry is an error."""
    if fmt.rates is None or (requested or source_rate) in fmt.rates:
        return requested or source_rate
    if requested:
        raise ConfigError(
            _("{name} cannot store {requested} Hz audio").format(name=fmt.name, requested=requested),
            _("set sample_rate to one of {value} in [mastering] (or --sample-rate)").format(
                value=", ".join(map(str, fmt.rates))
            ),
        )
    rate = min(fmt.rates, key=lambda r: (abs(r - source_rate), -r))
    log.warning(_("%s cannot store %d Hz audio: resampling %d Hz to %d Hz"), fmt.name, source_rate, source_rate, rate)
    return rate


def sample_depth(info: AudioInfo) -> str:
    """The source's sample depth as "s16", "s24", "s32" or "f32" (lossy sources count as s24)."""
    if info.codec.startswith("pcm_f") or (info.codec.startswith("pcm") and info.sample_format.startswith("flt")):
        return "f32"
    if info.bits_per_sample in (16, 24, 32):
        return f"s{info.bits_per_sample}"
    return "s16" if info.sample_format.startswith("s16") else "s24"


def _codec_args(fmt: Format, channels: int, bitrate: int | None, depth: str) -> list[str]:
    if fmt.bitrates is not None:
        lame = ["-sample_fmt", "s16p"] if fmt.name == "mp3" else []  # LAME is ~10 % faster on 16-bit input
        return ["-c:a", fmt.codec, "-b:a", f"{bitrate or fmt.bitrates[channels - 1]}k", *lame]
    dither = ["-af", "aresample=osf=s16:dither_method=triangular"]
    if fmt.name == "wav":
        return (dither if depth == "s16" else []) + ["-c:a", f"pcm_{depth}le"]  # depth: s16, s24, s32 or f32
    if depth == "s16":
        return dither + ["-c:a", "flac", "-sample_fmt", "s16"]
    if depth != "s24":
        log.warning(_("FLAC stores at most 24 bits: writing %s audio as 24-bit"), depth)
    return ["-c:a", "flac", "-sample_fmt", "s32", "-bits_per_raw_sample", "24"]


class Encoder:
    """Encode float32 blocks (frames, channels) into ``path``, measuring the encoded stream as it goes. Use as a
    context manager; ``write`` blocks, then ``finish`` returns the measured loudness of the published audio.
    Leaving the block with an exception stops every process."""

    def __init__(
        self,
        path: Path,
        fmt: Format,
        rate: int,
        channels: int,
        *,
        bitrate: int | None = None,
        depth: str = "s24",
        dual_mono: bool = False,
    ) -> None:
        self.path, self.fmt, self.rate, self.channels, self.dual_mono = path, fmt, rate, channels, dual_mono
        options = ":movflags=+faststart" if fmt.muxer == "ipod" else ""
        tee_path = re.sub(r"([\\|\[\]'])", r"\\\1", media_path(path))
        encode = [
            *f"-f f32le -ar {rate} -ac {channels} -i pipe:0 -map 0:a".split(),
            *_codec_args(fmt, channels, bitrate, depth),
            *"-map_metadata -1 -f tee".split(),
            f"[f={fmt.muxer}{options}]{tee_path}|[f={fmt.stream_muxer}]pipe:1",
        ]
        decoded_rate = 48000 if fmt.name == "opus" else rate
        decode = ["-i", "pipe:0", "-f", "f32le", "-ac", str(channels), "-ar", str(decoded_rate), "pipe:1"]
        self._encoder = FFmpegProcess(encode, stdin=True, stdout=True)
        self._decoder = FFmpegProcess(decode, stdin=self._encoder.stdout, stdout=True)
        self._stdin, self._output = self._encoder.stdin, self._decoder.stdout
        for pipe in (self._stdin, self._encoder.stdout, self._output):
            # 1 MiB (Linux): 64 KiB hold only ~2 ms of MP3 encoding, too little to ride out a pause of our threads
            with contextlib.suppress(AttributeError, OSError):
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        self._encoder.stdout.close()  # the decoder owns it now
        self.meter = LoudnessMeter(decoded_rate, channels, dual_mono=dual_mono)
        self.frames = 0
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._threads = [threading.Thread(target=run, daemon=True) for run in (self._feed, self._measure)]
        for thread in self._threads:
            thread.start()

    def _feed(self) -> None:
        stdin = self._stdin
        try:
            while (block := self._queue.get()) is not None:
                if self._error is None:
                    stdin.write(block.data.cast("B"))
        except OSError as exc:  # the encoder died; keep draining so write() never blocks
            self._error = exc
            while self._queue.get() is not None:
                pass
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _measure(self) -> None:
        frame_bytes = 4 * self.channels
        chunk = frame_bytes * self.meter.grid.rate * 5  # five seconds
        pending = b""
        try:
            while data := self._output.read(chunk):
                data = pending + data
                usable = len(data) - len(data) % frame_bytes
                pending = data[usable:]
                self.meter.add(np.frombuffer(data[:usable], dtype="<f4").reshape(-1, self.channels))
        except BaseException as exc:  # keep the pipeline flowing; finish() reports it
            self._error = exc
            while self._output.read(chunk):
                pass

    def write(self, block: np.ndarray) -> None:
        if self._error is not None:
            raise FFmpegError(
                _("the {name} encoder stopped: {value}").format(name=self.fmt.name, value=self._encoder.tail()),
                _("check the format settings (bitrate, sample rate)"),
            )
        if len(block):
            self.frames += len(block)
            self._queue.put(np.ascontiguousarray(block, dtype="<f4"))

    def finish(self) -> Loudness:
        """Close the input, wait for both processes and return the measured output."""
        self._queue.put(None)
        for thread in self._threads:
            thread.join()
        failed = self._encoder.failed(), self._decoder.failed()
        if self._error is not None and not isinstance(self._error, OSError):
            raise self._error  # a bug in measuring, not an encoder problem
        if failed[0] or self._error is not None:
            raise FFmpegError(
                _("encoding {name} failed: {value}").format(name=self.fmt.name, value=self._encoder.tail()),
                _("check the format settings (bitrate, sample rate) and free disk space"),
            )
        if failed[1]:
            raise FFmpegError(
                _("the {name} output could not be decoded again: {value}").format(
                    name=self.fmt.name, value=self._decoder.tail()
                ),
                _("report this as a bug with the input file"),
            )
        return self.meter.result()

    def close(self) -> None:
        """Stop everything that still runs (after ``finish`` there is nothing left to stop)."""
        for proc in (self._encoder, self._decoder):
            proc.stop()
        if self._threads[0].is_alive():
            self._queue.put(None)  # the feeder drains to this sentinel once its pipe is broken
        for thread in self._threads:
            thread.join()
        for proc in (self._encoder, self._decoder):
            proc.close()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
