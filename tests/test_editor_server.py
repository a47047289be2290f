"""The editor server over real HTTP: security checks, audio ranges, mixdown, conflicts, a killed server."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from click.testing import CliRunner

from audiokit import transcript as transcript_mod
from audiokit.cli import cli
from audiokit.editor import EditorServer, History, open_episode
from audiokit.ffmpeg import probe, stream_pcm
from helpers_editor import long_transcript, make_show


def call(port: int, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    episode, _ = make_show(tmp_path_factory.mktemp("server") / "show")
    with EditorServer(open_episode(episode)).start() as srv:
        yield srv


def op(server: EditorServer, payload: dict, etag: str, **headers):
    base = {
        "X-Audiokit-Token": server.token,
        "Content-Type": "application/json",
        "If-Match": f'"{etag}"',
        "Origin": f"http://127.0.0.1:{server.port}",
    }
    base.update({k.replace("_", "-"): v for k, v in headers.items()})
    return call(
        server.port,
        "POST",
        "/api/op",
        body=json.dumps(payload).encode(),
        headers={k: v for k, v in base.items() if v is not None},
    )


def state(server: EditorServer) -> dict:
    response, data = call(server.port, "GET", "/api/state", headers={"X-Audiokit-Token": server.token})
    assert response.status == 200
    return json.loads(data)


def test_every_request_needs_the_session_token(server: EditorServer) -> None:
    for path in ("/", "/api/state", "/audio", "/static/editor.js", "/api/export/txt"):
        assert call(server.port, "GET", path)[0].status == 403, path
        assert call(server.port, "GET", path, headers={"X-Audiokit-Token": "x" + server.token})[0].status == 403
    assert call(server.port, "GET", "/?token=wrong")[0].status == 403

    response, _ = call(server.port, "GET", f"/?token={server.token}")
    assert response.status == 303 and response.getheader("Location") == "/"
    cookie = response.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    response, page = call(server.port, "GET", "/", headers={"Cookie": cookie.split(";")[0]})
    assert response.status == 200 and server.token.encode() in page
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    for asset in ("/static/editor.js", "/static/editor.css"):  # nothing is loaded from elsewhere
        response, text = call(server.port, "GET", asset, headers={"Cookie": cookie.split(";")[0]})
        assert response.status == 200 and b"//" not in text.replace(b"// ", b"")
    assert b"http" not in page and b'src="//' not in page
    assert call(server.port, "GET", "/api/state", headers={"Cookie": cookie.split(";")[0]})[0].status == 200


def test_a_host_other_than_this_computer_is_refused(server: EditorServer) -> None:
    token = {"X-Audiokit-Token": server.token}
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1:1", f"192.168.1.5:{server.port}"):
        response, data = call(server.port, "GET", "/api/state", headers={**token, "Host": host})
        assert response.status == 403 and b"127.0.0.1 and localhost" in data, host
    response, _ = call(server.port, "GET", "/api/state", headers={**token, "Host": f"localhost:{server.port}"})
    assert response.status == 200


def test_only_same_origin_json_writes_with_the_token_header_are_accepted(server: EditorServer) -> None:
    etag = state(server)["etag"]
    rename = {"op": "rename", "speaker": "S2", "name": "Jana Albers", "organisation": ""}
    assert op(server, rename, etag, Origin="http://evil.example")[0].status == 403
    assert op(server, rename, etag, Origin=f"http://127.0.0.1:{server.port + 1}")[0].status == 403
    assert op(server, rename, etag, Sec_Fetch_Site="cross-site")[0].status == 403
    assert op(server, rename, etag, Sec_Fetch_Site="same-site")[0].status == 403
    assert (
        op(server, rename, etag, X_Audiokit_Token=None, Cookie=f"audiokit-editor-{server.port}={server.token}")[
            0
        ].status
        == 403
    )
    assert op(server, rename, etag, Content_Type="text/plain")[0].status == 415
    assert op(server, rename, etag, Content_Type="application/x-www-form-urlencoded")[0].status == 415
    assert op(server, rename, etag, If_Match=None)[0].status == 428
    response, _ = call(server.port, "PUT", "/api/op", body=b"{}", headers={"X-Audiokit-Token": server.token})
    assert response.status == 405
    assert state(server)["etag"] == etag  # none of them changed anything

    response, data = op(server, rename, etag)
    assert response.status == 200
    after = json.loads(data)
    assert after["etag"] != etag and after["speakers"][1]["name"] == "Jana Albers"
    assert after["changed"] == after["removed"] == []  # a rename changes no segment: none is sent
    response, data = op(server, {"op": "undo"}, etag)  # based on the old state: refused
    assert response.status == 409 and json.loads(data)["etag"] == after["etag"]
    first = state(server)["transcript"]["segments"][0]["id"]
    response, data = op(server, {"op": "split", "segment": first, "word": 99}, after["etag"])
    assert response.status == 400 and "cannot be split" in json.loads(data)["error"]
    assert op(server, {"op": "undo"}, after["etag"])[0].status == 200
    assert state(server)["etag"] == etag


def test_the_audio_is_served_with_ranges_for_seeking(server: EditorServer) -> None:
    audio = server.episode.recording.read_bytes()
    token = {"X-Audiokit-Token": server.token}
    response, body = call(server.port, "HEAD", "/audio", headers=token)
    assert response.status == 200 and body == b""
    assert int(response.getheader("Content-Length")) == len(audio) and response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Content-Type") == "audio/wav"
    response, body = call(server.port, "GET", "/audio", headers={**token, "Range": "bytes=1000-1999"})
    assert response.status == 206 and body == audio[1000:2000]
    assert response.getheader("Content-Range") == f"bytes 1000-1999/{len(audio)}"
    response, body = call(server.port, "GET", "/audio", headers={**token, "Range": "bytes=-64"})
    assert response.status == 206 and body == audio[-64:]
    response, _ = call(server.port, "GET", "/audio", headers={**token, "Range": f"bytes={len(audio)}-"})
    assert response.status == 416


def test_a_file_changed_on_disk_meanwhile_gives_409_not_an_overwrite(tmp_path: Path) -> None:
    episode, transcript = make_show(tmp_path / "show")
    with EditorServer(open_episode(episode)).start() as srv:
        etag = state(srv)["etag"]
        outside = transcript_mod.load(episode / "transcript.json")
        outside.segments[0].words[0].text = "Hallo"
        outside.save(episode / "transcript.json")  # e.g. 'audiokit import-text' meanwhile
        response, data = op(srv, {"op": "merge", "segment": transcript.segments[0].id}, etag)
        assert response.status == 409 and "changed meanwhile" in json.loads(data)["error"]
        assert transcript_mod.load(episode / "transcript.json") == outside
        fresh = state(srv)
        assert fresh["transcript"]["segments"][0]["words"][0]["text"] == "Hallo"
        assert fresh["history"]["versions"][0]["label"] == "Außerhalb des Editors geändert"


def test_a_multitrack_episode_plays_a_mixdown_made_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AUDIOKIT_CACHE_DIR", str(tmp_path / "cache"))
    episode_dir, transcript = make_show(tmp_path / "show", multitrack=True)
    episode = open_episode(episode_dir)
    with EditorServer(episode) as srv:
        mixdown, mime = srv.audio, srv.audio_type
    assert mime == "audio/mp4" and mixdown.suffix == ".m4a" and (tmp_path / "cache") in mixdown.parents
    assert abs(probe(mixdown).duration - transcript.duration) < 0.1
    audio = np.concatenate(list(stream_pcm(mixdown, sample_rate=16000, channels=1)))[:, 0]
    rms = []
    for segment in transcript.segments[:2]:  # one turn of each speaker: both tracks are in the mix
        part = audio[int(segment.start * 16000) : int(segment.end * 16000)]
        rms.append(float(np.sqrt(np.mean(part**2))))
    assert min(rms) > 0.01
    stamp = mixdown.stat().st_mtime_ns
    with EditorServer(episode) as srv:
        assert srv.audio == mixdown and mixdown.stat().st_mtime_ns == stamp


def test_cli_edit_errors_are_reported_without_traceback(tmp_path: Path) -> None:
    episode, _ = make_show(tmp_path / "show")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = CliRunner().invoke(cli, ["edit", "--no-browser", "--port", str(busy.getsockname()[1]), str(episode)])
    assert result.exit_code == 1 and "cannot listen on port" in result.output and "Traceback" not in result.output
    (episode / "transcript.json").unlink()
    result = CliRunner().invoke(cli, ["edit", "--no-browser", str(episode)])
    assert result.exit_code == 1 and "does not exist" in result.output


@pytest.mark.slow
def test_a_killed_server_leaves_a_whole_transcript_and_the_previous_version(tmp_path: Path) -> None:
    episode, _ = make_show(tmp_path / "show")
    path = episode / "transcript.json"
    long_transcript(300, 30).save(path)  # 9000 words: each save takes a while
    proc = subprocess.Popen(
        [sys.executable, "-c", "from audiokit.cli import main; main()", "edit", "--no-browser", str(episode)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = urlparse(proc.stdout.readline().strip())
        port, token = url.port, parse_qs(url.query)["token"][0]
        srv = type("Srv", (), {"port": port, "token": token})
        acknowledged: list[int] = []
        enough = threading.Event()

        def edit_forever() -> None:
            first, k = state(srv), 0
            etag, segment = first["etag"], first["transcript"]["segments"][0]["id"]
            try:
                while True:
                    response, data = op(srv, {"op": "edit", "segment": segment, "text": f"Fassung {k}"}, etag)
                    assert response.status == 200
                    etag = json.loads(data)["etag"]
                    acknowledged.append(k)
                    if k == 4:
                        enough.set()
                    k += 1
            except (OSError, http.client.HTTPException):
                return  # the server is gone

        worker = threading.Thread(target=edit_forever)
        worker.start()
        assert enough.wait(120)
        proc.send_signal(signal.SIGKILL)  # a change is in flight now
        proc.wait(30)
        worker.join(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    saved = transcript_mod.load(path)  # complete and valid
    last = acknowledged[-1]
    assert saved.segments[0].text in (f"Fassung {last}", f"Fassung {last + 1}")
    history = History(path)
    current, etag = history.load()
    assert current == saved
    history.undo(expected=etag)
    previous = int(saved.segments[0].text.split()[1]) - 1
    assert transcript_mod.load(path).segments[0].text == f"Fassung {previous}"
