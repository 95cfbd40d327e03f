"""Typed operations read answers into models; secret-bearing answers never reach logs or reprs."""

from __future__ import annotations

import json
import logging

import pytest

import v3_samples as samples
from v3_fakes import ACCOUNT, ACCOUNT_PATH, ENDPOINT, METADATA, STREAMING
from migrator.openapi import validator
from migrator.redact import REDACTED, SECRETS
from migrator.v3 import models

EXAMPLES = validator.SPEC_ROOT / "mediaservices/resource-manager/Microsoft.Media/Metadata/stable/2023-01-01/examples"


def example_response(name):
    with open(f"{EXAMPLES}/{name}", encoding="utf-8") as fh:
        return next(iter(json.load(fh)["responses"].values()))["body"]


def assert_secret_kept_out(value: str, *texts: str) -> None:
    assert SECRETS.scrub(f"x {value} y") == f"x {REDACTED} y"
    for text in texts:
        assert value not in text


def test_account_get_reads_storage_accounts_and_the_key_delivery_ip_allow_list(client, rsps):
    answer = {
        "name": "contosomedia",
        "location": "westus",
        "properties": {
            "mediaServiceId": "1b648c1a-2268-461d-a1da-742bde23db40",
            "storageAccounts": [
                {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/storage0", "type": "Primary"},
                {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/storage1", "type": "Secondary"},
            ],
            "keyDelivery": {"accessControl": {"defaultAction": "Deny", "ipAllowList": ["192.168.0.1/24"]}},
            "provisioningState": "Succeeded",
        },
    }
    rsps.get(f"{ENDPOINT}{ACCOUNT_PATH}/mediaservices/contosomedia", json=answer)
    account = client.account.get(ACCOUNT)
    assert account.storage_account_names() == ("storage0", "storage1")
    assert account.storage_accounts[1].type is models.StorageAccountType.SECONDARY
    assert account.key_delivery_ip_allow_list() == ("192.168.0.1/24",)
    assert account.key_delivery.access_control.default_action is models.DefaultAction.DENY
    assert "api-version=2023-01-01" in rsps.calls[0].request.url


def test_an_absent_account_is_none(client, rsps):
    rsps.get(f"{ENDPOINT}{ACCOUNT_PATH}/mediaservices/contosomedia", status=404, json={"error": {"code": "ResourceNotFound", "message": "x"}})
    assert client.account.get(ACCOUNT) is None


def test_locator_content_keys_are_registered_as_secrets_and_kept_out_of_reprs_and_logs(client, rsps, caplog):
    value = "Zm9yLXRlc3RzLWxvY2F0b3Ita2V5LTE="
    rsps.post(
        f"{METADATA}/streamingLocators/loc1/listContentKeys",
        json={"contentKeys": [{"id": "60000000-0000-0000-0000-000000000001", "type": "EnvelopeEncryption", "labelReferenceInStreamingPolicy": "aesDefaultKey", "value": value, "policyName": "p1", "tracks": []}]},
    )
    with caplog.at_level(logging.DEBUG, logger="migrator"):
        (key,) = client.streaming_locators.list_content_keys(ACCOUNT, "loc1")
    assert key.value == value and key.type is models.StreamingLocatorContentKeyType.ENVELOPE_ENCRYPTION
    assert_secret_kept_out(value, repr(key), caplog.text)


def test_policy_secrets_are_registered_and_hidden(client, rsps, caplog):
    symmetric, ask, pfx, password = "c3ltbWV0cmljLWtleS12YWx1ZQ==", "YXNrLXZhbHVlLWZvci10ZXN0cw==", "cGZ4LWJvZHktZm9yLXRlc3Rz", "pfx-password-1234"
    answer = {
        "description": "d",
        "options": [
            {
                "name": "aes",
                "configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
                "restriction": {
                    "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
                    "issuer": "urn:issuer",
                    "audience": "urn:audience",
                    "primaryVerificationKey": {"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": symmetric},
                    "restrictionTokenType": "Swt",
                },
            },
            {
                "name": "fairplay",
                "configuration": {
                    "@odata.type": "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration",
                    "ask": ask,
                    "fairPlayPfx": pfx,
                    "fairPlayPfxPassword": password,
                    "rentalAndLeaseKeyType": "Undefined",
                    "rentalDuration": 0,
                },
                "restriction": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"},
            },
        ],
    }
    rsps.post(f"{METADATA}/contentKeyPolicies/p1/getPolicyPropertiesWithSecrets", json=answer)
    with caplog.at_level(logging.DEBUG, logger="migrator"):
        properties = client.content_key_policies.get_policy_properties_with_secrets(ACCOUNT, "p1")
    token, fairplay = properties.options
    assert token.restriction.primary_verification_key.key_value == symmetric
    assert token.restriction.restriction_token_type is models.RestrictionTokenType.SWT
    assert fairplay.configuration.fair_play_pfx_password == password
    for secret in (symmetric, ask, pfx, password):
        assert_secret_kept_out(secret, repr(properties), caplog.text)
    assert properties.to_body()["options"][0]["restriction"]["primaryVerificationKey"]["keyValue"] == symmetric


def test_the_asset_decryption_key_and_container_sas_urls_are_secrets(client, rsps, caplog):
    key = "ZGVjcnlwdGlvbi1rZXktZm9yLXRlc3Rz"
    rsps.post(f"{METADATA}/assets/a1/getEncryptionKey", json={"key": key, "assetFileEncryptionMetadata": [{"assetFileId": "b5b4e4f5-7a4c-4d1c-9d2e-0d3c1f3b9a11", "assetFileName": "v.mp4", "initializationVector": "123"}]})
    sas = example_response("assets-list-sas-urls.json")
    rsps.post(f"{METADATA}/assets/a1/listContainerSas", json=sas)
    with caplog.at_level(logging.DEBUG, logger="migrator"):
        decryption = client.assets.get_encryption_key(ACCOUNT, "a1")
        urls = client.assets.list_container_sas(ACCOUNT, "a1", expiry_time=samples.WHEN)
    assert decryption.asset_file_encryption_metadata[0].asset_file_name == "v.mp4"
    assert_secret_kept_out(key, repr(decryption), caplog.text)
    assert len(urls.asset_container_sas_urls) == 2
    for url in urls.asset_container_sas_urls:
        assert "secret-value-from-key" not in SECRETS.scrub(url)  # the signature goes, whichever guard catches it
        assert url not in repr(urls) and url not in caplog.text
    assert json.loads(rsps.calls[1].request.body) == {"permissions": "Read", "expiryTime": "2026-11-27T12:00:00Z"}


def test_a_plain_get_of_a_policy_parses_its_polymorphic_options(client, rsps):
    body = example_response("content-key-policies-create-multiple-options.json")
    rsps.get(f"{METADATA}/contentKeyPolicies/p1", json=body)
    policy = client.content_key_policies.get(ACCOUNT, "p1")
    kinds = [(type(o.configuration).__name__, type(o.restriction).__name__) for o in policy.options]
    assert kinds == [
        ("ContentKeyPolicyClearKeyConfiguration", "ContentKeyPolicyTokenRestriction"),
        ("ContentKeyPolicyWidevineConfiguration", "ContentKeyPolicyOpenRestriction"),
    ]


def test_list_paths_and_asset_locators_are_typed(client, rsps):
    rsps.post(
        f"{METADATA}/streamingLocators/loc1/listPaths",
        json={"streamingPaths": [{"streamingProtocol": "Hls", "encryptionScheme": "NoEncryption", "paths": ["/90000000-0000-0000-0000-00000000000a/v.ism/manifest(format=m3u8-aapl)"]}], "downloadPaths": []},
    )
    rsps.post(f"{METADATA}/assets/a1/listStreamingLocators", json={"streamingLocators": [{"name": "loc1", "assetName": "a1", "streamingPolicyName": "Predefined_ClearStreamingOnly", "endTime": "9999-12-31T23:59:59.9999999Z"}]})
    paths = client.streaming_locators.list_paths(ACCOUNT, "loc1")
    (locator,) = client.assets.list_streaming_locators(ACCOUNT, "a1")
    assert paths.streaming_paths[0].streaming_protocol is models.StreamingProtocol.HLS
    assert paths.download_paths == ()
    assert locator.end_time.year == 9999


def test_kinds_the_models_do_not_know_are_kept_verbatim(client, rsps):
    standard = {"@odata.type": "#Microsoft.Media.StandardEncoderPreset", "codecs": [{"@odata.type": "#Microsoft.Media.AacAudio", "bitrate": 128000}], "formats": [{"@odata.type": "#Microsoft.Media.Mp4Format", "filenamePattern": "{Basename}.mp4"}]}
    rsps.get(f"{METADATA}/transforms/t1", json={"name": "t1", "properties": {"outputs": [{"preset": standard, "onError": "ContinueJob", "relativePriority": "Low"}]}})
    transform = client.transforms.get(ACCOUNT, "t1")
    assert isinstance(transform.outputs[0].preset, models.OpaquePreset)
    body = transform.to_body()
    assert body["properties"]["outputs"][0]["preset"] == standard
    assert validator.validate_resource_body("Microsoft.Media/mediaServices/transforms", body) == []


def test_enum_values_newer_than_the_models_are_kept_as_strings(client, rsps):
    rsps.get(f"{METADATA}/transforms/t1/jobs/j1", json={"name": "j1", "properties": {"state": "Archived", "outputs": [], "input": {"@odata.type": "#Microsoft.Media.JobInputAsset", "assetName": "a"}}})
    job = client.jobs.get(ACCOUNT, "t1", "j1")
    assert job.state == "Archived" and isinstance(job.input, models.JobInputAsset)


def test_live_event_and_streaming_endpoint_answers_are_typed(client, rsps):
    rsps.get(f"{STREAMING}/liveEvents/le1", json={"name": "le1", "location": "westus", "properties": {"input": {"streamingProtocol": "RTMP", "endpoints": [{"protocol": "RTMP", "url": "rtmp://x"}]}, "resourceState": "Running"}})
    rsps.get(f"{STREAMING}/streamingEndpoints/default", json={"name": "default", "location": "westus", "sku": {"name": "Standard", "capacity": 600}, "properties": {"scaleUnits": 0, "hostName": "contosomedia-usw22.streaming.media.azure.net", "resourceState": "Stopped"}})
    live_event = client.live_events.get(ACCOUNT, "le1")
    endpoint = client.streaming_endpoints.get(ACCOUNT, "default")
    assert live_event.resource_state is models.LiveEventResourceState.RUNNING
    assert live_event.input.endpoints[0].url == "rtmp://x"
    assert endpoint.host_name.endswith("streaming.media.azure.net") and endpoint.sku.capacity == 600
    assert "hostName" not in endpoint.to_body()["properties"] and endpoint.to_body()["sku"] == {"capacity": 600}


def test_event_subscriptions_live_on_the_account_scope_and_hide_the_webhook_url(client, rsps, caplog):
    url = f"{METADATA}/providers/Microsoft.EventGrid/eventSubscriptions/job-events"
    secret_url = "https://hooks.example/ams?code=another-webhook-secret"
    rsps.get(url, json={"name": "job-events", "properties": {"destination": {"endpointType": "WebHook", "properties": {"endpointUrl": secret_url, "endpointBaseUrl": "https://hooks.example/ams"}}, "provisioningState": "Succeeded"}})
    with caplog.at_level(logging.DEBUG, logger="migrator"):
        subscription = client.event_subscriptions.get(ACCOUNT, "job-events")
    assert isinstance(subscription.destination, models.WebHookEventSubscriptionDestination)
    assert subscription.destination.endpoint_base_url == "https://hooks.example/ams"
    assert_secret_kept_out(secret_url, repr(subscription), caplog.text)
    assert "api-version=2022-06-15" in rsps.calls[0].request.url


def test_live_events_are_created_stopped_unless_asked_to_start(client, rsps):
    rsps.put(f"{STREAMING}/liveEvents/le1", status=200, json={"name": "le1", "properties": {"input": {"streamingProtocol": "RTMP"}}})
    client.live_events.create_or_update(ACCOUNT, "le1", resource=samples.LIVE_EVENT)
    client.live_events.create_or_update(ACCOUNT, "le1", resource=samples.LIVE_EVENT, auto_start=True)
    assert "autoStart" not in rsps.calls[0].request.url
    assert "autoStart=true" in rsps.calls[1].request.url


@pytest.mark.parametrize("bad", [None, "text", 3])
def test_an_answer_that_is_not_an_object_is_a_remote_error(bad):
    from migrator.exceptions import RemoteError

    with pytest.raises(RemoteError):
        models.Asset.from_arm(bad)


def test_secret_answers_read_through_the_raw_post_verb_are_registered_too(client, rsps, caplog):
    value = "cmF3LXBvc3QtY29udGVudC1rZXk="
    rsps.post(f"{METADATA}/streamingLocators/loc9/listContentKeys", json={"contentKeys": [{"id": "60000000-0000-0000-0000-000000000009", "value": value}]})
    with caplog.at_level(logging.DEBUG, logger="migrator"):
        answer = client.post(f"{ACCOUNT.id()}/streamingLocators/loc9", "listContentKeys")
    assert answer["contentKeys"][0]["value"] == value
    assert_secret_kept_out(value, caplog.text)


def test_secret_fields_inside_kinds_the_models_keep_verbatim_are_registered_too():
    secret = "ZnV0dXJlLWtpbmQta2V5LXZhbHVl"
    option = models.ContentKeyPolicyOption.from_arm(
        {
            "configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyFutureConfiguration", "nested": {"keyValue": secret}},
            "restriction": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"},
        }
    )
    assert isinstance(option.configuration, models.OpaqueContentKeyPolicyConfiguration)
    assert_secret_kept_out(secret, repr(option))
