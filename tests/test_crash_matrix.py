"""Issue 10 crash matrix: ``kill -9`` at every file-system step of a build and of an editor save, and
a read-only output. The previous output stays whole, and the next run succeeds with no manual step.

The killed process is a real child process that sends itself SIGKILL right before its k-th rename,
replace or hard link (the points where a build or a save changes what is on disk), for every k.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from audiokit import build
from audiokit import transcript as transcript_mod
from audiokit.editor import History
from audiokit.editor.operations import apply_and_save
from audiokit.glossary import load_glossary
from helpers_editor import make_show
from synth import write_wav
from test_build_engine import Index, ToFlac
from test_build_guards import EPISODE, Notes, as_user, tree

KILL_AT = """
import os, signal, sys
calls = [0]
def killing(step):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == {k}:
            os.kill(os.getpid(), signal.SIGKILL)
        return step(*args, **kwargs)
    return wrapped
os.rename, os.replace, os.link = killing(os.rename), killing(os.replace), killing(os.link)
"""

BUILD = """
from pathlib import Path
from audiokit import build
from test_build_engine import Index, ToFlac
from test_build_guards import Notes
{kill}
build(Path({show!r}), Path({out!r}), stages=[ToFlac(), Notes(), Index()])
print(calls[0])
"""

SAVE = """
from pathlib import Path
from audiokit.editor import History
from audiokit.editor.operations import apply_and_save
history = History(Path({path!r}))
_, etag = history.load()
{kill}
apply_and_save(history, {{"op": "replace_always", "wrong": "E-Pa", "right": "ePA"}}, expected=etag,
               show_dir=Path({show!r}))
print(calls[0])
"""

LEFTOVERS = (".pub.staging", ".pub.commit", ".pub.old", ".pub.audiokit.staging", ".pub.audiokit.old")


def child(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


def touch(path: Path) -> None:
    """A new modification time: the file counts as changed."""
    os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 10**9))


def test_a_build_killed_at_any_step_leaves_a_whole_output_and_the_next_build_finishes(
    tiny_show: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    out = work / "pub"
    stages = [ToFlac(), Notes(), Index()]
    build(tiny_show, out, stages=stages)
    write_wav(tiny_show / EPISODE / "aufnahme.wav", 0.2 * np.sin(2 * np.pi * 550 * np.arange(22050) / 22050))
    pristine = tmp_path / "pristine"
    shutil.copytree(work, pristine)
    old = tree(out)

    steps = int(child(BUILD.format(kill=KILL_AT.format(k=0), show=str(tiny_show), out=str(out))).stdout)
    assert steps >= 10
    new = tree(out)
    assert new != old

    for k in range(1, steps + 1):
        shutil.rmtree(work)
        shutil.copytree(pristine, work)
        killed = child(BUILD.format(kill=KILL_AT.format(k=k), show=str(tiny_show), out=str(out)))
        assert killed.returncode == -9, (k, killed.stderr)
        if out.exists():
            assert tree(out) in (old, new), k  # never a mix of the two
        else:  # killed between the two renames of the swap: the old output waits beside it
            assert tree(work / ".pub.old") == old, k
        report = build(tiny_show, out, stages=stages)  # no manual step
        assert not report.failed, k
        assert tree(out) == new, k
        assert (work / ".pub.audiokit" / EPISODE / "notes.json").read_text() == '{"runs": 2}', k
        assert not [n for n in LEFTOVERS if (work / n).exists()], k


def test_an_editor_save_killed_at_any_step_leaves_a_whole_transcript_and_glossary(tmp_path: Path) -> None:
    episode, original = make_show(tmp_path / "show")
    show = episode.parent
    path = episode / "transcript.json"
    glossary = show / "glossary.toml"
    glossary.write_text('# unsere Begriffe\nterms = ["Gematik"]\n', "utf-8")
    History(path).load()  # the first version is recorded
    pristine = tmp_path / "pristine"
    shutil.copytree(show, pristine)

    steps = int(child(SAVE.format(kill=KILL_AT.format(k=0), path=str(path), show=str(show))).stdout)
    assert steps >= 4
    saved = transcript_mod.load(path)
    assert saved != original and "ePA" in saved.segments[1].text

    for k in range(1, steps + 1):
        shutil.rmtree(show)
        shutil.copytree(pristine, show)
        killed = child(SAVE.format(kill=KILL_AT.format(k=k), path=str(path), show=str(show)))
        assert killed.returncode == -9, (k, killed.stderr)
        assert transcript_mod.load(path) in (original, saved), k
        assert load_glossary(show).terms[0] == "Gematik"  # still a whole, readable glossary
        assert glossary.read_text("utf-8").startswith("# unsere Begriffe")
        history = History(path)
        current, etag = history.load()
        first = current.segments[0].id
        etag = apply_and_save(
            history, {"op": "edit", "segment": first, "text": "Guten Abend."}, expected=etag, show_dir=show
        )
        assert transcript_mod.load(path).segments[0].text == "Guten Abend." and history.etag() == etag, k


def test_a_read_only_parent_fails_in_one_line_and_the_next_build_succeeds(tiny_show: Path, tmp_path: Path) -> None:
    parent = tmp_path / "site"
    parent.mkdir()
    out = parent / "pub"
    build(tiny_show, out, stages=[ToFlac(), Index()])
    old = tree(out)
    touch(tiny_show / EPISODE / "aufnahme.wav")
    code = (
        "from pathlib import Path; from audiokit import build; from test_build_engine import Index, ToFlac; "
        f"build(Path({str(tiny_show)!r}), Path({str(out)!r}), stages=[ToFlac(), Index()])"
    )
    parent.chmod(0o555)
    try:
        result = as_user(code, tmp_path)
    finally:
        parent.chmod(0o755)
    assert result.returncode == 1 and "audiokit.errors.AudiokitError: cannot" in result.stderr
    assert "Permission denied" in result.stderr and "chmod u+w" in result.stderr
    assert tree(out) == old
    assert build(tiny_show, out, stages=[ToFlac(), Index()]).changed
    assert not [p.name for p in parent.iterdir() if p.name not in ("pub", ".pub.lock", ".pub.audiokit")]
