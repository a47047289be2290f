"""German transcription: faster-whisper recognition with guards and the show's vocabulary, speaker turns.

* ``transcribe_episode(episode)`` — the canonical ``Transcript`` of an episode (names from
  ``audiokit.speakers``), with provenance.
* ``transcribe_file(path)`` — the same for a bare audio file (speakers stay "Sprecher N").
* ``write_transcript(episode)`` — transcribe into ``transcript.json`` when its inputs changed,
  keeping an editor's work.
"""

from ..config.schema import TranscriptionSettings
from .pipeline import load_settings, transcribe_episode, transcribe_file
from .write import transcript_inputs, write_transcript

__all__ = [
    "TranscriptionSettings",
    "load_settings",
    "transcribe_episode",
    "transcribe_file",
    "transcript_inputs",
    "write_transcript",
]
