"""Microsoft's own Python client (azure-mgmt-media 10.2.1, api-versions 2021-11-01,
2022-08-01 and 2022-07-01) drives the v3 face: create, get and list of every resource type,
the actions, and the long-running operations with its own ARM poller."""

from __future__ import annotations

import pytest
from azure.mgmt.media import models as m

from test_v3face_helpers import ACCOUNT, GROUP, STORAGE, media_client, serving


@pytest.fixture(scope="module")
def client():
    with serving(page_size=3) as (server, _face):
        yield media_client(server.base_url)


def names(items) -> list[str]:
    return [item.name for item in items]


def test_account_get_and_list_show_storage_and_key_delivery(client):
    account = client.mediaservices.get(GROUP, ACCOUNT)
    assert account.storage_accounts[0].id.endswith(f"/storageAccounts/{STORAGE}")
    assert account.key_delivery.access_control.default_action == "Allow"
    assert names(client.mediaservices.list(GROUP)) == [ACCOUNT]


def test_assets_create_get_list_and_fill_read_only_properties(client):
    created = client.assets.create_or_update(GROUP, ACCOUNT, "sdkasset", m.Asset(description="doc", storage_account_name=STORAGE))
    assert created.asset_id and created.container == f"asset-{created.asset_id}"
    assert created.storage_encryption_format == "None" and created.created is not None
    for index in range(4):
        client.assets.create_or_update(GROUP, ACCOUNT, f"paged{index}", m.Asset())
    assert client.assets.get(GROUP, ACCOUNT, "SDKASSET").description == "doc"
    listed = names(client.assets.list(GROUP, ACCOUNT))  # page size 3: the client follows nextLink
    assert {"sdkasset", "paged0", "paged3"} <= set(listed) and len(listed) == len(set(listed))
    sas = client.assets.list_container_sas(GROUP, ACCOUNT, "sdkasset", m.ListContainerSasInput(permissions="Read"))
    assert len(sas.asset_container_sas_urls) == 2


def test_asset_and_account_filters_round_trip(client):
    client.assets.create_or_update(GROUP, ACCOUNT, "filtered", m.Asset())
    track = m.FilterTrackSelection(track_selections=[m.FilterTrackPropertyCondition(property="Type", value="Audio", operation="Equal")])
    client.asset_filters.create_or_update(GROUP, ACCOUNT, "filtered", "audio", m.AssetFilter(tracks=[track]))
    client.account_filters.create_or_update(GROUP, ACCOUNT, "hd", m.AccountFilter(first_quality=m.FirstQuality(bitrate=128000)))
    assert client.asset_filters.get(GROUP, ACCOUNT, "filtered", "audio").tracks[0].track_selections[0].value == "Audio"
    assert names(client.asset_filters.list(GROUP, ACCOUNT, "filtered")) == ["audio"]
    assert client.account_filters.get(GROUP, ACCOUNT, "hd").first_quality.bitrate == 128000
    assert "hd" in names(client.account_filters.list(GROUP, ACCOUNT))


def test_content_key_policy_hides_secrets_except_through_get_with_secrets(client):
    restriction = m.ContentKeyPolicyTokenRestriction(
        issuer="urn:issuer",
        audience="urn:audience",
        primary_verification_key=m.ContentKeyPolicySymmetricTokenKey(key_value=b"FAKE-SECRET-0123"),
        restriction_token_type="Jwt",
    )
    option = m.ContentKeyPolicyOption(name="clear", configuration=m.ContentKeyPolicyClearKeyConfiguration(), restriction=restriction)
    created = client.content_key_policies.create_or_update(GROUP, ACCOUNT, "tokenpolicy", m.ContentKeyPolicy(options=[option]))
    assert created.policy_id and created.options[0].policy_option_id
    assert bytes(created.options[0].restriction.primary_verification_key.key_value) == b""
    secret = client.content_key_policies.get_policy_properties_with_secrets(GROUP, ACCOUNT, "tokenpolicy")
    assert bytes(secret.options[0].restriction.primary_verification_key.key_value) == b"FAKE-SECRET-0123"
    assert "tokenpolicy" in names(client.content_key_policies.list(GROUP, ACCOUNT))


def test_streaming_policy_and_locator_with_generated_keys_and_paths(client):
    client.assets.create_or_update(GROUP, ACCOUNT, "published", m.Asset())
    protocols = m.EnabledProtocols(download=False, dash=True, hls=True, smooth_streaming=True)
    client.streaming_policies.create(GROUP, ACCOUNT, "aes", m.StreamingPolicy(envelope_encryption=m.EnvelopeEncryption(enabled_protocols=protocols)))
    assert client.streaming_policies.get(GROUP, ACCOUNT, "aes").envelope_encryption.enabled_protocols.hls is True
    assert "aes" in names(client.streaming_policies.list(GROUP, ACCOUNT))
    locator = client.streaming_locators.create(GROUP, ACCOUNT, "aesloc", m.StreamingLocator(asset_name="published", streaming_policy_name="aes"))
    assert locator.streaming_locator_id and locator.end_time.year == 9999
    assert [key.type for key in locator.content_keys] == ["EnvelopeEncryption"]
    keys = client.streaming_locators.list_content_keys(GROUP, ACCOUNT, "aesloc").content_keys
    assert keys[0].value and keys[0].id == locator.content_keys[0].id
    paths = client.streaming_locators.list_paths(GROUP, ACCOUNT, "aesloc")
    assert {p.streaming_protocol for p in paths.streaming_paths} == {"Hls", "Dash", "SmoothStreaming"}
    assert {p.encryption_scheme for p in paths.streaming_paths} == {"EnvelopeEncryption"}
    assert names(client.assets.list_streaming_locators(GROUP, ACCOUNT, "published").streaming_locators) == ["aesloc"]
    assert "aesloc" in names(client.streaming_locators.list(GROUP, ACCOUNT))


def test_transforms_and_jobs(client):
    preset = m.BuiltInStandardEncoderPreset(preset_name="AdaptiveStreaming")
    client.transforms.create_or_update(GROUP, ACCOUNT, "abr", m.Transform(outputs=[m.TransformOutput(preset=preset)]))
    assert client.transforms.get(GROUP, ACCOUNT, "abr").outputs[0].preset.preset_name == "AdaptiveStreaming"
    client.assets.create_or_update(GROUP, ACCOUNT, "jobin", m.Asset())
    client.assets.create_or_update(GROUP, ACCOUNT, "jobout", m.Asset())
    job = client.jobs.create(GROUP, ACCOUNT, "abr", "job1", m.Job(input=m.JobInputAsset(asset_name="jobin"), outputs=[m.JobOutputAsset(asset_name="jobout")]))
    assert job.state == "Queued"
    client.jobs.cancel_job(GROUP, ACCOUNT, "abr", "job1")
    assert client.jobs.get(GROUP, ACCOUNT, "abr", "job1").state == "Canceled"
    assert names(client.jobs.list(GROUP, ACCOUNT, "abr")) == ["job1"]
    assert "abr" in names(client.transforms.list(GROUP, ACCOUNT))


def test_live_events_and_outputs_through_the_sdk_poller(client):
    live = m.LiveEvent(location="westus2", input=m.LiveEventInput(streaming_protocol="RTMP"))
    created = client.live_events.begin_create(GROUP, ACCOUNT, "live1", live).result()
    assert (created.provisioning_state, created.resource_state) == ("Succeeded", "Stopped")
    client.live_events.begin_start(GROUP, ACCOUNT, "live1").result()
    assert client.live_events.get(GROUP, ACCOUNT, "live1").resource_state == "Running"
    client.assets.create_or_update(GROUP, ACCOUNT, "archive", m.Asset())
    output = client.live_outputs.begin_create(GROUP, ACCOUNT, "live1", "out1", m.LiveOutput(asset_name="archive", archive_window_length="PT1H")).result()
    assert output.resource_state == "Running"
    assert names(client.live_outputs.list(GROUP, ACCOUNT, "live1")) == ["out1"]
    client.live_events.begin_stop(GROUP, ACCOUNT, "live1", m.LiveEventActionInput(remove_outputs_on_stop=True)).result()
    assert client.live_events.get(GROUP, ACCOUNT, "live1").resource_state == "Stopped"
    assert names(client.live_outputs.list(GROUP, ACCOUNT, "live1")) == []
    assert "live1" in names(client.live_events.list(GROUP, ACCOUNT))
    client.live_events.begin_delete(GROUP, ACCOUNT, "live1").result()
    assert "live1" not in names(client.live_events.list(GROUP, ACCOUNT))


def test_streaming_endpoints_create_start_scale(client):
    created = client.streaming_endpoints.begin_create(GROUP, ACCOUNT, "origin", m.StreamingEndpoint(location="westus2", scale_units=0)).result()
    assert created.host_name and created.resource_state == "Stopped"
    client.streaming_endpoints.begin_start(GROUP, ACCOUNT, "origin").result()
    client.streaming_endpoints.begin_scale(GROUP, ACCOUNT, "origin", m.StreamingEntityScaleUnit(scale_unit=2)).result()
    endpoint = client.streaming_endpoints.get(GROUP, ACCOUNT, "origin")
    assert (endpoint.resource_state, endpoint.scale_units) == ("Running", 2)
    assert "origin" in names(client.streaming_endpoints.list(GROUP, ACCOUNT))


def test_sdk_reads_the_arm_error_shape(client):
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

    with pytest.raises(ResourceNotFoundError) as missing:
        client.assets.get(GROUP, ACCOUNT, "never-created")
    assert missing.value.error.code == "ResourceNotFound"
    with pytest.raises(HttpResponseError) as refused:
        client.streaming_locators.create(GROUP, ACCOUNT, "orphan", m.StreamingLocator(asset_name="nope", streaming_policy_name="Predefined_ClearStreamingOnly"))
    assert refused.value.status_code == 400 and refused.value.error.code == "AssetNotFound"


def test_account_update_sets_the_key_delivery_allow_list_through_the_sdk_poller(client):
    access = m.AccessControl(default_action="Deny", ip_allow_list=["192.0.2.0/24"])
    updated = client.mediaservices.begin_update(GROUP, ACCOUNT, m.MediaServiceUpdate(key_delivery=m.KeyDelivery(access_control=access))).result()
    assert updated.key_delivery.access_control.ip_allow_list == ["192.0.2.0/24"]
    account = client.mediaservices.get(GROUP, ACCOUNT)
    assert account.key_delivery.access_control.default_action == "Deny"
    assert account.provisioning_state == "Succeeded"
