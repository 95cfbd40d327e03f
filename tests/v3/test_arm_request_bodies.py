"""Every request body the client can build passes the official OpenAPI files (strict mode)."""

from __future__ import annotations

import json
import re

import pytest

import v3_samples as samples
from v3_fakes import ACCOUNT, ENDPOINT
from migrator.openapi import validator
from migrator.v3 import models
from migrator.v3.client import ArmClient

EXAMPLES = validator.SPEC_ROOT / "mediaservices/resource-manager/Microsoft.Media/Metadata/stable/2023-01-01/examples"


def capture(rsps, client: ArmClient, call):
    """Run ``call`` against a catch-all mock and return (method, path, parsed body) of the first request."""
    for method in ("PUT", "POST"):
        rsps.add(method, re.compile(re.escape(ENDPOINT) + ".*"), json={}, status=200)
    call(client)
    request = rsps.calls[0].request
    body = json.loads(request.body) if request.body else None
    return request.method, request.path_url, body


PUTS = {
    "asset": lambda c: c.assets.create_or_update(ACCOUNT, "a1", resource=samples.ASSET),
    "asset filter": lambda c: c.asset_filters.create_or_update(ACCOUNT, "a1", "hd-only", resource=samples.ASSET_FILTER),
    "account filter": lambda c: c.account_filters.create_or_update(ACCOUNT, "hd-only", resource=samples.ACCOUNT_FILTER),
    "content key policy": lambda c: c.content_key_policies.create_or_update(ACCOUNT, "policy1", resource=samples.CONTENT_KEY_POLICY),
    "streaming policy": lambda c: c.streaming_policies.create_or_update(ACCOUNT, "secure", resource=samples.STREAMING_POLICY),
    "clear streaming policy": lambda c: c.streaming_policies.create_or_update(ACCOUNT, "clear", resource=samples.CLEAR_STREAMING_POLICY),
    "streaming locator": lambda c: c.streaming_locators.create_or_update(ACCOUNT, "loc1", resource=samples.STREAMING_LOCATOR),
    "transform": lambda c: c.transforms.create_or_update(ACCOUNT, "t1", resource=samples.TRANSFORM),
    "job": lambda c: c.jobs.create_or_update(ACCOUNT, "t1", "j1", resource=samples.JOB),
    "live event": lambda c: c.live_events.create_or_update(ACCOUNT, "le1", resource=samples.LIVE_EVENT, auto_start=True),
    "live output": lambda c: c.live_outputs.create_or_update(ACCOUNT, "le1", "lo1", resource=samples.LIVE_OUTPUT),
    "streaming endpoint": lambda c: c.streaming_endpoints.create_or_update(ACCOUNT, "se1", resource=samples.STREAMING_ENDPOINT),
    "webhook event subscription": lambda c: c.event_subscriptions.create_or_update(ACCOUNT, "job-events", resource=samples.WEBHOOK_SUBSCRIPTION),
    "queue event subscription": lambda c: c.event_subscriptions.create_or_update(ACCOUNT, "job-queue", resource=samples.QUEUE_SUBSCRIPTION),
}

ACTIONS = {
    "listContainerSas": lambda c: c.assets.list_container_sas(ACCOUNT, "a1", expiry_time=samples.WHEN, permissions=models.AssetContainerPermission.READ_WRITE),
    "getEncryptionKey": lambda c: c.assets.get_encryption_key(ACCOUNT, "a1"),
    "listStreamingLocators": lambda c: c.assets.list_streaming_locators(ACCOUNT, "a1"),
    "getPolicyPropertiesWithSecrets": lambda c: c.content_key_policies.get_policy_properties_with_secrets(ACCOUNT, "policy1"),
    "listPaths": lambda c: c.streaming_locators.list_paths(ACCOUNT, "loc1"),
    "listContentKeys": lambda c: c.streaming_locators.list_content_keys(ACCOUNT, "loc1"),
    "cancelJob": lambda c: c.jobs.cancel(ACCOUNT, "t1", "j1"),
    "live event start": lambda c: c.live_events.start(ACCOUNT, "le1"),
    "live event stop": lambda c: c.live_events.stop(ACCOUNT, "le1", remove_outputs_on_stop=True),
    "streaming endpoint start": lambda c: c.streaming_endpoints.start(ACCOUNT, "se1"),
    "streaming endpoint stop": lambda c: c.streaming_endpoints.stop(ACCOUNT, "se1"),
    "streaming endpoint scale": lambda c: c.streaming_endpoints.scale(ACCOUNT, "se1", 2),
}


@pytest.mark.parametrize("call", PUTS.values(), ids=PUTS.keys())
def test_every_put_body_is_valid_against_the_official_specs(client, rsps, call):
    method, path, body = capture(rsps, client, call)
    assert method == "PUT"
    assert validator.validate_request(method, path, body) == []
    assert validator.validate_path(method, path) == []


@pytest.mark.parametrize("call", ACTIONS.values(), ids=ACTIONS.keys())
def test_every_action_request_is_valid_against_the_official_specs(client, rsps, call):
    method, path, body = capture(rsps, client, call)
    assert method == "POST"
    assert validator.validate_request(method, path, body) == []


@pytest.mark.parametrize("call", list(PUTS.values()) + list(ACTIONS.values()), ids=list(PUTS) + list(ACTIONS))
def test_the_api_version_sent_is_the_one_of_the_operations_spec(client, rsps, call):
    method, path, _ = capture(rsps, client, call)
    assert f"api-version={validator.operation_for(method, path).api_version}" in path


def test_the_validator_would_catch_a_body_missing_a_required_field(client, rsps):
    broken = models.StreamingLocator(asset_name="a1", streaming_policy_name="")
    method, path, body = capture(rsps, client, lambda c: c.streaming_locators.create_or_update(ACCOUNT, "l", resource=broken))
    del body["properties"]["streamingPolicyName"]
    assert validator.validate_request(method, path, body) != []


@pytest.mark.parametrize(
    "example, model",
    [
        ("assets-create.json", models.Asset),
        ("streaming-locators-create-secure-userDefinedContentKeys.json", models.StreamingLocator),
        ("streaming-policies-create-secure-streaming.json", models.StreamingPolicy),
        ("content-key-policies-create-multiple-options.json", models.ContentKeyPolicy),
        ("content-key-policies-create-playready-open.json", models.ContentKeyPolicy),
    ],
)
def test_official_example_requests_round_trip_through_the_models_unchanged(example, model):
    with open(f"{EXAMPLES}/{example}", encoding="utf-8") as fh:
        document = json.load(fh)
    request_body = document["parameters"]["parameters"]
    assert model.from_arm(request_body).to_body() == request_body
    for response in document["responses"].values():
        parsed = model.from_arm(response["body"])
        assert validator.validate_resource_body(
            {models.Asset: "Microsoft.Media/mediaServices/assets", models.StreamingLocator: "Microsoft.Media/mediaServices/streamingLocators",
             models.StreamingPolicy: "Microsoft.Media/mediaServices/streamingPolicies", models.ContentKeyPolicy: "Microsoft.Media/mediaServices/contentKeyPolicies"}[model],
            parsed.to_body(),
        ) == []


def test_read_only_fields_of_an_answer_are_left_out_of_the_body_built_from_it():
    answer = {
        "name": "a1",
        "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Media/mediaservices/m/assets/a1",
        "type": "Microsoft.Media/mediaservices/assets",
        "properties": {"assetId": "1b648c1a-2268-461d-a1da-742bde23db40", "created": "2018-08-08T18:29:31.2371031Z", "container": "c1", "storageEncryptionFormat": "None"},
    }
    assert models.Asset.from_arm(answer).to_body() == {"properties": {"container": "c1"}}
