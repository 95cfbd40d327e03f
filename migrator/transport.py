"""The dry run's transport: the real executor and client, with writes recorded instead of sent.

Alembic's ``--sql`` idea applied to HTTP: ``RecordingTransport`` is a ``requests`` adapter
mounted under the ARM client's session. It records every request (method, URL, body with
secrets redacted) and never lets a request that could change state leave the process: PUT,
PATCH, DELETE and every POST (even read-only actions such as ``listContainerSas``: the dry
run must not mint SAS tokens) are answered locally with a plausible success.

Reads: with ``reads_through=True`` (the default) GETs go to the real target through the
adapter that was mounted before, so the dry run reconciles against what the target really
holds and shows exactly the writes a real run would send now. With ``reads_through=False``
every GET is answered 404, which shows the plan applied "from empty" without any network.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter

from migrator.redact import SECRETS, redact_body

MUTATING_METHODS = frozenset({"PUT", "PATCH", "DELETE", "POST"})
DRY_RUN_SAS_URL = "https://dry-run.invalid/{asset}?sv=dry-run&sig=dry-run"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    url: str
    body: Any  # JSON value, secrets redacted; None when the request had no body
    sent: bool  # True only for reads that went through to the target

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "body": self.body, "sent": self.sent}


class Recording:
    """The requests of one dry run, in the order they were made; shared by the mounted transports."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def add(self, recorded: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(recorded)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def mutating(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method in MUTATING_METHODS]


class RecordingTransport(BaseAdapter):
    """Records requests; forwards reads to ``inner`` (or answers 404) and answers writes itself."""

    def __init__(self, recording: Recording, inner: BaseAdapter | None, *, reads_through: bool = True) -> None:
        super().__init__()
        self.recording = recording
        self._inner = inner
        self._reads_through = reads_through and inner is not None

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        method = (request.method or "GET").upper()
        forward = method not in MUTATING_METHODS and self._reads_through
        self.recording.add(RecordedRequest(method, request.url or "", _redacted_body(request.body), forward))
        if forward:
            return self._inner.send(request, **kwargs)
        return _local_answer(request, method)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


def record_session(session: requests.Session, *, reads_through: bool = True) -> Recording:
    """Mount a recording transport on both schemes of ``session``, wrapping the adapters it had."""
    recording = Recording()
    for prefix in ("https://", "http://"):
        inner = session.adapters.get(prefix)
        session.mount(prefix, RecordingTransport(recording, inner, reads_through=reads_through))
    return recording


def _redacted_body(body: bytes | str | None) -> Any:
    if body in (None, b"", ""):
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        value = json.loads(text)
    except ValueError:
        return SECRETS.scrub(text)
    return json.loads(SECRETS.scrub(json.dumps(redact_body(value))))


def _local_answer(request: requests.PreparedRequest, method: str) -> requests.Response:
    path = unquote(urlsplit(request.url or "").path)
    if method == "GET":
        return _response(request, 404, {"error": {"code": "ResourceNotFound", "message": "dry run: reads answer 404"}})
    if method == "DELETE":
        return _response(request, 204, None)
    if method == "POST":
        resource_path, _, action = path.rpartition("/")
        if action == "listContainerSas":
            asset = resource_path.rsplit("/", 1)[-1]
            return _response(request, 200, {"assetContainerSasUrls": [DRY_RUN_SAS_URL.format(asset=asset)]})
        return _response(request, 200, {})
    body = _json_or_empty(request.body)
    body.update({"id": path, "name": path.rsplit("/", 1)[-1]})
    return _response(request, 201 if method == "PUT" else 200, body)


def _json_or_empty(body: bytes | str | None) -> dict:
    if not body:
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _response(request: requests.PreparedRequest, status: int, payload: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.request = request
    response.url = request.url or ""
    response.encoding = "utf-8"
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["x-ms-request-id"] = "dry-run"
    response._content = b"" if payload is None else json.dumps(payload).encode("utf-8")
    return response
