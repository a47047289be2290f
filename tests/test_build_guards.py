"""Build engine: --out guards, missing outputs, --force, drafts, internal files, permissions."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from audiokit import build
from audiokit.errors import ConfigError
from audiokit.publish.check import check_site
from audiokit.stages import BuildContext, Stage, default_stages
from audiokit.stamps import file_stamp
from audiokit.workspace import load_episodes, load_show
from test_build_engine import Index, ToFlac

EPISODE = "001-erste-folge"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Notes(Stage):
    """Writes bookkeeping (``notes.json``, internal) that its ``run`` reads back on the next build."""

    name = "notes"
    internal = ("notes.json",)

    def fingerprint(self, ctx: BuildContext, episode) -> object:
        return [file_stamp(p) for p in episode.audio_inputs]

    def run(self, ctx: BuildContext, episode) -> None:
        from audiokit.atomic import write_text

        path = ctx.episode_out(episode) / "notes.json"
        runs = json.loads(path.read_text()).get("runs", 0) if path.exists() else 0
        write_text(path, json.dumps({"runs": runs + 1}))


@pytest.mark.parametrize("where", ["show", "parent", "episode", "inside-episode"])
def test_an_out_that_is_holds_or_lies_inside_the_show_is_refused(tiny_show: Path, where: str, monkeypatch) -> None:
    (tiny_show / EPISODE / "transcript.json").write_text('{"kept": true}')
    before = tree(tiny_show.parent)
    out = {
        "show": tiny_show,
        "parent": tiny_show.parent,
        "episode": tiny_show / EPISODE,
        "inside-episode": tiny_show / EPISODE / "public",
    }[where]
    monkeypatch.chdir(tiny_show.parent)
    with pytest.raises(ConfigError, match="--out"):
        build(tiny_show, out if where != "parent" else Path("."), stages=[ToFlac(), Index()])
    assert tree(tiny_show.parent) == before
    assert build(tiny_show, stages=[ToFlac(), Index()]).changed  # SHOW/public, the default, is fine


def test_a_deleted_output_is_made_again_and_force_reruns_everything(tiny_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(tiny_show, out, stages=[ToFlac(), Index()])
    (out / "index.txt").unlink()  # Index declares no outputs(): the build remembers what it wrote
    report = build(tiny_show, out, stages=[ToFlac(), Index()])
    assert [r.status for r in report.results] == ["skipped", "done"]
    assert (out / "index.txt").read_text() == EPISODE
    ToFlac.runs = 0
    forced = build(tiny_show, out, stages=[ToFlac(), Index()], force=True)
    assert [r.status for r in forced.results] == ["done", "done"] and ToFlac.runs == 1


def test_an_episode_waiting_for_its_recording_is_a_draft(tiny_show: Path, tmp_path: Path) -> None:
    waiting = tiny_show / "002-zweite-folge"
    waiting.mkdir()
    (waiting / "episode.toml").write_text(
        'title = "Zweite"\nnumber = 2\ndate = 2026-11-17T18:00:00+01:00\nrecording = "aufnahme.wav"\n'
    )
    marked = tiny_show / "003-dritte-folge"
    shutil.copytree(tiny_show / EPISODE, marked)
    toml = marked / "episode.toml"
    toml.write_text(toml.read_text().replace("number = 1", "number = 3") + "draft = true\n")
    out = tmp_path / "public"
    report = build(tiny_show, out, stages=[ToFlac(), Index()])
    assert not report.failed
    assert set(report.drafts) == {"002-zweite-folge", "003-dritte-folge"}
    assert "'aufnahme.wav', which does not exist" in report.drafts["002-zweite-folge"]
    assert (out / "index.txt").read_text() == EPISODE and not (out / "003-dritte-folge").exists()
    only = build(tiny_show, out, stages=[ToFlac(), Index()], only=[EPISODE])
    assert not only.failed
    with pytest.raises(Exception, match="draft"):
        build(tiny_show, out, stages=[ToFlac(), Index()], only=["002-zweite-folge"])


def test_drafts_are_one_rule_of_the_workspace_and_may_share_a_number(tiny_show: Path) -> None:
    draft = tiny_show / "002-entwurf"
    draft.mkdir()
    (draft / "episode.toml").write_text(
        'title = "Entwurf"\nnumber = 1\ndate = 2026-11-17T18:00:00+01:00\nrecording = "aufnahme.wav"\ndraft = true\n'
    )
    show = load_show(tiny_show)
    everything = load_episodes(show, drafts=True)
    assert [(e.slug, e.draft_reason) for e in everything] == [
        ("001-erste-folge", ""),
        ("002-entwurf", "marked draft = true"),
    ]
    with pytest.raises(ConfigError, match="'aufnahme.wav', which does not exist"):
        load_episodes(show)  # without drafts, a missing recording is an error as before


def test_internal_files_stay_out_of_the_published_folder(tiny_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(tiny_show, out, stages=[ToFlac(), Notes(), Index()])
    assert sorted(tree(out)) == [f"{EPISODE}/audio.flac", "index.txt"]
    recording = tiny_show / EPISODE / "aufnahme.wav"
    os.utime(recording, ns=(recording.stat().st_atime_ns, recording.stat().st_mtime_ns + 10**9))
    build(tiny_show, out, stages=[ToFlac(), Notes(), Index()])  # Notes reads its own file back
    internal = tmp_path / ".public.audiokit"
    assert json.loads((internal / EPISODE / "notes.json").read_text()) == {"runs": 2}
    assert sorted(tree(out)) == [f"{EPISODE}/audio.flac", "index.txt"]
    assert {"master.json", "publish.json"} <= {name for stage in default_stages() for name in stage.internal}


@pytest.mark.slow
def test_a_real_build_publishes_no_bookkeeping_and_restores_deleted_files(tiny_show: Path) -> None:
    show = tiny_show
    toml = show / "show.toml"
    toml.write_text(
        toml.read_text().replace(
            'cover = "cover.png"', 'cover = "cover.png"\ncategories = ["Technology"]\nowner_email = "a@example.org"'
        )
    )
    out = show / "public"
    assert not build(show).failed
    names = {p.name for p in out.rglob("*")}
    assert not names & {"master.json", "publish.json", "state.json"}
    assert check_site(out) == []
    (out / "index.html").unlink()
    (out / EPISODE / "transcript.vtt").unlink()
    assert check_site(out)  # audiokit check notices …
    report = build(show)  # … and the build restores them
    assert {(r.episode, r.stage) for r in report.results if r.status == "done"} == {(EPISODE, "publish"), ("", "site")}
    assert check_site(out) == []


# -- permissions: tests run as root here, so the code runs with the powers to ignore them dropped -------------


def as_user(code: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run Python ``code`` as an ordinary user would: file permissions apply, also for root."""
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] if os.geteuid() == 0 else []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    return subprocess.run(
        [*prefix, sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def cli_as_user(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``audiokit ARGS`` as an ordinary user."""
    return as_user(f"import sys; sys.argv[1:] = {args!r}; from audiokit.cli import main; main()", cwd)


def read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(stat.S_IMODE(p.stat().st_mode) & ~0o222)


BUILD = (
    "from pathlib import Path; from audiokit import build; from test_build_engine import Index, ToFlac; "
    "r = build(Path({show!r}), Path({out!r}), stages=[ToFlac(), Index()]); print(r.changed, r.failed)"
)


def test_a_read_only_leftover_staging_and_output_do_not_break_the_next_build(tiny_show: Path, tmp_path: Path) -> None:
    out = tmp_path / "pub"
    assert as_user(BUILD.format(show=str(tiny_show), out=str(out)), tmp_path).stdout.strip() == "True []"
    leftover = tmp_path / ".pub.staging"  # a crashed build's copy, read-only like the output it copied
    shutil.copytree(out, leftover)
    (leftover / "halb.mp3").write_text("x")
    read_only(leftover)
    read_only(out)
    recording = tiny_show / EPISODE / "aufnahme.wav"
    os.utime(recording, ns=(recording.stat().st_atime_ns, recording.stat().st_mtime_ns + 10**9))
    result = as_user(BUILD.format(show=str(tiny_show), out=str(out)), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True []"
    assert not leftover.exists() and sorted(tree(out)) == [f"{EPISODE}/audio.flac", "index.txt"]


def test_permission_errors_are_one_error_line(tmp_path: Path) -> None:
    from helpers_editor import make_show

    episode, _ = make_show(tmp_path / "runde")
    text = tmp_path / "korrigiert.txt"
    text.write_text("Clara Vogt [Netzwerk Digitale Gesundheit]:\nGuten Abend.\n", "utf-8")
    before = tree(episode)
    read_only(episode)
    result = cli_as_user(["import-text", str(episode), str(text)], tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Permission denied" in result.stderr and " — " in result.stderr
    assert tree(episode) == before
    out = tmp_path / "ro-out"
    out.mkdir()
    out.chmod(0o555)
    result = cli_as_user(["export", str(episode), "-o", str(out / "t.txt")], tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("Error: cannot write") and "chmod" in result.stderr
    result = cli_as_user(["export", str(episode), "-o", "/proc/version"], tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
