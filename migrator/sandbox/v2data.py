"""The account's v2 data as the sandbox's faces read it: "native records".

A native record is a dict keyed by the reference's wire property names. Values are
Python-native: ``str``, ``int``, ``bool``, ``float``, timezone-aware UTC ``datetime``,
``timedelta`` for ``Edm.Time``, ``None``; enums are always their NUMERIC value (the v2 face
renders the ones the reference says travel as names); complex types are dicts with wire names;
collections are lists.

Two implementations: ``SeededV2Data`` (``migrator.sandbox.seed``, generated lazily) and
``InMemoryV2Data`` (explicit records, e.g. loaded from an inventory snapshot).
"""

from __future__ import annotations

import bisect
import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Protocol, runtime_checkable

from migrator.exceptions import InventoryFormatError
from migrator.sandbox.v2reference import PropertyInfo, complex_type, entity_sets, enum_names, enum_wire_is_name, short_type_name

INVENTORY_FORMAT_VERSION = "1"
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")

# Navigation the service answers from a foreign key on the child: (set, nav) -> (child set, child property).
CHILDREN_BY_FOREIGN_KEY: Mapping[tuple[str, str], tuple[str, str]] = {
    ("Assets", "Locators"): ("Locators", "AssetId"),
    ("Assets", "Files"): ("Files", "ParentAssetId"),
    ("Assets", "AssetFilters"): ("AssetFilters", "ParentAssetId"),
    ("Channels", "Programs"): ("Programs", "ChannelId"),
    ("IngestManifests", "IngestManifestAssets"): ("IngestManifestAssets", "ParentIngestManifestId"),
    ("IngestManifestAssets", "IngestManifestFiles"): ("IngestManifestFiles", "ParentIngestManifestAssetId"),
}

# Single-valued navigation answered from a property of the entity itself: (set, nav) -> property.
PARENT_BY_OWN_PROPERTY: Mapping[tuple[str, str], str] = {
    ("Locators", "AccessPolicy"): "AccessPolicyId",
    ("Locators", "Asset"): "AssetId",
    ("Programs", "Channel"): "ChannelId",
    ("Programs", "Asset"): "AssetId",
    ("Assets", "StorageAccount"): "StorageAccountName",
    ("IngestManifests", "StorageAccount"): "StorageAccountName",
}


@runtime_checkable
class V2Data(Protocol):
    """Read access to one account's v2 entities; every method is keyed by entity set name."""

    def count(self, entity_set: str) -> int: ...

    def iter(self, entity_set: str) -> Iterator[dict]: ...

    def page(self, entity_set: str, skip: int, top: int) -> list[dict]: ...

    def get(self, entity_set: str, key: str) -> dict | None: ...

    def navigation(self, entity_set: str, key: str, nav: str) -> list[str]: ...


def key_property(entity_set: str) -> str:
    return entity_sets()[entity_set].key


class InMemoryV2Data:
    """Explicit records held in memory, in key order.

    ``links`` carries navigation the records cannot express (``Assets('id')/ContentKeys``,
    ``Jobs('id')/Tasks``, ...) as ``(entity_set, nav) -> [(from key, to key), ...]``. Navigation
    derivable from a foreign key (``Assets('id')/Locators`` from ``Locator.AssetId``) is answered
    from the records whenever no explicit links were given for it.
    """

    def __init__(
        self,
        records: Mapping[str, Iterable[dict]] | None = None,
        links: Mapping[tuple[str, str], Iterable[tuple[str, str]]] | None = None,
    ) -> None:
        self._by_key: dict[str, dict[str, dict]] = {name: {} for name in entity_sets()}
        for entity_set, rows in (records or {}).items():
            self._require_known(entity_set)
            key_name = key_property(entity_set)
            for row in rows:
                self._by_key[entity_set][str(row[key_name])] = row
        self._sorted_keys = {name: sorted(rows) for name, rows in self._by_key.items()}
        self._links: dict[tuple[str, str], dict[str, list[str]]] = {}
        for (entity_set, nav), pairs in (links or {}).items():
            targets = self._links.setdefault((entity_set, nav), {})
            for source, target in pairs:
                targets.setdefault(source, []).append(target)
        self._children_cache: dict[tuple[str, str], dict[str, list[str]]] = {}

    @staticmethod
    def _require_known(entity_set: str) -> None:
        if entity_set not in entity_sets():
            raise KeyError(f"unknown v2 entity set {entity_set!r}")

    def count(self, entity_set: str) -> int:
        self._require_known(entity_set)
        return len(self._sorted_keys[entity_set])

    def iter(self, entity_set: str) -> Iterator[dict]:
        self._require_known(entity_set)
        rows = self._by_key[entity_set]
        return (rows[key] for key in self._sorted_keys[entity_set])

    def page(self, entity_set: str, skip: int, top: int) -> list[dict]:
        self._require_known(entity_set)
        rows = self._by_key[entity_set]
        return [rows[key] for key in self._sorted_keys[entity_set][skip : skip + top]]

    def get(self, entity_set: str, key: str) -> dict | None:
        self._require_known(entity_set)
        return self._by_key[entity_set].get(key)

    def navigation(self, entity_set: str, key: str, nav: str) -> list[str]:
        self._require_known(entity_set)
        if (entity_set, nav) in self._links:
            return sorted(self._links[(entity_set, nav)].get(key, []))
        if (entity_set, nav) in CHILDREN_BY_FOREIGN_KEY:
            return list(self._children(entity_set, nav).get(key, []))
        if (entity_set, nav) in PARENT_BY_OWN_PROPERTY:
            return self._parent(entity_set, key, nav)
        return []

    def _children(self, entity_set: str, nav: str) -> dict[str, list[str]]:
        if (entity_set, nav) not in self._children_cache:
            child_set, foreign_key = CHILDREN_BY_FOREIGN_KEY[(entity_set, nav)]
            index: dict[str, list[str]] = {}
            for child_key in self._sorted_keys[child_set]:
                parent = self._by_key[child_set][child_key].get(foreign_key)
                if parent is not None:
                    bisect.insort(index.setdefault(str(parent), []), child_key)
            self._children_cache[(entity_set, nav)] = index
        return self._children_cache[(entity_set, nav)]

    def _parent(self, entity_set: str, key: str, nav: str) -> list[str]:
        record = self._by_key[entity_set].get(key)
        target = None if record is None else record.get(PARENT_BY_OWN_PROPERTY[(entity_set, nav)])
        target_set = entity_sets()[entity_set].navigation_named(nav).target
        return [str(target)] if target is not None and str(target) in self._by_key[target_set] else []


# ---------------------------------------------------------------------------------------------
# Inventory snapshots (docs/inventory-format.md, format_version 1; records per docs/v2-records.md)


def load_inventory(path: str | Path) -> InMemoryV2Data:
    """The v2 data held in an inventory file, as native records with its navigation links."""
    path = Path(path)
    if not path.is_file():
        raise InventoryFormatError(f"inventory file {path} does not exist", hint="run `migrator inventory --out FILE` first")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise InventoryFormatError(f"cannot open inventory file {path}: {error}", hint="is it an inventory file?") from None
    try:
        _check_inventory_meta(connection, path)
        records: dict[str, list[dict]] = {}
        for entity_set, key, text in connection.execute("SELECT entity_set, key, record FROM entities ORDER BY entity_set, key"):
            records.setdefault(entity_set, []).append(_native_entity(entity_set, key, text))
        links: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for entity_set, nav, from_key, to_key in connection.execute(
            "SELECT entity_set, nav, from_key, to_key FROM links ORDER BY entity_set, nav, from_key, to_key"
        ):
            _require_navigation(entity_set, nav)
            links.setdefault((entity_set, nav), []).append((from_key, to_key))
    except sqlite3.Error as error:
        raise InventoryFormatError(f"inventory file {path} is unreadable: {error}", hint="the file may be damaged or not an inventory") from None
    finally:
        connection.close()
    return InMemoryV2Data(records, links)


def _check_inventory_meta(connection: sqlite3.Connection, path: Path) -> None:
    meta = dict(connection.execute("SELECT name, value FROM meta"))
    if meta.get("format_version") != INVENTORY_FORMAT_VERSION:
        raise InventoryFormatError(
            f"inventory file {path} has format_version {meta.get('format_version')!r}, expected {INVENTORY_FORMAT_VERSION}",
            hint="re-read the account with this version of the tool",
        )
    if meta.get("complete") != "1":
        raise InventoryFormatError(f"inventory file {path} is unfinished", hint="finish it with `migrator inventory --resume`")


def _require_navigation(entity_set: str, nav: str) -> None:
    if entity_set not in entity_sets() or entity_sets()[entity_set].navigation_named(nav) is None:
        raise InventoryFormatError(f"inventory link {entity_set}/{nav} is not a navigation of the reference", hint="the file is not a v2 inventory")


def _native_entity(entity_set: str, key: str, text: str) -> dict:
    info = entity_sets().get(entity_set)
    if info is None:
        raise InventoryFormatError(f"inventory holds unknown entity set {entity_set!r}", hint="the file is not a v2 inventory")
    try:
        record = json.loads(text)
        native = {p.name: _native_value(p, record.get(p.name)) for p in info.properties}
    except (ValueError, TypeError, KeyError, AttributeError):
        raise InventoryFormatError(f"inventory record {entity_set}('{key}') is malformed", hint="the file may be damaged") from None
    native.update(record.get("_extra") or {})
    if str(native.get(info.key)) != key:
        raise InventoryFormatError(f"inventory record {entity_set}('{key}') carries another key", hint="the file may be damaged")
    return native


def _native_value(prop: PropertyInfo, value: Any) -> Any:
    """A record value (docs/v2-records.md) as a native value: dates, durations, numeric enums."""
    if value is None:
        return None
    if prop.is_collection:
        item = PropertyInfo(prop.name, prop.item_type, False, prop.enum)
        return [_native_value(item, v) for v in value]
    edm = short_type_name(prop.edm_type)
    fields = complex_type(edm) if not edm.startswith("Edm.") else None
    if fields is not None:
        native = {f.name: _native_value(f, value.get(f.name)) for f in fields}
        native.update(value.get("_extra") or {})
        return native
    if prop.enum and enum_wire_is_name(prop.enum) and isinstance(value, str):
        numbers = {name: number for number, name in enum_names(prop.enum).items()}
        return numbers.get(value, value)  # an unknown member name stays as the service sent it
    if edm == "Edm.DateTime":
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    if edm == "Edm.Time":
        return _parse_duration(value)
    return value


def _parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if not match or text in ("P", "-P", "PT", "-PT"):
        raise ValueError("not an ISO-8601 duration")
    sign, days, hours, minutes, seconds = match.groups()
    value = timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0))
    return -value if sign else value
