"""The v3 resources of one emulated account, and the view that lays v2 data underneath them.

``V3Store`` holds what was created through the v3 face, by collection, in creation order,
with ARM's case-insensitive names. ``AccountView`` is what the face reads and writes: for
the families a same-account v2 projection covers (see ``visibility.py``) it lists the
projected resources first, then the native ones, and lets v3 overrides and deletions of
projected resources win. Lists are paged by raw offset so a million projected assets are
never materialised.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from migrator.sandbox.arm import Page

# Content key policy fields that hold key material: a plain GET answers them with "" (the
# official examples show ``keyValue: ""``; the swagger marks every one of them nullable alike),
# only ``getPolicyPropertiesWithSecrets`` answers the values.
POLICY_SECRET_FIELDS = frozenset({"keyValue", "rawBody", "exponent", "modulus", "ask", "fairPlayPfx", "fairPlayPfxPassword"})


def blank_policy_secrets(value: Any) -> Any:
    """Content key policy properties as a plain GET shows them: key material blanked."""
    if isinstance(value, dict):
        return {k: ("" if k in POLICY_SECRET_FIELDS and v is not None else blank_policy_secrets(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [blank_policy_secrets(v) for v in value]
    return value


def collection_key(kind: str, parent: tuple[str, str] | None = None) -> str:
    """``assets`` or ``assets/<asset>/assetFilters``; names lower-cased as ARM compares them."""
    if parent is None:
        return kind.lower()
    parent_kind, parent_name = parent
    return f"{parent_kind.lower()}/{parent_name.lower()}/{kind.lower()}"


class V3Store:
    """Native v3 resources: collection key -> lower-cased name -> resource body."""

    def __init__(self) -> None:
        self._collections: dict[str, OrderedDict[str, dict]] = {}

    def _collection(self, key: str) -> OrderedDict[str, dict]:
        return self._collections.setdefault(key, OrderedDict())

    def get(self, key: str, name: str) -> dict | None:
        return self._collections.get(key, {}).get(name.lower())

    def put(self, key: str, name: str, body: dict) -> None:
        self._collection(key)[name.lower()] = body

    def delete(self, key: str, name: str) -> dict | None:
        removed = self._collections.get(key, OrderedDict()).pop(name.lower(), None)
        if removed is not None:
            for child_key in [k for k in self._collections if k.startswith(f"{key}/{name.lower()}/")]:
                del self._collections[child_key]
        return removed

    def items(self, key: str) -> list[dict]:
        return list(self._collections.get(key, {}).values())

    def count(self, key: str) -> int:
        return len(self._collections.get(key, {}))


class Projection(Protocol):
    """What an account's own v2 data shows through v3 (implemented in ``visibility.py``).

    Collections are addressed by ``collection_key`` (``assets``, ``assets/<g>/assetfilters``).
    """

    def covers(self, key: str) -> bool: ...

    def raw_count(self, key: str) -> int: ...

    def page(self, key: str, skip: int, top: int) -> list[dict]: ...

    def get(self, key: str, name: str) -> dict | None: ...


@dataclass
class _Shadow:
    """v3 changes to projected resources: replaced bodies and deletions, by lower-cased name."""

    overrides: dict[str, dict]
    deleted: set[str]


class AccountView:
    """Native resources merged with an optional v2 projection."""

    def __init__(self, store: V3Store, projection: Projection | None = None) -> None:
        self.store = store
        self.projection = projection
        self._shadows: dict[str, _Shadow] = {}

    def _covered(self, key: str) -> bool:
        return self.projection is not None and self.projection.covers(key)

    def _shadow(self, key: str) -> _Shadow:
        return self._shadows.setdefault(key, _Shadow({}, set()))

    def is_projected(self, kind: str, name: str, parent: tuple[str, str] | None = None) -> bool:
        """True when ``name`` exists because of v2 data (and was not deleted through v3)."""
        key = collection_key(kind, parent)
        if not self._covered(key) or name.lower() in self._shadow(key).deleted:
            return False
        return self.projection.get(key, name) is not None

    def get(self, kind: str, name: str, parent: tuple[str, str] | None = None) -> dict | None:
        key = collection_key(kind, parent)
        if self._covered(key):
            shadow = self._shadow(key)
            lowered = name.lower()
            if lowered in shadow.overrides:
                return shadow.overrides[lowered]
            if lowered not in shadow.deleted:
                projected = self.projection.get(key, name)
                if projected is not None:
                    return projected
        return self.store.get(key, name)

    def put(self, kind: str, name: str, body: dict, parent: tuple[str, str] | None = None) -> None:
        key = collection_key(kind, parent)
        if self.is_projected(kind, name, parent):
            self._shadow(key).overrides[name.lower()] = body
            return
        self.store.put(key, name, body)

    def delete(self, kind: str, name: str, parent: tuple[str, str] | None = None) -> bool:
        key = collection_key(kind, parent)
        if self.is_projected(kind, name, parent):
            shadow = self._shadow(key)
            shadow.overrides.pop(name.lower(), None)
            shadow.deleted.add(name.lower())
            self.store.delete(key, name)
            return True
        return self.store.delete(key, name) is not None

    def count(self, kind: str, parent: tuple[str, str] | None = None) -> int:
        key = collection_key(kind, parent)
        native = self.store.count(key)
        if not self._covered(key):
            return native
        return self.projection.raw_count(key) - len(self._shadow(key).deleted) + native

    def native(self, kind: str, parent: tuple[str, str] | None = None) -> list[dict]:
        return self.store.items(collection_key(kind, parent))

    def page(self, kind: str, offset: int, size: int, parent: tuple[str, str] | None = None) -> Page:
        """Up to ``size`` resources from raw position ``offset``; projected ones come first."""
        key = collection_key(kind, parent)
        native = self.store.items(key)
        if not self._covered(key):
            chunk = native[offset : offset + size]
            return Page(chunk, offset + size if offset + size < len(native) else None)
        raw_projected = self.projection.raw_count(key)
        total = raw_projected + len(native)
        if offset < raw_projected:
            top = min(size, raw_projected - offset)
            shadowed = (self._shadowed(key, item) for item in self.projection.page(key, offset, top))
            items = [item for item in shadowed if item is not None]
            end = offset + top
        else:
            start = offset - raw_projected
            items = native[start : start + size]
            end = offset + size
        return Page(items, end if end < total else None)

    def _shadowed(self, key: str, item: dict) -> dict | None:
        shadow = self._shadow(key)
        lowered = item["name"].lower()
        if lowered in shadow.deleted:
            return None
        return shadow.overrides.get(lowered, item)
