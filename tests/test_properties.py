"""Property-based (Hypothesis): generated show.toml, episode.toml, glossary.toml, import-text files and
editor request bodies. Every case ends in success or in one ``Error: what — fix`` line with exit
status 1 (an editor request: a JSON answer below 500), never in a traceback, and never changes a
source file (recording, show.toml, episode.toml, cover; the glossary except through the editor).

Examples are bounded (``max_examples``) so the suite stays well under two minutes on CI.
"""

from __future__ import annotations

import copy
import datetime as dt
import http.client
import io
import json
import re
import shutil
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from audiokit import ConfigError
from audiokit.cli import cli
from audiokit.editor import EditorServer, open_episode
from audiokit.editor.history import HISTORY_DIR
from audiokit.glossary import load_glossary
from audiokit.scaffold import placeholder_cover
from audiokit.transcript import load
from audiokit.workspace import TRANSCRIPT_FILE
from helpers_editor import make_show
from helpers_mastering import write_pcm
from helpers_publish import header_png, sample_transcript
from synth import write_wav

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "audiokit-hypothesis")  # its caches, not in the work tree
EPISODE = "001-folge"


def bounded(examples: int) -> settings:
    """``examples`` cases, no deadline, no example database in the working folder."""
    return settings(max_examples=examples, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


QUICK = bounded(25)

SHOW = {
    "title": "Werkstatt",
    "author": "Redaktion",
    "language": "de",
    "description": "Gespräche.",
    "base_url": "https://podcast.example.org/werkstatt",
    "podcast_guid": "ab1b6b7e-7a10-5d2a-b9c4-7d4f3e3e3a5c",
    "cover": "cover.png",
    "categories": ["Technology"],
    "owner_email": "redaktion@example.org",
    "hosts": [{"name": "Clara Vogt", "organisation": "Netzwerk Digitale Gesundheit"}],
    "mastering": {"preset": "podcast"},
    "publish": {"auto_chapters": True},
}
EPISODE_TOML = {
    "title": "Folge 1",
    "number": 1,
    "season": 1,
    "date": dt.datetime(2026, 11, 10, 18, tzinfo=dt.timezone.utc),
    "description": "Eine Folge.",
    "recording": "aufnahme.wav",
    "speaker_count": 3,
    "speakers": [
        {"name": "Clara Vogt", "organisation": "Netzwerk", "role": "host"},
        {"name": "Jana Albers", "organisation": "Praxis", "role": "guest"},
    ],
    "chapters": [{"start": "00:00", "title": "Begrüßung"}, {"start": 0.5, "title": "Thema", "url": "https://x.org"}],
    "mastering": {"target": -16},
    "publish": {"links": [{"title": "Mehr", "url": "https://example.org"}]},
}
GLOSSARY = {"terms": ["ePA", "Gematik"], "replace": {"E-Pa": "ePA", "Abend": "Morgen", "Praxissoftware": "PVS"}}

NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x07Glocke",
        "a\x1bb",
        "\ufeff",
        "../x.wav",
        "/etc/passwd",
        "C:\\x.wav",
        "a:b.wav",
        "javascript:alert(1)",
        "https://example.org/a b",
        "http://example.org",
        "mailto:x@y",
        "nan",
        "inf",
        "Gast Vorname Nachname",
        "Organisation",
        "xx-INVALID<>",
        "de-AT",
        "not-a-guid",
        "Health & Fitness/Medicine",
        "Pra\\1xis",
        "trailing\\",
        "(",
        "[",
        "ü" * 300,
        "00:00",
        "99:99",
        "-1",
        "aufnahme.wav",
        "cover.png",
    ]
)
VALUES = st.one_of(
    NASTY_TEXT,
    st.text(max_size=20),
    st.integers(-(2**63), 2**63 - 1),
    st.sampled_from([0, -1, 1, 20, 21, 1000, 48000, 96000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), timezones=st.sampled_from([None, dt.timezone.utc])),
    st.lists(st.one_of(NASTY_TEXT, st.integers()), max_size=3),
    st.dictionaries(NASTY_TEXT, NASTY_TEXT, max_size=2),
)

NEAR_MISSES = {  # values a user might well write for these keys: each is right or refused with a clear error
    "language": ["de", "de-AT", "xx-INVALID<>", "deutsch", "", "de_DE"],
    "podcast_guid": [
        "not-a-guid",
        "",
        "{ab1b6b7e-7a10-5d2a-b9c4-7d4f3e3e3a5c}",
        "AB1B6B7E-7A10-5D2A-B9C4-7D4F3E3E3A5C",
        "urn:uuid:ab1b6b7e-7a10-5d2a-b9c4-7d4f3e3e3a5c",
        "5a8d8f1c-3a3e-4e0a-9f4c-2b6d1f0a9e11",
    ],
    "owner_email": ["redaktion@example.org", "redaktion", "a@b", "<a@b.de>", ""],
    "base_url": [
        "https://example.org/x/",
        "http://example.org",
        "https://",
        "https://example.org/a b",
        "https://example.org/?q=1",
        "ftp://example.org",
    ],
    "categories": [["Technology"], ["Technik"], ["Health & Fitness/Medicine"], ["Health & Fitness/Kochen"], [], [3]],
    "cover": ["cover.png", "../cover.png", "fehlt.png", "aufnahme.wav", "/etc/passwd", ""],
    "start": [0, "00:00", "99:00:00", -1, float("inf"), float("nan"), "1:2:3:4", 0.5],
    "url": ["https://example.org", "javascript:alert(1)", "mailto:a@b.de", "example.org", ""],
    "season": [1, 0, -3, 2**40],
    "number": [0, 1, -1, 2**63 - 1],
    "speaker_count": [0, 1, 3, 20, 21, 1000],
    "date": [
        dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
        dt.datetime(2026, 11, 10),
        dt.date(2026, 11, 10),
        dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone.utc),
    ],
    "recording": ["aufnahme.wav", "a:b.wav", "../aufnahme.wav", "fehlt.wav", "transcript.json", "episode.toml"],
    "target": [-16, -60, float("nan"), "laut", -5],
    "role": ["host", "guest", "chef", ""],
    "terms": [["ePA"], [], ["("], [3]],
    "E-Pa": ["ePA", "Pra\\1xis", "trailing\\", "", "a\x00b"],
}


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into nested tables and arrays of tables."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, dict):
                found += paths(value, (*prefix, i))
    return found


@st.composite
def mutated(draw, base: dict) -> bytes:
    """``base`` with up to three keys changed, removed or added, as TOML; or its text damaged."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(paths(data) or [("title",)]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["set", "set", "delete", "add"]))
        if action == "set":
            near = NEAR_MISSES.get(path[-1]) if isinstance(path[-1], str) else None
            parent[path[-1]] = draw(st.sampled_from(near) | VALUES if near else VALUES)
        elif action == "delete" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, dict):
            key = draw(st.sampled_from(["colour", "url", "start", "draft", "img", "href", "mastering"]))
            parent[key] = draw(VALUES)
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        text = tomli_w.dumps(base)
    raw = text.encode("utf-8")
    damage = draw(st.sampled_from(["none", "none", "none", "bom", "insert", "cut", "latin1"]))
    if damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif damage == "insert":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif damage == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "latin1":
        raw = text.encode("latin-1", errors="replace")
    return raw


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A valid show with one episode: a 1 s recording and a transcript."""
    show = tmp_path_factory.mktemp("template") / "show"
    (show / EPISODE).mkdir(parents=True)
    placeholder_cover("Werkstatt").save(show / "cover.png")
    (show / "show.toml").write_text(tomli_w.dumps(SHOW), encoding="utf-8")
    (show / EPISODE / "episode.toml").write_text(tomli_w.dumps(EPISODE_TOML), encoding="utf-8")
    t = np.arange(22050) / 22050
    write_wav(show / EPISODE / "aufnahme.wav", 0.2 * np.sin(2 * np.pi * 330 * t) * (1 + np.sin(2 * np.pi * 3 * t)))
    sample_transcript().save(show / EPISODE / "transcript.json")
    return show


@contextmanager
def scratch_show(template: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(shutil.copytree(template, Path(tmp) / "show"))


def sources(show: Path) -> dict[str, bytes]:
    """The files a user writes (the transcript and its version history excluded)."""
    return {
        str(p.relative_to(show)): p.read_bytes()
        for p in show.rglob("*")
        if p.is_file() and HISTORY_DIR not in p.parts and p.name != TRANSCRIPT_FILE
    }


def assert_unchanged(before: dict[str, bytes], show: Path, *, may_change: tuple[str, ...] = ()) -> None:
    after = sources(show)
    for name, data in before.items():
        if name in may_change:
            continue
        if name == "show.toml" and after.get(name) != data:  # the first build stores podcast_guid, nothing else
            added = [
                line
                for line in after[name].decode("utf-8").splitlines(keepends=True)
                if line.encode("utf-8") not in data
            ]
            assert len(added) == 1 and added[0].startswith("podcast_guid = "), added
            continue
        assert after.get(name) == data, f"{name} was changed"


def assert_clean(result: Result) -> None:
    """Success, or exactly one ``Error: what — fix`` line and exit status 1; never a traceback."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(*result.exc_info)))
    assert "Traceback" not in result.output
    event("success" if result.exit_code == 0 else "error")  # see --hypothesis-show-statistics
    if result.exit_code != 0:
        errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
        event(re.sub(r"/\S*/", "", " ".join(errors[:1]))[7:50])  # which error, without the temp folder
        assert result.exit_code == 1 and len(errors) == 1, result.output
        assert " — " in errors[0], errors[0]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, ["-q", *args], catch_exceptions=True)


@QUICK
@given(show_toml=mutated(SHOW))
def test_generated_show_toml_builds_or_gives_one_error(template, show_toml):
    with scratch_show(template) as show:
        (show / "show.toml").write_bytes(show_toml)
        before = sources(show)
        assert_clean(invoke("build", str(show), "--out", str(show.parent / "public"), "--model", "/nonexistent"))
        assert_clean(invoke("export", str(show / EPISODE), "--format", "vtt"))
        assert_unchanged(before, show)


@QUICK
@given(episode_toml=mutated(EPISODE_TOML))
def test_generated_episode_toml_builds_or_gives_one_error(template, episode_toml):
    with scratch_show(template) as show:
        (show / EPISODE / "episode.toml").write_bytes(episode_toml)
        before = sources(show)
        assert_clean(invoke("build", str(show), "--out", str(show.parent / "public"), "--model", "/nonexistent"))
        assert_clean(invoke("master", str(show / EPISODE), "--out", str(show.parent / "master")))
        assert_clean(invoke("export", str(show / EPISODE), "--format", "json"))
        assert_unchanged(before, show)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> Path:
    """A show whose episode is German speech (espeak-ng), so that glossary rules meet real words."""
    episode, _ = make_show(tmp_path_factory.mktemp("spoken") / "show")
    return episode.parent


@bounded(6)
@given(glossary=mutated(GLOSSARY))
def test_generated_glossary_transcribes_or_gives_one_error(spoken, glossary):
    with scratch_show(spoken) as show:
        (show / "glossary.toml").write_bytes(glossary)
        before = sources(show)
        assert_clean(invoke("transcribe", "--force", str(show / "001-runde")))
        assert_unchanged(before, show)
        load(show / "001-runde" / "transcript.json")


HEADERS = st.sampled_from(
    [
        "Clara Vogt [Netzwerk Digitale Gesundheit]:",
        "Jana Albers:",
        "[00:00:19] Neu Name:",
        "[99:99:99] X:",
        "Name [Org:",
        ":",
        "Clara Vogt [Netzwerk Digitale Gesundheit] :",
    ]
)
LINES = st.one_of(
    HEADERS,
    NASTY_TEXT,
    st.text(max_size=60),
    st.sampled_from(["Hallo und willkommen in der Werkstatt.", "", "\r", "\x00\x07"]),
)


@QUICK
@given(
    first=HEADERS,
    lines=st.lists(LINES, max_size=30),
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_generated_import_text_imports_or_gives_one_error(template, first, lines, encoding):
    with scratch_show(template) as show:
        text_file = show.parent / "korrektur.txt"
        text_file.write_bytes("\n".join([first, *lines]).encode(encoding, errors="replace"))
        before = sources(show)
        assert_clean(invoke("import-text", str(show / EPISODE), str(text_file)))
        assert_unchanged(before, show)
        load(show / EPISODE / "transcript.json")  # still a valid transcript


OPS = st.sampled_from(
    ["edit", "rename", "reassign", "split", "merge", "replace_always", "undo", "redo", "restore", "delete", 3, None]
)
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), NASTY_TEXT, st.text(max_size=10), st.floats(allow_nan=False)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
OP_BODIES = st.builds(
    lambda op, args: json.dumps({"op": op, **args}).encode(),
    OPS,
    st.dictionaries(
        st.sampled_from(["segment", "word", "text", "speaker", "name", "organisation", "wrong", "right", "version"]),
        st.one_of(st.integers(-2, 6), NASTY_TEXT, JSON_VALUES, st.just("S1"), st.just("t1")),
        max_size=4,
    ),
)
BODIES = st.one_of(
    OP_BODIES,
    OP_BODIES,
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
    st.integers(1, 100_000).map(lambda n: b"[" * n),
    st.sampled_from(["rename", "edit", "replace_always"]).map(  # a lone surrogate: JSON, but no text
        lambda op: json.dumps({"op": op, "speaker": "S1", "segment": 0, "name": "\ud800", "text": "a\udfff"}).encode()
    ),
)


@pytest.fixture(scope="module")
def editor(template, tmp_path_factory) -> Iterator[tuple[EditorServer, Path]]:
    show = Path(shutil.copytree(template, tmp_path_factory.mktemp("editor") / "show"))
    with EditorServer(open_episode(show / EPISODE)).start() as server:
        yield server, show


def request(server: EditorServer, method: str, path: str, body: bytes | None = None, **headers: str):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(
        method,
        path,
        body=body,
        headers={"Host": f"127.0.0.1:{server.port}", "X-Audiokit-Token": server.token, **headers},
    )
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


@bounded(60)
@given(body=BODIES)
def test_generated_editor_requests_answer_without_a_server_error(editor, body):
    server, show = editor
    before = sources(show)
    status, data = request(server, "GET", "/api/state")
    etag = json.loads(data)["etag"]
    status, data = request(
        server,
        "POST",
        "/api/op",
        body,
        **{"Content-Type": "application/json", "If-Match": f'"{etag}"', "Origin": f"http://127.0.0.1:{server.port}"},
    )
    assert status < 500, data
    answer = json.loads(data)
    assert status == 200 or answer["error"]
    assert_unchanged(before, show, may_change=("glossary.toml",))
    load(show / EPISODE / "transcript.json")


NESTING = st.lists(st.sampled_from(["[", "{a = ", "a.", "[b.", "[[c."]), max_size=60)


def nested(openers: list[str]) -> str:
    """A TOML line nesting ``openers`` (arrays, inline tables, dotted keys, table names) inside each other."""
    keys = "".join(o for o in openers if o == "a.")
    values = [o for o in openers if o in ("[", "{a = ")]
    closers = "".join("]" if o == "[" else "}" for o in reversed(values))
    tables = "".join(o[1:] for o in openers if o.startswith("["))
    header = f"[{tables}x]\n" if tables else ""
    return f"\n{header}{keys}deep = {''.join(values)}1{closers}\n"


@QUICK
@given(openers=NESTING, name=st.sampled_from(["show.toml", f"{EPISODE}/episode.toml", "glossary.toml"]))
def test_generated_toml_nesting_loads_or_gives_one_error(template, openers, name):
    with scratch_show(template) as show:
        path = show / name
        path.write_text((path.read_text("utf-8") if path.exists() else "") + nested(openers), "utf-8")
        before = sources(show)
        result = invoke("export", str(show / EPISODE), "--format", "vtt")
        assert_clean(result)
        if len(openers) > 40:  # the TOML reader refuses these before parsing
            assert "nested more than 32 levels deep" in result.output or name == "glossary.toml"
        if name == "glossary.toml":
            try:
                load_glossary(show)
            except ConfigError as exc:
                assert exc.fix
        assert_unchanged(before, show)


def real_image(fmt: str, side: int) -> bytes:
    buffer = io.BytesIO()
    placeholder_cover("Werkstatt", side).save(buffer, fmt)
    return buffer.getvalue()


IMAGES = st.one_of(
    st.builds(header_png, st.sampled_from([1, 1400, 3000, 3001, 10000, 20000, 65535]), st.integers(1, 70000)),
    st.builds(
        lambda data, keep: data[: max(1, int(len(data) * keep))],
        st.builds(real_image, st.sampled_from(["PNG", "JPEG"]), st.sampled_from([1400, 1600])),
        st.floats(0.0, 1.0),
    ),
)


@bounded(12)
@given(image=IMAGES, role=st.sampled_from(["cover", "voice sample"]))
def test_generated_oversized_or_truncated_images_give_one_error(template, image, role):
    with scratch_show(template) as show:
        target = show / ("cover.png" if role == "cover" else "stimme.png")
        target.write_bytes(image)
        before = sources(show)
        if role == "cover":
            assert_clean(invoke("master", str(show / EPISODE), "--out", str(show.parent / "master")))
        else:  # the door every voice sample passes (probe, then decoding)
            assert_clean(invoke("master", str(target), "--out", str(show.parent / "stimme.mp3")))
        assert_unchanged(before, show)


SAMPLES = st.sampled_from([np.nan, np.inf, -np.inf, 1e30, -3.4e38, 1000.0, 1001.0, 4.0, 1.0, -1.0, 1e-45, 0.0])


@bounded(12)
@given(
    value=SAMPLES,
    count=st.sampled_from([1, 100, 48000 * 3]),
    codec=st.sampled_from(["wav:pcm_f32le", "wav:pcm_f64le", "wav:pcm_s16le", "flac:", "f32:"]),
)
def test_generated_extreme_sample_values_master_or_give_one_error(tmp_path_factory, value, count, codec):
    folder = tmp_path_factory.mktemp("samples")
    samples = 0.1 * np.sin(2 * np.pi * 300 * np.arange(48000 * 3) / 48000)
    samples[48000 : 48000 + count] = value
    suffix, name = codec.split(":")
    if suffix == "f32":  # headerless float: ffmpeg cannot guess it, an error
        src = folder / "roh.f32"
        src.write_bytes(samples.astype("<f4").tobytes())
    else:
        src = write_pcm(folder / f"aufnahme.{suffix}", samples, codec=name or "pcm_s16le")
    before = src.read_bytes()
    result = invoke("master", str(src), "--out", str(folder / "out.mp3"))
    assert_clean(result)
    if not np.isfinite(value) and suffix == "wav" and name != "pcm_s16le":
        assert "not numbers (NaN or infinity" in result.output
    assert src.read_bytes() == before


@bounded(10)
@given(
    fmt=st.sampled_from(["mp3", "m4a", "opus"]),
    number=st.sampled_from([0, 1, 65535, 65536, 2**31, 2**63 - 1]),
    title=st.sampled_from(["Folge", "ü" * 5000, "😀 Emoji", "a\u200bb", "x" * 70000]),
)
def test_generated_tags_at_container_limits_master_or_give_one_error(template, fmt, number, title):
    with scratch_show(template) as show:
        data = {**EPISODE_TOML, "number": number, "title": title, "description": title}
        (show / EPISODE / "episode.toml").write_text(tomli_w.dumps(data), "utf-8")
        before = sources(show)
        result = invoke("master", str(show / EPISODE), "--format", fmt, "--out", str(show.parent / "m"))
        assert_clean(result)
        assert (result.exit_code == 1) == (fmt == "m4a" and number > 65535), result.output
        assert_unchanged(before, show)


IDENTIFIERS = st.tuples(st.sampled_from([1, 2]), st.sampled_from([None, 1, 2]), st.sampled_from(["", "urn:x:1"]))


@bounded(8)
@given(first=IDENTIFIERS, second=IDENTIFIERS)
def test_generated_duplicate_identifiers_across_episodes_give_one_error(template, first, second):
    with scratch_show(template) as show:
        shutil.copytree(show / EPISODE, show / "002-folge")
        for folder, (number, season, guid) in zip([show / EPISODE, show / "002-folge"], [first, second]):
            data = {**EPISODE_TOML, "number": number, "publish": {"guid": guid}}
            data = {k: v for k, v in data.items() if k != "season"} | ({"season": season} if season else {})
            (folder / "episode.toml").write_text(tomli_w.dumps(data), "utf-8")
        before = sources(show)
        result = invoke("build", str(show), "--out", str(show.parent / "public"), "--model", "/nonexistent")
        assert_clean(result)
        if first[:2] == second[:2]:
            assert "is already used by" in result.output
        elif first[2] and first[2] == second[2]:
            assert "the same GUID 'urn:x:1'" in result.output
        assert_unchanged(before, show)
