"""Episode → canonical transcript: recognition, speaker labels from ``audiokit.speakers``, turns, provenance."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import logging
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import AudiokitError, ConfigError
from ..ffmpeg import Progress, probe
from ..glossary import load_glossary
from ..models import sha256_file
from ..paths import slugify
from ..progress import ProgressFactory, no_progress
from ..transcript import Transcript, Word, now_iso
from ..workspace import Episode, Show
from .asr import load_model, transcribe_audio
from .guards import RecognitionStats
from .segments import build_segments
from .settings import TranscriptionSettings, load_settings
from .vocabulary import apply_vocabulary, prompt, vocabulary

log = logging.getLogger("audiokit")


def _speakers() -> ModuleType:
    try:
        return importlib.import_module("audiokit.speakers")
    except ImportError as exc:
        raise AudiokitError(f"speaker labelling cannot be loaded ({exc})", "reinstall audiokit") from exc


def _version() -> str:
    try:
        return metadata.version("audiokit")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _after(update: Progress, done: float) -> Progress:
    """``update`` for one track of several: its seconds count after the ``done`` seconds of the others."""
    return lambda seconds: update(done + seconds)


def audio_digest(episode: Episode) -> tuple[str, list[dict[str, str]]]:
    """One checksum for the recording (or all tracks, in order) and one per file."""
    files = [{"file": p.name, "sha256": sha256_file(p)} for p in episode.audio_inputs]
    if len(files) == 1:
        return files[0]["sha256"], files
    return hashlib.sha256("\n".join(f["sha256"] for f in files).encode()).hexdigest(), files


def check_inputs(episode: Episode) -> float:
    """Validate the recording or tracks before any work; return the episode's duration in seconds."""
    inputs = episode.audio_inputs
    if episode.multitrack:
        if len(set(inputs)) != len(inputs):
            raise ConfigError(
                f"{episode.file}: two speakers name the same track", "give every speaker their own track file"
            )
        if episode.speaker_count is not None and episode.speaker_count != len(inputs):
            raise ConfigError(
                f"{episode.file}: speaker_count is {episode.speaker_count} but there are {len(inputs)} tracks",
                "list one [[speakers]] entry with a track per person, or correct speaker_count",
            )
    return max(probe(path).duration for path in inputs)


def transcribe_episode(
    episode: Episode, *, model: str | None = None, device: str | None = None, progress: ProgressFactory | None = None
) -> Transcript:
    """Transcribe ``episode`` with speaker names; ``model``/``device`` override its settings.

    ``progress`` is a factory ``(label, total) -> update(done)``; work is counted in audio seconds.
    Nothing is written: save the result with ``Transcript.save``.
    """
    progress = progress or no_progress
    settings = load_settings(episode, model=model, device=device)
    language = episode.show.language.strip()
    if not language:
        raise ConfigError(f"{episode.show.file}: key 'language' is empty", 'set language = "de"')
    duration = check_inputs(episode)
    loaded = load_model(settings)
    glossary = load_glossary(episode.show.dir)
    terms = vocabulary(episode, glossary)
    bias = prompt(episode, glossary) if settings.prompt else None
    speakers = _speakers()
    inputs = episode.audio_inputs
    update = progress("transcribing", duration * len(inputs))
    word_tracks: list[int] | None = None
    voices = None
    stats = RecognitionStats()
    if episode.multitrack:
        activity = speakers.track_activity(inputs, progress=progress("finding who talks", duration * len(inputs)))
        tagged: list[tuple[Word, int]] = []
        for index, track in enumerate(inputs):
            done = index * duration
            recognition = transcribe_audio(
                track,
                loaded,
                settings,
                language=language,
                prompt=bias,
                regions=activity[index],
                progress=_after(update, done),
            )
            stats += recognition.stats
            tagged += [(w, index) for w in apply_vocabulary(recognition.words, glossary, terms)]
        tagged.sort(key=lambda wt: (wt[0].start, wt[1]))
        words = [w for w, _ in tagged]
        word_tracks = [t for _, t in tagged]
    else:  # the voices are found in a second thread while Whisper decodes (it leaves a core idle at times)
        with ThreadPoolExecutor(1, thread_name_prefix="audiokit-voices") as pool:
            finding = pool.submit(speakers.episode_voices, episode)
            recognition = transcribe_audio(inputs[0], loaded, settings, language=language, prompt=bias, progress=update)
            voices = finding.result()
        stats += recognition.stats
        words = apply_vocabulary(recognition.words, glossary, terms)
    update(duration * len(inputs))
    transcript = Transcript(
        language,
        duration,
        provenance=provenance(
            episode,
            settings,
            loaded.name,
            {
                "device": loaded.device,
                "compute_type": loaded.compute_type,
                "language": language,
                "prompt_text": bias or "",
            },
        ),
    )
    transcript.provenance["recognition"] = stats.as_dict()
    if words:
        labels = speakers.label_words(episode, words, word_tracks=word_tracks, voices=voices)
        transcript.speakers = list(labels.speakers)
        transcript.segments = build_segments(
            words, list(labels.labels), word_tracks=word_tracks, max_pause=settings.max_pause, overlaps=labels.overlaps
        )
        if labels.missing:
            transcript.provenance["speakers_not_heard"] = labels.missing
    if not words:
        log.warning(
            "%s: no speech was recognised in %s; check that the recording is the right one and not silent",
            episode.slug,
            ", ".join(p.name for p in inputs),
        )
    log.info("%s: %d words in %d turns", episode.slug, len(words), len(transcript.segments))
    return transcript


def provenance(
    episode: Episode, settings: TranscriptionSettings, model_name: str, extra: dict[str, Any]
) -> dict[str, Any]:
    """Where a transcript came from: audiokit version, model, settings, audio checksums."""
    digest, files = audio_digest(episode)
    return {
        "audiokit": _version(),
        "created": now_iso(),
        "model": model_name,
        "settings": {**settings.as_dict(), **extra},
        "audio_sha256": digest,
        "audio": files,
    }


def transcribe_file(
    path: Path,
    *,
    language: str = "de",
    speakers: int | None = None,
    model: str | None = None,
    device: str | None = None,
    progress: ProgressFactory | None = None,
) -> Transcript:
    """Transcribe a bare audio file with ``speakers`` voices (default: as many as are heard, 1-10).

    There is no episode.toml, so nothing names the voices ("Sprecher 1", …); the settings are the defaults.
    """
    path = Path(path).resolve()
    show = Show(dir=path.parent, slug="audio", title=path.stem, author="", language=language, base_url="", cover=path)
    episode = Episode(
        show=show,
        dir=path.parent,
        slug=slugify(path.stem),
        title=path.stem,
        number=0,
        date=dt.datetime.now(dt.timezone.utc),
        recording=path,
        speaker_count=speakers,
    )
    return transcribe_episode(episode, model=model, device=device, progress=progress)
