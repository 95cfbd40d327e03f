"""Validate v3 request bodies against the official swagger 2.0 files of Microsoft.Media.

The swagger files under ``specification/`` are unchanged copies of Azure/azure-rest-api-specs;
Event Grid event subscriptions, absent from that copy, come from ``migrator.openapi.eventgrid``.
The files are read once, on first use, and kept for the life of the process (they never change).

Semantics (see docs/openapi-validation.md for the reasoning):

- ``$ref`` resolves across files relative to the referring file, as written upstream.
- ``allOf`` members are merged into one object shape, so undeclared properties are judged
  against everything a type inherits.
- A schema in a ``discriminator`` hierarchy is validated as the subtype whose
  ``x-ms-discriminator-value`` (or definition name) equals the body's discriminator value; an
  unknown value is an error.
- ``strict=True`` (tests): read-only properties, undeclared properties and ``null`` values on
  non-nullable properties are errors. ``strict=False`` (the sandbox, like ARM): they are ignored.
- Enum values are enforced also when ``x-ms-enum.modelAsString`` is true (the list is what the
  service accepted at that api-version); strict mode compares case-sensitively, lenient mode
  case-insensitively as the service's JSON reader did.
- Error messages never echo values of secret-bearing fields (see ``_may_echo``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import math
import posixpath
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrator.openapi import eventgrid
from migrator.redact import SECRET_FIELDS

SPEC_ROOT = Path(__file__).parent / "specification"
MEDIA_SPEC_DIR = "mediaservices/resource-manager/Microsoft.Media"

HTTP_METHODS = ("get", "put", "patch", "post", "delete", "head")
ROOT_PATH = "body"

# Values never echoed in messages even though the field names are not secret everywhere:
# a streaming locator content key's ``value`` and getEncryptionKey's ``key`` are key material.
_UNECHOED_FIELDS = SECRET_FIELDS | {"value", "key", "primaryverificationkey", "alternateverificationkeys"}
_MAX_ECHO = 120

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(?P<zone>[Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?$"
)
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_DURATION = re.compile(
    r"^-?P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class Operation:
    """One operation of the specs, as matched against a concrete ARM path."""

    operation_id: str
    api_version: str
    long_running: bool
    path_template: str
    path_params: dict[str, str] = field(hash=False)  # URL-decoded values, keyed by template name
    method: str
    family: str  # Accounts, Metadata, Encoding, Streaming or EventGrid
    status_codes: tuple[int, ...]  # the success statuses the spec lists
    has_body: bool
    body_required: bool


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _OperationSpec:
    method: str
    template: str
    pattern: re.Pattern[str]
    literal_count: int
    operation_id: str
    api_version: str
    family: str
    long_running: bool
    status_codes: tuple[int, ...]
    body_schema: Mapping[str, Any] | None
    body_required: bool
    response_schemas: Mapping[str, Mapping[str, Any] | None]
    path_parameters: Mapping[str, Mapping[str, Any]]

    def bind(self, params: dict[str, str]) -> Operation:
        return Operation(
            operation_id=self.operation_id,
            api_version=self.api_version,
            long_running=self.long_running,
            path_template=self.template,
            path_params=params,
            method=self.method,
            family=self.family,
            status_codes=self.status_codes,
            has_body=self.body_schema is not None,
            body_required=self.body_required,
        )


class _Specs:
    """Every loaded document with absolute ``$ref``s, its definitions and operations.

    Built once and never changed afterwards; the memo dicts only ever gain entries that any
    thread would compute identically, so concurrent readers (the sandbox's threads) are safe.
    """

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.children: dict[str, list[str]] = {}
        self.operations: list[_OperationSpec] = []
        self.put_by_type: dict[str, _OperationSpec] = {}
        self.api_versions: dict[str, str] = {}
        self._flat: dict[int, tuple[Mapping[str, Any], _Shape]] = {}
        self._descendants: dict[str, list[str]] = {}
        for name, doc in documents.items():
            self._index_definitions(name, doc)
            self._index_operations(name, doc)

    # --- references

    def resolve(self, ref: str) -> dict[str, Any]:
        file, _, pointer = ref.partition("#")
        try:
            node: Any = self.documents[file]
            for token in filter(None, pointer.split("/")):
                node = node[token.replace("~1", "/").replace("~0", "~")]
        except (KeyError, IndexError, TypeError):
            raise LookupError(f"unresolvable $ref {ref}") from None
        return node

    def _index_definitions(self, name: str, doc: dict[str, Any]) -> None:
        for def_name, schema in doc.get("definitions", {}).items():
            for member in schema.get("allOf", []):
                if "$ref" in member:
                    self.children.setdefault(member["$ref"], []).append(f"{name}#/definitions/{def_name}")

    def _index_operations(self, name: str, doc: dict[str, Any]) -> None:
        family = _family_of(name)
        version = doc.get("info", {}).get("version", "")
        if doc.get("paths") and family:
            self.api_versions.setdefault(family, version)
        for template, item in doc.get("paths", {}).items():
            shared = [self._parameter(p) for p in item.get("parameters", [])]
            for method, op in item.items():
                if method not in HTTP_METHODS:
                    continue
                params = shared + [self._parameter(p) for p in op.get("parameters", [])]
                spec = self._operation(template, method, op, params, family, version)
                self.operations.append(spec)
                if spec.method == "PUT" and spec.body_schema is not None:
                    self.put_by_type.setdefault(_resource_type_of(template), spec)

    def _parameter(self, param: dict[str, Any]) -> dict[str, Any]:
        return self.resolve(param["$ref"]) if "$ref" in param else param

    @staticmethod
    def _operation(template, method, op, params, family, version) -> _OperationSpec:
        body = next((p for p in params if p.get("in") == "body"), None)
        multi_segment = {p["name"] for p in params if p.get("in") == "path" and p.get("x-ms-skip-url-encoding")}
        pattern, literals = _template_pattern(template, multi_segment)
        return _OperationSpec(
            method=method.upper(),
            template=template,
            pattern=pattern,
            literal_count=literals,
            operation_id=op.get("operationId", ""),
            api_version=version,
            family=family,
            long_running=bool(op.get("x-ms-long-running-operation", False)),
            status_codes=tuple(int(code) for code in op.get("responses", {}) if code.isdigit()),
            body_schema=body.get("schema") if body else None,
            body_required=bool(body and body.get("required", False)),
            response_schemas={code: answer.get("schema") for code, answer in op.get("responses", {}).items()},
            path_parameters={p["name"]: p for p in params if p.get("in") == "path"},
        )

    # --- hierarchies

    def descendants(self, ref: str) -> list[str]:
        if ref not in self._descendants:
            found: list[str] = []
            pending = list(self.children.get(ref, []))
            while pending:
                child = pending.pop(0)
                if child not in found:
                    found.append(child)
                    pending.extend(self.children.get(child, []))
            self._descendants[ref] = found
        return self._descendants[ref]

    def discriminator_of(self, ref: str) -> str | None:
        schema = self.resolve(ref)
        if "discriminator" in schema:
            return schema["discriminator"]
        for member in schema.get("allOf", []):
            if "$ref" in member and (found := self.discriminator_of(member["$ref"])):
                return found
        return None

    def discriminator_value(self, ref: str) -> str | None:
        """The value selecting this definition; None for an abstract root."""
        schema = self.resolve(ref)
        if "x-ms-discriminator-value" in schema:
            return schema["x-ms-discriminator-value"]
        return None if "discriminator" in schema else ref.rpartition("/")[2]

    # --- shapes

    def shape(self, schema: Mapping[str, Any]) -> _Shape:
        key = id(schema)
        if key not in self._flat:
            # keeping the schema alive keeps its id from being reused by another object
            self._flat[key] = (schema, _Shape.merge(self, schema))
        return self._flat[key][1]


@dataclass
class _Shape:
    """The object-level view of a schema with its ``allOf`` members merged in."""

    properties: dict[str, Mapping[str, Any]]
    required: set[str]
    additional: Any  # None: not declared; bool or schema otherwise

    @classmethod
    def merge(cls, specs: _Specs, schema: Mapping[str, Any]) -> _Shape:
        properties: dict[str, Mapping[str, Any]] = {}
        required: set[str] = set()
        additional: Any = None
        for member in schema.get("allOf", []):
            inner = specs.shape(specs.resolve(member["$ref"]) if "$ref" in member else member)
            properties.update(inner.properties)
            required |= inner.required
            additional = inner.additional if additional is None else additional
        properties.update(schema.get("properties", {}))
        required |= set(schema.get("required", []))
        if "additionalProperties" in schema:
            additional = schema["additionalProperties"]
        return cls(properties, required, additional)

    @property
    def is_closed(self) -> bool:
        """Whether undeclared properties are foreign: a free-form object declares none."""
        return bool(self.properties) and self.additional is None

    def with_declared_names(self, value: dict[str, Any]) -> dict[str, Any]:
        """The object with property names spelt as declared, matched case-insensitively.

        The service's JSON reader matched property names regardless of case; lenient mode
        does the same so that a body the service took is not refused.
        """
        declared = {name.lower(): name for name in self.properties}
        renamed = {}
        for key, item in value.items():
            name = key if key in self.properties else declared.get(key.lower(), key)
            renamed.setdefault(name, item)
        return renamed


def _family_of(document_name: str) -> str:
    if document_name.startswith(MEDIA_SPEC_DIR + "/"):
        return document_name[len(MEDIA_SPEC_DIR) + 1 :].split("/", 1)[0]
    if document_name == eventgrid.DOCUMENT_NAME:
        return eventgrid.FAMILY
    return ""


def _template_pattern(template: str, multi_segment: set[str]) -> tuple[re.Pattern[str], int]:
    parts, literals = [], 0
    for segment in template.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            group = re.sub(r"\W", "_", name)
            value = ".+?" if name in multi_segment else "[^/]+"
            parts.append(f"(?P<{group}>{value})")
        else:
            parts.append(re.escape(segment))
            literals += 1
    return re.compile("^/" + "/".join(parts) + "/?$", re.IGNORECASE), literals


def _resource_type_of(template: str) -> str:
    """``.../providers/Microsoft.Media/mediaServices/{a}/assets/{b}`` -> ``microsoft.media/mediaservices/assets``."""
    tail = template.rsplit("/providers/", 1)[-1].strip("/").split("/")
    namespace, rest = tail[0], tail[1:]
    return "/".join([namespace, *rest[0::2]]).lower()


def _absolutize(node: Any, document_name: str) -> Any:
    if isinstance(node, dict):
        return {
            key: _absolute_ref(document_name, value)
            if key == "$ref" and isinstance(value, str)
            else _absolutize(value, document_name)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolutize(v, document_name) for v in node]
    return node


def _absolute_ref(document_name: str, ref: str) -> str:
    file, _, pointer = ref.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(document_name), file)) if file else document_name
    return f"{target}#{pointer}"


@functools.lru_cache(maxsize=1)
def _specs() -> _Specs:
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted(SPEC_ROOT.rglob("*.json")):
        name = path.relative_to(SPEC_ROOT).as_posix()
        if "/examples/" in name:
            continue
        documents[name] = _absolutize(json.loads(path.read_text(encoding="utf-8")), name)
    documents[eventgrid.DOCUMENT_NAME] = _absolutize(eventgrid.swagger_document(), eventgrid.DOCUMENT_NAME)
    return _Specs(documents)


# --------------------------------------------------------------------------- validation


def _path_join(path: str, key: str) -> str:
    return key if path == ROOT_PATH else f"{path}.{key}"


def _may_echo(field_name: str, schema: Mapping[str, Any]) -> bool:
    if schema.get("x-ms-secret") or schema.get("format") in ("byte", "password"):
        return False
    return field_name.lower() not in _UNECHOED_FIELDS


def _describe(value: Any, echo: bool) -> str:
    """The value for a message; containers are never shown, they may nest secret fields."""
    kind = _json_type(value)
    article = "an" if kind[0] in "aeiou" else "a"
    if isinstance(value, (dict, list)):
        return f"{article} {kind}"
    if not echo:
        return f"{article} {kind} (value not shown)"
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 3] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _has_type(value: Any, expected: str) -> bool:
    actual = _json_type(value)
    if expected == "number":
        return actual in ("integer", "number")
    if expected == "integer" and actual == "number":
        return float(value).is_integer()
    return actual == expected


class _Run:
    """One validation pass: walks a body against a schema and collects messages.

    ``response`` flips the read-only rules: a response may carry read-only properties and must
    carry the required ones, a request may not set them and need not send them. ``partial``
    (a lenient PATCH) skips ``required``, except the discriminator a polymorphic object needs.
    """

    def __init__(self, specs: _Specs, strict: bool, response: bool = False, partial: bool = False) -> None:
        self.specs = specs
        self.strict = strict
        self.response = response
        self.partial = partial
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def check(self, value: Any, schema: Mapping[str, Any], path: str, name: str = "", dispatch: bool = True) -> None:
        if value is None:
            if self.strict and not self.is_nullable(schema):
                self.fail(path, "null is not allowed")
            return
        if "$ref" in schema:
            self.check_definition(value, schema["$ref"], path, name, dispatch)
            return
        expected = schema.get("type") or ("object" if "properties" in schema or "allOf" in schema else None)
        if expected and not _has_type(value, expected):
            self.fail(path, f"{_describe(value, _may_echo(name, schema))} is not of type '{expected}'")
            return
        if isinstance(value, dict):
            self.check_object(value, schema, path)
        elif isinstance(value, list):
            self.check_array(value, schema, path, name)
        else:
            self.check_scalar(value, schema, path, name)

    def check_definition(self, value: Any, ref: str, path: str, name: str, dispatch: bool) -> None:
        if dispatch and isinstance(value, dict):
            chosen = self.select_subtype(value, ref, path)
            if chosen is None:
                return
            ref = chosen
        self.check(value, self.specs.resolve(ref), path, name, dispatch=False)

    def select_subtype(self, value: dict[str, Any], ref: str, path: str) -> str | None:
        """The definition a polymorphic body names; None (after an error) when it names none."""
        prop = self.specs.discriminator_of(ref)
        if prop is None:
            return ref
        if value.get(prop) is None and self.specs.discriminator_value(ref) is None:
            # an abstract base cannot be validated as itself: its subtype is unknown
            self.fail(path, f"'{prop}' is a required property")
            return None
        if not isinstance(value.get(prop), str):
            return ref
        candidates = {
            self.specs.discriminator_value(candidate): candidate
            for candidate in [ref, *self.specs.descendants(ref)]
            if self.specs.discriminator_value(candidate) is not None
        }
        chosen = candidates.get(value[prop])
        if chosen is None:
            allowed = ", ".join(sorted(candidates))
            named = _describe(value[prop], echo=True)
            self.fail(_path_join(path, prop), f"unknown discriminator value {named}; expected one of: {allowed}")
        return chosen

    def check_object(self, value: dict[str, Any], schema: Mapping[str, Any], path: str) -> None:
        shape = self.specs.shape(schema)
        if not self.strict:
            value = shape.with_declared_names(value)
        for required in sorted(shape.required) if not self.partial else ():
            declared = shape.properties.get(required, {})
            if declared.get("readOnly") and not self.response:
                continue  # read-only required properties are response-only
            if value.get(required) is None and not (required in value and self.is_nullable(declared)):
                self.fail(path, f"'{required}' is a required property")
        for key, item in value.items():
            item_path = _path_join(path, key)
            declared = shape.properties.get(key)
            if declared is not None:
                if declared.get("readOnly") and not self.response:
                    if self.strict:
                        self.fail(item_path, "is read-only; a request may not set it")
                    continue
                if key in shape.required and item is None:
                    continue  # already reported as missing
                self.check(item, declared, item_path, key)
            elif isinstance(shape.additional, Mapping):
                self.check(item, shape.additional, item_path, key)
            elif shape.additional is False or (self.strict and shape.is_closed):
                self.fail(item_path, "is not a property the schema declares")

    def is_nullable(self, schema: Mapping[str, Any]) -> bool:
        if "x-nullable" in schema or "$ref" not in schema:
            return bool(schema.get("x-nullable", False))
        return self.is_nullable(self.specs.resolve(schema["$ref"]))

    def check_array(self, value: list[Any], schema: Mapping[str, Any], path: str, name: str) -> None:
        if "minItems" in schema and len(value) < schema["minItems"]:
            self.fail(path, f"has {len(value)} items, fewer than the minimum of {schema['minItems']}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            self.fail(path, f"has {len(value)} items, more than the maximum of {schema['maxItems']}")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            self.fail(path, "has duplicate items")
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, item in enumerate(value):
                self.check(item, items, f"{path}[{index}]", name)

    def check_scalar(self, value: Any, schema: Mapping[str, Any], path: str, name: str) -> None:
        echo = _may_echo(name, schema)
        if "enum" in schema and not self.enum_allows(schema["enum"], value):
            allowed = ", ".join(str(v) for v in schema["enum"])
            self.fail(path, f"{_describe(value, echo)} is not one of: {allowed}")
        if isinstance(value, str):
            self.check_string(value, schema, path, echo)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self.check_number(value, schema, path, echo)

    def enum_allows(self, allowed: list[Any], value: Any) -> bool:
        if value in allowed:
            return True
        if self.strict or not isinstance(value, str):
            return False
        return value.lower() in {v.lower() for v in allowed if isinstance(v, str)}

    def check_string(self, value: str, schema: Mapping[str, Any], path: str, echo: bool) -> None:
        fmt = schema.get("format")
        if fmt and not self.format_allows(fmt, value):
            self.fail(path, f"{_describe(value, echo)} is not a '{fmt}'")
        if "minLength" in schema and len(value) < schema["minLength"]:
            self.fail(path, f"is shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.fail(path, f"is longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            self.fail(path, f"{_describe(value, echo)} does not match {schema['pattern']!r}")

    def format_allows(self, fmt: str, value: str) -> bool:
        if fmt == "date-time" and not self.strict:
            return bool(_DATE_TIME.match(value))  # the service's reader took a date-time without offset
        return _FORMAT_CHECKS.get(fmt, lambda _v: True)(value)

    def check_number(self, value: int | float, schema: Mapping[str, Any], path: str, echo: bool) -> None:
        fmt = schema.get("format")
        if fmt in _INT_RANGES:
            low, high = _INT_RANGES[fmt]
            if not low <= value <= high:
                self.fail(path, f"{_describe(value, echo)} is out of the {fmt} range")
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(path, "is not a finite number")
        if "minimum" in schema and (
            value < schema["minimum"] or (schema.get("exclusiveMinimum") and value == schema["minimum"])
        ):
            self.fail(path, f"{_describe(value, echo)} is less than the minimum of {schema['minimum']}")
        if "maximum" in schema and (
            value > schema["maximum"] or (schema.get("exclusiveMaximum") and value == schema["maximum"])
        ):
            self.fail(path, f"{_describe(value, echo)} is greater than the maximum of {schema['maximum']}")
        if "multipleOf" in schema and value % schema["multipleOf"]:
            self.fail(path, f"{_describe(value, echo)} is not a multiple of {schema['multipleOf']}")


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_FORMAT_CHECKS = {
    "uuid": lambda v: bool(_UUID.match(v)),
    "date-time": lambda v: bool((found := _DATE_TIME.match(v)) and found.group("zone")),
    "date": lambda v: bool(_DATE.match(v)),
    "duration": lambda v: bool(_DURATION.match(v)),
    "byte": _is_base64,
}


# --------------------------------------------------------------------------- public API


def _clean_path(arm_path: str) -> str:
    path = urllib.parse.urlsplit(arm_path).path if "://" in arm_path else arm_path.split("?", 1)[0]
    return "/" + path.strip("/")


def _match(method: str, arm_path: str) -> tuple[_OperationSpec, dict[str, str]] | None:
    path = _clean_path(arm_path)
    best: tuple[_OperationSpec, dict[str, str]] | None = None
    for spec in _specs().operations:
        if spec.method != method.upper():
            continue
        found = spec.pattern.match(path)
        if found and (best is None or spec.literal_count > best[0].literal_count):
            names = re.findall(r"\{([^}]+)\}", spec.template)
            params = {name: urllib.parse.unquote(found.group(re.sub(r"\W", "_", name))) for name in names}
            best = (spec, params)
    return best


def operation_for(method: str, arm_path: str) -> Operation | None:
    """The operation a request addresses (literal segments case-insensitive), or None."""
    matched = _match(method, arm_path)
    return matched[0].bind(matched[1]) if matched else None


def methods_for(arm_path: str) -> frozenset[str]:
    """The HTTP methods the specs define for this path (empty when the path is unknown)."""
    path = _clean_path(arm_path)
    return frozenset(spec.method for spec in _specs().operations if spec.pattern.match(path))


def api_versions() -> dict[str, str]:
    """The spec's api-version per family: Accounts, Metadata, Encoding, Streaming, EventGrid."""
    return dict(_specs().api_versions)


def validate_request(method: str, arm_path: str, body: Any, *, strict: bool = True) -> list[str]:
    """Errors of a request body against its operation's body parameter; [] when valid.

    ``body`` is the parsed JSON, None when the request has none. Lenient mode (``strict=False``)
    ignores a body sent to an operation that takes none, as ARM does.
    """
    matched = _match(method, arm_path)
    if matched is None:
        return [f"no operation of the specs matches {method.upper()} {_clean_path(arm_path)}"]
    spec = matched[0]
    if spec.body_schema is None:
        return [] if body is None or not strict else [f"{ROOT_PATH}: {spec.operation_id} takes no request body"]
    if body is None:
        return [f"{ROOT_PATH}: {spec.operation_id} requires a request body"] if spec.body_required else []
    return _validate_operation_body(spec, body, strict)


def validate_response(method: str, arm_path: str, status: int, body: Any, *, strict: bool = True) -> list[str]:
    """Errors of a response body against the schema the operation declares for ``status``.

    Statuses the operation does not list are judged against its ``default`` (error) schema;
    a status with no declared schema expects no body.
    """
    matched = _match(method, arm_path)
    if matched is None:
        return [f"no operation of the specs matches {method.upper()} {_clean_path(arm_path)}"]
    spec = matched[0]
    schema = spec.response_schemas.get(str(status), spec.response_schemas.get("default"))
    if schema is None:
        return [] if body in (None, "", b"") else [f"{ROOT_PATH}: {spec.operation_id} answers {status} without a body"]
    run = _Run(_specs(), strict, response=True)
    run.check(body, schema, ROOT_PATH)
    return run.errors


def validate_path(method: str, arm_path: str) -> list[str]:
    """Errors of the path parameters (pattern, length) of the operation a request addresses."""
    matched = _match(method, arm_path)
    if matched is None:
        return [f"no operation of the specs matches {method.upper()} {_clean_path(arm_path)}"]
    spec, params = matched
    run = _Run(_specs(), strict=True)
    for name, schema in spec.path_parameters.items():
        run.check(params[name], schema, name, name)
    return run.errors


def validate_resource_body(resource_type: str, body: Any, *, strict: bool = True) -> list[str]:
    """Errors of a body against the PUT body schema of an ARM resource type; [] when valid."""
    spec = _specs().put_by_type.get(resource_type.strip("/").lower())
    if spec is None:
        return [f"no PUT operation of the specs creates resources of type {resource_type}"]
    return _validate_operation_body(spec, body, strict)


def validate_definition(definition: str, body: Any, *, strict: bool = True) -> list[str]:
    """Errors of a body against one named definition (e.g. ``StandardEncoderPreset``).

    Polymorphic definitions dispatch on the body's discriminator as everywhere else. Some
    definitions are repeated verbatim in several files (the filter types); the first file in
    path order is used. LookupError when no file defines the name.
    """
    specs = _specs()
    defining = [name for name, doc in specs.documents.items() if definition in doc.get("definitions", {})]
    if not defining:
        raise LookupError(f"no definition named {definition} in the specs")
    run = _Run(specs, strict)
    run.check(body, {"$ref": f"{defining[0]}#/definitions/{definition}"}, ROOT_PATH)
    return run.errors


def resource_types() -> frozenset[str]:
    """The ARM resource types (lower-cased) the specs can create with PUT."""
    return frozenset(_specs().put_by_type)


def api_version_for(resource_type: str) -> str:
    """The api-version of the spec that defines PUT for an ARM resource type."""
    spec = _specs().put_by_type.get(resource_type.strip("/").lower())
    if spec is None:
        raise LookupError(f"no PUT operation of the specs creates resources of type {resource_type}")
    return spec.api_version


def _validate_operation_body(spec: _OperationSpec, body: Any, strict: bool) -> list[str]:
    if body is None:
        return [f"{ROOT_PATH}: {spec.operation_id} requires a request body"]
    # ARM merges a PATCH into the stored resource, so the service did not ask a PATCH body for
    # properties the resource already has; the spec still names the full schema (strict mode).
    run = _Run(_specs(), strict, partial=spec.method == "PATCH" and not strict)
    run.check(body, spec.body_schema or {}, ROOT_PATH)
    if spec.operation_id == eventgrid.CREATE_OPERATION_ID and spec.family == eventgrid.FAMILY:
        run.errors.extend(eventgrid.service_rule_errors(body))
    return run.errors


def operations() -> list[Operation]:
    """Every operation of the specs, unbound (empty ``path_params``)."""
    return [spec.bind({}) for spec in _specs().operations]


def specification_problems() -> list[str]:
    """Dangling ``$ref``s reachable from any body or response schema, and ambiguous subtypes."""
    return _problems_of(_specs())


def _problems_of(specs: _Specs) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    for spec in specs.operations:
        roots = [spec.body_schema, *spec.response_schemas.values()]
        for root in filter(None, roots):
            problems.extend(f"{spec.operation_id}: {p}" for p in _dangling_references(specs, root, seen))
    for ref in sorted(seen):
        if specs.discriminator_of(ref) is None:
            continue
        values = [specs.discriminator_value(r) for r in [ref, *specs.descendants(ref)]]
        duplicates = sorted({v for v in values if v is not None and values.count(v) > 1})
        problems.extend(f"{ref}: discriminator value {value!r} names two types" for value in duplicates)
    return problems


def _dangling_references(specs: _Specs, root: Mapping[str, Any], seen: set[str]) -> list[str]:
    problems: list[str] = []
    pending: list[Any] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                try:
                    pending.append(specs.resolve(ref))
                except LookupError as error:
                    problems.append(str(error))
                    continue
                seen.add(ref)
                pending.extend(specs.resolve(child) for child in specs.descendants(ref))
            pending.extend(value for key, value in node.items() if key != "$ref")
    return problems
