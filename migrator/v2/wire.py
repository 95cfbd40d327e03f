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

from migrator.canonical import canonical_json
from migrator.canonical import quote as _quote
from migrator.exceptions import InventoryFormatError, MalformedPageError
from migrator.v2 import enums, schema
from migrator.v2.entities import COMPLEX_CLASSES, ComplexValue, V2Entity, entity_class
from migrator.v2.schema import PropertyInfo

EXTRA_KEY = "_extra"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)
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
# canonical JSON: how records are serialised in the inventory file (docs/inventory-format.md):
# ``migrator.canonical.canonical_json``, re-exported here for the reader and the store.


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
        self._plans: dict[str, dict[str, tuple[str, Converter, type | None]]] = {}

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
                attribute, convert, plain = step
                if value is None or type(value) is plain:
                    values[attribute] = value  # what the converter would return, without the call
                    continue
                try:
                    values[attribute] = convert(value)
                except _BadValue as exc:
                    raise exc.within(name) from None
            elif self.record:
                extra = _record_extra(name, value)
            elif not _is_wire_metadata(name, value, navigation):
                extra[name] = value
        return values, extra

    def _plan(self, owner: str, properties: tuple[PropertyInfo, ...]) -> dict[str, tuple[str, Converter, type | None]]:
        plan = self._plans.get(owner)
        if plan is None:
            plan = {p.name: (p.attribute, self._converter(p), _plain_type(p)) for p in properties}
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


# Per property, the record source ``_compile_record_builder`` compiles tests the JSON type a
# valid value has on the common path inline, and calls a function only for the rest: a page of a thousand entities with a
# dozen properties each is twelve thousand values, and a call per value is most of their cost.
_INLINE_TYPES = {
    "Edm.String": "str",
    "Edm.Guid": "str",
    "Edm.Boolean": "bool",
    "Edm.Int16": "int",
    "Edm.Int32": "int",
    "Edm.Int64": "int",
}


# Types whose JSON value is already the model's value: the converter would return it unchanged.
_PLAIN_TYPES = {edm_type: {"str": str, "bool": bool, "int": int}[name] for edm_type, name in _INLINE_TYPES.items()}


def _plain_type(prop: PropertyInfo) -> type | None:
    if prop.enum or prop.collection or prop.is_complex:
        return None
    return _PLAIN_TYPES.get(prop.edm_type)


_ENUM_MEMO_SIZE = 256  # per enum: its members and the flag combinations an account uses


def _enum_converter(enum_name: str) -> Converter:
    members: dict[int, Any] = {}  # known members only: an unknown value is logged each time it is read
    member_class = enums.ENUMS[enum_name]

    def convert(value: Any) -> Any:
        if type(value) is int:
            member = members.get(value)
            if member is not None:
                return member
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            raise _BadValue("", f"is not a {enum_name} value")
        member = enums.parse_enum(enum_name, value)
        if type(value) is int and isinstance(member, member_class) and len(members) < _ENUM_MEMO_SIZE:
            members[value] = member
        return member

    return convert


def _primitive_converter(edm_type: str) -> Converter:
    parse = _parse_canonical_datetime if edm_type == "Edm.DateTime" else PRIMITIVES[edm_type]

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
# records straight from the wire: the reader's path


@dataclass(frozen=True, slots=True)
class RowPage:
    """One response page as (key, canonical record JSON) rows in service order, and the next link."""

    rows: tuple[tuple[str, str], ...]
    next_link: str | None = None


def parse_page_rows(entity_set: str, payload: Any, *, page: int | None = None) -> RowPage:
    """The stored rows of one page: ``[(e.key, canonical_json(e.to_record())) for e in parse_page(...)]``.

    The reader stores these rows for millions of entities, so the record's JSON is written
    straight from the wire values by code compiled for the set, without the typed entity or the
    record dict in between. An entity with properties the schema does not know goes through a
    record dict (compiled too), and a value off the common path through the same converters as
    ``parse_page``; an entity the fast pass cannot take is parsed again by ``parse_page``'s own
    path, so what is accepted, and the error when it is not, stay the same.
    """
    entity_class(entity_set)
    document = _decode(entity_set, payload, page)
    raw_entities, next_link = _unwrap(entity_set, document, page)
    build_row = _row_builder(entity_set)
    build_record = _record_builder(entity_set)
    key_name = schema.ENTITY_SET_INFO[entity_set].key_property
    rows = []
    for index, raw in enumerate(raw_entities):
        try:
            row = build_row(raw)
            if row is None:  # properties to keep under _extra
                record = build_record(raw)
                row = (record[key_name], canonical_json(record))
        except Exception:  # noqa: BLE001 - a shortcut only: what it cannot take, parse_page's path decides
            record = to_record(_entity_in_page(entity_set, raw, index, page))
            row = (record[key_name], canonical_json(record))
        rows.append(row)
    return RowPage(rows=tuple(rows), next_link=next_link)


_ROW_BUILDERS: dict[str, Callable[[Any], tuple[str, str] | None]] = {}


def _row_builder(entity_set: str) -> Callable[[Any], tuple[str, str] | None]:
    """The compiled wire-object-to-(key, record JSON) function of an entity set."""
    builder = _ROW_BUILDERS.get(entity_set)
    if builder is None:
        builder = _compile_row_builder(entity_set)
        _ROW_BUILDERS[entity_set] = builder
    return builder


def _compile_row_builder(entity_set: str) -> Callable[[Any], tuple[str, str] | None]:
    info = schema.ENTITY_SET_INFO[entity_set]
    names = frozenset(p.name for p in info.properties)
    namespace: dict[str, Any] = {
        "_BadValue": _BadValue,
        "quote": _quote,
        "as_json": canonical_json,
        "bookkeeping": names | _NAVIGATION_NAMES[entity_set] | {"__metadata"},
    }
    lines = [
        "def build_row(raw):",
        "    if type(raw) is not dict:",
        "        raise _BadValue('', 'is not a JSON object')",
        "    if not bookkeeping.issuperset(raw):",
        "        return None",
        "    get = raw.get",
    ]
    # canonical JSON sorts keys: the template lists them sorted, so each value fills its slot
    ordered = sorted(info.properties, key=lambda p: p.name)
    for index, prop in enumerate(ordered):
        lines.extend(_fragment_source(index, prop, namespace))
    key_index = next(i for i, p in enumerate(ordered) if p.name == info.key_property)
    template = "{" + ",".join(canonical_json(p.name).replace("%", "%%") + ":%s" for p in ordered) + "}"
    namespace["template"] = template
    lines += [
        # the key is a String or Guid: its record value is the wire string itself
        f"    if type(v{key_index}) is not str or not v{key_index}:",
        f"        raise _BadValue({info.key_property!r}, '(the key) is missing or empty')",
        f"    return v{key_index}, template % (" + ", ".join(f"j{i}" for i in range(len(ordered))) + ",)",
    ]
    return _compiled("build_row", lines, f"<rows of {entity_set}>", namespace)


def _fragment_source(index: int, prop: PropertyInfo, namespace: dict[str, Any]) -> list[str]:
    """Lines that leave the canonical JSON of one property's record value in ``j<index>``."""
    value, fragment = f"v{index}", f"j{index}"
    convert = f"convert{index}"
    namespace[convert] = _record_value_function(prop)
    inline = _INLINE_TYPES.get(prop.edm_type) if not prop.collection and not prop.enum else None
    remembered = _remembered_records(prop)
    lines = [f"    {value} = get({prop.name!r})", f"    if {value} is None:", f"        {fragment} = 'null'"]
    if inline == "str":
        lines += ["    else:", f"        {fragment} = quote({value}) if type({value}) is str else as_json({convert}({value}))"]
    elif inline == "bool":
        lines += [
            f"    elif type({value}) is bool:",
            f"        {fragment} = 'true' if {value} else 'false'",
            "    else:",
            f"        {fragment} = as_json({convert}({value}))",
        ]
    elif inline == "int":
        lines += [
            f"    elif type({value}) is int:",
            f"        {fragment} = str({value})",
            # verbose JSON quotes Int64; plain ASCII digits are the common form of that
            f"    elif type({value}) is str and {value}.isascii() and {value}.isdigit():",
            f"        {fragment} = str(int({value}))",
            "    else:",
            f"        {fragment} = as_json({convert}({value}))",
        ]
    elif remembered is not None:
        name, records, types = remembered
        fragments = _FRAGMENTS.setdefault(name, {})
        cache, fill = f"fragments{index}", f"fragment{index}"
        namespace[cache] = fragments
        if prop.edm_type == "Edm.DateTime":
            namespace[fill] = _date_fragment_function(namespace[convert], fragments)
        else:
            namespace[fill] = _remembering_fragment_function(namespace[convert], records, fragments)
        key_types = " or ".join(f"type({value}) is {t}" for t in types)
        lines += [
            "    else:",
            f"        {fragment} = {cache}.get({value}) if {key_types} else None",
            f"        if {fragment} is None:",
            f"            {fragment} = {fill}({value})",
        ]
    else:
        lines += ["    else:", f"        {fragment} = as_json({convert}({value}))"]
    return lines


# The canonical JSON of remembered record values, by wire value, per enum and for dates.
_FRAGMENTS: dict[str, dict[int | str, str]] = {}


def _remembering_fragment_function(
    convert: Converter, records: dict[Any, Any], fragments: dict[int | str, str]
) -> Converter:
    """The JSON of ``convert(value)``, remembered when ``convert`` remembered the record value.

    Following that cache keeps its rules: an unknown enum value is never remembered (it is
    logged each time it is read), and the JSON is forgotten when the values may have been.
    """

    def fragment(value: Any) -> str:
        text = canonical_json(convert(value))
        if (type(value) is int or type(value) is str) and value in records:
            if len(fragments) >= _DATE_RECORDS_LIMIT:
                fragments.clear()
            fragments[value] = text
        return text

    return fragment


def _date_fragment_function(convert: Converter, fragments: dict[int | str, str]) -> Converter:
    """The JSON of a date's record value, remembered; the verbose form skips the record cache."""

    def fragment(value: Any) -> str:
        record = _epoch_date_record(value) if type(value) is str else None
        if record is None:  # ISO-8601, unset, or not a date: the general path decides
            record = convert(value)
        text = "null" if record is None else _quote(record)
        if type(value) is str:
            if len(fragments) >= _DATE_RECORDS_LIMIT:
                fragments.clear()
            fragments[value] = text
        return text

    return fragment


def _compiled(name: str, lines: list[str], filename: str, namespace: dict[str, Any]) -> Callable[[Any], Any]:
    """Function ``name`` defined by the source lines, which see ``namespace`` (their helpers) as globals."""
    exec(compile("\n".join(lines), filename, "exec"), namespace)  # noqa: S102 - source built from the schema
    return namespace[name]


_RECORD_BUILDERS: dict[str, Callable[[Any], dict[str, Any]]] = {}


def _record_builder(owner: str) -> Callable[[Any], dict[str, Any]]:
    """The compiled wire-object-to-record function of an entity set or complex type."""
    builder = _RECORD_BUILDERS.get(owner)
    if builder is None:
        builder = _compile_record_builder(owner)
        _RECORD_BUILDERS[owner] = builder
    return builder


def _compile_record_builder(owner: str) -> Callable[[Any], dict[str, Any]]:
    info = schema.ENTITY_SET_INFO.get(owner)
    properties = info.properties if info is not None else schema.COMPLEX_TYPES[owner]
    navigation = _NAVIGATION_NAMES[owner] if info is not None else frozenset()
    names = frozenset(p.name for p in properties)
    namespace: dict[str, Any] = {
        "_BadValue": _BadValue,
        "_wire_extra": _wire_extra,
        "names": names,
        "navigation": navigation,
        # anything outside this set may be data the record keeps under _extra
        "bookkeeping": names | navigation | {"__metadata"},
    }
    lines = [
        "def build(raw):",
        "    if type(raw) is not dict:",
        "        raise _BadValue('', 'is not a JSON object')",
        "    get = raw.get",
    ]
    # Records are serialised with sorted keys; building them in that order makes the sort free.
    ordered = sorted(properties, key=lambda p: p.name)
    for index, prop in enumerate(ordered):
        lines.extend(_property_source(index, prop, namespace))
    lines.append("    record = {" + ", ".join(f"{p.name!r}: v{i}" for i, p in enumerate(ordered)) + "}")
    if info is not None:
        key_index = next(i for i, p in enumerate(ordered) if p.name == info.key_property)
        lines += [
            f"    if type(v{key_index}) is not str or not v{key_index}:",
            f"        raise _BadValue({info.key_property!r}, '(the key) is missing or empty')",
        ]
    lines += [
        "    if not bookkeeping.issuperset(raw):",
        "        extra = _wire_extra(raw, names, navigation)",
        "        if extra:",
        f"            record[{EXTRA_KEY!r}] = extra",
        "    return record",
    ]
    return _compiled("build", lines, f"<records of {owner}>", namespace)


def _property_source(index: int, prop: PropertyInfo, namespace: dict[str, Any]) -> list[str]:
    """Lines that leave the record value of one property in ``v<index>``."""
    value = f"v{index}"
    convert = f"convert{index}"
    namespace[convert] = _record_value_function(prop)
    lines = [f"    {value} = get({prop.name!r})"]
    inline = _INLINE_TYPES.get(prop.edm_type) if not prop.collection and not prop.enum else None
    remembered = _remembered_records(prop)
    if inline == "int":
        lines += [
            f"    if {value} is not None and type({value}) is not int:",
            # verbose JSON quotes Int64; plain ASCII digits are the common form of that
            f"        {value} = int({value}) if type({value}) is str and {value}.isascii() and {value}.isdigit() "
            f"else {convert}({value})",
        ]
    elif inline is not None:
        lines.append(f"    if {value} is not None and type({value}) is not {inline}:")
        lines.append(f"        {value} = {convert}({value})")
    elif remembered is not None:
        # a miss (or a remembered None, an unset date) takes the call, which also remembers
        cache, key_types = f"remembered{index}", " or ".join(f"type({value}) is {t}" for t in remembered[2])
        namespace[cache] = remembered[1]
        lines += [
            f"    if {value} is not None:",
            f"        known = {cache}.get({value}) if {key_types} else None",
            f"        {value} = {convert}({value}) if known is None else known",
        ]
    else:
        lines.append(f"    if {value} is not None:")
        lines.append(f"        {value} = {convert}({value})")
    return lines


def _remembered_records(prop: PropertyInfo) -> tuple[str, dict[Any, Any], tuple[str, ...]] | None:
    """The cache of record values by wire value a property's function fills: name, cache, key types."""
    if prop.collection:
        return None
    if prop.enum:
        return prop.enum, _enum_records(prop.enum), ("int", "str")
    if prop.edm_type == "Edm.DateTime":
        return prop.edm_type, _DATE_RECORDS, ("str",)
    return None


def _record_value_function(prop: PropertyInfo) -> Converter:
    """Wire value (not None) -> record value, by the parse-then-format path or a shortcut to it."""
    generic = _generic_record_value(_WIRE._converter(prop), _formatter(prop))
    if not prop.collection:
        return _element_record_function(prop, generic)
    element_generic = _generic_record_value(_WIRE._element_converter(prop), _element_formatter(prop))
    element = _element_record_function(prop, element_generic)

    def collection(value: Any) -> Any:
        items = value
        if type(value) is dict and type(value.get("results")) is list:
            items = value["results"]  # verbose: {"__metadata": {"type": "Collection(...)"}, "results": [...]}
        if type(items) is not list:
            return generic(value)
        return [None if item is None else element(item) for item in items]

    return collection


def _generic_record_value(convert: Converter, formatter: Formatter | None) -> Converter:
    if formatter is None:
        return lambda value: _json_safe(convert(value))

    def convert_and_format(value: Any) -> Any:
        item = convert(value)  # an unset date converts to None
        return None if item is None else formatter(item)

    return convert_and_format


def _json_safe(value: Any) -> Any:
    # a collection without a formatter converts to a tuple; its record form is a list
    return list(value) if type(value) is tuple else value


def _element_record_function(prop: PropertyInfo, generic: Converter) -> Converter:
    if prop.enum:
        return _enum_record_function(prop.enum, generic)
    if prop.is_complex:
        return _record_builder(prop.edm_type)
    if prop.edm_type == "Edm.DateTime":
        return _datetime_record_function(generic)
    if prop.edm_type in ("Edm.Int16", "Edm.Int32", "Edm.Int64"):
        return _integer_record_function(generic)
    inline = _INLINE_TYPES.get(prop.edm_type)
    if inline is None:
        return generic
    expected = {"str": str, "bool": bool}[inline]
    return lambda value: value if type(value) is expected else generic(value)


def _integer_record_function(generic: Converter) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is int:
            return value
        # verbose JSON quotes Int64; plain ASCII digits are the common form of that
        if type(value) is str and value.isascii() and value.isdigit():
            return int(value)
        return generic(value)

    return convert


# Known enum members by raw wire value, per enum: the record value without building the member.
_ENUM_RECORDS: dict[str, dict[int | str, int | str]] = {}
_ENUM_RECORDS_LIMIT = 256  # raw values are member numbers, combinations and names: a few per enum


def _enum_records(enum_name: str) -> dict[int | str, int | str]:
    return _ENUM_RECORDS.setdefault(enum_name, {})


def _enum_record_function(enum_name: str, generic: Converter) -> Converter:
    records = _enum_records(enum_name)
    parse = _WIRE._element_converter(schema.PropertyInfo("", "", "Edm.Int32", enum=enum_name))

    def convert(value: Any) -> Any:
        member = parse(value)
        # only known members are remembered: an unknown value is logged every time it is read
        if isinstance(member, enums.WireEnum) and type(value) in (int, str) and len(records) < _ENUM_RECORDS_LIMIT:
            records[value] = member.wire
        return enums.enum_to_wire(member)

    return convert


# Wire date text -> record date text. Entities are often created and modified in the same
# instant, and pages list siblings made together; a small cache catches both.
_DATE_RECORDS: dict[str, str | None] = {}
_DATE_RECORDS_LIMIT = 4096
_UNSEEN = object()


def _datetime_record_function(generic: Converter) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is not str:
            return generic(value)
        record = _DATE_RECORDS.get(value, _UNSEEN)
        if record is _UNSEEN:
            record = _epoch_date_record(value)
            if record is None:
                record = generic(value)
            if len(_DATE_RECORDS) >= _DATE_RECORDS_LIMIT:
                _DATE_RECORDS.clear()
            _DATE_RECORDS[value] = record
        return record

    return convert


# The pieces of a record date: "YYYY-MM-DDT" by day since the epoch, cached (accounts span a
# few thousand days), then "HH:MM:" by minute of the day, "SS." and "mmm000Z".
_DAY_PREFIXES: dict[int, str] = {}
_MINUTES_OF_DAY = tuple("%02d:%02d:" % divmod(minute, 60) for minute in range(24 * 60))
_SECONDS = tuple("%02d." % second for second in range(60))
_MILLISECONDS = tuple("%03d000Z" % ms for ms in range(1000))
_MS_PER_DAY = 86_400_000


def _epoch_date_record(text: str) -> str | None:
    """``format_datetime(parse_datetime(text))`` for the verbose ``\\/Date(ms)\\/`` form, else None.

    The same digits, read as UTC milliseconds, written without the datetime in between; None
    also for DateTime.MinValue and dates outside the calendar, which the general path handles.
    """
    match = _EPOCH_DATE.match(text)
    if match is None:
        return None
    ms = int(match[1])
    if ms == _UNSET_EPOCH_MS:
        return None
    day, ms_of_day = divmod(ms, _MS_PER_DAY)
    prefix = _DAY_PREFIXES.get(day)
    if prefix is None:
        try:
            prefix = (_EPOCH_NAIVE + dt.timedelta(days=day)).isoformat()[:11]
        except OverflowError:
            return None
        if len(_DAY_PREFIXES) < _DATE_RECORDS_LIMIT:
            _DAY_PREFIXES[day] = prefix
    second, millisecond = divmod(ms_of_day, 1000)
    minute, second = divmod(second, 60)
    return prefix + _MINUTES_OF_DAY[minute] + _SECONDS[second] + _MILLISECONDS[millisecond]


def _wire_extra(raw: dict[str, Any], names: frozenset[str], navigation: frozenset[str]) -> dict[str, Any]:
    """The properties of a wire object the schema does not know, as the typed path keeps them."""
    return {
        name: value
        for name, value in raw.items()
        if name not in names and not _is_wire_metadata(name, value, navigation)
    }


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


_CANONICAL_DATE_LENGTH = len("2020-04-17T00:56:31.763000Z")
_from_iso = dt.datetime.fromisoformat


def _parse_canonical_datetime(value: Any) -> dt.datetime | None:
    """``parse_datetime``, with a short path for the form records store (``format_datetime``'s).

    Records hold millions of dates in exactly that form; the standard library's ISO parser
    reads them several times faster than the general pattern, and the result is kept only when
    it prints back to the same text (anything else takes the general path).
    """
    if type(value) is str and len(value) == _CANONICAL_DATE_LENGTH and value[-1] == "Z" and value[10] == "T":
        text = value[:-1]
        try:
            moment = _from_iso(text)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None and moment.year > 1 and moment.isoformat(timespec="microseconds") == text:
            return moment.replace(tzinfo=dt.timezone.utc)
    return parse_datetime(value)


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
