"""Resource ids are built, parsed and escaped in one place; names follow the v3 rules."""

from __future__ import annotations

import pytest

from migrator.exceptions import ConfigError, InvalidNameError
from migrator.openapi import eventgrid, validator
from migrator.v3.ids import (
    AccountRef,
    ApiFamily,
    ResourceType,
    arm_path,
    collection_id,
    family_of_path,
    parse_resource_id,
    resource_id,
    validate_name,
)

ACCOUNT = AccountRef("00000000-0000-0000-0000-000000000000", "contosorg", "contosomedia")
SCOPE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contosorg/providers/Microsoft.Media"


@pytest.mark.parametrize(
    "resource_type, names, expected",
    [
        (ResourceType.ASSET, ("a1",), f"{SCOPE}/mediaServices/contosomedia/assets/a1"),
        (ResourceType.ASSET_FILTER, ("a1", "f1"), f"{SCOPE}/mediaServices/contosomedia/assets/a1/assetFilters/f1"),
        (ResourceType.JOB, ("t1", "j1"), f"{SCOPE}/mediaServices/contosomedia/transforms/t1/jobs/j1"),
        (ResourceType.LIVE_OUTPUT, ("le", "lo"), f"{SCOPE}/mediaservices/contosomedia/liveEvents/le/liveOutputs/lo"),
        (ResourceType.STREAMING_ENDPOINT, ("default",), f"{SCOPE}/mediaservices/contosomedia/streamingEndpoints/default"),
        (
            ResourceType.EVENT_SUBSCRIPTION,
            ("jobs-webhook",),
            f"{SCOPE}/mediaServices/contosomedia/providers/Microsoft.EventGrid/eventSubscriptions/jobs-webhook",
        ),
        (ResourceType.ACCOUNT, (), f"{SCOPE}/mediaservices/contosomedia"),
    ],
)
def test_resource_ids_spell_the_paths_of_their_spec_family_and_parse_back(resource_type, names, expected):
    built = resource_id(ACCOUNT, resource_type, *names)
    assert built.id == expected
    assert parse_resource_id(expected) == built


def test_every_resource_path_matches_an_operation_of_the_official_specs():
    names = {1: ("n1",), 2: ("n1", "n2"), 0: ()}
    for resource_type in ResourceType:
        rid = resource_id(ACCOUNT, resource_type, *names[resource_type.depth])
        assert validator.operation_for("GET", rid.path) is not None, resource_type
        if resource_type.depth:
            parents = names[resource_type.depth][:-1]
            assert validator.operation_for("GET", collection_id(ACCOUNT, resource_type, *parents)) is not None


def test_names_are_percent_escaped_segment_by_segment_in_paths():
    rid = resource_id(ACCOUNT, ResourceType.ASSET_FILTER, "my asset #1", "f=ü")
    assert rid.path.endswith("/assets/my%20asset%20%231/assetFilters/f%3D%C3%BC")
    assert rid.name == "my asset #1/f=ü"
    assert arm_path("/a b/c") == "/a%20b/c"


def test_parsing_is_case_insensitive_like_arm():
    parsed = parse_resource_id(f"{SCOPE.upper()}/MEDIASERVICES/contosomedia/ASSETS/a1/ASSETFILTERS/f")
    assert parsed.type is ResourceType.ASSET_FILTER
    assert parsed.names == ("a1", "f")


def test_parsing_rejects_ids_of_other_providers_and_unknown_collections():
    with pytest.raises(ConfigError):
        parse_resource_id("/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/x")
    with pytest.raises(ConfigError):
        parse_resource_id(f"{SCOPE}/mediaServices/contosomedia/widgets/w")


def test_names_with_slashes_or_empty_names_cannot_make_an_id():
    with pytest.raises(InvalidNameError):
        resource_id(ACCOUNT, ResourceType.ASSET, "a/b")
    with pytest.raises(InvalidNameError):
        AccountRef("sub", "", "acct")
    with pytest.raises(ConfigError):
        resource_id(ACCOUNT, ResourceType.ASSET_FILTER, "only-the-asset")


@pytest.mark.parametrize(
    "path, family",
    [
        (f"{SCOPE}/mediaServices/contosomedia/assets/a/listContainerSas", ApiFamily.METADATA),
        (f"{SCOPE}/mediaServices/contosomedia/transforms/t/jobs", ApiFamily.ENCODING),
        (f"{SCOPE}/mediaservices/contosomedia/liveEvents/le/start", ApiFamily.STREAMING),
        (f"{SCOPE}/mediaservices/contosomedia", ApiFamily.ACCOUNTS),
        ("/subscriptions/s/providers/Microsoft.Media/locations/westus/checkNameAvailability", ApiFamily.ACCOUNTS),
        (f"{SCOPE}/mediaServices/contosomedia/providers/Microsoft.EventGrid/eventSubscriptions/x", ApiFamily.EVENT_GRID),
        # A resource group that happens to be called like a collection does not confuse it.
        ("/subscriptions/s/resourceGroups/assets/providers/Microsoft.Media/mediaservices/a/liveEvents", ApiFamily.STREAMING),
    ],
)
def test_api_version_family_follows_from_the_path(path, family):
    assert family_of_path(path) is family


def test_api_versions_are_those_of_the_official_spec_folders_and_the_event_grid_module():
    assert validator.api_versions() == {
        "Accounts": ApiFamily.ACCOUNTS.api_version,
        "Metadata": ApiFamily.METADATA.api_version,
        "Encoding": ApiFamily.ENCODING.api_version,
        "Streaming": ApiFamily.STREAMING.api_version,
        "EventGrid": ApiFamily.EVENT_GRID.api_version,
    }
    assert ApiFamily.EVENT_GRID.api_version == eventgrid.API_VERSION


def test_paths_outside_the_known_providers_have_no_api_version():
    with pytest.raises(ConfigError):
        family_of_path("/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/x")


@pytest.mark.parametrize(
    "resource_type, name",
    [
        (ResourceType.ASSET, "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
        (ResourceType.ASSET, "name with spaces_and-dashes"),
        (ResourceType.STREAMING_LOCATOR, "x" * 260),
        (ResourceType.LIVE_EVENT, "live-event-1"),
        (ResourceType.LIVE_EVENT, "a" * 32),
        (ResourceType.STREAMING_ENDPOINT, "default"),
        (ResourceType.LIVE_OUTPUT, "out--put"),
        (ResourceType.EVENT_SUBSCRIPTION, "job-events"),
    ],
)
def test_valid_names_pass(resource_type, name):
    assert validate_name(resource_type, name) == name


@pytest.mark.parametrize(
    "resource_type, name",
    [
        (ResourceType.ASSET, ""),
        (ResourceType.ASSET, "x" * 261),
        (ResourceType.ASSET, "v2.asset"),
        (ResourceType.STREAMING_POLICY, "a:b"),
        (ResourceType.CONTENT_KEY_POLICY, "50%"),
        (ResourceType.TRANSFORM, "tab\there"),
        (ResourceType.ASSET_FILTER, "it's"),
        (ResourceType.LIVE_EVENT, "a" * 33),
        (ResourceType.LIVE_EVENT, "-starts-with-hyphen"),
        (ResourceType.LIVE_EVENT, "under_score"),
        (ResourceType.STREAMING_ENDPOINT, "x" * 25),
        (ResourceType.LIVE_OUTPUT, "ends-"),
        (ResourceType.EVENT_SUBSCRIPTION, "ab"),
        (ResourceType.EVENT_SUBSCRIPTION, "no_underscores"),
    ],
)
def test_invalid_names_raise_invalid_name_error_with_a_hint(resource_type, name):
    with pytest.raises(InvalidNameError) as caught:
        validate_name(resource_type, name)
    assert caught.value.hint
    assert "\n" not in caught.value.message


def test_streaming_name_rules_agree_with_the_spec_path_patterns():
    for resource_type, good, bad in [
        (ResourceType.LIVE_EVENT, "le-1", "le_1"),
        (ResourceType.LIVE_OUTPUT, "lo-1", "lo_1"),
        (ResourceType.STREAMING_ENDPOINT, "se-1", "s" * 25),
    ]:
        names = ("le", good) if resource_type is ResourceType.LIVE_OUTPUT else (good,)
        bad_names = ("le", bad) if resource_type is ResourceType.LIVE_OUTPUT else (bad,)
        assert validator.validate_path("GET", resource_id(ACCOUNT, resource_type, *names).path) == []
        assert validator.validate_path("GET", resource_id(ACCOUNT, resource_type, *bad_names).path) != []


def test_resource_types_are_found_from_any_spelling_of_the_arm_type():
    assert ResourceType("Microsoft.Media/mediaservices/streamingLocators") is ResourceType.STREAMING_LOCATOR
    assert ResourceType("microsoft.eventgrid/eventsubscriptions") is ResourceType.EVENT_SUBSCRIPTION
    with pytest.raises(ValueError):
        ResourceType("Microsoft.Media/mediaservices/widgets")
