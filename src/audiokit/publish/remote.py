"""Upload targets: an ``sftp://``, ``ftp(s)://``, ``webdav(s)://`` or ``s3://`` address opened as an fsspec
file system (sshfs, fsspec's FTP, webdav4, s3fs), with credentials from the environment or a netrc file
outside the show, and the errors of those libraries turned into one :class:`UploadError` with a fix.

A file goes up under a hidden temporary name and is renamed over the old one once its size (and, where
the server reports one, its MD5) is checked, so a reader sees the old file or the new one, never half of
it. S3 has no rename, but there an upload replaces an object atomically by itself.
"""

from __future__ import annotations

import contextlib
import ftplib
import logging
import netrc
import os
import posixpath
import socket
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..config.schema import TARGET_RE
from ..errors import ConfigError, UploadError
from ..i18n import N_, _

log = logging.getLogger("audiokit")

USER_ENV, PASSWORD_ENV = "AUDIOKIT_PUBLISH_USER", "AUDIOKIT_PUBLISH_PASSWORD"
NETRC_ENV, KNOWN_HOSTS_ENV = "AUDIOKIT_NETRC", "AUDIOKIT_KNOWN_HOSTS"
PART = ".audiokit-part"
"""Suffix of the hidden name a file is uploaded under before it is renamed into place."""
TIMEOUT = 20.0
_PACKAGES = {
    "sftp": "sshfs",
    "ftp": "fsspec",
    "ftps": "fsspec",
    "webdav": "webdav4",
    "webdavs": "webdav4",
    "s3": "s3fs",
}
_CREDENTIALS = N_("${user} and ${password}, or a line 'machine HOST login USER password …' in ~/.netrc")


@dataclass(frozen=True)
class Target:
    """An upload address, parsed; it never holds a password. ``host`` is the bucket for s3://."""

    url: str
    scheme: str
    user: str
    host: str
    port: int | None
    path: str
    endpoint: str = ""  # s3://: the S3 API address (?endpoint= or $AWS_ENDPOINT_URL); "" for AWS itself


def parse_target(text: str) -> Target:
    """``text`` as a Target; an unknown scheme or a password in it is a ConfigError."""
    text = text.strip()
    if not text or not TARGET_RE.match(text):
        raise ConfigError(
            _("{text!r} is not an upload target").format(text=text) if text else _("no upload target given"),
            _(
                "give --to (or [publish] target in show.toml) as sftp://user@host/folder, ftp://, ftps://, "
                "webdav://, webdavs:// or s3://bucket/folder; passwords go into ~/.netrc or ${env}"
            ).format(env=PASSWORD_ENV),
        )
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError(
            _("{text!r} has a bad port").format(text=text), _("give the port as a number, e.g. sftp://host:2222/x")
        ) from exc
    query = parse_qs(parts.query)
    scheme = parts.scheme.lower()
    endpoint = query.get("endpoint", [""])[0] if scheme == "s3" else ""
    endpoint = endpoint or (os.environ.get("AWS_ENDPOINT_URL", "") if scheme == "s3" else "")
    address = parts._replace(fragment="").geturl()
    return Target(address, scheme, parts.username or "", parts.hostname or "", port, parts.path, endpoint)


def _netrc_file(protect: Iterable[Path]) -> Path | None:
    """The netrc file to read ($AUDIOKIT_NETRC, else ~/.netrc), refused inside a show or a built folder."""
    given = os.environ.get(NETRC_ENV)
    file = Path(given).expanduser() if given else Path.home() / ".netrc"
    if not file.is_file():
        if given:
            raise ConfigError(
                _("${NETRC_ENV} names {file}, which is not a file").format(NETRC_ENV=NETRC_ENV, file=file),
                _("correct the path or unset it"),
            )
        return None
    resolved = file.resolve()
    for folder in protect:
        if folder.resolve() in resolved.parents:
            raise ConfigError(
                _("the credentials file {file} lies inside {folder}, where it could be published").format(
                    file=file, folder=folder
                ),
                _("keep it outside the show and its output, e.g. in ~/.netrc"),
            )
    return file


def credentials(target: Target, protect: Iterable[Path] = ()) -> tuple[str, str]:
    """The user and password for ``target``: from the environment, else the netrc entry of its host
    (for s3:// the endpoint's host); ("", "") when neither has them."""
    user, password = target.user or os.environ.get(USER_ENV, ""), os.environ.get(PASSWORD_ENV, "")
    if password:
        return user, password
    file = _netrc_file(protect)
    if file is None:
        return user, ""
    host = urlsplit(target.endpoint).hostname or "" if target.scheme == "s3" else target.host
    try:
        entry = netrc.netrc(str(file)).authenticators(host or "s3.amazonaws.com")
    except (netrc.NetrcParseError, OSError) as exc:
        raise ConfigError(
            _("cannot read the credentials file {file} ({exc})").format(file=file, exc=exc), _("correct the file")
        ) from exc
    if entry is None or (user and entry[0] != user):
        return user, ""
    return entry[0], entry[2] or ""


class Remote:
    """An opened target: its fsspec file system, the folder the show goes to, and how a file is put in place."""

    def __init__(self, target: Target, fs: Any, root: str, rename: Callable[[str, str], None] | None) -> None:
        self.target, self.fs, self.root, self.rename = target, fs, root, rename
        self._folders: set[str] = set()

    def path(self, name: str) -> str:
        """Where the file ``name`` (relative to the show's folder) lies on the server."""
        return posixpath.join(self.root, name) if self.root else name

    def listing(self) -> dict[str, int]:
        """Every file below the show's folder on the server (relative name → size), hidden ones included."""
        prefix = self.root.rstrip("/") + "/" if self.root.strip("/") else self.root
        found = self.fs.find(self.root, detail=True)
        return {path[len(prefix) :]: int(info.get("size") or 0) for path, info in found.items() if path != self.root}

    def put(self, local: Path, name: str, size: int, md5: str) -> None:
        """Upload ``local`` as ``name``: under a hidden name, checked, then renamed into place."""
        final = self.path(name)
        folder, base = posixpath.split(final)
        part = posixpath.join(folder, f".{base}{PART}") if self.rename else final
        if self.target.scheme != "s3" and folder not in self._folders:
            self.fs.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        self.fs.put_file(str(local), part)
        info = self.fs.info(part)
        etag = str(info.get("ETag", "")).strip('"')
        if int(info.get("size") or 0) != size or (etag and "-" not in etag and etag != md5):
            with contextlib.suppress(Exception):
                self.fs.rm_file(part)
            raise UploadError(
                _("{url}: {name} arrived damaged ({value} bytes, {size} sent)").format(
                    url=self.target.url, name=name, value=info.get("size"), size=size
                ),
                _("run audiokit publish again; if it happens again, check the server's free space"),
            )
        if self.rename is not None:
            self.rename(part, final)

    def remove(self, name: str) -> None:
        """Delete ``name``, and its folder once it is empty."""
        self.fs.rm_file(self.path(name))
        folder = posixpath.dirname(name)
        if folder and self.target.scheme != "s3":
            with contextlib.suppress(Exception):  # not empty yet: it goes with its last file
                if not self.fs.ls(self.path(folder), detail=False):
                    self.fs.rmdir(self.path(folder))


def open_remote(target: Target, protect: Iterable[Path] = ()) -> Remote:
    """Connect to ``target``; its library is imported here, so a missing one is a clear error."""
    user, password = credentials(target, protect)
    try:
        with warnings.catch_warnings():  # asyncssh imports DSA support, which cryptography deprecates
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.filterwarnings("ignore", message=".*DSA.*")
            opener = _OPENERS[target.scheme]
            with remote_errors(target, _("log in")):
                return opener(target, user, password)
    except ImportError as exc:
        raise UploadError(
            _("{scheme}:// uploads need the Python package {value}").format(
                scheme=target.scheme, value=_PACKAGES[target.scheme]
            ),
            _('install it: pip install "audiokit[publish]"'),
        ) from exc


def _login(target: Target, user: str, password: str, port: int) -> dict[str, Any]:
    """What sshfs and fsspec's FTP both take: the port, the login, and a connection of its own."""
    return {
        "port": target.port or port,
        "username": user or None,
        "password": password or None,
        "skip_instance_cache": True,
    }


def _sftp(target: Target, user: str, password: str) -> Remote:
    from sshfs import SSHFileSystem

    known_hosts = os.environ.get(KNOWN_HOSTS_ENV) or ()  # () is ~/.ssh/known_hosts: unknown hosts are refused
    fs = SSHFileSystem(
        target.host, known_hosts=known_hosts, connect_timeout=TIMEOUT, **_login(target, user, password, 22)
    )
    return Remote(target, fs, target.path or "/", fs.mv)  # posix-rename: replaces the old file atomically


def _ftp(target: Target, user: str, password: str) -> Remote:
    from fsspec.implementations.ftp import FTPFileSystem

    fs = FTPFileSystem(target.host, tls=target.scheme == "ftps", timeout=TIMEOUT, **_login(target, user, password, 21))
    return Remote(target, fs, target.path or "/", fs.mv)  # RNFR/RNTO


def _webdav(target: Target, user: str, password: str) -> Remote:
    from webdav4.fsspec import WebdavFileSystem

    scheme = "https" if target.scheme == "webdavs" else "http"
    netloc = f"{target.host}:{target.port}" if target.port else target.host
    fs = WebdavFileSystem(f"{scheme}://{netloc}{target.path}", auth=(user, password) if user else None, timeout=TIMEOUT)
    try:
        fs.ls("")  # connects and logs in: a wrong password shows here, not at the first upload
    except FileNotFoundError:
        fs.client.mkdir("")  # the show's folder, at the first publish
    return Remote(target, fs, "", lambda part, final: fs.client.move(part, final, overwrite=True))


def _s3(target: Target, user: str, password: str) -> Remote:
    from s3fs import S3FileSystem

    config: dict[str, Any] = {"connect_timeout": TIMEOUT, "retries": {"max_attempts": 2}}
    if target.endpoint:  # S3-compatible stores often lack AWS's newer integrity headers; uploads are checked here
        config |= {"request_checksum_calculation": "when_required", "response_checksum_validation": "when_required"}
    fs = S3FileSystem(
        key=user or None,
        secret=password or None,
        endpoint_url=target.endpoint or None,
        config_kwargs=config,
        skip_instance_cache=True,
    )
    root = f"{target.host}{target.path}".rstrip("/")
    fs.ls(target.host)  # logs in and finds the bucket
    return Remote(target, fs, root, None)


_OPENERS: dict[str, Callable[[Target, str, str], Remote]] = {
    "sftp": _sftp,
    "ftp": _ftp,
    "ftps": _ftp,
    "webdav": _webdav,
    "webdavs": _webdav,
    "s3": _s3,
}


def _kinds(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _explain(exc: BaseException, target: Target) -> str:
    """How to fix what ``exc`` says went wrong with ``target``."""
    kinds, status = _kinds(exc), getattr(exc, "status_code", 0)
    text = str(exc)
    if "HostKeyNotVerifiable" in kinds:
        port = f"-p {target.port} " if target.port else ""
        return _(
            "the server's key is not known: add it (ssh-keyscan {port}{host} >> ~/.ssh/known_hosts) "
            "or point ${env} at a known_hosts file that holds it"
        ).format(port=port, host=target.host, env=KNOWN_HOSTS_ENV)
    login = kinds & {"PermissionDenied", "NoCredentialsError", "PermissionError"} or status in (401, 403)
    if login or (isinstance(exc, ftplib.error_perm) and text.startswith("530")):
        aws = _(" (or $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY)") if target.scheme == "s3" else ""
        credentials = _(_CREDENTIALS).format(user=USER_ENV, password=PASSWORD_ENV)
        return _("check the user and password ({credentials}{aws}) and that they may write the folder").format(
            credentials=credentials, aws=aws
        )
    unreachable = {"ConnectError", "ConnectTimeout", "EndpointConnectionError", "ClientConnectorError"}
    if kinds & unreachable or isinstance(exc, (ConnectionError, socket.gaierror, TimeoutError)):
        return _("check the host and port in the address, and that the server runs and can be reached from here")
    if isinstance(exc, FileNotFoundError) or "NoSuchBucket" in text:
        return _("check the folder (or bucket) in the address; the bucket must exist")
    return _("check the address and the server; -v shows more")


@contextlib.contextmanager
def remote_errors(target: Target, doing: str) -> Iterator[None]:
    """Raise what the file system libraries raise while ``doing`` as an UploadError with a fix."""
    try:
        yield
    except (UploadError, ConfigError):
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.debug("%s: %s failed", target.url, doing, exc_info=True)
        raise UploadError(
            _("{url}: cannot {doing} ({reason})").format(url=target.url, doing=doing, reason=reason),
            _explain(exc, target),
        ) from exc
