"""The v2 reference (``migrator/v2/reference/v2-entities.json``) as the sandbox reads it.

The sandbox's v2 face and generator are built from the shipped reference, never from the
client's own v2 model, so a bug in the client cannot make the sandbox agree with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

NAMESPACE = "Microsoft.Cloud.Media.Vod.Rest.Data.Models"


@dataclass(frozen=True)
class PropertyInfo:
    name: str
    edm_type: str  # "Edm.String", "ChannelInput", "Collection(...)" as the reference spells it
    nullable: bool
    enum: str | None

    @property
    def is_collection(self) -> bool:
        return self.edm_type.startswith("Collection(")

    @property
    def item_type(self) -> str:
        """The element type of a collection (namespace stripped), or the type itself."""
        inner = self.edm_type[len("Collection(") : -1] if self.is_collection else self.edm_type
        return short_type_name(inner)


@dataclass(frozen=True)
class NavigationInfo:
    name: str
    target: str
    many: bool


@dataclass(frozen=True)
class EntitySetInfo:
    name: str
    entity_type: str  # fully qualified, as emitted in __metadata.type
    key: str
    id_prefix: str | None
    properties: tuple[PropertyInfo, ...]
    navigation: tuple[NavigationInfo, ...]

    def property(self, name: str) -> PropertyInfo | None:
        return next((p for p in self.properties if p.name == name), None)

    def navigation_named(self, name: str) -> NavigationInfo | None:
        return next((n for n in self.navigation if n.name == name), None)


def short_type_name(edm_type: str) -> str:
    prefix = NAMESPACE + "."
    return edm_type[len(prefix) :] if edm_type.startswith(prefix) else edm_type


@lru_cache(maxsize=1)
def raw_reference() -> Mapping[str, Any]:
    text = resources.files("migrator.v2").joinpath("reference/v2-entities.json").read_text(encoding="utf-8")
    return json.loads(text)


def _property(raw: Mapping[str, Any]) -> PropertyInfo:
    return PropertyInfo(raw["name"], raw["type"], bool(raw.get("nullable", False)), raw.get("enum"))


def _entity_type_name(raw: str) -> str:
    # Two reference entries carry a remark after the name ("... (name inferred)").
    return raw.split(" ", 1)[0]


@lru_cache(maxsize=1)
def entity_sets() -> Mapping[str, EntitySetInfo]:
    sets = {}
    for name, raw in raw_reference()["entity_sets"].items():
        sets[name] = EntitySetInfo(
            name=name,
            entity_type=_entity_type_name(raw["entity_type"]),
            key=raw["key"][0],
            id_prefix=raw.get("id_prefix"),
            properties=tuple(_property(p) for p in raw["properties"]),
            navigation=tuple(
                NavigationInfo(n["name"], n["target_entity_set"], n["multiplicity"] == "*") for n in raw["navigation"]
            ),
        )
    return sets


ENTITY_SET_NAMES: tuple[str, ...] = tuple(raw_reference()["entity_sets"])


@lru_cache(maxsize=None)
def complex_type(name: str) -> tuple[PropertyInfo, ...] | None:
    raw = raw_reference()["complex_types"].get(short_type_name(name))
    return None if raw is None else tuple(_property(p) for p in raw)


@lru_cache(maxsize=None)
def enum_wire_is_name(enum_name: str) -> bool:
    """True when the reference says the service sends this enum's names, not its numbers."""
    enum = raw_reference()["enums"].get(enum_name)
    return bool(enum) and str(enum.get("wire", "")).startswith("string")


@lru_cache(maxsize=None)
def enum_names(enum_name: str) -> Mapping[int, str]:
    return {value: name for name, value in raw_reference()["enums"][enum_name]["values"].items()}


def enum_value(enum_name: str, member: str) -> int:
    return raw_reference()["enums"][enum_name]["values"][member]
