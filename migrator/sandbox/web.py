"""The small request/response vocabulary both sandbox faces speak.

The server (``server.py``) turns each HTTP request into a ``Request``, hands it to the face
that owns the path, and writes the ``Response`` back. Faces never touch sockets, so tests can
call them directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # percent-decoded path, without the query string
    raw_path: str  # the path exactly as sent, still percent-encoded
    query: Mapping[str, str]  # last value wins; keys as sent (``$top``, ``api-version``)
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""
    base_url: str = "http://127.0.0.1"

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    @classmethod
    def build(cls, method: str, target: str, headers: Mapping[str, str], body: bytes, base_url: str) -> "Request":
        from urllib.parse import unquote

        parts = urlsplit(target)
        return cls(
            method=method.upper(),
            path=unquote(parts.path),
            raw_path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            base_url=base_url,
        )


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None, content_type: str = "application/json; charset=utf-8") -> "Response":
        merged = {"Content-Type": content_type, **(headers or {})}
        return cls(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), merged)

    @classmethod
    def empty(cls, status: int, headers: Mapping[str, str] | None = None) -> "Response":
        return cls(status, b"", dict(headers or {}))
