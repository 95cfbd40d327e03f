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
from typing import Iterable, Iterator, Mapping, Protocol, runtime_checkable

from migrator.sandbox.v2reference import entity_sets

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
