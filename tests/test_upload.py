"""``audiokit publish`` against real servers on 127.0.0.1 (rclone serve sftp, ftp, webdav, s3): a full publish,
an incremental one (counted at the server), a publish killed mid-way and repeated, deletions, dry runs,
credentials, errors, and the WebSub ping; the feed is read back through the server by feedparser."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from click.testing import CliRunner

from audiokit.cli import cli
from audiokit.publish.remote import open_remote, parse_target
from helpers_publish import add_episode, master_all, publish, tone_mp3, write_master, write_show
from helpers_upload import PASSWORD, USER, free_port, serve

PROTOCOLS = ["sftp", "ftp", "webdav", "s3"]
FEED = "https://podcast.example.org/werkstatt/feed.xml"


def _md5s(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path, Path]:
    """The show, its build with one episode, and its build after a second episode was added."""
    root = tmp_path_factory.mktemp("builds")
    show = write_show(root, episodes=1)
    tone = tone_mp3(root / "tone.mp3", 60)
    first, second = root / "first", root / "second"
    master_all(show, first, tone)
    assert not publish(show, first).failed
    shutil.copytree(first, second)
    add_episode(show, 2, date="2026-12-01T18:00:00+01:00")
    write_master(second, "002-folge-2", tone_mp3(root / "tone2.mp3", 70))
    assert not publish(show, second).failed
    shutil.rmtree(show / "002-folge-2")  # the show as it was built first
    return show, first, second


@pytest.fixture
def site(builds, tmp_path) -> Path:
    """A built folder of its own (with the first build) beside which the publish keeps its bookkeeping."""
    out = tmp_path / "public"
    shutil.copytree(builds[1], out)
    return out


def rebuild(out: Path, build: Path) -> None:
    """``out`` now holds ``build`` (as a new build would leave it)."""
    shutil.rmtree(out)
    shutil.copytree(build, out)


def run(server, show: Path, out: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        cli, ["publish", str(show), "--out", str(out), "--to", server.url(), *args], env={**server.env, **(env or {})}
    )


def through(server):
    """The server's files as a client sees them (an fsspec file system and the show's folder on it)."""
    os.environ.update(server.env)
    try:
        return open_remote(parse_target(server.url()))
    finally:
        for key in server.env:
            os.environ.pop(key)


def read_feed(server) -> tuple[bytes, feedparser.FeedParserDict]:
    """feed.xml as the server gives it back, and as a feed reader parses it."""
    remote = through(server)
    data = remote.fs.cat_file(remote.path("feed.xml"))
    return data, feedparser.parse(data)


def assert_enclosures_present(server, parsed) -> None:
    """Every enclosure of the feed is on the server, whole (its length)."""
    assert not parsed.bozo and parsed.entries
    for entry in parsed.entries:
        [enclosure] = entry.enclosures
        name = enclosure.href.removeprefix("https://podcast.example.org/werkstatt/")
        assert (server.files() / name).stat().st_size == int(enclosure.length), name


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_full_then_an_incremental_publish(protocol, builds, site, tmp_path):
    show, first, second = builds
    with serve(protocol, tmp_path / "server") as server:
        result = run(server, show, site)
        assert result.exit_code == 0, result.output
        assert (
            result.stdout.splitlines()[-1]
            == f"published to {server.url()}: {len(_md5s(first))} uploaded, 0 removed, 0 unchanged"
        )
        assert _md5s(server.files()) == _md5s(first)  # every file, nothing else (no parts, no bookkeeping)
        data, parsed = read_feed(server)
        assert data == (first / "feed.xml").read_bytes() and len(parsed.entries) == 1
        assert_enclosures_present(server, parsed)
        sent = server.writes()
        assert sent == len(_md5s(first))

        again = run(server, show, site)
        assert again.exit_code == 0 and again.stdout.strip() == f"{server.url()} is up to date"
        assert server.writes() == sent  # nothing sent again

        rebuild(site, second)
        changed = {n for n, md5 in _md5s(second).items() if _md5s(first).get(n) != md5}
        assert "001-folge-1/001-folge-1.mp3" not in changed and "feed.xml" in changed
        result = run(server, show, site)
        assert result.exit_code == 0, result.output
        assert [line.split("\t")[1] for line in result.stdout.splitlines()[:-1]][-1] == "feed.xml"
        assert server.writes() - sent == len(changed)  # only the changed files, counted at the server
        assert _md5s(server.files()) == _md5s(second)
        _, parsed = read_feed(server)
        assert len(parsed.entries) == 2
        assert_enclosures_present(server, parsed)


def test_media_go_first_and_the_feed_last(builds, site, tmp_path):
    show, first, _ = builds
    with serve("webdav", tmp_path / "server") as server:
        result = run(server, show, site, "--dry-run")
        names = [line.split("\t")[1] for line in result.stdout.splitlines() if line.startswith("upload\t")]
    assert names[0] == "001-folge-1/001-folge-1.mp3" and names[-1] == "feed.xml"
    assert names.index("001-folge-1/index.html") < names.index("index.html") < names.index("feed.xml")
    assert sorted(names) == sorted(_md5s(first))


def test_a_dry_run_changes_nothing_and_only_delete_removes(builds, site, tmp_path):
    show, first, _ = builds
    with serve("sftp", tmp_path / "server") as server:
        assert run(server, show, site).exit_code == 0
        remote = through(server)
        for name in ("alt.html", "001-folge-1/alt.mp3", ".htaccess"):  # files of an older site
            remote.fs.pipe_file(remote.path(name), "von früher".encode())
        (site / "cover.png").write_bytes((site / "cover.png").read_bytes() + b"\0")
        sent = server.writes()

        dry = run(server, show, site, "--dry-run", "--delete")
        assert dry.exit_code == 0, dry.output
        assert dry.stdout.splitlines() == [
            "upload\tcover.png",
            "remove\t001-folge-1/alt.mp3",
            "remove\talt.html",
            f"dry run: 1 to upload, 2 to remove, {len(_md5s(site)) - 1} unchanged",
        ]
        assert server.writes() == sent and (server.files() / "alt.html").exists()

        kept = run(server, show, site)
        assert kept.exit_code == 0 and "2 file(s) on the server are not in the show" in kept.stderr
        assert (server.files() / "alt.html").exists()
        removed = run(server, show, site, "--delete")
        assert removed.exit_code == 0 and removed.stdout.splitlines() == [
            "remove\t001-folge-1/alt.mp3",
            "remove\talt.html",
            f"published to {server.url()}: 0 uploaded, 2 removed, {len(_md5s(site))} unchanged",
        ]
        assert _md5s(server.files()) == {**_md5s(site), ".htaccess": hashlib.md5("von früher".encode()).hexdigest()}


@pytest.mark.parametrize("protocol", ["sftp", "s3"])
def test_a_publish_killed_midway_leaves_the_old_feed_and_the_next_one_finishes(protocol, builds, site, tmp_path):
    show, first, second = builds
    with serve(protocol, tmp_path / "server", "--bwlimit", "20k") as server:  # the new MP3 takes seconds to send
        assert run(server, show, site).exit_code == 0
        rebuild(site, second)
        command = [sys.executable, "-c", "from audiokit.cli import main; main()", "-v", "publish", str(show)]
        env = {**os.environ, **server.env}
        process = subprocess.Popen(
            [*command, "--out", str(site), "--to", server.url()],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        before = server.writes()
        deadline = time.monotonic() + 30
        while server.writes() == before and time.monotonic() < deadline:  # the first file is on its way
            time.sleep(0.05)
        time.sleep(0.2)  # the rest (about 50 kB) takes over 2 s at the server's 20 kB/s
        process.send_signal(signal.SIGKILL)
        process.communicate()

        data, parsed = read_feed(server)
        assert data == (first / "feed.xml").read_bytes()  # the old feed, whole
        assert_enclosures_present(server, parsed)

        result = run(server, show, site)
        assert result.exit_code == 0, result.output
        data, parsed = read_feed(server)
        assert data == (second / "feed.xml").read_bytes() and len(parsed.entries) == 2
        assert_enclosures_present(server, parsed)
        assert _md5s(server.files()) == _md5s(second)  # the killed run's part file is gone too


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_wrong_password_is_one_error_line(protocol, builds, site, tmp_path):
    with serve(protocol, tmp_path / "server") as server:
        wrong = {"AUDIOKIT_PUBLISH_PASSWORD": "falsch-falsch-falsch"}
        result = run(server, builds[0], site, env=wrong)
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {server.url()}: cannot log in (") and " — check the user and password" in line


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_unreachable_server_is_one_error_line(protocol, builds, site, tmp_path):
    port = free_port()  # nothing listens there
    to = {
        "s3": f"s3://podcast/werkstatt?endpoint=http://127.0.0.1:{port}",
        **{p: f"{p}://{USER}@127.0.0.1:{port}/werkstatt" for p in ("sftp", "ftp", "webdav")},
    }[protocol]
    env = {"AUDIOKIT_PUBLISH_USER": USER, "AUDIOKIT_PUBLISH_PASSWORD": PASSWORD}
    result = CliRunner().invoke(cli, ["publish", str(builds[0]), "--out", str(site), "--to", to], env=env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: {to}: cannot log in (")
    assert line.endswith(
        "— check the host and port in the address, and that the server runs and can be reached from here"
    )


def test_credentials_come_from_a_netrc_file_outside_the_show(builds, site, tmp_path):
    show = builds[0]
    with serve("webdav", tmp_path / "server") as server:
        netrc = tmp_path / "netrc"
        netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n", "utf-8")
        netrc.chmod(0o600)
        url = server.url().replace(f"{USER}@", "")
        env = {"AUDIOKIT_NETRC": str(netrc), "AUDIOKIT_PUBLISH_PASSWORD": ""}
        result = CliRunner().invoke(cli, ["publish", str(show), "--out", str(site), "--to", url], env=env)
        assert result.exit_code == 0, result.output
        inside = site / "netrc"
        shutil.copy(netrc, inside)
        env["AUDIOKIT_NETRC"] = str(inside)
        refused = CliRunner().invoke(cli, ["publish", str(show), "--out", str(site), "--to", url], env=env)
    assert refused.exit_code == 1
    assert f"the credentials file {inside} lies inside {site}, where it could be published" in refused.stderr


def test_a_password_in_the_address_is_refused(builds, site):
    result = CliRunner().invoke(cli, ["publish", str(builds[0]), "--out", str(site), "--to", "sftp://a:b@host/x"])
    assert result.exit_code == 1 and "$AUDIOKIT_PUBLISH_PASSWORD" in result.stderr


class Hub(BaseHTTPRequestHandler):
    pings: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).pings.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_the_target_and_the_hubs_come_from_show_toml(builds, site, tmp_path):
    show = tmp_path / "show"
    shutil.copytree(builds[0], show)
    hub = HTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    try:
        with serve("webdav", tmp_path / "server") as server:
            with open(show / "show.toml", "a", encoding="utf-8") as fh:
                fh.write(f'\n[publish]\ntarget = "{server.url()}"\nnotify = ["http://127.0.0.1:{hub.server_port}/"]\n')
            result = CliRunner().invoke(cli, ["publish", str(show), "--out", str(site)], env=server.env)
            assert result.exit_code == 0, result.output
            assert Hub.pings == [{"hub.mode": ["publish"], "hub.url": [FEED]}]
            again = CliRunner().invoke(cli, ["publish", str(show), "--out", str(site)], env=server.env)
            assert again.exit_code == 0 and len(Hub.pings) == 1  # no new feed, no ping
    finally:
        hub.shutdown()


def test_a_password_in_show_toml_is_refused(builds, site, tmp_path):
    show = tmp_path / "show"
    shutil.copytree(builds[0], show)
    with open(show / "show.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[publish]\ntarget = "sftp://redaktion:geheim@example.org/www"\n')
    result = CliRunner().invoke(cli, ["publish", str(show), "--out", str(site)])
    assert result.exit_code == 1
    assert "key 'publish.target' is 'sftp://redaktion:geheim@example.org/www', not an sftp://" in result.stderr
    assert "the password goes into ~/.netrc" in result.stderr
