"""The local editor server: one episode, one random token, reachable from this computer only.

Security, in the order every request is checked:

* the socket is bound to 127.0.0.1;
* the ``Host`` header must name this server (``127.0.0.1:<port>`` or ``localhost:<port>``), which
  defeats DNS rebinding;
* requests a browser marks as coming from another site (``Sec-Fetch-Site``) are refused;
* the per-session token must come with the request: in the ``X-Audiokit-Token`` header, or in the
  HttpOnly, SameSite=Strict cookie set when the start URL (``/?token=…``) is opened;
* writes are ``POST`` of ``application/json`` only, must carry the token header (not just the
  cookie), an ``Origin`` of this server if any, and ``If-Match`` with the ETag they were based on.

``GET /api/state`` gives the whole transcript; ``POST /api/op`` (an operation naming turns by
segment id) answers with the new ETag and only what changed (:func:`changes`). Words the reviewer
should check first carry ``"uncertain": true`` (:func:`audiokit.uncertainty.is_uncertain`; the names
and glossary terms of the show are not uncertain for being rare).

HTTP (ranges for the audio, conditional requests, JSON) is Werkzeug's.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import socket
import threading
from importlib import resources
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from ..errors import AudiokitError
from ..exports import EXPORT_FORMATS, export_transcript
from ..glossary import load_glossary
from ..i18n import _
from ..progress import ProgressFactory, no_progress
from ..transcript import Transcript
from ..uncertainty import is_uncertain, term_words
from ..workspace import Episode
from .audio import playable_audio
from .history import ChangedOnDisk, History
from .operations import apply_and_save

log = logging.getLogger("audiokit")

STATIC_DIR = resources.files("audiokit.editor") / "static"
STATIC = {"editor.js": "text/javascript", "editor.css": "text/css"}
MAX_BODY = 4 * 1024 * 1024
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _Handler(WSGIRequestHandler):
    """Werkzeug's request handler, logging to the audiokit logger at debug level."""

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug("editor: " + message, *args)


class EditorServer:
    """Serves the editor for ``episode`` on ``127.0.0.1:port`` (0: a free port)."""

    def __init__(self, episode: Episode, *, port: int = 0, progress: ProgressFactory = no_progress) -> None:
        self.episode = episode
        self.history = History(episode.transcript_path)
        self.history.load()  # refuse a missing or broken transcript before anything starts
        self.audio, self.audio_type = playable_audio(episode, progress=progress)
        self.token = secrets.token_urlsafe(32)
        try:
            sock = socket.create_server(("127.0.0.1", port))
        except OSError as exc:
            raise AudiokitError(
                _("the editor cannot listen on port {port} ({strerror})").format(port=port, strerror=exc.strerror),
                _("choose another --port, or leave it out to take a free one"),
            ) from exc
        self.port = sock.getsockname()[1]
        with sock:
            self._server: BaseWSGIServer = make_server(
                "127.0.0.1", self.port, self._wsgi, threaded=True, request_handler=_Handler, fd=sock.fileno()
            )
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.cookie = f"audiokit-editor-{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The start URL: opening it hands the browser the session cookie."""
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl+C) or :meth:`close`."""
        self._server.serve_forever()

    def start(self) -> EditorServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="audiokit-editor", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> EditorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request.max_content_length = MAX_BODY
        try:
            response = self._guard(request) or self._route(request)
        except ChangedOnDisk as exc:
            response = _json({"error": exc.what, "fix": exc.fix, "etag": exc.etag}, 409)
        except AudiokitError as exc:
            response = _json({"error": exc.what, "fix": exc.fix}, 400)
        except HTTPException as exc:
            response = _json({"error": exc.description or exc.name}, exc.code or 400)
        except Exception:  # noqa: BLE001 - the browser gets a message, the log the traceback
            log.exception(_("editor: %s %s failed"), request.method, request.path)
            response = _json({"error": _("internal error; see the terminal")}, 500)
        response.headers.update({k: v for k, v in HEADERS.items() if k not in response.headers})
        return response(environ, start_response)

    def _guard(self, request: Request) -> Response | None:
        """The security checks; a refusal response, or None to go on."""
        if request.headers.get("Host", "") not in self.hosts:
            return _json({"error": _("this editor only answers to 127.0.0.1 and localhost")}, 403)
        if request.headers.get("Sec-Fetch-Site", "none") not in ("same-origin", "none"):
            return _json({"error": _("requests from other sites are refused")}, 403)
        header = request.headers.get("X-Audiokit-Token", "")
        given = header or request.cookies.get(self.cookie, "")
        if request.method == "GET" and request.path == "/" and "token" in request.args:
            given = request.args["token"]
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return _json(
                {"error": _("missing or wrong session token"), "fix": _("open the address 'audiokit edit' printed")},
                403,
            )
        if request.method in ("GET", "HEAD"):
            return None
        if request.method != "POST":
            return _json({"error": _("{method} is not allowed").format(method=request.method)}, 405)
        if not hmac.compare_digest(header.encode(), self.token.encode()):
            return _json({"error": _("writes need the X-Audiokit-Token header")}, 403)
        if request.headers.get("Origin", next(iter(self.origins))) not in self.origins:
            return _json({"error": _("cross-origin writes are refused")}, 403)
        if not request.is_json:
            return _json({"error": _("only application/json is accepted")}, 415)
        return None

    def _route(self, request: Request) -> Response:
        path = request.path
        if path == "/":
            if "token" in request.args:  # trade the token in the URL for the cookie
                response = Response(status=303, headers={"Location": "/"})
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
                return response
            html = (STATIC_DIR / "index.html").read_text("utf-8").replace("__TOKEN__", self.token)
            return Response(html, mimetype="text/html")
        if path.startswith("/static/") and (name := path[len("/static/") :]) in STATIC:
            return Response((STATIC_DIR / name).read_bytes(), mimetype=STATIC[name])
        if path == "/audio":
            return send_file(self.audio, request.environ, mimetype=self.audio_type, conditional=True)
        if path == "/api/state" and request.method in ("GET", "HEAD"):
            return self._state()
        if path == "/api/op" and request.method == "POST":
            return self._operate(request)
        if path.startswith("/api/export/"):
            return self._export(path[len("/api/export/") :])
        return _json({"error": _("{path} not found").format(path=path)}, 404)

    def _state(self) -> Response:
        """The whole transcript, for the first page load and a reload."""
        transcript, etag = self.history.load()
        episode = {"title": self.episode.title, "slug": self.episode.slug, "show": self.episode.show.title}
        content = transcript.to_dict()
        self._mark(transcript, content["segments"])
        data = {"episode": episode, "transcript": content, "exports": list(EXPORT_FORMATS)}
        return self._answer(etag, data)

    def _mark(self, transcript: Transcript, segments: list[dict[str, Any]]) -> None:
        """Flag the uncertain words of ``segments`` (JSON form of ``transcript``'s) with ``"uncertain": true``."""
        people: list[Any] = [*self.episode.speakers, *self.episode.show.hosts, *transcript.speakers]
        try:
            glossary = load_glossary(self.episode.show.dir).terms
        except AudiokitError:  # a broken glossary.toml is reported where it is used, not here
            glossary = []
        terms = term_words([*glossary, *(p.name for p in people), *(p.organisation for p in people)])
        for segment in segments:
            for word in segment["words"]:
                if is_uncertain(word["text"], word["probability"], terms):
                    word["uncertain"] = True

    def _answer(self, etag: str, data: dict[str, Any]) -> Response:
        """``data`` with the ETag and the version history."""
        versions = self.history.versions()
        head = self.history.head()
        current = next(v for v in versions if v.n == head)
        history = {
            "head": head,
            "can_undo": any(v.n == current.parent for v in versions),
            "can_redo": any(v.parent == head for v in versions),
            "versions": [{"n": v.n, "label": v.label, "time": v.time} for v in reversed(versions)],
        }
        response = _json({**data, "etag": etag, "history": history})
        response.set_etag(etag)
        return response

    def _operate(self, request: Request) -> Response:
        try:
            op = json.loads(request.get_data(cache=False))
            json.dumps(op, ensure_ascii=False).encode("utf-8")  # a lone surrogate ("\ud800") is no text
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            return _json({"error": _("the body is not valid JSON")}, 400)
        if not isinstance(op, dict):
            return _json({"error": _("the body must be a JSON object")}, 400)
        expected = request.if_match.as_set()
        if len(expected) != 1:
            return _json({"error": _("a change needs If-Match with the ETag it is based on")}, 428)
        etag = expected.pop()
        before, _etag = self.history.load()
        kind = op.get("op")
        if kind == "undo":
            self.history.undo(expected=etag)
        elif kind == "redo":
            self.history.redo(expected=etag)
        elif kind == "restore":
            version = op.get("version")
            if not isinstance(version, int) or isinstance(version, bool):
                return _json({"error": _("restore needs the version number")}, 400)
            self.history.restore(version, expected=etag)
        else:
            apply_and_save(self.history, op, expected=etag, show_dir=self.episode.show.dir)
        after, etag = self.history.load()
        changed = changes(before, after)
        self._mark(after, changed["changed"])
        return self._answer(etag, changed)

    def _export(self, fmt: str) -> Response:
        if fmt not in EXPORT_FORMATS:
            return _json({"error": _("unknown export format {fmt!r}").format(fmt=fmt)}, 404)
        spec = EXPORT_FORMATS[fmt]
        response = Response(export_transcript(self.history.load()[0], fmt), mimetype=spec.mime)
        response.headers["Content-Disposition"] = f'attachment; filename="{self.episode.slug}{spec.suffix}"'
        return response


def changes(before: Transcript, after: Transcript) -> dict[str, Any]:
    """What a page showing ``before`` redraws to show ``after``: the speakers, the segments that are new,
    changed or follow another one than before (each with ``after``, the id it follows now), the ids gone,
    every cut and the review state."""
    old = {s.id: (s, prev) for s, prev in zip(before.segments, [None, *(s.id for s in before.segments)])}
    changed, prev = [], None
    for segment in after.segments:
        if old.get(segment.id) != (segment, prev):
            changed.append({**segment.to_dict(), "after": prev})
        prev = segment.id
    kept = {s.id for s in after.segments}
    removed = [sid for sid in old if sid not in kept]
    cuts = after.to_dict()["cuts"]
    return {
        "speakers": [vars(s) for s in after.speakers],
        "changed": changed,
        "removed": removed,
        "cuts": cuts,
        "review": after.review,
    }


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")
