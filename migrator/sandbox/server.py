"""The sandbox's loopback HTTP server: stdlib ``ThreadingHTTPServer``, no framework.

Paths under ``/api/`` go to the v2 face; ``/subscriptions/...`` and ``/providers/...`` go to
the v3 face. The server can run in a background thread (``start``/``stop`` or ``with``) for
tests, or in the foreground (``serve_forever``) for ``migrator sandbox serve``. It keeps a
request log per face so tests can assert what was called and whether it changed anything.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from migrator.exceptions import ConfigError
from migrator.sandbox.web import Request, Response

log = logging.getLogger("migrator.sandbox.server")

V2, V3 = "v2", "v3"


class Face(Protocol):
    def handle(self, request: Request) -> Response: ...


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int
    mutated: bool


class RequestLog:
    """Requests per face, in arrival order (thread-safe)."""

    def __init__(self) -> None:
        self._entries: dict[str, list[LoggedRequest]] = {V2: [], V3: []}
        self._lock = threading.Lock()

    def add(self, face: str, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.setdefault(face, []).append(entry)

    def entries(self, face: str) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries.get(face, []))

    def mutations(self, face: str) -> list[LoggedRequest]:
        return [entry for entry in self.entries(face) if entry.mutated]

    def clear(self) -> None:
        with self._lock:
            for entries in self._entries.values():
                entries.clear()


def face_for(path: str) -> str | None:
    lowered = path.lower()
    if lowered == "/api" or lowered.startswith("/api/"):
        return V2
    if lowered.startswith("/subscriptions") or lowered.startswith("/providers/"):
        return V3
    return None


class SandboxServer:
    """Serves two faces on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, v2_face: Face, v3_face: Face, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.faces = {V2: v2_face, V3: v3_face}
        self.log = RequestLog()
        try:
            self._httpd = ThreadingHTTPServer((host, port), _handler_class(self))
        except OSError as error:
            raise ConfigError(f"Cannot listen on {host}:{port}: {error.strerror}", hint="choose another --port") from None
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._httpd.server_address[0]

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "SandboxServer":
        if self._thread is None:
            # A short poll interval keeps stop() (and so every test's teardown) fast.
            serve = lambda: self._httpd.serve_forever(poll_interval=0.05)
            self._thread = threading.Thread(target=serve, name="sandbox-server", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def dispatch(self, request: Request) -> tuple[str | None, Response]:
        face_name = face_for(request.path)
        if face_name is None:
            body = {"error": {"code": "NotFound", "message": "The sandbox serves /api/ (v2) and /subscriptions/ (v3) only."}}
            return None, Response.json(404, body)
        face = self.faces[face_name]
        response = face.handle(request)
        mutates = getattr(face, "mutates", None)
        mutated = response.status < 400 and bool(mutates and mutates(request))
        self.log.add(face_name, LoggedRequest(request.method, request.path, response.status, mutated))
        return face_name, response


def _handler_class(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ams-sandbox"
        # Headers and body leave in separate writes; without TCP_NODELAY every keep-alive
        # answer waits for the client's delayed ACK (~40 ms).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request.build(self.command, self.path, dict(self.headers.items()), body, server.base_url)
            try:
                _, response = server.dispatch(request)
            except Exception:  # a face bug must still answer, or the client would hang
                log.exception("sandbox face failed on %s %s", self.command, request.path)
                failure = {"error": {"code": "InternalServerError", "message": "The sandbox failed on this request."}}
                response = Response.json(500, failure)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        do_GET = do_PUT = do_PATCH = do_DELETE = do_POST = do_HEAD = _serve

        def log_message(self, format: str, *args) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler

