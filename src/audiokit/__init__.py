"""audiokit: produce German talk podcasts — mastering, transcripts with real speaker names, feed and site.

Everything the ``audiokit`` command does is available here::

    import audiokit
    show = audiokit.load_show("episodes")
    report = audiokit.build(show.dir, "public")
"""

from __future__ import annotations

import importlib
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
    UploadError,
)
from .models import ResolvedModel, resolve_model
from .paths import check_slug, slugify
from .stages import BuildContext, BuildOptions, EpisodeStage, ShowStage, Stage
from .transcript import Segment, Transcript, TranscriptSpeaker, Word
from .workspace import Chapter, Episode, Show, Speaker, load_episode, load_show

logging.getLogger("audiokit").addHandler(logging.NullHandler())

# The rest loads on first use, so ``import audiokit`` stays cheap (no Whisper, scipy, Pillow, feedgen …).
_LAZY_MODULES = {
    "ffmpeg": ("AudioInfo", "find_ffmpeg", "probe"),
    "scaffold": ("init_show", "new_episode"),
    "mastering": (
        "MasteringSettings",
        "master_file",
        "master_episode",
        "master_tracks",
        "measure",
        "write_tagged_copy",
    ),
    "transcription": ("transcribe_episode", "transcribe_file", "write_transcript"),
    "speakers": ("label_words", "track_activity", "SpeakerLabels"),
    "editor": ("EditorServer", "History", "import_text"),
    "exports": ("export_transcript", "EXPORT_FORMATS"),
    "publish": ("check_site", "propose_chapters", "podcast_guid", "upload_show"),
    "glossary": ("load_glossary", "add_replacement"),
}
_LAZY = {name: module for module, names in _LAZY_MODULES.items() for name in names}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'audiokit' has no attribute {name!r}")
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
    "UploadError",
    "Word",
    "build",
    "check_slug",
    "load_episode",
    "load_show",
    "resolve_model",
    "slugify",
    *sorted(_LAZY),
]
