"""Where the episode stages of a build run: local worker processes, or the workers of a Dask cluster.

Both executors keep their worker processes for the whole build, so Whisper and the voice encoder
(cached per process) load once per worker, not once per episode. Each episode is one task (see
:mod:`audiokit.episode_task`); a task whose worker dies runs again on another one. Workers report
each episode's progress, and the client turns it into one progress bar in audio seconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import multiprocessing
import os
import queue
import time
import uuid
import warnings
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from . import episode_task
from .errors import AudiokitError, ConfigError
from .ffmpeg import probe
from .i18n import _
from .stages import BuildContext, Stage
from .stages.chain import StageResult, is_current, stage_record
from .workspace import Episode, Show

CLUSTER_ENV = "AUDIOKIT_CLUSTER"
ATTEMPTS = 3
"""How often an episode is tried when its worker dies."""
WORKER_THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
"""One BLAS/OpenMP thread per worker process, as Dask starts its workers: N processes share N cores
without oversubscription, and a local build transcribes exactly as a cluster build."""


class WorkerLost(Exception):
    """The worker running a task died; the task may run again."""


def _local_worker(messages: Any) -> None:
    episode_task.report_progress = messages.put


@contextlib.contextmanager
def _worker_environment() -> Iterator[None]:
    """Processes started inside get :data:`WORKER_THREADS` (they copy the environment when they start)."""
    saved = dict(os.environ)
    os.environ.update(WORKER_THREADS)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class LocalPool:
    """``workers`` processes on this machine (started fresh, not forked from the client); the pool
    starts them as tasks are submitted, so submitting happens in :func:`_worker_environment`."""

    def __init__(self, workers: int) -> None:
        self.slots = workers
        self._context = multiprocessing.get_context("spawn")
        self._messages = self._context.Queue()
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.slots, mp_context=self._context, initializer=_local_worker, initargs=(self._messages,)
        )

    def submit(self, task: episode_task.EpisodeTask) -> Future:
        with _worker_environment():
            try:
                return self._pool.submit(episode_task.run_task, task)
            except BrokenProcessPool:  # a worker died: a new pool, whose workers load their models anew
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
                return self._pool.submit(episode_task.run_task, task)

    def result(self, future: Future) -> episode_task.TaskResult:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            raise WorkerLost(str(exc) or _("a worker process died")) from exc

    def messages(self) -> Iterator[Any]:
        with contextlib.suppress(queue.Empty):
            while True:
                yield self._messages.get_nowait()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._messages.close()


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


@functools.cache
def _undo_dask_malloc_trim() -> None:
    """Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which makes glibc map every block over
    128 KiB afresh and return it at once: each audio array then faults in new pages, and a build ran
    1.6x slower. Large blocks come from the reused heap again (mallopt's M_MMAP_THRESHOLD, M_TRIM_THRESHOLD)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 64 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 128 << 20)


def _dask_task(task: episode_task.EpisodeTask, topic: str) -> episode_task.TaskResult:
    from distributed import get_worker

    _undo_dask_malloc_trim()
    worker = get_worker()
    episode_task.report_progress = lambda message: worker.log_event(topic, message)
    return episode_task.run_task(task)


class DaskCluster:
    """The workers of the Dask scheduler at ``address`` (they need audiokit, not the show's files)."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ConfigError(
                _("building on a cluster needs Dask distributed"), _("install it with: pip install 'audiokit[cluster]'")
            ) from exc
        try:
            self._client = Client(address, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(
                _("cannot reach the Dask scheduler at {address!r} ({exc})").format(address=address, exc=exc),
                _("start the cluster, or correct --cluster / {CLUSTER_ENV} / [build] cluster").format(
                    CLUSTER_ENV=CLUSTER_ENV
                ),
            ) from exc
        self.slots = max(1, sum(w["nthreads"] for w in self._client.scheduler_info()["workers"].values()))
        self._topic = f"audiokit-progress-{uuid.uuid4().hex}"
        self._messages: queue.SimpleQueue = queue.SimpleQueue()
        self._client.subscribe_topic(self._topic, lambda event: self._messages.put(event[1]))

    def submit(self, task: episode_task.EpisodeTask) -> Any:
        with warnings.catch_warnings():  # the task carries its audio on purpose: workers share no files
            warnings.filterwarnings("ignore", message=".*Large object.*")
            return self._client.submit(
                _dask_task, task, self._topic, key=f"audiokit-{task.slug}-{uuid.uuid4().hex}", retries=1, pure=False
            )

    def result(self, future: Any) -> episode_task.TaskResult:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker as exc:
            raise WorkerLost(_("the workers running it died ({exc})").format(exc=exc)) from exc

    def messages(self) -> Iterator[Any]:
        with contextlib.suppress(queue.Empty):
            while True:
                yield self._messages.get_nowait()

    def close(self) -> None:
        self._client.unsubscribe_topic(self._topic)
        self._client.close()


@contextlib.contextmanager
def open_executor(show: Show, workers: int = 1, cluster: str | None = None) -> Iterator[Any]:
    """The executor for a build: a Dask cluster (``cluster``, else ``AUDIOKIT_CLUSTER``, else
    ``[build] cluster`` of show.toml), local processes for ``workers`` > 1, or None (in this process)."""
    if workers < 1:
        raise ConfigError(_("--workers is {workers}").format(workers=workers), _("give 1 or more worker processes"))
    address = cluster or os.environ.get(CLUSTER_ENV) or show.settings.get("build", {}).get("cluster")
    if address and workers > 1:
        raise ConfigError(
            _("both --workers {workers} and the cluster {address!r} are given").format(
                workers=workers, address=address
            ),
            _("build on this machine (--workers) or on the cluster, not both"),
        )
    if not address and workers == 1:
        yield None
        return
    executor = DaskCluster(address) if address else LocalPool(workers)
    try:
        yield executor
    finally:
        executor.close()


def _duration(episode: Episode) -> float:
    try:
        return max(probe(p).duration for p in episode.audio_inputs)
    except AudiokitError:
        return 0.0


def run_episodes(
    executor: Any,
    ctx: BuildContext,
    stages: list[Stage],
    episodes: list[Episode],
    state: dict[str, Any],
    published: Path,
) -> Iterator[tuple[str, list[StageResult], dict[str, Any]]]:
    """Run ``stages`` for ``episodes`` on ``executor``; yield ``(slug, results, records)`` per episode.

    An episode whose stages are all current is skipped here without a task. The files a task sent
    back are in the staging view (and the show) when its episode is yielded.
    """
    waiting: list[Episode] = []
    for episode in episodes:
        records = state.get(episode.slug, {})
        if all(is_current(ctx, s, episode, records.get(s.name)) for s in stages):
            yield episode.slug, [StageResult(episode.slug, s.name, "skipped") for s in stages], records
        else:
            waiting.append(episode)
    seconds = {e.slug: _duration(e) for e in waiting}
    done = {e.slug: 0.0 for e in waiting}
    bar = ctx.progress(_("build"), sum(seconds.values())) if waiting else None
    attempts = {e.slug: 0 for e in waiting}
    running: dict[str, tuple[Episode, Any]] = {}
    shown = -1.0

    def submit(episode: Episode) -> None:
        attempts[episode.slug] += 1
        task = episode_task.pack(ctx, stages, episode, state.get(episode.slug, {}), published)
        running[episode.slug] = (episode, executor.submit(task))

    while waiting or running:
        while waiting and len(running) < 2 * executor.slots:  # a bounded number of packed tasks in memory
            submit(waiting.pop(0))
        for slug, fraction in executor.messages():
            done[slug] = max(done.get(slug, 0.0), fraction)
        if bar and (now := sum(seconds[s] * f for s, f in done.items())) != shown:
            bar(shown := now)
        for slug, (episode, future) in list(running.items()):
            if not future.done():
                continue
            del running[slug]
            try:
                result = executor.result(future)
            except WorkerLost as exc:
                if attempts[slug] < ATTEMPTS:
                    submit(episode)
                    continue
                error = AudiokitError(
                    _("{slug}: the build of the episode failed {ATTEMPTS} times: {exc}").format(
                        slug=slug, ATTEMPTS=ATTEMPTS, exc=exc
                    ),
                    _("check the workers' logs (memory, crashes) and build again"),
                )
                yield slug, [StageResult(slug, stages[0].name, "failed", error)], state.get(slug, {})
                continue
            episode_task.unpack(ctx, result)
            records = dict(result.records)
            for r, stage in zip(result.results, stages):
                if r.status == "done":  # the worker's key has its own paths: the key of the files here
                    records[stage.name] = stage_record(ctx, stage, episode, records[stage.name]["files"])
            done[slug] = 1.0
            yield slug, result.results, records
        time.sleep(0.1)
