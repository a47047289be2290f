"""The incremental, atomic build engine with a real ffmpeg stage."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from audiokit import AudioError, BuildLockedError, build
from audiokit.build import build_lock
from audiokit.ffmpeg import media_path, probe, run_ffmpeg
from audiokit.stages import BuildContext, Stage
from audiokit.stamps import file_stamp


class ToFlac(Stage):
    """Converts the recording to FLAC in the episode's output folder."""

    name = "flac"
    runs = 0

    def fingerprint(self, ctx: BuildContext, episode) -> object:
        return [file_stamp(p) for p in episode.audio_inputs]

    def outputs(self, ctx: BuildContext, episode) -> list[Path]:
        return [ctx.episode_out(episode) / "audio.flac"]

    def run(self, ctx: BuildContext, episode) -> None:
        type(self).runs += 1
        probe(episode.recording)
        target = ctx.episode_out(episode) / "audio.flac"
        target.parent.mkdir(parents=True, exist_ok=True)
        from audiokit.atomic import atomic_path

        with atomic_path(target) as tmp:
            run_ffmpeg(["-i", media_path(episode.recording), media_path(tmp)])


class Index(Stage):
    name = "index"
    scope = "show"

    def fingerprint(self, ctx: BuildContext, episode) -> object:
        return [file_stamp(ctx.episode_out(e) / "audio.flac") for e in ctx.episodes]

    def run(self, ctx: BuildContext, episode) -> None:
        from audiokit.atomic import write_text

        write_text(ctx.out / "index.txt", "\n".join(e.slug for e in ctx.episodes))


class Explode(Stage):
    name = "explode"

    def fingerprint(self, ctx, episode) -> object:
        return time.time()

    def run(self, ctx, episode) -> None:
        (ctx.out / "half-written").write_text("x")
        raise KeyboardInterrupt  # as if the process were killed mid-stage


def test_second_build_does_no_work_and_changes_rebuild(tiny_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    ToFlac.runs = 0
    first = build(tiny_show, out, stages=[ToFlac(), Index()])
    assert [r.status for r in first.results] == ["done", "done"] and first.changed
    assert probe(out / "001-erste-folge" / "audio.flac").codec == "flac"
    second = build(tiny_show, out, stages=[ToFlac(), Index()])
    assert [r.status for r in second.results] == ["skipped", "skipped"] and not second.changed
    assert ToFlac.runs == 1
    recording = tiny_show / "001-erste-folge" / "aufnahme.wav"
    os.utime(recording, ns=(time.time_ns(), time.time_ns() + 10**9))
    third = build(tiny_show, out, stages=[ToFlac(), Index()])
    assert [r.status for r in third.results] == ["done", "done"]
    (out / "001-erste-folge" / "audio.flac").unlink()
    assert build(tiny_show, out, stages=[ToFlac(), Index()]).results[0].status == "done"


def test_killed_build_leaves_previous_output_intact(tiny_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(tiny_show, out, stages=[ToFlac(), Index()])
    before = {p.name: p.stat().st_mtime_ns for p in out.rglob("*")}
    with pytest.raises(KeyboardInterrupt):
        build(tiny_show, out, stages=[ToFlac(), Explode()])
    assert {p.name: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert not (out / "001-erste-folge" / "half-written").exists()
    report = build(tiny_show, out, stages=[ToFlac(), Index()])  # recovers the stale staging folder
    assert not report.changed
    assert not (tmp_path / ".public.staging").exists() and not (tmp_path / ".public.old").exists()


def test_failing_episode_is_reported_and_others_build(tiny_show: Path, tmp_path: Path) -> None:
    import shutil

    bad = tiny_show / "002-kaputt"
    shutil.copytree(tiny_show / "001-erste-folge", bad)
    (bad / "episode.toml").write_text((bad / "episode.toml").read_text().replace("number = 1", "number = 2"))
    (bad / "aufnahme.wav").write_text("kein Audio")
    report = build(tiny_show, tmp_path / "public", stages=[ToFlac(), Index()])
    status = {(r.episode, r.stage): r.status for r in report.results}
    assert status == {("001-erste-folge", "flac"): "done", ("002-kaputt", "flac"): "failed", ("", "index"): "done"}
    assert isinstance(report.failed[0].error, AudioError)
    assert (tmp_path / "public" / "001-erste-folge" / "audio.flac").exists()


def _hold_lock(out: str, ready, release) -> None:
    with build_lock(Path(out)):
        ready.set()
        release.wait(10)


def test_lock_stops_a_second_build(tiny_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    ctx = multiprocessing.get_context("spawn")  # a fork of a process with threads can hang on a lock they held
    ready, release = ctx.Event(), ctx.Event()
    holder = ctx.Process(target=_hold_lock, args=(str(out), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(BuildLockedError, match="another build"):
            build(tiny_show, out, stages=[ToFlac()])
    finally:
        release.set()
        holder.join(30)
        holder.kill()
    assert build(tiny_show, out, stages=[ToFlac()]).changed


class Outside(Stage):
    """Writes beside the recording (as transcription writes transcript.json), nothing into the output."""

    name = "outside"
    runs = 0

    def fingerprint(self, ctx: BuildContext, episode) -> object:
        return [file_stamp(p) for p in episode.audio_inputs]

    def outputs(self, ctx: BuildContext, episode) -> list[Path]:
        return [episode.dir / "notes.txt"]

    def run(self, ctx: BuildContext, episode) -> None:
        from audiokit.atomic import write_text

        type(self).runs += 1
        write_text(episode.dir / "notes.txt", "notes")


class Gate(Stage):
    """Fails while ``broken`` is set."""

    name = "gate"
    broken = False

    def fingerprint(self, ctx: BuildContext, episode) -> object:
        return [file_stamp(p) for p in episode.audio_inputs]

    def run(self, ctx: BuildContext, episode) -> None:
        if type(self).broken:
            raise AudioError("the gate is closed", "open it")


def test_failed_episode_keeps_its_published_files_and_what_was_done_elsewhere(
    tiny_show: Path, tmp_path: Path, monkeypatch
) -> None:
    out = tmp_path / "public"
    stages = [ToFlac(), Outside(), Gate(), Index()]
    build(tiny_show, out, stages=stages)
    flac = out / "001-erste-folge" / "audio.flac"
    published = flac.stat().st_ino
    recording = tiny_show / "001-erste-folge" / "aufnahme.wav"
    os.utime(recording, ns=(time.time_ns(), time.time_ns() + 10**9))
    monkeypatch.setattr(Gate, "broken", True)
    failed = build(tiny_show, out, stages=stages)
    assert [(r.stage, r.status) for r in failed.results] == [
        ("flac", "done"),
        ("outside", "done"),
        ("gate", "failed"),
        ("index", "skipped"),
    ]
    assert flac.stat().st_ino == published  # the new FLAC of the failed episode was not published
    monkeypatch.setattr(Gate, "broken", False)
    Outside.runs = 0
    fixed = build(tiny_show, out, stages=stages)
    # the FLAC is made again (the state went back with the files); the notes beside the recording stay done
    assert [(r.stage, r.status) for r in fixed.results] == [
        ("flac", "done"),
        ("outside", "skipped"),
        ("gate", "done"),
        ("index", "done"),
    ]
    assert Outside.runs == 0 and flac.stat().st_ino != published
