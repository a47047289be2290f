"""German transcription: faster-whisper recognition with guards and the show's vocabulary, speaker turns.

* ``transcribe_episode(episode)`` — the canonical ``Transcript`` of an episode (names from
  ``audiokit.speakers``), with provenance.
* ``transcribe_file(path)`` — the same for a bare audio file (speakers stay "Sprecher N").
* ``write_transcript(episode)`` — transcribe into ``transcript.json``, keeping an editor's work.
* ``TranscriptionStage`` — the ``transcribe`` stage of ``audiokit build``.
"""

from .pipeline import transcribe_episode, transcribe_file
from .settings import TranscriptionSettings, load_settings
from .stage import TranscriptionStage, write_transcript

__all__ = [
    "TranscriptionSettings",
    "TranscriptionStage",
    "load_settings",
    "transcribe_episode",
    "transcribe_file",
    "write_transcript",
]
