"""Parse v2 response pages in both JSON formats, and the canonical records of entities.

Verbose JSON (``Accept: application/json;odata=verbose``) wraps a page as ``{"d": {"results":
[...], "__next": ...}}``, carries ``__metadata`` and ``__deferred`` navigation stubs, writes dates
as ``\\/Date(ms)\\/`` and Int64 as strings. Minimal metadata (``Accept: application/json``) wraps a
page as ``{"odata.metadata": ..., "value": [...], "odata.nextLink": ...}`` and writes ISO-8601
dates in several forms. Both parse into the same typed entities (protocol.md section 6).

A record (``to_record``/``from_record``) is the canonical JSON-safe form of an entity, described
in docs/v2-records.md; ``from_record(to_record(e)) == e`` for every entity.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from migrator.exceptions import InventoryFormatError, MalformedPageError
from migrator.v2 import enums, schema
from migrator.v2.entities import COMPLEX_CLASSES, ComplexValue, V2Entity, entity_class
from migrator.v2.schema import PropertyInfo

EXTRA_KEY = "_extra"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
# DateTime.MinValue, which the service writes for a date that was never set.
_UNSET_EPOCH_MS = -62135596800000
_UNSET_MOMENT = (1, 1, 1, 0, 0, 0, 0)
# "\/Date(ms)\/" arrives with the backslashes when a client decoded the JSON string literally.
_EPOCH_DATE = re.compile(r"^\\?/Date\((-?\d+)(?:[+-]\d{4})?\)\\?/$", re.ASCII)
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$", re.ASCII
)
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$", re.ASCII)
_INTEGER = re.compile(r"^-?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$")

MALFORMED_PAGE_HINT = "the service sent a body this tool cannot read; retry, or report it with the request-id"
MALFORMED_RECORD_HINT = "the inventory file is damaged or from another version; read the account again"


@dataclass(frozen=True, slots=True)
class Page:
    """One response page: its entities in service order and the link to the next page, if any."""

    entities: tuple[V2Entity, ...]
    next_link: str | None = None


class _BadValue(Exception):
    """A value that does not fit the model; ``where`` is its property path, never the value.

    Converters raise it with an empty path; each enclosing level prepends its property name, so
    the happy path never spends time building paths.
    """

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where} {problem}".strip())
        self.where = where
        self.problem = problem

    def within(self, name: str) -> _BadValue:
        inner = self.where
        where = f"{name}{inner}" if not inner or inner.startswith("[") else f"{name}.{inner}"
        return _BadValue(where, self.problem)


# --------------------------------------------------------------------------------------------
# pages


def parse_page(entity_set: str, payload: Any, *, page: int | None = None) -> Page:
    """Entities and next link of one page in either wire format; ``payload`` is decoded JSON or text.

    Raises ``MalformedPageError`` (naming the set and page, never a value) when the body is not a
    page of entities this model can read.
    """
    entity_class(entity_set)
    document = _decode(entity_set, payload, page)
    raw_entities, next_link = _unwrap(entity_set, document, page)
    entities = tuple(_entity_in_page(entity_set, raw, index, page) for index, raw in enumerate(raw_entities))
    return Page(entities=entities, next_link=next_link)


def parse_entity(entity_set: str, raw: Any, *, page: int | None = None) -> V2Entity:
    """One entity object in either wire format (a single-entity ``{"d": {...}}`` is unwrapped)."""
    entity_class(entity_set)
    if isinstance(raw, dict) and set(raw) == {"d"} and isinstance(raw["d"], dict):
        raw = raw["d"]
    return _entity_in_page(entity_set, raw, None, page)


def _decode(entity_set: str, payload: Any, page: int | None) -> Any:
    if not isinstance(payload, (str, bytes, bytearray)):
        return payload
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise _malformed(entity_set, page, "the body is not JSON") from None
    except RecursionError:
        raise _malformed(entity_set, page, "the body nests too deeply to be a page") from None


def _unwrap(entity_set: str, document: Any, page: int | None) -> tuple[list[Any], str | None]:
    """The raw entity objects and next link of a verbose or minimal-metadata envelope."""
    if not isinstance(document, dict):
        raise _malformed(entity_set, page, "the body is not a JSON object")
    if "d" in document:
        return _unwrap_verbose(entity_set, document["d"], page)
    if "value" in document:
        if not isinstance(document["value"], list):
            raise _malformed(entity_set, page, "'value' is not a list")
        return document["value"], _next_link(entity_set, document.get("odata.nextLink"), page)
    if "error" in document or "odata.error" in document:
        raise _malformed(entity_set, page, "the body is an OData error, not a page")
    if document.get("odata.null") is True:  # an unset single-valued navigation
        return [], None
    if "odata.metadata" in document:
        return [document], None
    raise _malformed(entity_set, page, "the body has neither a 'd' nor a 'value' envelope")


def _unwrap_verbose(entity_set: str, body: Any, page: int | None) -> tuple[list[Any], str | None]:
    if body is None:  # an unset single-valued navigation
        return [], None
    if isinstance(body, list):  # the OData v1 verbose collection shape
        return body, None
    if not isinstance(body, dict):
        raise _malformed(entity_set, page, "'d' is not an object")
    if "results" not in body:
        return [body], None
    if not isinstance(body["results"], list):
        raise _malformed(entity_set, page, "'d.results' is not a list")
    return body["results"], _next_link(entity_set, body.get("__next"), page)


def _next_link(entity_set: str, link: Any, page: int | None) -> str | None:
    if link is None or (isinstance(link, str) and link):
        return link
    raise _malformed(entity_set, page, "the next link is not a URL string")


def _entity_in_page(entity_set: str, raw: Any, index: int | None, page: int | None) -> V2Entity:
    try:
        return _WIRE.entity(entity_set, raw)
    except _BadValue as exc:
        entity = "the entity" if index is None else f"entity {index}"
        key = _key_for_message(entity_set, raw)
        if key:
            entity = f"{entity} ({key})"
        problem = f"{entity}: {exc}" if exc.where else f"{entity} {exc}"
        raise _malformed(entity_set, page, problem) from None


def _key_for_message(entity_set: str, raw: Any) -> str | None:
    """The entity's key, to locate it in a message; keys are ids or names, never secrets."""
    if not isinstance(raw, dict):
        return None
    key = raw.get(schema.ENTITY_SET_INFO[entity_set].key_property)
    return key if isinstance(key, str) and len(key) <= 200 else None


def _malformed(entity_set: str, page: int | None, problem: str) -> MalformedPageError:
    where = f"page {page}" if page is not None else "response"
    return MalformedPageError(
        f"malformed {entity_set} {where}: {problem}",
        hint=MALFORMED_PAGE_HINT,
        entity_set=entity_set,
        page=page,
    )


# --------------------------------------------------------------------------------------------
# records


def to_record(value: V2Entity | ComplexValue) -> dict[str, Any]:
    """The canonical JSON-safe dict of an entity or complex value (docs/v2-records.md)."""
    record: dict[str, Any] = {}
    for name, attribute, formatter in _record_plan(value):
        item = getattr(value, attribute)
        record[name] = item if item is None or formatter is None else formatter(item)
    if value.extra:
        record[EXTRA_KEY] = dict(value.extra)
    return record


def from_record(entity_set: str, record: Any) -> V2Entity:
    """The entity a record describes; raises ``InventoryFormatError`` when it does not fit."""
    entity_class(entity_set)
    try:
        return _RECORD.entity(entity_set, record)
    except _BadValue as exc:
        raise InventoryFormatError(
            f"malformed {entity_set} record: {exc}", hint=MALFORMED_RECORD_HINT, entity_set=entity_set
        ) from None


Formatter = Callable[[Any], Any]
_RECORD_PLANS: dict[str, tuple[tuple[str, str, Formatter | None], ...]] = {}


def _record_plan(value: V2Entity | ComplexValue) -> tuple[tuple[str, str, Formatter | None], ...]:
    """(wire name, attribute, formatter or None when the value is already JSON-safe) per property."""
    owner = value.entity_set if isinstance(value, V2Entity) else value.complex_type
    plan = _RECORD_PLANS.get(owner)
    if plan is None:
        properties = (
            schema.ENTITY_SET_INFO[owner].properties if isinstance(value, V2Entity) else schema.COMPLEX_TYPES[owner]
        )
        plan = tuple((p.name, p.attribute, _formatter(p)) for p in properties)
        _RECORD_PLANS[owner] = plan
    return plan


def _formatter(prop: PropertyInfo) -> Formatter | None:
    one = _element_formatter(prop)
    if not prop.collection:
        return one
    if one is None:
        return list
    return lambda items: [None if item is None else one(item) for item in items]


def _element_formatter(prop: PropertyInfo) -> Formatter | None:
    if prop.enum:
        return enums.enum_to_wire
    if prop.is_complex:
        return to_record
    if prop.edm_type == "Edm.DateTime":
        return format_datetime
    if prop.edm_type == "Edm.Time":
        return format_duration
    return None


# --------------------------------------------------------------------------------------------
# building entities from wire objects or records


Converter = Callable[[Any], Any]


class _Builder:
    """Turns JSON objects into entities; wire objects keep unknown properties, records are strict.

    Each type's properties compile once into converters keyed by wire name: pages hold up to a
    thousand entities and the reader parses millions.
    """

    def __init__(self, *, record: bool) -> None:
        self.record = record
        self._plans: dict[str, dict[str, tuple[str, Converter]]] = {}

    def entity(self, entity_set: str, raw: Any) -> V2Entity:
        if not isinstance(raw, dict):
            raise _BadValue("", "is not a JSON object")
        info = schema.ENTITY_SET_INFO[entity_set]
        values, extra = self._fields(entity_set, info.properties, raw, _NAVIGATION_NAMES[entity_set])
        cls = entity_class(entity_set)
        key = values.get(cls.key_attribute)
        if not isinstance(key, str) or not key:
            raise _BadValue(info.key_property, "(the key) is missing or empty")
        return cls(**values, extra=extra)

    def complex(self, type_name: str, raw: Any) -> ComplexValue:
        if not isinstance(raw, dict):
            raise _BadValue("", f"is not a {type_name} object")
        values, extra = self._fields(type_name, schema.COMPLEX_TYPES[type_name], raw, frozenset())
        return COMPLEX_CLASSES[type_name](**values, extra=extra)

    def _fields(
        self, owner: str, properties: tuple[PropertyInfo, ...], raw: dict[str, Any], navigation: frozenset[str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        plan = self._plan(owner, properties)
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name, value in raw.items():
            step = plan.get(name)
            if step is not None:
                attribute, convert = step
                try:
                    values[attribute] = None if value is None else convert(value)
                except _BadValue as exc:
                    raise exc.within(name) from None
            elif self.record:
                extra = _record_extra(name, value)
            elif not _is_wire_metadata(name, value, navigation):
                extra[name] = value
        return values, extra

    def _plan(self, owner: str, properties: tuple[PropertyInfo, ...]) -> dict[str, tuple[str, Converter]]:
        plan = self._plans.get(owner)
        if plan is None:
            plan = {p.name: (p.attribute, self._converter(p)) for p in properties}
            self._plans[owner] = plan
        return plan

    def _converter(self, prop: PropertyInfo) -> Converter:
        one = self._element_converter(prop)
        if not prop.collection:
            return one
        record = self.record

        def collection(value: Any) -> tuple[Any, ...]:
            items = value
            if not record and isinstance(value, dict) and isinstance(value.get("results"), list):
                items = value["results"]  # verbose: {"__metadata": {"type": "Collection(...)"}, "results": [...]}
            if not isinstance(items, list):
                raise _BadValue("", "is not a collection")
            converted = []
            for index, item in enumerate(items):
                try:
                    converted.append(None if item is None else one(item))
                except _BadValue as exc:
                    raise exc.within(f"[{index}]") from None
            return tuple(converted)

        return collection

    def _element_converter(self, prop: PropertyInfo) -> Converter:
        if prop.enum:
            return _enum_converter(prop.enum)
        if prop.is_complex:
            type_name = prop.edm_type
            return lambda value: self.complex(type_name, value)
        return _primitive_converter(prop.edm_type)


def _enum_converter(enum_name: str) -> Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise _BadValue("", f"is not a {enum_name} value")
        return enums.parse_enum(enum_name, value)

    return convert


def _primitive_converter(edm_type: str) -> Converter:
    parse = PRIMITIVES[edm_type]

    def convert(value: Any) -> Any:
        try:
            return parse(value)
        except (ValueError, TypeError, OverflowError):
            raise _BadValue("", f"is not a valid {edm_type}") from None

    return convert


def _record_extra(name: str, value: Any) -> dict[str, Any]:
    if name != EXTRA_KEY:
        raise _BadValue(name, "is not a property of this type")
    if not isinstance(value, dict):
        raise _BadValue(name, "is not an object")
    return value


def _is_wire_metadata(name: str, value: Any, navigation: frozenset[str]) -> bool:
    """OData bookkeeping, not data: ``__metadata``, annotations, navigation links and stubs."""
    if name == "__metadata" or name.startswith("odata.") or "@" in name or name in navigation:
        return True
    return isinstance(value, dict) and set(value) == {"__deferred"}


_NAVIGATION_NAMES = {
    name: frozenset(nav.name for nav in info.navigation) for name, info in schema.ENTITY_SET_INFO.items()
}
_WIRE = _Builder(record=False)
_RECORD = _Builder(record=True)


# --------------------------------------------------------------------------------------------
# primitive values


def parse_string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def parse_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a boolean")
    return value


def parse_integer(value: Any) -> int:
    """An int, or a string of digits: verbose JSON writes Int64 as a string."""
    if isinstance(value, bool):
        raise TypeError("not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value.strip())
    raise ValueError("not an integer")


def parse_double(value: Any) -> float:
    """A finite number, or its decimal text; NaN and infinities have no JSON form for the record."""
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, str) and _DECIMAL.match(value.strip()):
        value = float(value)
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("not a finite number")
    return float(value)


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from ``\\/Date(ms)\\/`` (optionally ``+hhmm``) or ISO-8601; None when unset.

    The ms count is UTC; a ``+hhmm`` suffix only says which offset the writer displayed. ISO
    strings without ``Z`` or offset are taken as UTC. Fractions beyond microseconds (.NET writes
    seven digits) are truncated. ``0001-01-01T00:00:00`` (DateTime.MinValue) means unset.
    """
    if not isinstance(value, str):
        raise TypeError("not a date string")
    text = value.strip()
    match = _EPOCH_DATE.match(text)
    if match:
        ms = int(match.group(1))
        return None if ms == _UNSET_EPOCH_MS else _EPOCH + dt.timedelta(milliseconds=ms)
    match = _ISO_DATE.match(text)
    if not match:
        raise ValueError("not a date")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    moment = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    if moment == _UNSET_MOMENT:
        return None
    if zone is None or zone == "Z":
        return dt.datetime(*moment, tzinfo=dt.timezone.utc)
    return dt.datetime(*moment, tzinfo=_zone(zone)).astimezone(dt.timezone.utc)


def _zone(designator: str) -> dt.timezone:
    sign = -1 if designator[0] == "-" else 1
    digits = designator[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def format_datetime(value: dt.datetime) -> str:
    """ISO-8601 UTC with microseconds and ``Z``: ``2020-04-17T00:56:31.763000Z``."""
    utc = value.astimezone(dt.timezone.utc) if value.tzinfo else value
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_duration(value: Any) -> dt.timedelta:
    """An ISO-8601 duration of days and time (``PT1H``, ``P1DT2H3M4.5S``, ``-PT30S``).

    Years and months have no fixed length, and .NET writes TimeSpan without them, so they are refused.
    """
    if not isinstance(value, str):
        raise TypeError("not a duration string")
    match = _DURATION.match(value.strip())
    if not match or not any(match.group(i) for i in range(2, 6)):
        raise ValueError("not a duration")
    sign, days, hours, minutes, seconds = match.groups()
    whole_seconds = Decimal(seconds or 0)
    duration = dt.timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(whole_seconds),
        microseconds=int((whole_seconds % 1) * 1_000_000),
    )
    return -duration if sign else duration


def format_duration(value: dt.timedelta) -> str:
    """The shortest ISO-8601 duration: ``PT1H``, ``P2DT30M``, ``PT0.5S``, ``PT0S``."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    date_part = f"{value.days}D" if value.days else ""
    time_part = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if value.microseconds:
        time_part += f"{seconds}.{value.microseconds:06d}".rstrip("0") + "S"
    elif seconds:
        time_part += f"{seconds}S"
    if not date_part and not time_part:
        return "PT0S"
    return f"{sign}P{date_part}" + (f"T{time_part}" if time_part else "")


PRIMITIVES: dict[str, Callable[[Any], Any]] = {
    "Edm.String": parse_string,
    "Edm.Guid": parse_string,
    "Edm.Boolean": parse_boolean,
    "Edm.Int16": parse_integer,
    "Edm.Int32": parse_integer,
    "Edm.Int64": parse_integer,
    "Edm.Double": parse_double,
    "Edm.DateTime": parse_datetime,
    "Edm.Time": parse_duration,
}
