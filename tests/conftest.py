"""Shared fixtures: a scratch copy of the demo show, and minimal shows built in tmp_path."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # tests/synth.py and helpers_*.py
os.environ["AUDIOKIT_LANG"] = (
    "en"  # the suite asserts English messages; set before audiokit is imported, inherited by subprocesses
)


@pytest.fixture
def demo_show(tmp_path: Path) -> Path:
    """A writable copy of the demo show in episodes/."""
    target = tmp_path / "show"
    shutil.copytree(
        ROOT / "episodes",
        target,
        ignore=shutil.ignore_patterns("public", ".audiokit", "transcript.json", ".transcript-history"),
    )
    return target


@pytest.fixture(scope="session")
def demo_transcript(tmp_path_factory) -> str:
    """The demo episode's transcript JSON, made once per session with the real Whisper model (a clone has none)."""
    from audiokit import load_show
    from audiokit.transcription import transcribe_episode

    show = tmp_path_factory.mktemp("demo-transcript") / "show"
    shutil.copytree(ROOT / "episodes", show, ignore=shutil.ignore_patterns("public", ".audiokit", "transcript.json"))
    path = show / "transcript.json"
    transcribe_episode(load_show(show).episodes()[0]).save(path)
    return path.read_text("utf-8")


@pytest.fixture
def transcribed_demo_show(demo_show: Path, demo_transcript: str) -> Path:
    """The demo show with its episode transcribed."""
    (demo_show / "001-epa-im-praxisalltag" / "transcript.json").write_text(demo_transcript, "utf-8")
    return demo_show


@pytest.fixture
def tiny_show(tmp_path: Path) -> Path:
    """A minimal valid show with one episode whose recording is a 1 s WAV tone."""
    import numpy as np

    from audiokit.scaffold import placeholder_cover
    from synth import write_wav

    show = tmp_path / "tiny"
    episode = show / "001-erste-folge"
    episode.mkdir(parents=True)
    placeholder_cover("Tiny").save(show / "cover.png")
    (show / "show.toml").write_text(
        'title = "Kleine Show"\nauthor = "Redaktion"\nbase_url = "https://example.org/tiny"\n'
        'cover = "cover.png"\n\n[[hosts]]\nname = "Anna Beispiel"\norganisation = "Beispielhaus"\n',
        encoding="utf-8",
    )
    t = np.arange(22050) / 22050
    write_wav(episode / "aufnahme.wav", 0.2 * np.sin(2 * np.pi * 440 * t))
    (episode / "episode.toml").write_text(
        'title = "Erste Folge"\nnumber = 1\ndate = 2026-11-10T18:00:00+01:00\nrecording = "aufnahme.wav"\n',
        encoding="utf-8",
    )
    return show


CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium; test tools' own browser downloads fail here
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright, shared by all browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
