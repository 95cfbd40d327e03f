"""The schema tables match the reference, relations resolve, and the generated modules cannot drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.v2 import codegen, enums, schema

REFERENCE = json.loads(
    (Path(codegen.__file__).parent / "reference" / "v2-entities.json").read_text(encoding="utf-8")
)


def test_generated_modules_are_byte_identical_to_a_fresh_generation():
    assert codegen.stale_files() == []


def test_there_are_25_entity_sets_in_reference_order():
    assert schema.ENTITY_SETS == tuple(REFERENCE["entity_sets"])
    assert len(schema.ENTITY_SETS) == 25
    assert tuple(schema.ENTITY_SET_INFO) == schema.ENTITY_SETS


@pytest.mark.parametrize("entity_set", list(REFERENCE["entity_sets"]))
def test_every_property_of_the_reference_is_in_the_schema_with_its_type(entity_set):
    raw = REFERENCE["entity_sets"][entity_set]
    info = schema.ENTITY_SET_INFO[entity_set]
    assert [p.name for p in info.properties] == [p["name"] for p in raw["properties"]]
    for prop, raw_prop in zip(info.properties, raw["properties"]):
        element, collection = codegen.split_type(raw_prop["type"])
        assert (prop.edm_type, prop.collection) == (element, collection)
        assert prop.enum == raw_prop.get("enum")
        assert prop.nullable == raw_prop.get("nullable", False)
    assert info.key == tuple(raw["key"])
    assert info.id_prefix == raw["id_prefix"]
    assert [(n.name, n.target_set, n.multiplicity) for n in info.navigation] == [
        (n["name"], n["target_entity_set"], n["multiplicity"]) for n in raw["navigation"]
    ]


def test_complex_types_cover_the_reference():
    assert set(schema.COMPLEX_TYPES) == set(REFERENCE["complex_types"])
    for name, props in schema.COMPLEX_TYPES.items():
        assert [p.name for p in props] == [p["name"] for p in REFERENCE["complex_types"][name]]


def test_keys_are_id_except_name_keyed_sets_and_the_reserved_unit_account():
    keys = {name: info.key_property for name, info in schema.ENTITY_SET_INFO.items()}
    assert keys["Filters"] == "Name"
    assert keys["StorageAccounts"] == "Name"
    assert keys["EncodingReservedUnitTypes"] == "AccountId"
    assert keys["AssetFilters"] == "Id"
    assert {k for k, v in keys.items() if v != "Id"} == {"Filters", "StorageAccounts", "EncodingReservedUnitTypes"}


def _resolve(entity_set: str, path: str):
    """The property a (possibly dotted) foreign-key path ends at."""
    props = schema.ENTITY_SET_INFO[entity_set].properties
    prop = None
    for segment in path.split("."):
        prop = next(p for p in props if p.name == segment)
        props = schema.COMPLEX_TYPES.get(prop.edm_type, ())
    return prop


@pytest.mark.parametrize("fk", schema.FOREIGN_KEYS, ids=lambda fk: f"{fk.from_set}.{fk.property}")
def test_every_foreign_key_names_a_string_property_and_a_real_target_set(fk):
    prop = _resolve(fk.from_set, fk.property)
    assert prop.edm_type == "Edm.String"
    assert fk.to_set in schema.ENTITY_SET_INFO


def test_foreign_keys_include_the_joins_the_protocol_documents():
    documented = {
        ("Locators", "AssetId", "Assets"),
        ("Locators", "AccessPolicyId", "AccessPolicies"),
        ("ContentKeys", "AuthorizationPolicyId", "ContentKeyAuthorizationPolicies"),
        ("Programs", "ChannelId", "Channels"),
        ("Programs", "AssetId", "Assets"),
        ("Files", "ParentAssetId", "Assets"),
        ("AssetFilters", "ParentAssetId", "Assets"),
        ("Tasks", "MediaProcessorId", "MediaProcessors"),
        ("IngestManifestFiles", "ParentIngestManifestAssetId", "IngestManifestAssets"),
    }
    assert documented <= set(schema.FOREIGN_KEYS)


def test_navigation_to_read_holds_exactly_the_relations_no_foreign_key_answers():
    assert set(schema.NAVIGATION_TO_READ) == {
        ("Assets", "ContentKeys", "ContentKeys"),
        ("Assets", "ParentAssets", "Assets"),
        ("Assets", "DeliveryPolicies", "AssetDeliveryPolicies"),
        ("ContentKeyAuthorizationPolicies", "Options", "ContentKeyAuthorizationPolicyOptions"),
        ("Jobs", "InputMediaAssets", "Assets"),
        ("Jobs", "OutputMediaAssets", "Assets"),
        ("Jobs", "Tasks", "Tasks"),
        ("Tasks", "InputMediaAssets", "Assets"),
        ("Tasks", "OutputMediaAssets", "Assets"),
        ("JobTemplates", "TaskTemplates", "TaskTemplates"),
        ("IngestManifestAssets", "Asset", "Assets"),
    }


def test_every_navigation_to_read_is_a_navigation_of_the_reference():
    for relation in schema.NAVIGATION_TO_READ:
        navigation = schema.ENTITY_SET_INFO[relation.from_set].navigation
        assert (relation.navigation, relation.to_set) in {(n.name, n.target_set) for n in navigation}


def test_secret_properties_are_marked_in_the_schema():
    marked = {(owner, p.name) for owner, props in schema.COMPLEX_TYPES.items() for p in props if p.secret}
    marked |= {(name, p.name) for name, info in schema.ENTITY_SET_INFO.items() for p in info.properties if p.secret}
    assert marked == set(codegen.SECRET_PROPERTIES)


def test_there_are_36_enums_with_the_reference_values():
    assert list(enums.ENUMS) == list(REFERENCE["enums"])
    assert len(enums.ENUMS) == 36
    for name, raw in REFERENCE["enums"].items():
        cls = enums.ENUMS[name]
        assert {enums.wire_name(m): int(m) for m in cls.__members__.values()} == raw["values"]


def test_flags_enums_are_int_flags_and_the_others_int_enums():
    import enum

    for name, raw in REFERENCE["enums"].items():
        expected = enum.IntFlag if raw.get("flags") else enum.IntEnum
        assert issubclass(enums.ENUMS[name], expected), name


def test_live_entity_states_are_written_as_names_and_vod_enums_as_numbers():
    assert enums.WIRE_FORMS["ChannelState"] == "name"
    assert enums.WIRE_FORMS["StreamingEndpointState"] == "name"
    assert enums.WIRE_FORMS["ProgramState"] == "name"
    assert enums.WIRE_FORMS["OperationState"] == "name"
    assert enums.WIRE_FORMS["AssetState"] == "int"
    assert enums.WIRE_FORMS["AssetDeliveryPolicyConfigurationKey"] == "int"


def test_snake_case_follows_the_contract_examples():
    assert codegen.snake_case("AlternateId") == "alternate_id"
    assert codegen.snake_case("EndPointAddress") == "end_point_address"
    assert codegen.snake_case("IP") == "ip"
    assert codegen.snake_case("IgnoreCea708ClosedCaptions") == "ignore_cea708_closed_captions"


def test_codegen_check_reports_a_stale_file(tmp_path):
    for name, text in codegen.render_all().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "enums.py").write_text("# edited by hand\n", encoding="utf-8")
    assert codegen.stale_files(tmp_path) == ["enums.py"]


def test_every_enum_member_knows_its_wire_form():
    assert enums.ChannelState.Running.wire == "Running"
    assert enums.ChannelEncodingType.NONE.wire == "None"
    assert enums.AssetDeliveryProtocol(7).wire == 7
    assert enums.LocatorType.wire_form() == "int" and enums.ProgramState.wire_form() == "name"


def test_complex_type_names_never_collide_with_entity_set_names():
    assert not set(schema.COMPLEX_TYPES) & set(schema.ENTITY_SETS)
