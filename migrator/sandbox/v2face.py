"""The sandbox's v2 face: a read-only OData v3 service under ``/api/`` shaped by protocol.md.

``V2Face(data, token=...).handle(request)`` answers every path under ``/api/``: entity sets,
single entities, navigation collections, the service document and a ``$metadata`` document
derived from the reference. Both JSON formats (verbose and minimal metadata) are chosen by
``Accept``. Writes are refused with 405 and counted in ``write_attempts``: the migrator must never
write to v2.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping
from urllib.parse import quote, unquote, urlencode

from migrator.sandbox.v2data import V2Data, key_property
from migrator.sandbox.v2reference import (
    NAMESPACE,
    EntitySetInfo,
    PropertyInfo,
    complex_type,
    entity_sets,
    enum_names,
    enum_wire_is_name,
    raw_reference,
    short_type_name,
)
from migrator.sandbox.web import Request, Response

PAGE_CAP = 1000
SUPPORTED_VERSIONS = frozenset(f"2.{minor}" for minor in range(20))
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "MERGE", "DELETE"})
VERBOSE_CONTENT_TYPE = "application/json;odata=verbose;charset=utf-8"
MINIMAL_CONTENT_TYPE = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8"
DOTNET_MIN_DATE_MS = -62135596800000
_KNOWN_QUERY_OPTIONS = frozenset({"$top", "$skip", "$orderby", "$filter", "$expand", "$select", "$inlinecount", "$format", "$skiptoken"})
_KEY_SEGMENT = re.compile(r"^(?P<set>[A-Za-z]+)(?:\((?P<key>.*)\))?$", re.DOTALL)
_KEY_EQ_FILTER = re.compile(r"^\s*(?P<prop>\w+)\s+eq\s+'(?P<value>(?:[^']|'')*)'\s*$", re.DOTALL)
_LINK_SAFE = "$'(),:"
_VERBOSE_DATE = re.compile(r'"/Date\((-?\d+)\)/"')

# Minimal-metadata dates vary in form on the real service (protocol.md §6); the sandbox uses
# each observed form for some sets so readers meet all of them.
_OFFSET_DATE_SETS = frozenset({"Locators"})
_NAIVE_DATE_SETS = frozenset({"AccessPolicies", "NotificationEndPoints"})


@dataclass(frozen=True)
class RequestLogEntry:
    method: str
    path: str
    query: str
    status: int


class _V2Error(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, dict(headers or {})


class _TokenBucket:
    """``rate`` requests per second with bursts of up to ``rate``; thread-safe."""

    def __init__(self, rate: float, clock: Callable[[], float]) -> None:
        self.rate, self.clock = rate, clock
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = clock()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens < 1.0:
                return False
            self.tokens -= 1.0
            return True


class V2Face:
    """The v2 OData face of one account.

    ``token`` is the bearer token every request must carry; None accepts any non-empty bearer
    token (the service validated AAD tokens the sandbox cannot mint).
    ``throttle`` is the sustained requests per second above which the face answers 503
    (None = never); ``throttle_retry_after`` adds a ``Retry-After`` header to those answers (the
    reference does not confirm the service sent one, so it is off by default). ``next_links``
    adds ``__next``/``odata.nextLink`` to full pages (unconfirmed for v2, off by default).
    ``orderby_supported=False`` refuses ``$orderby`` (its support is inferred, not documented) and
    ``operations_listable=False`` refuses listing ``Operations`` (undocumented; single operations
    stay readable), so readers' fallbacks can be exercised.
    """

    def __init__(
        self,
        data: V2Data,
        *,
        token: str | None,
        latency_ms: float = 0,
        throttle: float | None = None,
        throttle_retry_after: int | None = None,
        next_links: bool = False,
        orderby_supported: bool = True,
        operations_listable: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.data = data
        self.token = token
        self.latency_ms = latency_ms
        self.throttle_retry_after = throttle_retry_after
        self.next_links = next_links
        self.orderby_supported = orderby_supported
        self.operations_listable = operations_listable
        self._sleep = sleep
        self._bucket = _TokenBucket(throttle, clock) if throttle else None
        self._throttle = throttle
        self._lock = threading.Lock()
        self._log: list[RequestLogEntry] = []
        self._write_attempts = 0

    @property
    def write_attempts(self) -> int:
        return self._write_attempts

    @property
    def request_log(self) -> list[RequestLogEntry]:
        with self._lock:
            return list(self._log)

    # -- entry point --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if self.latency_ms:
            self._sleep(self.latency_ms / 1000.0)
        verbose = _wants_verbose(request.header("accept"))
        try:
            status, payload, content_type = self._answer(request, verbose)
            response = _json_response(status, payload, content_type)
        except _V2Error as error:
            response = _error_response(error, verbose)
        response = self._with_common_headers(request, response)
        with self._lock:
            self._log.append(RequestLogEntry(request.method, request.path, urlencode(dict(request.query)), response.status))
        return response

    def _answer(self, request: Request, verbose: bool) -> tuple[int, Any, str]:
        if request.method in WRITE_METHODS:
            with self._lock:
                self._write_attempts += 1
            raise _V2Error(405, f"The sandbox's v2 face is read-only: {request.method} is not allowed.", {"Allow": "GET"})
        if request.method != "GET":
            raise _V2Error(405, f"{request.method} is not supported.", {"Allow": "GET"})
        self._check_token(request)
        self._check_version(request)
        if self._bucket and not self._bucket.take():
            headers = {"Retry-After": str(self.throttle_retry_after)} if self.throttle_retry_after else {}
            raise _V2Error(503, f"Server is busy. More than {self._throttle:g} requests per second can be throttled.", headers)
        return self._route(request, verbose)

    def _check_token(self, request: Request) -> None:
        header = request.header("authorization") or ""
        scheme, _, value = header.partition(" ")
        presented = value.strip()
        if scheme.lower() != "bearer" or not presented or (self.token is not None and presented != self.token):
            raise _V2Error(401, "Invalid or missing access token. Send Authorization: Bearer <token>.", {"WWW-Authenticate": "Bearer"})

    @staticmethod
    def _check_version(request: Request) -> None:
        version = request.header("x-ms-version") or request.query.get("api-version")
        if not version:
            raise _V2Error(400, "The x-ms-version header is required (supported versions 2.0 to 2.19).")
        if version.strip() not in SUPPORTED_VERSIONS:
            raise _V2Error(400, f"The x-ms-version '{version}' is not supported (supported versions 2.0 to 2.19).")

    @staticmethod
    def _with_common_headers(request: Request, response: Response) -> Response:
        request_id = str(uuid.uuid4())
        headers = {**response.headers, "request-id": request_id, "x-ms-request-id": request_id, "DataServiceVersion": "3.0;"}
        for name in ("x-ms-client-request-id", "client-request-id"):
            if request.header(name):
                headers[name] = request.header(name)
        return Response(response.status, response.body, headers)

    # -- routing ------------------------------------------------------------------------------

    def _route(self, request: Request, verbose: bool) -> tuple[int, Any, str]:
        root = request.base_url.rstrip("/") + "/api/"
        raw = request.raw_path
        if not raw.lower().startswith("/api"):
            raise _V2Error(404, "Resource not found.")
        segments = [unquote(s) for s in raw[len("/api") :].split("/") if s]
        content_type = VERBOSE_CONTENT_TYPE if verbose else MINIMAL_CONTENT_TYPE
        _check_query_options(request)
        if "$orderby" in request.query and not self.orderby_supported:
            raise _V2Error(400, "The query option $orderby is not supported.")
        if not segments:
            return 200, _service_document(root, verbose), content_type
        if segments == ["$metadata"]:
            return 200, metadata_document().encode("utf-8"), "application/xml;charset=utf-8"
        if _only_atom_acceptable(request.header("accept")):
            raise _V2Error(415, "The sandbox emulates the JSON formats only (verbose and minimal metadata), not Atom.")
        if segments == ["RebindContentKey"]:
            return 200, self._rebind_content_key(root, request, verbose), content_type
        if len(segments) > 2:
            raise _V2Error(404, f"Resource not found for the segment '{segments[2]}'.")
        entity_set, key = _parse_key_segment(segments[0])
        if len(segments) == 1 and key is None:
            if entity_set == "Operations" and not self.operations_listable:
                raise _V2Error(405, "Listing Operations is not supported; read one with Operations('<id>').", {"Allow": "GET"})
            return 200, self._collection(root, entity_set, None, request, verbose), content_type
        if key is None:
            raise _V2Error(400, f"Navigation from '{entity_set}' needs a key segment, e.g. {entity_set}('id')/{segments[1]}.")
        record = self.data.get(entity_set, key)
        if record is None:
            raise _V2Error(404, f"Resource not found for the segment '{entity_set}'.")
        if len(segments) == 1:
            return 200, self._single(root, entity_set, record, request, verbose), content_type
        return (*self._navigation(root, entity_set, key, segments[1], request, verbose), content_type)

    def _navigation(self, root: str, entity_set: str, key: str, nav_name: str, request: Request, verbose: bool) -> tuple[int, Any]:
        nav = entity_sets()[entity_set].navigation_named(nav_name)
        if nav is None:
            raise _V2Error(404, f"Resource not found for the segment '{nav_name}'.")
        targets = self.data.navigation(entity_set, key, nav_name)
        if nav.many:
            return 200, self._collection(root, nav.target, targets, request, verbose)
        record = self.data.get(nav.target, targets[0]) if targets else None
        if record is None:
            raise _V2Error(404, f"Resource not found for the segment '{nav_name}'.")
        return 200, self._single(root, nav.target, record, request, verbose)

    def _rebind_content_key(self, root: str, request: Request, verbose: bool) -> dict:
        """``RebindContentKey?id='<kid>'&x509Certificate=''``: the clear key, base64 (protocol.md §8)."""
        params = {name.lower(): value for name, value in request.query.items()}
        key_id = _quoted_literal(params.get("id"), "id")
        certificate = _quoted_literal(params.get("x509certificate", "''"), "x509Certificate")
        if certificate:
            raise _V2Error(400, "The sandbox answers RebindContentKey only with an empty x509Certificate (the clear key).")
        clear_value_of = getattr(self.data, "clear_key_value_of", None)
        value = clear_value_of(key_id) if clear_value_of and self.data.get("ContentKeys", key_id) else None
        if value is None:
            raise _V2Error(404, "Resource not found for the segment 'RebindContentKey'.")
        if verbose:
            return {"d": {"RebindContentKey": value}}
        return {"odata.metadata": f"{root}$metadata#Edm.String", "value": value}

    # -- payloads -----------------------------------------------------------------------------

    def _single(self, root: str, entity_set: str, record: dict, request: Request, verbose: bool) -> dict:
        selected = _selected_properties(entity_set, request)
        entity = render_entity(root, entity_set, record, verbose=verbose, select=selected)
        if verbose:
            return {"d": entity}
        return {"odata.metadata": f"{root}$metadata#{entity_set}/@Element", **entity}

    def _collection(self, root: str, entity_set: str, keys: list[str] | None, request: Request, verbose: bool) -> dict:
        """A page of a whole set (``keys`` None) or of a navigation's targets, in key order."""
        skip, top = _paging(request)
        selected = _selected_properties(entity_set, request)
        wanted = _key_filter(entity_set, request.query.get("$filter"))
        if wanted is not None:
            in_scope = keys is None or wanted in keys
            record = self.data.get(entity_set, wanted) if in_scope else None
            records = [record][skip : skip + top] if record is not None else []
            remaining = 0
        elif keys is None:
            records = self.data.page(entity_set, skip, top)
            remaining = self.data.count(entity_set) - skip - len(records)
        else:
            ordered = sorted(keys)
            records = [r for r in (self.data.get(entity_set, k) for k in ordered[skip : skip + top]) if r is not None]
            remaining = len(ordered) - skip - len(records)
        entities = [render_entity(root, entity_set, r, verbose=verbose, select=selected) for r in records]
        next_link = None
        if self.next_links and remaining > 0 and records:
            query = {**{k: v for k, v in request.query.items() if k != "$skip"}, "$skip": str(skip + len(records))}
            next_link = f"{request.base_url.rstrip('/')}{request.raw_path}?{urlencode(query, safe=_LINK_SAFE)}"
        if verbose:
            body: dict = {"results": entities}
            if next_link:
                body["__next"] = next_link
            return {"d": body}
        payload: dict = {"odata.metadata": f"{root}$metadata#{entity_set}", "value": entities}
        if next_link:
            payload["odata.nextLink"] = next_link
        return payload


# ---------------------------------------------------------------------------------------------
# Request parsing


def _wants_verbose(accept: str | None) -> bool:
    return bool(accept) and "odata=verbose" in accept.replace(" ", "").lower()


def _only_atom_acceptable(accept: str | None) -> bool:
    if not accept:
        return False
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return not any(kind in ("application/json", "*/*", "application/*") for kind in kinds)


def _check_query_options(request: Request) -> None:
    for option in request.query:
        if option.startswith("$") and option not in _KNOWN_QUERY_OPTIONS:
            raise _V2Error(400, f"The query parameter '{option}' begins with a system-reserved '$' character but is not recognized.")
    if "$expand" in request.query:
        raise _V2Error(400, "The query option $expand is not supported by Media Services.")


def _parse_key_segment(segment: str) -> tuple[str, str | None]:
    match = _KEY_SEGMENT.match(segment)
    if not match or match.group("set") not in entity_sets():
        name = match.group("set") if match else segment
        raise _V2Error(404, f"Resource not found for the segment '{name}'.")
    literal = match.group("key")
    if literal is None or literal == "":
        return match.group("set"), None
    if literal.startswith("guid'") and literal.endswith("'"):
        return match.group("set"), literal[5:-1]
    if len(literal) >= 2 and literal[0] == "'" and literal[-1] == "'":
        return match.group("set"), literal[1:-1].replace("''", "'")
    raise _V2Error(400, f"Bad Request - Error in query syntax: the key '{literal}' is not a quoted string literal.")


def _quoted_literal(raw: str | None, name: str) -> str:
    if raw is None or len(raw) < 2 or raw[0] != "'" or raw[-1] != "'":
        raise _V2Error(400, f"The parameter {name} must be a quoted string literal, e.g. {name}='...'.")
    return raw[1:-1].replace("''", "'")


def _integer_option(request: Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _V2Error(400, f"Invalid value '{raw}' for the query option {name}: an integer is required.") from None
    if value < 0:
        raise _V2Error(400, f"Invalid value '{raw}' for the query option {name}: it must not be negative.")
    return value


def _paging(request: Request) -> tuple[int, int]:
    return _integer_option(request, "$skip", 0), min(_integer_option(request, "$top", PAGE_CAP), PAGE_CAP)


def _key_filter(entity_set: str, expression: str | None) -> str | None:
    if expression is None:
        return None
    match = _KEY_EQ_FILTER.match(expression)
    if not match or match.group("prop") != key_property(entity_set):
        raise _V2Error(400, f"The sandbox answers $filter only as {key_property(entity_set)} eq '<value>'.")
    return match.group("value").replace("''", "'")


def _selected_properties(entity_set: str, request: Request) -> frozenset[str] | None:
    raw = request.query.get("$select")
    if not raw or raw.strip() == "*":
        return None
    info = entity_sets()[entity_set]
    names = frozenset(part.strip() for part in raw.split(",") if part.strip())
    for name in names:
        if info.property(name) is None and info.navigation_named(name) is None:
            raise _V2Error(400, f"Could not find a property named '{name}' on type '{info.entity_type}'.")
    return names


# ---------------------------------------------------------------------------------------------
# Rendering


def entity_uri(root: str, entity_set: str, key: str) -> str:
    if entity_set == "EncodingReservedUnitTypes":
        return f"{root}{entity_set}(guid'{key}')"
    return f"{root}{entity_set}('{quote(key.replace(chr(39), chr(39) * 2), safe='')}')"


def render_entity(root: str, entity_set: str, record: Mapping[str, Any], *, verbose: bool, select: frozenset[str] | None = None) -> dict:
    """One entity in the chosen JSON format, properties in reference order, unknown ones after."""
    info = entity_sets()[entity_set]
    out: dict[str, Any] = {}
    if verbose:
        uri = entity_uri(root, entity_set, str(record[info.key]))
        metadata: dict[str, Any] = {"id": uri, "uri": uri, "type": info.entity_type}
        if entity_set == "Assets":
            metadata["actions"] = {f"{root}$metadata#WindowsAzureMediaServices.Publish": [{"title": "Publish", "target": f"{uri}/Publish"}]}
        out["__metadata"] = metadata
        for nav in info.navigation:
            if select is None or nav.name in select:
                out[nav.name] = {"__deferred": {"uri": f"{uri}/{nav.name}"}}
    for prop in info.properties:
        if select is None or prop.name in select:
            out[prop.name] = render_value(prop, record.get(prop.name), verbose=verbose, entity_set=entity_set)
    known = {p.name for p in info.properties}
    for name, value in record.items():
        if name not in known and (select is None or name in select):
            out[name] = _render_unknown(value, verbose)
    return out


def render_value(prop: PropertyInfo, value: Any, *, verbose: bool, entity_set: str = "") -> Any:
    if prop.is_collection:
        if value is None:
            return None
        item = PropertyInfo(prop.name, prop.item_type, False, prop.enum)
        items = [render_value(item, v, verbose=verbose, entity_set=entity_set) for v in value]
        if verbose:
            return {"__metadata": {"type": f"Collection({_qualified(prop.item_type)})"}, "results": items}
        return items
    edm = short_type_name(prop.edm_type)
    if value is None:
        if edm == "Edm.DateTime" and not prop.nullable:
            return _render_date(None, verbose, entity_set)
        return None
    if prop.enum and enum_wire_is_name(prop.enum) and isinstance(value, int) and not isinstance(value, bool):
        return enum_names(prop.enum).get(value, str(value))
    fields = complex_type(edm) if not edm.startswith("Edm.") else None
    if fields is not None:
        rendered: dict[str, Any] = {"__metadata": {"type": _qualified(edm)}} if verbose else {}
        for field in fields:
            rendered[field.name] = render_value(field, value.get(field.name), verbose=verbose, entity_set=entity_set)
        return rendered
    return _render_primitive(edm, value, verbose, entity_set)


def _render_primitive(edm: str, value: Any, verbose: bool, entity_set: str) -> Any:
    if edm == "Edm.DateTime":
        return _render_date(value, verbose, entity_set)
    if edm == "Edm.Int64":
        return str(int(value))  # OData v3 sends 64-bit integers as strings
    if edm == "Edm.Time":
        return iso_duration(value)
    if edm == "Edm.Double":
        return float(value)
    if edm in ("Edm.Int32", "Edm.Int16"):
        return int(value)
    if edm == "Edm.Guid":
        return str(value)
    return value


def _render_unknown(value: Any, verbose: bool) -> Any:
    if isinstance(value, datetime):
        return _render_date(value, verbose, "")
    if isinstance(value, timedelta):
        return iso_duration(value)
    if isinstance(value, dict):
        return {k: _render_unknown(v, verbose) for k, v in value.items()}
    if isinstance(value, list):
        return [_render_unknown(v, verbose) for v in value]
    return value


def _render_date(value: datetime | None, verbose: bool, entity_set: str) -> str:
    if verbose:
        millis = DOTNET_MIN_DATE_MS if value is None else _epoch_millis(value)
        return f"/Date({millis})/"  # the JSON text is escaped to \/Date(...)\/ on the way out
    if value is None:
        return "0001-01-01T00:00:00"
    value = value.astimezone(timezone.utc)
    if entity_set in _OFFSET_DATE_SETS:
        return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}+00:00"
    if entity_set in _NAIVE_DATE_SETS and value.microsecond == 0:
        return f"{value:%Y-%m-%dT%H:%M:%S}"
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}0Z"


def _epoch_millis(value: datetime) -> int:
    delta = value - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000


def iso_duration(value: timedelta) -> str:
    """XmlConvert-style ISO 8601 duration: ``PT1H``, ``P1DT1H``, ``PT0.5S``."""
    total_us = value.days * 86_400_000_000 + value.seconds * 1_000_000 + value.microseconds
    sign = "-" if total_us < 0 else ""
    total_us = abs(total_us)
    days, rest = divmod(total_us, 86_400_000_000)
    hours, rest = divmod(rest, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, micros = divmod(rest, 1_000_000)
    time_part = ""
    if hours:
        time_part += f"{hours}H"
    if minutes:
        time_part += f"{minutes}M"
    if seconds or micros:
        time_part += f"{seconds}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    if not days and not time_part:
        time_part = "0S"
    return f"{sign}P{f'{days}D' if days else ''}{'T' + time_part if time_part else ''}"


def _qualified(type_name: str) -> str:
    return type_name if type_name.startswith("Edm.") else f"{NAMESPACE}.{short_type_name(type_name)}"


def _json_response(status: int, payload: Any, content_type: str) -> Response:
    """The answer's bytes; ``payload`` is already bytes for non-JSON documents ($metadata)."""
    if isinstance(payload, bytes):
        return Response(status, payload, {"Content-Type": content_type})
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if content_type == VERBOSE_CONTENT_TYPE:
        text = _VERBOSE_DATE.sub(r'"\\/Date(\1)\\/"', text)
    return Response(status, text.encode("utf-8"), {"Content-Type": content_type})


def _error_response(error: _V2Error, verbose: bool) -> Response:
    body = {"code": "", "message": {"lang": "en-US", "value": error.message}}
    payload = {"error": body} if verbose else {"odata.error": body}
    response = _json_response(error.status, payload, VERBOSE_CONTENT_TYPE if verbose else MINIMAL_CONTENT_TYPE)
    return Response(response.status, response.body, {**response.headers, **error.headers})


def _service_document(root: str, verbose: bool) -> dict:
    names = list(entity_sets())
    if verbose:
        return {"d": {"EntitySets": names}}
    return {"odata.metadata": f"{root}$metadata", "value": [{"name": n, "url": n} for n in names]}


# ---------------------------------------------------------------------------------------------
# $metadata, derived from the reference (no CSDL of the real service was ever captured)


def _csdl_type(edm_type: str) -> str:
    if edm_type.startswith("Collection("):
        return f"Collection({_qualified(edm_type[len('Collection(') : -1])})"
    return _qualified(edm_type)


def _csdl_properties(properties: tuple[PropertyInfo, ...], key: str | None) -> str:
    parts = []
    for prop in properties:
        nullable = "true" if prop.nullable and prop.name != key else "false"
        parts.append(f'<Property Name="{prop.name}" Type="{_csdl_type(prop.edm_type)}" Nullable="{nullable}" />')
    return "".join(parts)


def _csdl_entity_type(info: EntitySetInfo) -> str:
    name = info.entity_type.rsplit(".", 1)[-1]
    navigation = "".join(
        f'<NavigationProperty Name="{n.name}" Type="{"Collection(" if n.many else ""}{entity_sets()[n.target].entity_type}{")" if n.many else ""}" />'
        for n in info.navigation
    )
    return (
        f'<EntityType Name="{name}"><Key><PropertyRef Name="{info.key}" /></Key>'
        f"{_csdl_properties(info.properties, info.key)}{navigation}</EntityType>"
    )


def metadata_document() -> str:
    complex_types = "".join(
        f'<ComplexType Name="{name}">{_csdl_properties(complex_type(name) or (), None)}</ComplexType>' for name in raw_reference()["complex_types"]
    )
    entity_types = "".join(_csdl_entity_type(info) for info in entity_sets().values())
    container = "".join(f'<EntitySet Name="{name}" EntityType="{info.entity_type}" />' for name, info in entity_sets().items())
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx">'
        '<edmx:DataServices m:DataServiceVersion="3.0" m:MaxDataServiceVersion="3.0" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">'
        f'<Schema Namespace="{NAMESPACE}" xmlns="http://schemas.microsoft.com/ado/2009/11/edm">'
        f"{complex_types}{entity_types}"
        f'<EntityContainer Name="MediaContext" m:IsDefaultEntityContainer="true">{container}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )
