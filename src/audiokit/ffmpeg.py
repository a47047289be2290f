"""Find ffmpeg once, run it safely (argv lists, ``file:`` paths), probe and stream audio."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from .errors import AudioError, FFmpegError
from .i18n import N_, _

log = logging.getLogger("audiokit")

Progress = Callable[[float], None]
"""Called with the number of seconds of audio processed so far."""

INSTALL_FIX = N_("install ffmpeg (apt-get install ffmpeg), pip install imageio-ffmpeg, or set AUDIOKIT_FFMPEG")
MAX_SAMPLE = 1000.0
"""Decoded samples beyond ±1000 (+60 dBFS) are no recording: a damaged or mislabelled float file."""


@functools.lru_cache(maxsize=1)
def find_ffmpeg() -> str:
    """Locate ffmpeg: ``AUDIOKIT_FFMPEG``, then PATH, then the binary inside imageio-ffmpeg."""
    env = os.environ.get("AUDIOKIT_FFMPEG")
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise FFmpegError(_("AUDIOKIT_FFMPEG={env!r} is not an executable file").format(env=env), _(INSTALL_FIX))
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise FFmpegError(_("ffmpeg was not found"), _(INSTALL_FIX)) from exc


def media_path(path: Path | str) -> str:
    """Spell a local path so that ffmpeg can read it neither as an option nor as a protocol."""
    return "file:" + os.path.abspath(os.fspath(path))


def _tail(stderr: bytes | str, lines: int = 6) -> str:
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def _pipe(wanted: bool) -> int:
    return subprocess.PIPE if wanted else subprocess.DEVNULL


class FFmpegProcess:
    """ffmpeg started with ``args`` (an argv list, no shell, only errors logged), its stderr kept in a
    temporary file for the error message; ``stdin``/``stdout`` True: a pipe, False: none, or a file to read.
    The one place that starts ffmpeg: use it as a context manager, which stops ffmpeg when the block is
    left early and closes its pipes."""

    def __init__(self, args: Sequence[str], *, stdin: bool | IO[bytes] = False, stdout: bool = False) -> None:
        cmd = [find_ffmpeg(), "-nostdin", "-hide_banner", "-v", "error", "-y", *args]
        log.debug("ffmpeg %s", " ".join(cmd[1:]))
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(
                cmd, stdin=_pipe(stdin) if isinstance(stdin, bool) else stdin, stdout=_pipe(stdout), stderr=self._stderr
            )
        except BaseException:
            self._stderr.close()
            raise

    @property
    def stdin(self) -> IO[bytes]:
        assert self._proc.stdin is not None, "started without stdin=True"
        return self._proc.stdin

    @property
    def stdout(self) -> IO[bytes]:
        assert self._proc.stdout is not None, "started without stdout=True"
        return self._proc.stdout

    def failed(self) -> bool:
        """Wait for ffmpeg to end; True when its exit code is not 0 (``tail`` tells why)."""
        return self._proc.wait() != 0

    def tail(self) -> str:
        """The last lines ffmpeg wrote to stderr, joined into one."""
        self._stderr.seek(0)
        return _tail(self._stderr.read())

    def check(self) -> None:
        """Wait for ffmpeg to end; raise FFmpegError with its exit code and stderr tail when it failed."""
        if self.failed():
            raise FFmpegError(
                _("ffmpeg failed (exit {returncode}): {value}").format(
                    returncode=self._proc.returncode, value=self.tail()
                ),
                _("check that the input is a readable audio file"),
            )

    def stop(self) -> None:
        """Kill ffmpeg if it still runs."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()

    def __enter__(self) -> FFmpegProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop ffmpeg if it still runs and close its pipes and log."""
        self.stop()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):  # a write buffer ffmpeg no longer reads
                    pipe.close()
        self._stderr.close()


def run_ffmpeg(args: Sequence[str], *, progress: Progress | None = None) -> None:
    """Run ffmpeg with ``args`` (an argv list, no shell); raise FFmpegError with its stderr tail."""
    with FFmpegProcess([*(["-progress", "pipe:1"] if progress else []), *args], stdout=True) as proc:
        for raw in proc.stdout:
            if progress is not None and raw.startswith(b"out_time_us="):
                value = raw.split(b"=", 1)[1].strip()
                if value.isdigit():
                    progress(int(value) / 1e6)
        proc.check()


def ffmpeg_output(args: Sequence[str]) -> str:
    """What ffmpeg run with ``args`` writes to stdout (a listing such as ``-filters``); FFmpegError if it fails."""
    with FFmpegProcess(args, stdout=True) as proc:
        text = proc.stdout.read().decode("utf-8", "replace")
        proc.check()
    return text


@dataclass(frozen=True)
class AudioInfo:
    """What a probe tells about an audio file."""

    path: Path
    duration: float
    sample_rate: int
    channels: int
    codec: str
    sample_format: str
    bits_per_sample: int | None


def probe(path: Path) -> AudioInfo:
    """Probe ``path`` with PyAV; raise AudioError for missing, empty or non-audio files."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AudioError(
            _("{path}: the audio file does not exist").format(path=path), _("check the path in episode.toml")
        )
    if path.stat().st_size == 0:
        raise AudioError(_("{path}: the audio file is empty").format(path=path), _("export the recording again"))
    try:
        with av.open(media_path(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise AudioError(
                    _("{path}: the file has no audio stream").format(path=path),
                    _("give an audio file (WAV, FLAC, MP3, M4A, Opus)"),
                )
            stream = streams[0]
            ctx = stream.codec_context
            duration = (container.duration or 0) / 1_000_000
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            bits = getattr(ctx, "bits_per_raw_sample", 0) or None
            fmt = ctx.format.name if ctx.format is not None else ""
            return AudioInfo(path, duration, ctx.sample_rate, ctx.channels, ctx.name, fmt, bits)
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise AudioError(
            _("{path}: not a readable audio file ({error}: {exc})").format(
                path=path, error=exc.__class__.__name__, exc=exc
            ),
            _("give an audio file (WAV, FLAC, MP3, M4A, Opus); it may be corrupt or truncated"),
        ) from exc


def check_complete(info: AudioInfo, decoded: float) -> None:
    """Raise AudioError when ``decoded`` seconds are clearly less than the file ``info`` announces
    (in its header, or a WAV file's data chunk): the file is truncated."""
    announced = max(info.duration, wav_data_seconds(info.path) or 0.0)
    if announced > 0 and decoded < announced - max(0.5, 0.01 * announced):
        raise AudioError(
            _(
                "{path}: only {decoded:.1f} s of the {announced:.1f} s the file announces could be decoded; it seems truncated"
            ).format(path=info.path, decoded=decoded, announced=announced),
            _("export or download the recording again"),
        )


def wav_data_seconds(path: Path) -> float | None:
    """The length a WAV file's header announces (its data chunk), or None for another file or an
    open-ended header. ffmpeg reports the length of the bytes present, so a cut-off WAV looks whole."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return None
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, block_align, rate = 12, 0, 0
    while pos + 8 <= len(head):
        chunk, size = head[pos : pos + 4], int.from_bytes(head[pos + 4 : pos + 8], "little")
        if chunk == b"fmt " and pos + 24 <= len(head):
            rate = int.from_bytes(head[pos + 12 : pos + 16], "little")
            block_align = int.from_bytes(head[pos + 20 : pos + 22], "little")
        if chunk == b"data":
            if not (block_align and rate) or size in (0, 0xFFFFFFFF):
                return None
            return size / block_align / rate
        pos += 8 + size + (size & 1)
    return None


def _check_samples(path: Path, samples: np.ndarray, start: float, rate: int) -> None:
    """Raise AudioError for a decoded block with samples that no meter or filter can work with."""
    if samples.size == 0 or (-MAX_SAMPLE <= samples.min() and samples.max() <= MAX_SAMPLE):  # NaN fails both
        return
    bad = np.flatnonzero(~(np.abs(samples) <= MAX_SAMPLE).all(axis=1))[0]
    at = _("at {value:.2f} s").format(value=start + bad / rate)
    if np.isfinite(samples).all():
        what = _("has samples of up to {value:.3g} ({at}), far beyond full scale (1.0)").format(
            value=float(np.abs(samples).max()), at=at
        )
    else:
        what = _("has samples that are not numbers (NaN or infinity, first {at})").format(at=at)
    raise AudioError(
        f"{path}: {what}", _("the file is damaged: export the recording again, as 16- or 24-bit WAV or FLAC")
    )


def stream_pcm(
    path: Path, *, sample_rate: int, channels: int, block_seconds: float = 10.0, filters: str | None = None
) -> Generator[np.ndarray, None, None]:
    """Decode ``path`` with ffmpeg and yield float32 blocks of shape (frames, channels), through the
    ``filters`` chain. Memory stays bounded by one block whatever the length of the recording. A sample
    that is not a number (NaN, infinity) or far beyond full scale raises AudioError."""
    args = ["-i", media_path(path), "-map", "0:a:0", *(["-af", filters] if filters else [])]
    args += ["-ac", str(channels), "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    frame_bytes = 4 * channels
    block = max(1, int(block_seconds * sample_rate)) * frame_bytes
    with FFmpegProcess(args, stdout=True) as proc:
        pending, frames = b"", 0
        while True:
            data = proc.stdout.read(block)
            if not data:
                break
            data = pending + data
            usable = len(data) - len(data) % frame_bytes
            pending = data[usable:]
            if usable:
                samples = np.frombuffer(data[:usable], dtype="<f4").reshape(-1, channels)
                _check_samples(path, samples, frames / sample_rate, sample_rate)
                frames += len(samples)
                yield samples
        if proc.failed():
            raise AudioError(
                _("{path}: decoding failed: {tail_stderr}").format(path=path, tail_stderr=proc.tail()),
                _("the file may be corrupt or truncated; export it again"),
            )


def write_pcm(path: Path, blocks: Iterable[np.ndarray], *, sample_rate: int, channels: int) -> int:
    """Write float32 ``blocks`` (frames, channels) to the float WAV ``path`` (RF64 beyond 4 GiB) through
    ffmpeg, one block in memory at a time; return the frames written."""
    args = [*f"-f f32le -ar {sample_rate} -ac {channels} -i pipe:0 -c:a pcm_f32le -rf64 auto".split(), media_path(path)]
    frames = 0
    with FFmpegProcess(args, stdin=True) as proc:
        try:
            for block in blocks:
                proc.stdin.write(np.ascontiguousarray(block, "<f4").tobytes())
                frames += len(block)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped: its exit code and stderr tell why
        if proc.failed():
            raise FFmpegError(
                _("ffmpeg cannot write {path}: {value}").format(path=path, value=proc.tail()),
                _("check the disk space and permissions"),
            )
    return frames
