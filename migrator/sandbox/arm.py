"""ARM mechanics the v3 face shares: api-versions, addressing, errors, headers, paging, LROs.

Everything here follows what Azure Resource Manager does for any provider, as described in
``v3-api.md`` (api-version, ``@odata.nextLink`` paging, ``{"error": {...}}`` bodies,
``Azure-AsyncOperation``/``Location``/``Retry-After``) and the official swagger files.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Mapping
from urllib.parse import quote

from migrator.sandbox.web import Response


class Family(Enum):
    """The spec folders of Microsoft.Media; each has its own api-version list."""

    ACCOUNTS = "Accounts"
    METADATA = "Metadata"
    ENCODING = "Encoding"
    STREAMING = "Streaming"
    EVENT_GRID = "Microsoft.EventGrid"


# Every api-version folder published for each family in Azure/azure-rest-api-specs
# (specification/mediaservices/resource-manager/Microsoft.Media/...). Before 2021-11-01 one
# folder (Microsoft.Media/stable|preview/<version>/) held every family; from 2021-11-01 each
# family has its own folder. docs/sandbox.md lists the files this was read from.
_SHARED_VERSIONS = (
    "2018-03-30-preview",
    "2018-06-01-preview",
    "2018-07-01",
    "2019-05-01-preview",
    "2020-05-01",
    "2021-05-01",
    "2021-06-01",
    "2021-11-01",
)
API_VERSIONS: Mapping[Family, tuple[str, ...]] = {
    Family.ACCOUNTS: ("2015-10-01", *_SHARED_VERSIONS, "2023-01-01"),
    Family.METADATA: (*_SHARED_VERSIONS, "2022-08-01", "2023-01-01"),
    Family.ENCODING: (*_SHARED_VERSIONS, "2022-05-01-preview", "2022-07-01"),
    Family.STREAMING: (*_SHARED_VERSIONS, "2022-08-01", "2022-11-01"),
    # Not in the reference: the stable Microsoft.EventGrid versions that carry
    # eventSubscriptions (see docs/sandbox.md).
    Family.EVENT_GRID: ("2018-01-01", "2019-01-01", "2019-06-01", "2020-06-01", "2021-12-01", "2022-06-15", "2025-02-15"),
}
NEWEST_VERSION: Mapping[Family, str] = {family: versions[-1] for family, versions in API_VERSIONS.items()}

PROVIDER = "Microsoft.Media"
ACCOUNT_TYPE = "Microsoft.Media/mediaservices"


class ArmError(Exception):
    """An answer in ARM's error shape; handlers raise it, the face renders it."""

    def __init__(self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def to_body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def not_found(kind: str, name: str) -> ArmError:
    return ArmError(404, "ResourceNotFound", f"The {kind} '{name}' was not found.")


def bad_request(message: str, code: str = "BadRequest") -> ArmError:
    return ArmError(400, code, message)


def require_api_version(query: Mapping[str, str], family: Family) -> str:
    """The request's api-version, or ARM's error for a missing or unpublished one."""
    version = query.get("api-version")
    if not version:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    if version not in API_VERSIONS[family]:
        supported = ", ".join(f"'{v}'" for v in API_VERSIONS[family])
        raise ArmError(
            400,
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are {supported}.",
        )
    return version


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ARM's timestamp form: UTC, 'Z', up to 7 fractional digits."""
    text = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text.rstrip("0").rstrip(".") + "Z"


def standard_headers(request_headers: Mapping[str, str]) -> dict[str, str]:
    """Request ids ARM puts on every answer; a client-sent correlation id is echoed back."""
    correlation = request_headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    return {
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-correlation-request-id": correlation,
    }


def error_response(error: ArmError, headers: Mapping[str, str] | None = None) -> Response:
    return Response.json(error.status, error.to_body(), {**(headers or {}), **error.headers})


# ---------------------------------------------------------------- paging


@dataclass(frozen=True)
class Page:
    items: list[dict]
    next_offset: int | None


def page_link(base_url: str, path: str, api_version: str, offset: int, extra: Mapping[str, str] | None = None) -> str:
    query = {"api-version": api_version, **(extra or {}), "$skiptoken": str(offset)}
    encoded = "&".join(f"{quote(k, safe='$')}={quote(str(v), safe='')}" for k, v in query.items())
    return f"{base_url}{quote(path)}?{encoded}"


def skiptoken_offset(query: Mapping[str, str]) -> int:
    token = query.get("$skiptoken")
    if token is None:
        return 0
    if not token.isdigit():
        raise bad_request(f"The $skiptoken '{token}' is not valid.", "InvalidSkipToken")
    return int(token)


def list_body(page: Page, next_link: Callable[[int], str]) -> dict[str, Any]:
    body: dict[str, Any] = {"value": page.items}
    if page.next_offset is not None:
        body["@odata.nextLink"] = next_link(page.next_offset)
    return body


# ---------------------------------------------------------------- long-running operations


@dataclass
class Operation:
    """One asynchronous operation: answers InProgress ``polls_left`` times, then finishes.

    ``finish`` applies the operation's effect (e.g. the live event becomes Running) exactly
    once, when the last poll sees it complete. ``result`` gives the body the Location URL
    returns after completion (None = 204 No Content).
    """

    id: str
    name: str
    polls_left: int
    finish: Callable[[], None]
    result: Callable[[], dict | None]
    started: datetime = field(default_factory=utc_now)
    ended: datetime | None = None

    @property
    def done(self) -> bool:
        return self.ended is not None


class OperationBook:
    """Operations by id. ``polls`` is how many status reads answer InProgress before Succeeded."""

    def __init__(self, polls: int = 1) -> None:
        self.polls = polls
        self._operations: dict[str, Operation] = {}
        self._lock = threading.Lock()

    def start(self, name: str, finish: Callable[[], None], result: Callable[[], dict | None]) -> Operation:
        operation = Operation(str(uuid.uuid4()), name, self.polls, finish, result)
        with self._lock:
            self._operations[operation.id] = operation
        if operation.polls_left <= 0:
            self._complete(operation)
        return operation

    def poll(self, operation_id: str) -> Operation:
        with self._lock:
            operation = self._operations.get(operation_id.lower())
        if operation is None:
            raise not_found("operation", operation_id)
        if not operation.done:
            operation.polls_left -= 1
            if operation.polls_left <= 0:
                self._complete(operation)
        return operation

    def _complete(self, operation: Operation) -> None:
        operation.finish()
        operation.ended = utc_now()


def operation_status_body(operation: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": operation.id,
        "status": "Succeeded" if operation.done else "InProgress",
        "startTime": iso(operation.started),
    }
    if operation.ended:
        body["endTime"] = iso(operation.ended)
    return body


def lro_headers(status_url: str, location_url: str, retry_after: int) -> dict[str, str]:
    return {
        "Azure-AsyncOperation": status_url,
        "Location": location_url,
        "Retry-After": str(retry_after),
    }



# ---------------------------------------------------------------- OData $filter and $orderby
# The subset Media Services documented for its lists (v3-api.md §5, DOC-ODATA): comparisons of
# ``name`` or ``properties/<field>`` with eq ne gt ge lt le, joined by ``and``/``or`` (``and``
# binds tighter), values as 'quoted strings', bare ISO date-times or enum literals
# ``Microsoft.Media.JobState'Processing'``.

_COMPARISON = re.compile(
    r"\s*(?P<path>name|properties/[A-Za-z]+)\s+(?P<op>eq|ne|gt|ge|lt|le)\s+"
    r"(?P<value>'(?:[^']|'')*'|[A-Za-z.]+'(?:[^']|'')*'|[^\s']+)\s*",
    re.IGNORECASE,
)
_JOINER = re.compile(r"(and|or)\s+", re.IGNORECASE)
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


@dataclass(frozen=True)
class Comparison:
    path: str
    op: str
    value: str

    def holds(self, resource: Mapping[str, Any]) -> bool:
        actual = value_at(resource, self.path)
        if actual is None:
            return self.op == "ne"
        left, right = _comparable(str(actual)), _comparable(self.value)
        if type(left) is not type(right):
            left, right = str(actual).lower(), self.value.lower()
        return {
            "eq": left == right,
            "ne": left != right,
            "gt": left > right,
            "ge": left >= right,
            "lt": left < right,
            "le": left <= right,
        }[self.op]


@dataclass(frozen=True)
class ODataFilter:
    """An OR of AND-groups of comparisons."""

    groups: tuple[tuple[Comparison, ...], ...]

    def matches(self, resource: Mapping[str, Any]) -> bool:
        return any(all(c.holds(resource) for c in group) for group in self.groups)

    def comparisons(self) -> list[Comparison]:
        return [c for group in self.groups for c in group]

    @classmethod
    def parse(cls, text: str) -> "ODataFilter":
        groups: list[list[Comparison]] = [[]]
        position = 0
        while True:
            found = _COMPARISON.match(text, position)
            if found is None:
                raise bad_request(f"The $filter expression is not valid at position {position}.", "InvalidFilter")
            groups[-1].append(Comparison(_canonical_path(found["path"]), found["op"].lower(), _literal(found["value"])))
            position = found.end()
            if position == len(text):
                return cls(tuple(tuple(group) for group in groups))
            joiner = _JOINER.match(text, position)
            if joiner is None:
                raise bad_request(f"The $filter expression is not valid at position {position}.", "InvalidFilter")
            if joiner[1].lower() == "or":
                groups.append([])
            position = joiner.end()


@dataclass(frozen=True)
class OrderBy:
    path: str
    descending: bool = False

    @classmethod
    def parse(cls, text: str) -> "OrderBy":
        found = re.fullmatch(r"\s*(name|properties/[A-Za-z]+)(?:\s+(asc|desc))?\s*", text, re.IGNORECASE)
        if found is None:
            raise bad_request(f"The $orderby expression '{text}' is not valid.", "InvalidOrderBy")
        return cls(_canonical_path(found[1]), (found[2] or "").lower() == "desc")

    def key(self, resource: Mapping[str, Any]) -> tuple:
        value = value_at(resource, self.path)
        comparable = _comparable(str(value)) if value is not None else ""
        return (value is None, str(comparable).lower() if isinstance(comparable, str) else comparable)


def value_at(resource: Mapping[str, Any], path: str) -> Any:
    """``name`` or ``properties/<field>`` of a resource body."""
    if path == "name":
        return resource.get("name")
    return (resource.get("properties") or {}).get(path.split("/", 1)[1])


def _canonical_path(path: str) -> str:
    return "name" if path.lower() == "name" else "properties/" + path.split("/", 1)[1]


def _literal(raw: str) -> str:
    if raw.endswith("'") and "'" in raw[:-1]:
        return raw[raw.index("'") + 1 : -1].replace("''", "'")
    return raw


def _comparable(text: str) -> Any:
    if _DATE_TIME.match(text):
        cleaned = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            return text.lower()
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return text.lower()
