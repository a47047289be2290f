"""Parallel builds: local worker processes and a Dask cluster build what a sequential build builds.

The cluster is a real ``distributed.LocalCluster`` of two worker processes; the workers get every
input through the task (the tasks run in temporary folders), and a worker killed mid-build is
replaced while its episode runs again on the other one. Whisper's words depend (slightly) on the
number of BLAS/OpenMP threads, and workers (Dask's and ours) run with one thread each, so the
sequential build they are compared with runs in a process with the workers' environment.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from audiokit.build import BuildReport, build
from audiokit.cli import cli
from audiokit.errors import ConfigError
from audiokit.executors import WORKER_THREADS
from audiokit.transcript import load as load_transcript

distributed = pytest.importorskip("distributed")

DEMO_RECORDING = Path(__file__).resolve().parents[1] / "episodes" / "001-epa-im-praxisalltag" / "aufnahme.opus"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as c:
        yield c


def build_like_a_worker(show: Path) -> None:
    """Build ``show`` sequentially in a process with the thread limits of a worker."""
    env = {**os.environ, **WORKER_THREADS}
    subprocess.run(
        [sys.executable, "-c", "from audiokit.cli import main; main()", "-q", "build", str(show)], env=env, check=True
    )


@pytest.fixture(scope="module")
def six_episodes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A show of six short spoken episodes (unbuilt), and a copy built one episode after the other."""
    from audiokit.ffmpeg import media_path, run_ffmpeg
    from audiokit.scaffold import placeholder_cover

    show = tmp_path_factory.mktemp("six") / "show"
    show.mkdir()
    placeholder_cover("Sechs").save(show / "cover.png")
    (show / "show.toml").write_text(
        'title = "Sechs Folgen"\nauthor = "Redaktion"\nbase_url = "https://example.org/sechs"\n'
        'cover = "cover.png"\n\n[[hosts]]\nname = "Anna Beispiel"\n',
        encoding="utf-8",
    )
    for number in range(1, 7):  # ten seconds each of the demo's real German speech
        folder = show / f"{number:03d}-folge"
        folder.mkdir()
        run_ffmpeg(
            [
                "-ss",
                str(10 * (number - 1)),
                "-t",
                "10",
                "-i",
                media_path(DEMO_RECORDING),
                media_path(folder / "aufnahme.wav"),
            ]
        )
        (folder / "episode.toml").write_text(
            f'title = "Folge {number}"\nnumber = {number}\ndate = 2026-11-{number:02d}T18:00:00+01:00\n'
            'recording = "aufnahme.wav"\n',
            encoding="utf-8",
        )
    reference = show.parent / "sequential"
    shutil.copytree(show, reference)
    build_like_a_worker(reference)
    return show, reference


def _copy(show: Path, target: Path) -> Path:
    shutil.copytree(show, target)
    return target


def _feed(show: Path) -> str:
    return re.sub(r"<lastBuildDate>.*?</lastBuildDate>", "", (show / "public" / "feed.xml").read_text("utf-8"))


def _transcripts(show: Path) -> dict[str, list[tuple[str, str]]]:
    return {
        p.parent.name: [(s.speaker, s.text) for s in load_transcript(p).segments]
        for p in sorted(show.glob("*/transcript.json"))
    }


def _published(show: Path) -> list[str]:
    return sorted(str(p.relative_to(show / "public")) for p in (show / "public").rglob("*") if p.is_file())


def assert_same_build(show: Path, reference: Path, report: BuildReport) -> None:
    assert not report.failed
    assert {r.status for r in report.results} == {"done"}
    assert _feed(show) == _feed(reference)
    assert _transcripts(show) == _transcripts(reference)
    assert all(texts for texts in _transcripts(show).values())
    assert _published(show) == _published(reference)


def test_cluster_builds_six_episodes_like_a_local_build(cluster, six_episodes, tmp_path: Path) -> None:
    source, reference = six_episodes
    show = _copy(source, tmp_path / "show")
    assert_same_build(show, reference, build(show, cluster=cluster.scheduler_address))
    again = build(show, cluster=cluster.scheduler_address)  # the fingerprints the workers left hold here
    assert {r.status for r in again.results} == {"skipped"}
    assert not again.changed


def test_cluster_builds_the_demo_show_like_a_local_build(cluster, demo_show: Path, tmp_path: Path) -> None:
    (demo_show / "001-epa-im-praxisalltag" / "transcript.json").unlink(missing_ok=True)  # both builds transcribe
    local = _copy(demo_show, tmp_path / "local")
    build_like_a_worker(local)
    report = build(demo_show, cluster=cluster.scheduler_address)
    assert_same_build(demo_show, local, report)
    assert len(_transcripts(demo_show)["001-epa-im-praxisalltag"]) > 3


def _build_in_thread(show: Path, **kwargs) -> tuple[threading.Thread, list]:
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(build(show, **kwargs)))
    thread.start()
    return thread, outcome


def test_a_killed_cluster_worker_does_not_stop_the_build(cluster, six_episodes, tmp_path: Path) -> None:
    source, reference = six_episodes
    show = _copy(source, tmp_path / "show")
    with distributed.Client(cluster.scheduler_address) as client:
        thread, outcome = _build_in_thread(show, cluster=cluster.scheduler_address)
        busy: dict = {}
        while not busy and thread.is_alive():
            busy = {w: keys for w, keys in client.processing().items() if keys}
            time.sleep(0.05)
        assert busy, "the build ended before any task ran"
        worker = next(iter(busy))
        pid = client.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, signal.SIGKILL)
        thread.join(timeout=600)
    assert_same_build(show, reference, outcome[0])


def test_workers_build_like_a_sequential_build_even_when_one_dies(six_episodes, tmp_path: Path) -> None:
    source, reference = six_episodes
    show = _copy(source, tmp_path / "show")
    thread, outcome = _build_in_thread(show, workers=2)
    children: list = []
    while len(children) < 2 and thread.is_alive():
        children = multiprocessing.active_children()
        time.sleep(0.05)
    assert children, "the build ended before any worker started"
    os.kill(children[0].pid, signal.SIGKILL)
    thread.join(timeout=600)
    assert_same_build(show, reference, outcome[0])
    again = CliRunner().invoke(cli, ["build", str(show), "--workers", "2"])
    assert again.exit_code == 0 and "is up to date" in again.output, again.output


def test_workers_and_a_cluster_together_are_refused(tiny_show: Path) -> None:
    (tiny_show / "show.toml").write_text(
        (tiny_show / "show.toml").read_text("utf-8") + '\n[build]\ncluster = "tcp://127.0.0.1:1"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="--workers"):
        build(tiny_show, workers=2)
    (tiny_show / "show.toml").write_text(
        (tiny_show / "show.toml").read_text("utf-8") + 'clustr = "x"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="clustr"):
        build(tiny_show)
