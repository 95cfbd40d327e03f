"""The loaded specs are whole: every body schema resolves, every hierarchy is unambiguous."""

from __future__ import annotations

import pytest
from openapi_fixtures import spec_documents

from migrator.openapi import validator


def test_no_schema_reachable_from_any_operation_has_a_dangling_ref_or_ambiguous_subtype():
    assert validator.specification_problems() == []


def test_dangling_ref_and_duplicate_discriminator_values_are_reported():
    document = {
        "paths": {
            "/things/{name}": {
                "put": {
                    "operationId": "Things_Create",
                    "parameters": [{"name": "body", "in": "body", "schema": {"$ref": "a.json#/definitions/Base"}}],
                    "responses": {"200": {"schema": {"$ref": "missing.json#/definitions/Thing"}}},
                }
            }
        },
        "definitions": {
            "Base": {"discriminator": "kind", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
            "One": {"x-ms-discriminator-value": "same", "allOf": [{"$ref": "a.json#/definitions/Base"}]},
            "Two": {"x-ms-discriminator-value": "same", "allOf": [{"$ref": "a.json#/definitions/Base"}]},
        },
    }
    problems = validator._problems_of(validator._Specs({"a.json": document}))
    assert problems == [
        "Things_Create: unresolvable $ref missing.json#/definitions/Thing",
        "a.json#/definitions/Base: discriminator value 'same' names two types",
    ]


def test_every_put_operation_of_the_reference_is_indexed_with_a_required_body():
    reference_puts = {
        operation["operationId"]
        for document in spec_documents().values()
        for item in document.get("paths", {}).values()
        for method, operation in item.items()
        if method == "put"
    }
    indexed = {op.operation_id: op for op in validator.operations() if op.method == "PUT"}
    assert reference_puts <= set(indexed)
    assert all(indexed[operation_id].has_body and indexed[operation_id].body_required for operation_id in reference_puts)
    assert len(reference_puts) == 14


def test_every_operation_of_the_reference_is_indexed_once():
    reference = [
        operation["operationId"]
        for document in spec_documents().values()
        for item in document.get("paths", {}).values()
        for method, operation in item.items()
        if method in ("get", "put", "patch", "post", "delete")
    ]
    media = [op.operation_id for op in validator.operations() if op.family != "EventGrid"]
    assert sorted(media) == sorted(reference)


def test_every_media_resource_type_of_the_architecture_has_a_put_body_schema():
    types = {
        "microsoft.media/mediaservices/" + collection
        for collection in (
            "assets",
            "assets/assetfilters",
            "accountfilters",
            "contentkeypolicies",
            "streamingpolicies",
            "streaminglocators",
            "transforms",
            "transforms/jobs",
            "liveevents",
            "liveevents/liveoutputs",
            "streamingendpoints",
        )
    } | {"microsoft.eventgrid/eventsubscriptions"}
    assert types <= validator.resource_types()


def test_specs_load_once_per_process():
    assert validator._specs() is validator._specs()


def _hierarchies() -> list[tuple[str, str, str]]:
    """(base, discriminator property, value) for every subtype, read from the raw documents."""
    found = []
    for document in spec_documents().values():
        definitions = document.get("definitions", {})
        parents = {
            name: [member["$ref"].rpartition("/")[2] for member in schema.get("allOf", []) if "$ref" in member]
            for name, schema in definitions.items()
        }

        def ancestors(name):
            for parent in parents.get(name, []):
                yield parent
                yield from ancestors(parent)

        for name, schema in definitions.items():
            for base in ancestors(name):
                if "discriminator" in definitions.get(base, {}):
                    value = schema.get("x-ms-discriminator-value", name)
                    found.append((base, definitions[base]["discriminator"], value))
    return found


HIERARCHIES = _hierarchies()


def test_the_polymorphic_bases_of_the_media_specs_are_all_found():
    bases = {base for base, _, _ in HIERARCHIES}
    assert bases == {
        "Preset", "Codec", "TrackDescriptor", "InputDefinition", "Overlay", "Format", "JobInput", "ClipTime",
        "JobOutput", "TrackBase", "ContentKeyPolicyPlayReadyContentKeyLocation", "ContentKeyPolicyRestriction",
        "ContentKeyPolicyConfiguration", "ContentKeyPolicyRestrictionTokenKey",
    }  # fmt: skip
    assert len(HIERARCHIES) == 57


@pytest.mark.parametrize(("base", "prop", "value"), HIERARCHIES, ids=[f"{b}-{v}" for b, _, v in HIERARCHIES])
def test_every_subtype_is_selected_by_its_discriminator_value_through_its_base(base, prop, value):
    errors = validator.validate_definition(base, {prop: value}, strict=False)
    assert not [error for error in errors if "discriminator" in error], errors
    unknown = validator.validate_definition(base, {prop: value + "X"}, strict=False)
    assert unknown[0].startswith(f"{prop}: unknown discriminator value {value + 'X'!r}")


def test_a_subtype_is_checked_against_the_properties_it_inherits_and_its_own():
    preset = {"@odata.type": "#Microsoft.Media.StandardEncoderPreset", "codecs": "x", "formats": []}
    assert validator.validate_definition("Preset", preset) == ["codecs: 'x' is not of type 'array'"]
    codec = {"@odata.type": "#Microsoft.Media.H264Video", "keyFrameInterval": "2s", "label": 3}
    assert sorted(validator.validate_definition("Codec", codec)) == [
        "keyFrameInterval: '2s' is not a 'duration'",  # declared on Video
        "label: 3 is not of type 'string'",  # declared on Codec
    ]


def test_unknown_definition_name_is_a_lookup_error():
    with pytest.raises(LookupError):
        validator.validate_definition("NoSuchThing", {})


def _sdk_polymorphism() -> dict[str, set[str]]:
    """Root class -> every @odata.type value the azure-mgmt-media 10.2.1 models map to a subclass."""
    models = pytest.importorskip("azure.mgmt.media.models")

    def values_below(cls) -> set[str]:
        found = set()
        for mapping in (cls.__dict__.get("_subtype_map") or {}).values():
            for value, name in mapping.items():
                found |= {value} | values_below(getattr(models, name))
        return found

    roots = {}
    for name in dir(models):
        cls = getattr(models, name)
        own = isinstance(cls, type) and cls.__dict__.get("_subtype_map")
        if own and "odata_type" in own and not any(base.__dict__.get("_subtype_map") for base in cls.__mro__[1:]):
            roots[name] = values_below(cls)
    return roots


def test_polymorphism_agrees_with_the_python_sdk_models():
    # a second source: the generated SDK knows the same bases and the same discriminator values
    sdk = _sdk_polymorphism()
    spec = {}
    for base, _, value in HIERARCHIES:
        spec.setdefault(base, set()).add(value)
    assert sdk == spec
