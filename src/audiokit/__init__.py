"""audiokit: produce German talk podcasts — mastering, transcripts with real speaker names, feed and site.

Everything the ``audiokit`` command does is available here::

    import audiokit
    show = audiokit.load_show("episodes")
    report = audiokit.build(show.dir, "public")
"""

from __future__ import annotations

import logging

from .build import BuildReport, build
from .errors import (
    AudioError,
    AudiokitError,
    BuildLockedError,
    ConfigError,
    FFmpegError,
    ModelError,
    PublishError,
    TranscriptError,
    UnsafePathError,
)
from .models import ResolvedModel, resolve_model
from .paths import check_slug, slugify
from .stages import BuildContext, BuildOptions, EpisodeStage, ShowStage, Stage
from .transcript import Segment, Transcript, TranscriptSpeaker, Word
from .workspace import Chapter, Episode, Show, Speaker, load_episode, load_show

logging.getLogger("audiokit").addHandler(logging.NullHandler())

# The rest loads on first use, so ``import audiokit`` stays cheap (no Whisper, scipy, Pillow, feedgen …).
_LAZY = {
    "AudioInfo": "ffmpeg",
    "find_ffmpeg": "ffmpeg",
    "probe": "ffmpeg",
    "init_show": "scaffold",
    "new_episode": "scaffold",
    "MasteringSettings": "mastering",
    "master_file": "mastering",
    "master_episode": "mastering",
    "master_tracks": "mastering",
    "measure": "mastering",
    "write_tagged_copy": "mastering",
    "transcribe_episode": "transcription",
    "transcribe_file": "transcription",
    "write_transcript": "transcription",
    "label_words": "speakers",
    "track_activity": "speakers",
    "SpeakerLabels": "speakers",
    "EditorServer": "editor",
    "History": "editor",
    "import_text": "editor",
    "export_transcript": "exports",
    "EXPORT_FORMATS": "exports",
    "check_site": "publish",
    "propose_chapters": "publish",
    "podcast_guid": "publish",
    "load_glossary": "glossary",
    "add_replacement": "glossary",
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'audiokit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


__all__ = [
    "AudioError",
    "AudiokitError",
    "BuildContext",
    "BuildLockedError",
    "BuildOptions",
    "BuildReport",
    "Chapter",
    "ConfigError",
    "Episode",
    "EpisodeStage",
    "FFmpegError",
    "ModelError",
    "PublishError",
    "ResolvedModel",
    "Segment",
    "Show",
    "ShowStage",
    "Speaker",
    "Stage",
    "Transcript",
    "TranscriptError",
    "TranscriptSpeaker",
    "UnsafePathError",
    "Word",
    "build",
    "check_slug",
    "load_episode",
    "load_show",
    "resolve_model",
    "slugify",
    *sorted(_LAZY),
]
