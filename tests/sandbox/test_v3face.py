"""The v3 face's ARM behaviour: api-versions, errors, validation, long-running operations,
paging, quotas, naming, create-only resources and unique ids."""

from __future__ import annotations

import logging

import pytest

from migrator.sandbox.arm import API_VERSIONS, Family
from test_v3face_helpers import ASSET_BODY, CLEAR_POLICY, STORAGE, Arm, account, serving


@pytest.fixture()
def arm():
    owner = account()
    with serving(owner, page_size=4) as (server, _face):
        yield Arm(server.base_url, owner)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


# ---------------------------------------------------------------- api-version


def test_missing_api_version_is_refused_with_arm_error(arm):
    response = arm.get("assets", version=None)
    assert response.status_code == 400
    assert error_of(response)["code"] == "MissingApiVersionParameter"


def test_unpublished_api_version_is_invalid(arm):
    response = arm.get("assets", version="2099-01-01")
    assert response.status_code == 400
    assert error_of(response)["code"] == "InvalidApiVersionParameter"


@pytest.mark.parametrize("version", API_VERSIONS[Family.METADATA])
def test_every_published_metadata_version_is_accepted(arm, version):
    assert arm.get("assets", version=version).status_code == 200


def test_versions_are_checked_per_family(arm):
    # 2022-07-01 is an Encoding version only; Metadata never published it.
    assert arm.get("transforms", version="2022-07-01").status_code == 200
    assert error_of(arm.get("assets", version="2022-07-01"))["code"] == "InvalidApiVersionParameter"
    assert arm.get("liveEvents", version="2022-08-01").status_code == 200


# ---------------------------------------------------------------- addressing and headers


def test_literal_segments_are_case_insensitive(arm):
    arm.put("assets/CaseAsset", ASSET_BODY)
    url = arm.url("assets/caseasset").replace("/resourceGroups/", "/RESOURCEGROUPS/").replace("/providers/Microsoft.Media/mediaservices/", "/PROVIDERS/microsoft.media/MEDIASERVICES/")
    response = arm.session.get(url, params={"api-version": "2023-01-01"})
    assert response.status_code == 200 and response.json()["name"] == "CaseAsset"


def test_every_answer_carries_request_and_correlation_ids(arm):
    response = arm.session.get(arm.url("assets"), params={"api-version": "2023-01-01"}, headers={"x-ms-correlation-request-id": "corr-1"})
    assert response.headers["x-ms-request-id"]
    assert response.headers["x-ms-correlation-request-id"] == "corr-1"
    assert arm.get("assets/missing").headers["x-ms-request-id"]


def test_requests_without_bearer_token_are_unauthorized(arm):
    response = arm.session.get(arm.url("assets"), params={"api-version": "2023-01-01"}, headers={"Authorization": ""})
    assert response.status_code == 401 and error_of(response)["code"] == "AuthenticationFailed"


def test_a_configured_token_must_match():
    owner = account()
    with serving(owner, token="right") as (server, _):
        assert Arm(server.base_url, owner, token="wrong").get("assets").status_code == 401
        assert Arm(server.base_url, owner, token="right").get("assets").status_code == 200


def test_unknown_account_and_resource_type_get_arm_errors(arm):
    other = arm.session.get(arm.url("").replace("contosomedia", "nosuchaccount"), params={"api-version": "2023-01-01"})
    assert other.status_code == 404 and error_of(other)["code"] == "ResourceNotFound"
    assert error_of(arm.get("widgets"))["code"] == "InvalidResourceType"


def test_missing_resource_is_404_and_delete_of_missing_is_204(arm):
    assert arm.get("assets/ghost").status_code == 404
    assert error_of(arm.get("assets/ghost"))["code"] == "ResourceNotFound"
    assert arm.delete("assets/ghost").status_code == 204


# ---------------------------------------------------------------- bodies


def test_invalid_body_is_refused_with_400_and_arm_error_shape(arm):
    response = arm.put("streamingPolicies/broken", {"properties": {"noEncryption": {"enabledProtocols": {"dash": True}}}})
    assert response.status_code == 400
    assert "hls" in error_of(response)["message"]


def test_wrong_types_and_unknown_enum_values_are_refused(arm):
    assert arm.put("assets/a1", {"properties": {"description": 5}}).status_code == 400
    arm.put("assets/a1", ASSET_BODY)
    response = arm.post("assets/a1/listContainerSas", {"permissions": "Nope", "expiryTime": "2020-01-01T00:00:00Z"})
    assert response.status_code == 400


def test_unparseable_json_is_invalid_request_content(arm):
    response = arm.session.put(arm.url("assets/x"), data=b"{not json", params={"api-version": "2023-01-01"}, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and error_of(response)["code"] == "InvalidRequestContent"


def test_read_only_input_is_ignored_and_filled_by_the_server(arm):
    body = {"properties": {"description": "d", "assetId": "11111111-1111-1111-1111-111111111111", "created": "2001-01-01T00:00:00Z"}}
    created = arm.put("assets/ro", body)
    assert created.status_code == 201
    properties = created.json()["properties"]
    assert properties["assetId"] != "11111111-1111-1111-1111-111111111111"
    assert properties["created"] != "2001-01-01T00:00:00Z"
    assert properties["storageAccountName"] == STORAGE and properties["container"] == f"asset-{properties['assetId']}"


def test_put_again_answers_200_and_keeps_identity(arm):
    first = arm.put("assets/again", ASSET_BODY).json()["properties"]
    second = arm.put("assets/again", {"properties": {"description": "new"}})
    assert second.status_code == 200
    assert second.json()["properties"]["assetId"] == first["assetId"]
    assert second.json()["properties"]["description"] == "new"


def test_patch_merges_writable_properties(arm):
    arm.put("assets/patched", ASSET_BODY)
    response = arm.patch("assets/patched", {"properties": {"alternateId": "alt-1"}})
    assert response.status_code == 200
    assert response.json()["properties"]["alternateId"] == "alt-1"
    assert response.json()["properties"]["description"] == "A documentary"


def test_storage_account_must_be_attached(arm):
    response = arm.put("assets/elsewhere", {"properties": {"storageAccountName": "notmine"}})
    assert response.status_code == 400


# ---------------------------------------------------------------- create-only and ids


def test_streaming_policies_and_locators_are_create_only(arm):
    arm.put("assets/a", ASSET_BODY)
    assert arm.put("streamingPolicies/clear", CLEAR_POLICY).status_code == 201
    assert arm.put("streamingPolicies/clear", CLEAR_POLICY).status_code == 409
    assert arm.patch("streamingPolicies/clear", CLEAR_POLICY).status_code == 405
    locator = {"properties": {"assetName": "a", "streamingPolicyName": "Predefined_ClearStreamingOnly"}}
    assert arm.put("streamingLocators/loc", locator).status_code == 201
    assert arm.put("streamingLocators/loc", locator).status_code == 409
    assert arm.patch("streamingLocators/loc", locator).status_code == 405


def test_locator_needs_an_existing_asset_and_policy(arm):
    missing_asset = arm.put("streamingLocators/l1", {"properties": {"assetName": "nope", "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert missing_asset.status_code == 400 and "nope" in error_of(missing_asset)["message"]
    arm.put("assets/a", ASSET_BODY)
    missing_policy = arm.put("streamingLocators/l2", {"properties": {"assetName": "a", "streamingPolicyName": "nosuchpolicy"}})
    assert missing_policy.status_code == 400 and "nosuchpolicy" in error_of(missing_policy)["message"]


def test_streaming_locator_id_is_kept_and_must_be_unique(arm):
    arm.put("assets/a", ASSET_BODY)
    body = {"properties": {"assetName": "a", "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": "90000000-0000-0000-0000-00000000000A"}}
    created = arm.put("streamingLocators/first", body)
    assert created.json()["properties"]["streamingLocatorId"] == "90000000-0000-0000-0000-00000000000a"
    assert arm.put("streamingLocators/second", body).status_code == 409


def test_reused_content_key_id_fails_like_amse_137(arm):
    arm.put("assets/a", ASSET_BODY)
    policy = {"properties": {"envelopeEncryption": {"enabledProtocols": {"download": False, "dash": True, "hls": True, "smoothStreaming": True}}}}
    arm.put("streamingPolicies/aes", policy)
    key = {"id": "60000000-0000-0000-0000-000000000001", "value": "1UqLohAfWsEGkULYxHjYZg=="}
    assert arm.put("streamingLocators/one", {"properties": {"assetName": "a", "streamingPolicyName": "aes", "contentKeys": [key]}}).status_code == 201
    again = arm.put("streamingLocators/two", {"properties": {"assetName": "a", "streamingPolicyName": "aes", "contentKeys": [key]}})
    assert again.status_code == 409
    assert error_of(again)["message"] == "Content key id '60000000-0000-0000-0000-000000000001' already exists."
    assert "1UqLohAfWsEGkULYxHjYZg" not in again.text  # the key value is never echoed


def test_deleting_a_locator_frees_its_ids(arm):
    arm.put("assets/a", ASSET_BODY)
    body = {"properties": {"assetName": "a", "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": "90000000-0000-0000-0000-000000000001"}}
    arm.put("streamingLocators/first", body)
    assert arm.delete("streamingLocators/first").status_code == 200
    assert arm.put("streamingLocators/again", body).status_code == 201


# ---------------------------------------------------------------- naming


@pytest.mark.parametrize("name", ["has.dot", "with:colon", "amp&", "a" * 261])
def test_media_names_breaking_the_rules_are_refused(arm, name):
    response = arm.put(f"assets/{name}", ASSET_BODY)
    assert response.status_code == 400 and error_of(response)["code"] == "InvalidResourceName"


def test_live_event_names_follow_the_swagger_pattern(arm):
    body = {"location": "westus2", "properties": {"input": {"streamingProtocol": "RTMP"}}}
    assert arm.put("liveEvents/under_score", body).status_code == 400
    assert arm.put("liveEvents/" + "a" * 33, body).status_code == 400
    assert arm.put("liveEvents/good-name", body).status_code == 201


# ---------------------------------------------------------------- long-running operations


def test_live_event_create_is_long_running_with_async_headers():
    owner = account()
    with serving(owner, lro_polls=2) as (server, _face):
        arm = Arm(server.base_url, owner)
        response = arm.put("liveEvents/le", {"location": "westus2", "properties": {"input": {"streamingProtocol": "RTMP"}}})
        assert response.status_code == 201
        assert response.json()["properties"]["provisioningState"] == "InProgress"
        status_url, location_url = response.headers["Azure-AsyncOperation"], response.headers["Location"]
        assert "/liveEventOperations/" in status_url and "/liveEvents/le/operationLocations/" in location_url
        assert response.headers["Retry-After"] == "0"
        first = arm.session.get(status_url).json()
        assert first["status"] == "InProgress"
        assert arm.session.get(location_url).status_code == 200  # second poll completes the operation
        assert arm.session.get(status_url).json()["status"] == "Succeeded"
        assert arm.get("liveEvents/le").json()["properties"]["provisioningState"] == "Succeeded"


def test_location_poll_answers_202_until_done_then_the_resource():
    owner = account()
    with serving(owner, lro_polls=2) as (server, _face):
        arm = Arm(server.base_url, owner)
        response = arm.put("streamingEndpoints/se", {"location": "westus2", "properties": {"scaleUnits": 0}})
        location = response.headers["Location"]
        assert arm.session.get(location).status_code == 202
        done = arm.session.get(location)
        assert done.status_code == 200 and done.json()["name"] == "se"


def test_long_running_delete_answers_202_and_removes_on_completion(arm):
    arm.put("streamingEndpoints/se", {"location": "westus2", "properties": {"scaleUnits": 0}})
    deleted = arm.delete("streamingEndpoints/se")
    assert deleted.status_code == 202 and deleted.headers["Azure-AsyncOperation"]
    assert arm.session.get(deleted.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    assert arm.get("streamingEndpoints/se").status_code == 404


def test_synchronous_kinds_have_no_async_headers(arm):
    response = arm.put("assets/sync", ASSET_BODY)
    assert response.status_code == 201 and "Azure-AsyncOperation" not in response.headers


def test_event_subscription_is_created_long_running_on_the_account_scope(arm):
    body = {"properties": {"destination": {"endpointType": "WebHook", "properties": {"endpointUrl": "https://hooks.example/ams"}}, "filter": {"includedEventTypes": ["Microsoft.Media.JobStateChange"]}}}
    response = arm.put("providers/Microsoft.EventGrid/eventSubscriptions/jobs-hook", body)
    assert response.status_code == 201
    assert response.json()["type"] == "Microsoft.EventGrid/eventSubscriptions"
    assert response.json()["properties"]["topic"].endswith("/mediaservices/contosomedia")
    assert arm.session.get(response.headers["Azure-AsyncOperation"]).json()["status"] == "Succeeded"
    listed = arm.get("providers/Microsoft.EventGrid/eventSubscriptions").json()["value"]
    assert [item["name"] for item in listed] == ["jobs-hook"] and listed[0]["properties"]["provisioningState"] == "Succeeded"


# ---------------------------------------------------------------- paging


def test_lists_are_paged_with_next_link_and_skiptoken(arm):
    for index in range(9):
        arm.put(f"assets/p{index}", ASSET_BODY)
    first = arm.get("assets").json()
    assert len(first["value"]) == 4 and "$skiptoken=4" in first["@odata.nextLink"]
    seen = [item["name"] for item in first["value"]]
    link = first["@odata.nextLink"]
    while link:
        page = arm.session.get(link).json()
        seen += [item["name"] for item in page["value"]]
        link = page.get("@odata.nextLink")
    assert seen == [f"p{index}" for index in range(9)]


def test_a_single_page_has_no_next_link(arm):
    arm.put("assets/only", ASSET_BODY)
    assert "@odata.nextLink" not in arm.get("assets").json()


# ---------------------------------------------------------------- quotas


def test_live_events_quota_is_five(arm):
    body = {"location": "westus2", "properties": {"input": {"streamingProtocol": "RTMP"}}}
    for index in range(5):
        assert arm.put(f"liveEvents/le{index}", body).status_code == 201
    refused = arm.put("liveEvents/le5", body)
    assert refused.status_code == 409 and error_of(refused)["code"] == "QuotaExceeded"


def test_streaming_endpoints_quota_is_two(arm):
    body = {"location": "westus2", "properties": {"scaleUnits": 0}}
    assert [arm.put(f"streamingEndpoints/se{i}", body).status_code for i in range(3)] == [201, 201, 409]


def test_live_outputs_quota_is_three_per_live_event(arm):
    arm.put("assets/archive", ASSET_BODY)
    arm.put("liveEvents/le", {"location": "westus2", "properties": {"input": {"streamingProtocol": "RTMP"}}})
    output = {"properties": {"assetName": "archive", "archiveWindowLength": "PT1H"}}
    assert [arm.put(f"liveEvents/le/liveOutputs/o{i}", output).status_code for i in range(4)] == [201, 201, 201, 409]


@pytest.mark.parametrize(
    ("collection", "body"),
    [
        ("streamingPolicies", CLEAR_POLICY),
        ("transforms", {"properties": {"outputs": [{"preset": {"@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset", "presetName": "AdaptiveStreaming"}}]}}),
        ("accountFilters", {"properties": {"firstQuality": {"bitrate": 1}}}),
        ("assets/a/assetFilters", {"properties": {"firstQuality": {"bitrate": 1}}}),
    ],
)
def test_hundred_item_quotas(arm, collection, body):
    arm.put("assets/a", ASSET_BODY)
    for index in range(100):
        assert arm.put(f"{collection}/n{index}", body).status_code == 201
    assert error_of(arm.put(f"{collection}/n100", body))["code"] == "QuotaExceeded"


def test_hundred_locators_per_asset(arm):
    arm.put("assets/a", ASSET_BODY)
    arm.put("assets/b", ASSET_BODY)
    locator = lambda asset: {"properties": {"assetName": asset, "streamingPolicyName": "Predefined_ClearStreamingOnly"}}
    for index in range(100):
        assert arm.put(f"streamingLocators/l{index}", locator("a")).status_code == 201
    assert arm.put("streamingLocators/l100", locator("a")).status_code == 409
    assert arm.put("streamingLocators/other", locator("b")).status_code == 201


def test_deleting_an_asset_deletes_its_locators_and_filters(arm):
    arm.put("assets/a", ASSET_BODY)
    arm.put("assets/a/assetFilters/f", {"properties": {"firstQuality": {"bitrate": 1}}})
    arm.put("streamingLocators/l", {"properties": {"assetName": "a", "streamingPolicyName": "Predefined_ClearStreamingOnly"}})
    assert arm.delete("assets/a").status_code == 200
    assert arm.get("streamingLocators/l").status_code == 404
    arm.put("assets/a", ASSET_BODY)
    assert arm.get("assets/a/assetFilters").json()["value"] == []


def test_nested_resources_need_their_parent(arm):
    response = arm.put("assets/none/assetFilters/f", {"properties": {}})
    assert response.status_code == 404 and error_of(response)["code"] == "ParentResourceNotFound"


def test_account_is_listed_by_resource_group_and_subscription(arm):
    group_url = arm.url("").rsplit("/", 1)[0]
    listed = arm.session.get(group_url, params={"api-version": "2021-11-01"}).json()["value"]
    assert [a["name"] for a in listed] == ["contosomedia"]
    assert listed[0]["properties"]["provisioningState"] == "Succeeded"


# ---------------------------------------------------------------- secrets


def test_secret_values_never_appear_in_errors_or_logs(caplog):
    owner = account()
    secret_password, secret_token = "FAKE-SECRET-pfx-password-0451", "FAKE-SECRET-bearer-0451"
    fair_play = {
        "@odata.type": "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration",
        "ask": "RkFLRS1TRUNSRVQtYXNr",
        "fairPlayPfxPassword": secret_password,
        "fairPlayPfx": "RkFLRS1TRUNSRVQtcGZ4",
        "rentalAndLeaseKeyType": "NotAKeyType",
        "rentalDuration": -1,
    }
    body = {"properties": {"options": [{"configuration": fair_play, "restriction": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"}}]}}
    logger = logging.getLogger("migrator")
    logger.addHandler(caplog.handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with serving(owner) as (server, _face):
            arm = Arm(server.base_url, owner, token=secret_token)
            refused = arm.put("contentKeyPolicies/fp", body)
            fair_play.update(rentalAndLeaseKeyType="PersistentUnlimited", rentalDuration=0, offlineRentalConfiguration={"playbackDurationSeconds": 1, "storageDurationSeconds": 1})
            created = arm.put("contentKeyPolicies/fp", body)
            fetched = arm.get("contentKeyPolicies/fp")
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(previous)
    assert refused.status_code == 400 and created.status_code == 201
    for response in (refused, created, fetched):
        assert secret_password not in response.text and "RkFLRS1TRUNSRVQt" not in response.text
    assert "contentKeyPolicies/fp" in caplog.text  # the request lines were logged and captured
    assert secret_password not in caplog.text and secret_token not in caplog.text


# ---------------------------------------------------------------- $filter and $orderby


def test_assets_filter_by_alternate_id_and_name(arm):
    for index in range(6):
        arm.put(f"assets/f{index}", {"properties": {"alternateId": f"alt-{index % 2}"}})
    matched = arm.get("assets", **{"$filter": "properties/alternateId eq 'alt-1'"}).json()
    assert [a["name"] for a in matched["value"]] == ["f1", "f3", "f5"]
    either = arm.get("assets", **{"$filter": "name eq 'f0' or name eq 'F4'"}).json()
    assert [a["name"] for a in either["value"]] == ["f0", "f4"]


def test_filtered_pages_follow_next_links_to_every_match(arm):
    for index in range(9):
        arm.put(f"assets/g{index}", {"properties": {"alternateId": "same"}})
    page = arm.get("assets", **{"$filter": "properties/alternateId eq 'same'"}).json()
    seen = [a["name"] for a in page["value"]]
    while "@odata.nextLink" in page:
        assert "filter" in page["@odata.nextLink"]
        page = arm.session.get(page["@odata.nextLink"]).json()
        seen += [a["name"] for a in page["value"]]
    assert seen == [f"g{index}" for index in range(9)]


def test_orderby_sorts_and_pages(arm):
    for name in ("charlie", "alpha", "echo", "bravo", "delta", "foxtrot"):
        arm.put(f"assets/{name}", ASSET_BODY)
    first = arm.get("assets", **{"$orderby": "name desc"}).json()
    second = arm.session.get(first["@odata.nextLink"]).json()
    assert [a["name"] for a in first["value"] + second["value"]] == ["foxtrot", "echo", "delta", "charlie", "bravo", "alpha"]


def test_undocumented_filters_and_orders_are_refused(arm):
    assert error_of(arm.get("assets", **{"$filter": "properties/description eq 'x'"}))["code"] == "InvalidFilter"
    assert error_of(arm.get("assets", **{"$filter": "properties/alternateId gt 'x'"}))["code"] == "InvalidFilter"
    assert error_of(arm.get("accountFilters", **{"$filter": "name eq 'x'"}))["code"] == "InvalidFilter"
    assert error_of(arm.get("assets", **{"$orderby": "properties/alternateId"}))["code"] == "InvalidOrderBy"
    assert error_of(arm.get("assets", **{"$filter": "name eq"}))["code"] == "InvalidFilter"


def test_jobs_filter_by_state_enum_literal(arm):
    arm.put("assets/in", ASSET_BODY)
    arm.put("assets/out", ASSET_BODY)
    preset = {"@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset", "presetName": "AdaptiveStreaming"}
    arm.put("transforms/t", {"properties": {"outputs": [{"preset": preset}]}})
    job = {"properties": {"input": {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "in"}, "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset", "assetName": "out"}]}}
    arm.put("transforms/t/jobs/j1", job)
    arm.put("transforms/t/jobs/j2", job)
    arm.post("transforms/t/jobs/j2/cancelJob")
    queued = arm.get("transforms/t/jobs", **{"$filter": "properties/state eq Microsoft.Media.JobState'Queued'"}).json()
    assert [j["name"] for j in queued["value"]] == ["j1"]
