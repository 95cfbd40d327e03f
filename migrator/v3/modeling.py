"""The mapping between frozen dataclasses and ARM JSON, declared once for every v3 model.

A model field's wire name is its camelCase (``alternate_id`` -> ``alternateId``) unless
``wire(name=...)`` says otherwise. Resources (``ENVELOPE = True``) keep ``name``/``id`` and
fields marked ``top`` at the top and everything else under ``properties``, as ARM does.
Polymorphic bases name their discriminator (``@odata.type``, Event Grid's ``endpointType``);
subclasses carry the ``KIND`` value, and a kind we do not model is kept verbatim by the
base's ``OPAQUE`` subclass so a read/write round trip loses nothing.

Fields marked ``secret`` never appear in ``repr`` and are registered with the log scrubber
the moment an answer is parsed.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import types
import typing
from datetime import datetime, timezone
from enum import Enum
from typing import Any, ClassVar, Mapping, TypeVar

from migrator.exceptions import RemoteError
from migrator.redact import SECRET_FIELDS, SECRETS

M = TypeVar("M", bound="WireModel")


def wire(default: Any = None, *, name: str | None = None, read_only: bool = False, secret: bool = False, top: bool = False) -> Any:
    """Declare a model field: its wire name, whether ARM sets it, whether it is secret."""
    return dataclasses.field(
        default=default,
        repr=not secret,
        metadata={"wire": name, "read_only": read_only, "secret": secret, "top": top},
    )


@dataclasses.dataclass(frozen=True)
class _FieldSpec:
    attr: str
    wire: str
    hint: Any
    read_only: bool
    secret: bool
    top: bool


class WireModel:
    """Base of every v3 model: ``to_body()`` for requests, ``from_arm(dict)`` for answers."""

    ENVELOPE: ClassVar[bool] = False
    DISCRIMINATOR: ClassVar[str | None] = None
    KIND: ClassVar[str | None] = None
    OPAQUE: ClassVar[type | None] = None

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        if self.DISCRIMINATOR and self.KIND:
            body[self.DISCRIMINATOR] = self.KIND
        for spec in _specs(type(self)):
            value = getattr(self, spec.attr)
            if spec.read_only or value is None:
                continue
            target = body if spec.top or not self.ENVELOPE else properties
            target[spec.wire] = _encode(value)
        if self.ENVELOPE:
            body["properties"] = properties
        return body

    @classmethod
    def from_arm(cls: type[M], data: Mapping[str, Any]) -> M:
        if not isinstance(data, Mapping):
            raise RemoteError(f"expected an object for {cls.__name__}, got {type(data).__name__}")
        concrete = _concrete_class(cls, data)
        if concrete is not cls:
            return concrete.from_arm(data)
        properties = data.get("properties") if cls.ENVELOPE else None
        properties = properties if isinstance(properties, Mapping) else {}
        values = {}
        for spec in _specs(cls):
            source = data if spec.top or not cls.ENVELOPE else properties
            if spec.wire in source:
                values[spec.attr] = _decode(source[spec.wire], spec.hint)
                if spec.secret:
                    _register_secret(values[spec.attr])
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class OpaqueModel(WireModel):
    """A polymorphic value whose kind we do not model: kept verbatim, never shown in repr."""

    kind: str = ""
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    def to_body(self) -> dict[str, Any]:
        return dict(self.raw)

    @classmethod
    def from_arm(cls, data: Mapping[str, Any]):
        base = next(b for b in cls.__mro__[1:] if getattr(b, "DISCRIMINATOR", None))
        _register_secret_fields(data)
        return cls(kind=str(data.get(base.DISCRIMINATOR, "")), raw=dict(data))


def _concrete_class(cls: type, data: Mapping[str, Any]) -> type:
    key = cls.DISCRIMINATOR
    if not key or (cls.KIND is not None and data.get(key) == cls.KIND) or issubclass(cls, OpaqueModel):
        return cls
    kind = data.get(key)
    found = _subclass_by_kind(cls).get(kind)
    if found is not None:
        return found
    if cls.OPAQUE is not None:
        return cls.OPAQUE
    raise RemoteError(f"unknown {key} {kind!r} for {cls.__name__}")


@functools.cache
def _subclass_by_kind(cls: type) -> dict[str, type]:
    found: dict[str, type] = {}
    pending = list(cls.__subclasses__())
    while pending:
        sub = pending.pop()
        if sub.KIND:
            found.setdefault(sub.KIND, sub)
        pending.extend(sub.__subclasses__())
    return found


@functools.cache
def _specs(cls: type) -> tuple[_FieldSpec, ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        _FieldSpec(
            attr=f.name,
            wire=f.metadata.get("wire") or _camel(f.name),
            hint=hints[f.name],
            read_only=bool(f.metadata.get("read_only")),
            secret=bool(f.metadata.get("secret")),
            top=bool(f.metadata.get("top")) or f.name in ("name", "id"),
        )
        for f in dataclasses.fields(cls)
    )


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _encode(value: Any) -> Any:
    if isinstance(value, WireModel):
        return value.to_body()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(raw: Any, hint: Any) -> Any:
    hint = _without_none(hint)
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        return tuple(_decode(item, item_hint) for item in raw or ())
    if origin in (collections.abc.Mapping, dict) or hint in (Mapping, dict):
        return dict(raw)
    if isinstance(hint, type) and issubclass(hint, WireModel):
        return hint.from_arm(raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(raw)
        except ValueError:
            return raw  # a value newer than our enum: keep it rather than fail the whole read
    if hint is datetime:
        return parse_datetime(raw)
    return raw


def _without_none(hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _register_secret(value: Any) -> None:
    if isinstance(value, str):
        SECRETS.add(value)
    elif isinstance(value, tuple):
        for item in value:
            _register_secret(item)


def _register_secret_fields(node: Any) -> None:
    """In JSON we do not model, the field names ``migrator.redact`` knows as secret still are."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if str(key).lower() in SECRET_FIELDS and isinstance(value, str):
                SECRETS.add(value)
            else:
                _register_secret_fields(value)
    elif isinstance(node, list):
        for item in node:
            _register_secret_fields(item)


def parse_datetime(raw: str) -> datetime:
    """ARM date-times: ISO 8601 with ``Z`` and up to 7 fractional digits."""
    text = str(raw).strip().replace("z", "Z")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    head, sep, tail = text.partition(".")
    if sep:  # trim .NET's 7 fractional digits to Python's 6
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[:digits][:6].ljust(6, "0") + tail[digits:]
        text = f"{head}.{tail}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def format_datetime(value: datetime) -> str:
    """UTC with ``Z``; the fraction only as long as it needs to be (``.46``, not ``.460000``)."""
    aware = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    text = aware.strftime("%Y-%m-%dT%H:%M:%S")
    if aware.microsecond:
        text += f".{aware.microsecond:06d}".rstrip("0")
    return text + "Z"
