"""The one exception hierarchy of audiokit: every error says what went wrong and how to fix it."""

from __future__ import annotations


class AudiokitError(Exception):
    """Base class. ``what`` describes the problem, ``fix`` tells the user what to do."""

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.what} — {self.fix}" if self.fix else self.what


class ConfigError(AudiokitError):
    """A show.toml or episode.toml is missing, broken or invalid."""


class UnsafePathError(ConfigError):
    """A slug or a path from a TOML file is unsafe (escapes the show, bad characters)."""


class AudioError(AudiokitError):
    """An audio input is missing, empty, corrupt, truncated or not audio at all."""


class FFmpegError(AudiokitError):
    """ffmpeg is missing or failed; the message carries the tail of its stderr."""


class ModelError(AudiokitError):
    """A Whisper or speaker model cannot be found, loaded or verified."""


class TranscriptError(AudiokitError):
    """A transcript file is invalid or cannot be imported."""


class PublishError(AudiokitError):
    """Feed, site or artwork cannot be produced or fail validation."""


class UploadError(PublishError):
    """The upload target cannot be reached, refuses the login, or an uploaded file fails its check."""


class BuildLockedError(AudiokitError):
    """Another build of the same output folder is running."""
