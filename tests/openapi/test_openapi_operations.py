"""Finding the operation of a concrete ARM path: case, parameters, api-versions, LRO flags."""

from __future__ import annotations

import pytest
from openapi_fixtures import ACCOUNT_SCOPE, SUBSCRIPTION, account_path

from migrator.openapi import validator


@pytest.mark.parametrize("spelling", ["mediaServices", "mediaservices", "MEDIASERVICES"])
@pytest.mark.parametrize(
    ("suffix", "operation_id"),
    [
        ("/assets/a1", "Assets_CreateOrUpdate"),  # Metadata spells mediaServices
        ("/liveEvents/le1", "LiveEvents_Create"),  # Streaming spells mediaservices
        ("", "Mediaservices_CreateOrUpdate"),  # Accounts spells mediaservices
    ],
)
def test_literal_segments_match_case_insensitively(spelling, suffix, operation_id):
    operation = validator.operation_for("PUT", account_path(suffix, spelling))
    assert operation is not None and operation.operation_id == operation_id


def test_lower_cased_provider_and_collection_segments_still_match():
    path = f"/SUBSCRIPTIONS/{SUBSCRIPTION}/resourcegroups/contosorg/providers/microsoft.media/mediaservices/contosomedia/streaminglocators/loc1"
    operation = validator.operation_for("put", path)
    assert operation.operation_id == "StreamingLocators_Create"
    assert operation.path_params["streamingLocatorName"] == "loc1"


def test_path_parameters_are_resolved_and_keep_their_case():
    operation = validator.operation_for("PUT", account_path("/Assets/Movie-1/assetFilters/Audio%20Only"))
    assert operation.path_params == {
        "subscriptionId": SUBSCRIPTION,
        "resourceGroupName": "contosorg",
        "accountName": "contosomedia",
        "assetName": "Movie-1",
        "filterName": "Audio Only",
    }
    assert operation.path_template.endswith("/assets/{assetName}/assetFilters/{filterName}")


def test_query_string_host_and_trailing_slash_are_ignored():
    for path in (
        account_path("/transforms/t1?api-version=2022-07-01"),
        account_path("/transforms/t1/"),
        "https://management.azure.com" + account_path("/transforms/t1") + "?api-version=2022-07-01",
    ):
        assert validator.operation_for("GET", path).operation_id == "Transforms_Get"


def test_action_segment_wins_over_a_parameter_in_the_same_position():
    assert validator.operation_for("POST", account_path("/streamingLocators/l1/listPaths")).operation_id == (
        "StreamingLocators_ListPaths"
    )
    assert validator.operation_for("GET", account_path("/streamingLocators/l1")).operation_id == "StreamingLocators_Get"


def test_unknown_path_or_method_has_no_operation():
    assert validator.operation_for("PUT", account_path("/channels/c1")) is None
    assert validator.operation_for("PATCH", account_path("/streamingLocators/l1")) is None  # locators are create-only
    errors = validator.validate_request("PATCH", account_path("/streamingLocators/l1"), {"properties": {}})
    assert errors == [f"no operation of the specs matches PATCH {account_path('/streamingLocators/l1')}"]


def test_methods_for_a_path_lists_what_the_specs_define():
    assert validator.methods_for(account_path("/streamingLocators/l1")) == {"GET", "PUT", "DELETE"}
    assert validator.methods_for(account_path("/assets/a1")) == {"GET", "PUT", "PATCH", "DELETE"}
    assert validator.methods_for(account_path("/nothing")) == frozenset()


def test_api_version_of_each_family_is_the_spec_version():
    assert validator.api_versions() == {
        "Accounts": "2023-01-01",
        "Metadata": "2023-01-01",
        "Encoding": "2022-07-01",
        "Streaming": "2022-11-01",
        "EventGrid": "2022-06-15",
    }


@pytest.mark.parametrize(
    ("method", "suffix", "family", "api_version"),
    [
        ("PUT", "", "Accounts", "2023-01-01"),
        ("PUT", "/contentKeyPolicies/p", "Metadata", "2023-01-01"),
        ("PUT", "/accountFilters/f", "Metadata", "2023-01-01"),
        ("PUT", "/transforms/t/jobs/j", "Encoding", "2022-07-01"),
        ("POST", "/streamingEndpoints/se/scale", "Streaming", "2022-11-01"),
        ("PUT", "/providers/Microsoft.EventGrid/eventSubscriptions/es", "EventGrid", "2022-06-15"),
    ],
)
def test_operation_carries_its_family_api_version(method, suffix, family, api_version):
    operation = validator.operation_for(method, account_path(suffix))
    assert (operation.family, operation.api_version) == (family, api_version)


def test_api_version_for_a_resource_type():
    assert validator.api_version_for("Microsoft.Media/mediaServices/liveEvents/liveOutputs") == "2022-11-01"
    assert validator.api_version_for("Microsoft.Media/mediaServices/streamingPolicies") == "2023-01-01"
    with pytest.raises(LookupError):
        validator.api_version_for("Microsoft.Media/mediaServices/channels")


@pytest.mark.parametrize(
    ("method", "suffix", "long_running", "status_codes"),
    [
        ("PUT", "/streamingLocators/l", False, (201,)),
        ("PUT", "/streamingPolicies/p", False, (201,)),
        ("PUT", "/assets/a", False, (200, 201)),
        ("PUT", "/transforms/t/jobs/j", False, (201,)),
        ("PUT", "/liveEvents/le", True, (200, 201)),
        ("POST", "/liveEvents/le/stop", True, (200, 202)),
        ("DELETE", "/liveEvents/le/liveOutputs/lo", True, (200, 202, 204)),
        ("PUT", "/assets/a/tracks/t", True, (200, 201)),
        ("PATCH", "", True, (202,)),
    ],
)
def test_long_running_flag_and_status_codes_come_from_the_spec(method, suffix, long_running, status_codes):
    operation = validator.operation_for(method, account_path(suffix))
    assert (operation.long_running, operation.status_codes) == (long_running, status_codes)


def test_subscription_level_paths_match():
    path = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Media/locations/westus/checkNameAvailability"
    assert validator.operation_for("POST", path).operation_id == "Locations_CheckNameAvailability"
    assert validator.validate_request("POST", path, {"name": "contosomedia", "type": "MediaServices"}) == []
    assert validator.operation_for("GET", "/providers/Microsoft.Media/operations").operation_id == "Operations_List"
    assert validator.operation_for("GET", f"{ACCOUNT_SCOPE}/mediaservices").operation_id == "Mediaservices_List"


def test_operation_is_an_immutable_value():
    operation = validator.operation_for("GET", account_path("/assets/a"))
    with pytest.raises(AttributeError):
        operation.operation_id = "x"  # type: ignore[misc]


def test_request_body_rules_of_the_operation():
    assert validator.validate_request("POST", account_path("/streamingLocators/l/listPaths"), None) == []
    assert validator.validate_request("POST", account_path("/streamingLocators/l/listPaths"), {}) == [
        "body: StreamingLocators_ListPaths takes no request body"
    ]
    assert validator.validate_request("POST", account_path("/streamingLocators/l/listPaths"), {}, strict=False) == []
    assert validator.validate_request("PUT", account_path("/assets/a"), None) == [
        "body: Assets_CreateOrUpdate requires a request body"
    ]
    assert validator.validate_request("POST", account_path("/streamingEndpoints/se/scale"), {"scaleUnit": 2}) == []
    assert validator.validate_request(
        "POST", account_path("/assets/a/listContainerSas"), {"permissions": "Read", "expiryTime": "2026-11-28T00:00:00Z"}
    ) == []
    assert validator.validate_request("POST", account_path("/assets/a/listContainerSas"), {"permissions": "Nope"}) == [
        "permissions: 'Nope' is not one of: Read, ReadWrite, ReadWriteDelete"
    ]


def test_path_parameters_are_checked_against_their_pattern_and_length():
    assert validator.validate_path("PUT", account_path("/liveEvents/" + "a" * 32)) == []
    too_long = validator.validate_path("PUT", account_path("/liveEvents/" + "a" * 33))
    assert too_long == ["liveEventName: is longer than 32 characters"]
    assert validator.validate_path("PUT", account_path("/liveEvents/bad_name"))[0].startswith(
        "liveEventName: 'bad_name' does not match"
    )
