"""The audio the editor plays: the recording itself, or a mixdown of the tracks made once.

Transcript times are on the recording's timeline, so the editor plays the source recording when
a browser can; a multitrack recording (or a format browsers do not play) is mixed down once into
an AAC ``.m4a`` in the user cache (``<cache>/editor/``), keyed by the inputs' sizes and times.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..atomic import atomic_path
from ..ffmpeg import media_path, probe, run_ffmpeg
from ..i18n import _
from ..models import cache_dir
from ..progress import ProgressFactory, no_progress
from ..stamps import file_stamp
from ..workspace import Episode

BROWSER_TYPES = {
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".webm": "audio/webm",
}


def playable_audio(episode: Episode, *, progress: ProgressFactory = no_progress) -> tuple[Path, str]:
    """The file to play and its MIME type; a mixdown is made on first use."""
    recording = episode.recording
    if recording is not None and recording.suffix.lower() in BROWSER_TYPES:
        return recording, BROWSER_TYPES[recording.suffix.lower()]
    inputs = episode.audio_inputs
    key = hashlib.sha256(json.dumps([[str(p), file_stamp(p)] for p in inputs]).encode()).hexdigest()[:16]
    target = cache_dir() / "editor" / f"{episode.slug}-{key}.m4a"
    if not target.exists():
        duration = max(probe(p).duration for p in inputs)
        args = [a for p in inputs for a in ("-i", media_path(p))]
        if len(inputs) > 1:
            mix = "".join(f"[{i}:a:0]" for i in range(len(inputs)))
            args += ["-filter_complex", f"{mix}amix=inputs={len(inputs)}:duration=longest:normalize=0[mix]"]
            args += ["-map", "[mix]"]
        else:
            args += ["-map", "0:a:0"]
        with atomic_path(target) as tmp:
            run_ffmpeg(
                args + ["-vn", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", media_path(tmp)],
                progress=progress(_("mixing the tracks for the editor"), duration),
            )
    return target, "audio/mp4"
