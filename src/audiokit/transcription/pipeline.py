"""Episode → canonical transcript: settings, recognition, speaker labels (``audiokit.speakers``), turns, provenance."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from importlib import metadata
from pathlib import Path
from typing import Any

from ..config.schema import TranscriptionSettings
from ..config.validate import Place, convert, layered
from ..errors import AudiokitError, ConfigError
from ..ffmpeg import Progress, probe
from ..glossary import load_glossary
from ..i18n import _
from ..models import sha256_file
from ..paths import slugify
from ..progress import ProgressFactory, no_progress
from ..transcript import Segment, Transcript, Word, now_iso
from ..workspace import Episode, Show
from .asr import load_model, transcribe_audio
from .guards import RecognitionStats
from .vocabulary import apply_vocabulary, prompt, vocabulary

log = logging.getLogger("audiokit")


def _version() -> str:
    try:
        return metadata.version("audiokit")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _after(update: Progress, done: float) -> Progress:
    """``update`` for one track of several: its seconds count after the ``done`` seconds of the others."""
    return lambda seconds: update(done + seconds)


def _voices(finding: Future[Any], heard: list[float], progress: ProgressFactory, duration: float) -> Any:
    """The voices the second thread finds; if it is still at work when Whisper is done, with its own progress."""
    if not finding.done():
        update = progress(_("finding the voices"), duration)
        while not wait([finding], timeout=0.5).done:
            update(heard[-1] if heard else 0.0)
        update(duration)
    return finding.result()


def load_settings(episode: Episode, *, model: str | None = None, device: str | None = None) -> TranscriptionSettings:
    """The show's ``[transcription]`` table, overridden by the episode's, then by ``model``/``device``."""
    values = layered(TranscriptionSettings, episode.setting_layers("transcription"))
    values.update({k: v for k, v in {"model": model, "device": device}.items() if v})
    return convert(values, TranscriptionSettings, Place(table="transcription."))


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
                _("{file}: two speakers name the same track").format(file=episode.file),
                _("give every speaker their own track file"),
            )
        if episode.speaker_count is not None and episode.speaker_count != len(inputs):
            raise ConfigError(
                _("{file}: speaker_count is {speaker_count} but there are {len_inputs} tracks").format(
                    file=episode.file, speaker_count=episode.speaker_count, len_inputs=len(inputs)
                ),
                _("list one [[speakers]] entry with a track per person, or correct speaker_count"),
            )
    return max(probe(path).duration for path in inputs)


def _runs(words: list[Word], labels: list[str], max_pause: float) -> list[Segment]:
    segments: list[Segment] = []
    for word, label in zip(words, labels):
        last = segments[-1] if segments else None
        if last is None or last.speaker != label or word.start - last.end > max_pause:
            segments.append(Segment(label, word.start, word.end, [word]))
        else:
            last.words.append(word)
            last.end = max(last.end, word.end)
    return segments


def build_segments(
    words: list[Word],
    labels: list[str],
    *,
    word_tracks: list[int] | None = None,
    max_pause: float = 2.0,
    overlaps: Sequence[tuple[float, float]] = (),
) -> list[Segment]:
    """Group time-ordered ``words`` into turns of their speaker ``labels``.

    Single track: a new turn starts when the speaker changes or after a pause over ``max_pause``;
    turns that touch one of the ``overlaps`` (spans where two voices were heard at once) are flagged.
    Multitrack (``word_tracks``): each track is grouped on its own, so a short reply spoken over
    someone else's turn does not cut that turn in two; turns that overlap in time are flagged.
    """
    if len(labels) != len(words) or (word_tracks is not None and len(word_tracks) != len(words)):
        raise ValueError("one label (and track) per word is needed")
    if word_tracks is None:
        runs = _runs(words, labels, max_pause)
        for segment in runs:
            segment.overlap = any(start < segment.end and end > segment.start for start, end in overlaps)
        return runs
    segments: list[Segment] = []
    for track in sorted(set(word_tracks)):
        chosen = [i for i, t in enumerate(word_tracks) if t == track]
        segments += _runs([words[i] for i in chosen], [labels[i] for i in chosen], max_pause)
    segments.sort(key=lambda s: (s.start, s.end))
    latest: Segment | None = None  # the segment reaching furthest so far
    for segment in segments:
        if latest is not None and segment.start < latest.end and segment.speaker != latest.speaker:
            segment.overlap = latest.overlap = True
        if latest is None or segment.end > latest.end:
            latest = segment
    return segments


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
        raise ConfigError(_("{file}: key 'language' is empty").format(file=episode.show.file), _('set language = "de"'))
    duration = check_inputs(episode)
    loading = progress(_("loading the Whisper model"), 1)
    loaded = load_model(settings)
    loading(1)
    glossary = load_glossary(episode.show.dir)
    terms = vocabulary(episode, glossary)
    bias = prompt(episode, glossary) if settings.prompt else None
    try:
        speakers = importlib.import_module("audiokit.speakers")
    except ImportError as exc:
        raise AudiokitError(
            _("speaker labelling cannot be loaded ({exc})").format(exc=exc), _("reinstall audiokit")
        ) from exc
    inputs = episode.audio_inputs
    word_tracks: list[int] | None = None
    voices = None
    stats = RecognitionStats()
    if episode.multitrack:
        activity = speakers.track_activity(inputs, progress=progress(_("finding who talks"), duration * len(inputs)))
        update = progress(_("transcribing"), duration * len(inputs))
        tagged: list[tuple[Word, int]] = []
        for index, track in enumerate(inputs):
            recognition = transcribe_audio(
                track,
                loaded,
                settings,
                language=language,
                prompt=bias,
                regions=activity[index],
                progress=_after(update, index * duration),
            )
            stats += recognition.stats
            tagged += [(w, index) for w in apply_vocabulary(recognition.words, glossary, terms)]
        tagged.sort(key=lambda wt: (wt[0].start, wt[1]))
        words = [w for w, _ in tagged]
        word_tracks = [t for _, t in tagged]
    else:  # the voices are found in a second thread while Whisper decodes (it leaves a core idle at times)
        heard: list[float] = []  # seconds of the recording the voice thread has embedded
        update = progress(_("transcribing"), duration)
        with ThreadPoolExecutor(1, thread_name_prefix="audiokit-voices") as pool:
            finding = pool.submit(speakers.episode_voices, episode, heard.append)
            recognition = transcribe_audio(inputs[0], loaded, settings, language=language, prompt=bias, progress=update)
            update(duration)
            voices = _voices(finding, heard, progress, duration)
        stats += recognition.stats
        words = apply_vocabulary(recognition.words, glossary, terms)
    update(duration * len(inputs))
    digest, files = audio_digest(episode)
    provenance = {  # where the transcript came from: audiokit version, model, settings, audio checksums
        "audiokit": _version(),
        "created": now_iso(),
        "model": loaded.name,
        "settings": {
            **settings.as_dict(),
            "device": loaded.device,
            "compute_type": loaded.compute_type,
            "language": language,
            "prompt_text": bias or "",
        },
        "audio_sha256": digest,
        "audio": files,
        "recognition": stats.as_dict(),
    }
    transcript = Transcript(language, duration, provenance=provenance)
    if words:
        naming = progress(_("naming the speakers"), 1)
        labels = speakers.label_words(episode, words, word_tracks=word_tracks, voices=voices)
        naming(1)
        transcript.speakers = list(labels.speakers)
        transcript.segments = build_segments(
            words, list(labels.labels), word_tracks=word_tracks, max_pause=settings.max_pause, overlaps=labels.overlaps
        )
        if labels.missing:
            transcript.provenance["speakers_not_heard"] = labels.missing
    else:
        log.warning(
            _("%s: no speech was recognised in %s; check that the recording is the right one and not silent"),
            episode.slug,
            ", ".join(p.name for p in inputs),
        )
    log.info(_("%s: %d words in %d turns"), episode.slug, len(words), len(transcript.segments))
    return transcript


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
