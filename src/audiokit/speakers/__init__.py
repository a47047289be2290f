"""Speakers: who talks when, and what their names are.

* ``diarize(path)`` — who speaks when in a recording: turns per voice (the count estimated or
  given) and the spans where two voices speak at once.
* ``track_activity(tracks)`` — multitrack: per track, where its own speaker talks (bleed and room
  noise gated out, overlaps kept).
* ``label_words(episode, words, word_tracks=None)`` — the speaker of every word, named from
  episode.toml (tracks, enrolled voice samples, introductions, roles, order), else "Sprecher N".

Voice embeddings come from Resemblyzer's GE2E encoder exported to ONNX (``assets/voice_encoder.onnx``).
"""

from .diarize import Diarization, diarize
from .labels import SpeakerLabels, episode_voices, label_words
from .multitrack import track_activity

__all__ = ["Diarization", "SpeakerLabels", "diarize", "episode_voices", "label_words", "track_activity"]
