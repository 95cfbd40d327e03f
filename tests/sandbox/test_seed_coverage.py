"""A full-coverage seeded account holds every hard case the sandbox promises (issue 3)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timezone

import pytest

from migrator.sandbox.seed import ACCOUNT_NOW, FULL_COVERAGE_ASSETS, SeededV2Data
from v2_sandbox_helpers import ENTITY_SETS, REFERENCE

TOKEN_NS = "{http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1}"
# v3 resource names: letters, digits, hyphens and underscores, at most 260 characters (live
# events and streaming endpoints are stricter still).
V3_NAME = re.compile(r"^[A-Za-z0-9_-]{1,260}$")


@pytest.fixture(scope="module", params=[1, 2024], ids=["seed1", "seed2024"])
def data(request) -> SeededV2Data:
    return SeededV2Data(request.param, FULL_COVERAGE_ASSETS)


def _all(data: SeededV2Data, entity_set: str) -> list[dict]:
    return list(data.iter(entity_set))


def _enum(name: str, member: str) -> int:
    return REFERENCE["enums"][name]["values"][member]


def test_every_entity_set_has_entities(data):
    assert {s: data.count(s) for s in ENTITY_SETS if data.count(s) == 0} == {}


def test_storage_encrypted_assets_carry_per_file_encryption_data(data):
    encrypted = [a for a in _all(data, "Assets") if a["Options"] == _enum("AssetCreationOptions", "StorageEncrypted")]
    assert len(encrypted) >= 2
    for asset in encrypted:
        keys = [data.get("ContentKeys", k) for k in data.navigation("Assets", asset["Id"], "ContentKeys")]
        storage_keys = {k["Id"] for k in keys if k["ContentKeyType"] == _enum("ContentKeyType", "StorageEncryption")}
        files = [data.get("Files", f) for f in data.navigation("Assets", asset["Id"], "Files")]
        assert files and storage_keys
        for file in files:
            assert file["IsEncrypted"] is True
            assert file["EncryptionScheme"] == "StorageEncryption" and file["EncryptionVersion"]
            assert file["EncryptionKeyId"] in storage_keys
            assert file["InitializationVector"]
    ivs = [f["InitializationVector"] for a in encrypted for f in (data.get("Files", k) for k in data.navigation("Assets", a["Id"], "Files"))]
    assert len(set(ivs)) == len(ivs), "every file has its own IV"


def test_locators_cover_sas_expired_future_start_and_several_per_asset(data):
    locators = _all(data, "Locators")
    assert any(l["Type"] == _enum("LocatorType", "Sas") for l in locators)
    assert any(l["Type"] == _enum("LocatorType", "OnDemandOrigin") for l in locators)
    assert any(l["ExpirationDateTime"] < ACCOUNT_NOW for l in locators)
    assert any(l["StartTime"] and l["StartTime"] > datetime(2030, 1, 1, tzinfo=timezone.utc) for l in locators)
    assert any(l["Type"] == 1 and l["ExpirationDateTime"] < ACCOUNT_NOW for l in locators), "an expired SAS locator"
    assert max(Counter(l["AssetId"] for l in locators).values()) >= 3


def test_streaming_locator_paths_are_host_guid_and_sas_paths_carry_a_signature(data):
    for locator in _all(data, "Locators"):
        guid = locator["Id"][len("nb:lid:UUID:") :]
        if locator["Type"] == 2:
            assert locator["Path"] == f"{locator['BaseUri']}/{guid}/" and locator["ContentAccessComponent"] == guid
        else:
            assert locator["Path"] == locator["BaseUri"] + locator["ContentAccessComponent"] and "&sig=" in locator["Path"]


def test_delivery_policies_cover_envelope_cenc_cbcs_and_clear(data):
    policies = _all(data, "AssetDeliveryPolicies")
    types = {p["AssetDeliveryPolicyType"] for p in policies}
    wanted = {_enum("AssetDeliveryPolicyType", n) for n in ("DynamicEnvelopeEncryption", "DynamicCommonEncryption", "DynamicCommonEncryptionCbcs", "NoDynamicEncryption")}
    assert wanted <= types
    for policy in policies:
        if policy["AssetDeliveryConfiguration"] is not None:
            entries = json.loads(policy["AssetDeliveryConfiguration"])
            assert all(isinstance(e["Key"], int) and isinstance(e["Value"], str) for e in entries)


def test_authorization_options_cover_every_delivery_type_and_restriction_kind(data):
    options = _all(data, "ContentKeyAuthorizationPolicyOptions")
    assert {o["KeyDeliveryType"] for o in options} >= {1, 2, 3, 4}
    restrictions = [r for o in options for r in o["Restrictions"]]
    assert {r["KeyRestrictionType"] for r in restrictions} == {0, 1, 2}
    assert all(r["Requirements"] is None for r in restrictions if r["KeyRestrictionType"] == 0)
    token_types = set()
    for restriction in restrictions:
        if restriction["KeyRestrictionType"] == 1:
            template = ET.fromstring(restriction["Requirements"])
            assert template.tag == f"{TOKEN_NS}TokenRestrictionTemplate"
            token_types.add(template.find(f"{TOKEN_NS}TokenType").text)
            children = [child.tag for child in template]
            assert children == sorted(children), "DataContract writes members alphabetically"
    assert token_types == {"JWT", "SWT"}


def test_delivery_configurations_hold_the_documented_templates(data):
    options = _all(data, "ContentKeyAuthorizationPolicyOptions")
    by_type = {o["KeyDeliveryType"]: o["KeyDeliveryConfiguration"] for o in options}
    assert ET.fromstring(by_type[1]).tag.endswith("PlayReadyLicenseResponseTemplate")
    assert "allowed_track_types" in json.loads(by_type[3])
    fairplay = json.loads(by_type[4])
    assert set(fairplay) == {"ASkId", "FairPlayPfxPasswordId", "FairPlayPfx", "ContentEncryptionIV", "RentalAndLeaseKeyType", "RentalDuration"}
    ask = data.get("ContentKeys", f"nb:kid:UUID:{fairplay['ASkId']}")
    password = data.get("ContentKeys", f"nb:kid:UUID:{fairplay['FairPlayPfxPasswordId']}")
    assert ask["ContentKeyType"] == 7 and password["ContentKeyType"] == 8
    assert {o["KeyDeliveryConfiguration"] for o in options if o["KeyDeliveryType"] == 2} <= {None, ""}


def test_the_same_policies_repeat_once_per_asset(data):
    policies = _all(data, "ContentKeyAuthorizationPolicies")
    names = Counter(p["Name"] for p in policies)
    assert max(names.values()) >= 3
    delivery_names = Counter(p["Name"] for p in _all(data, "AssetDeliveryPolicies"))
    assert max(delivery_names.values()) >= 3
    keys_per_policy = Counter(k["AuthorizationPolicyId"] for k in _all(data, "ContentKeys") if k["AuthorizationPolicyId"])
    assert set(keys_per_policy.values()) == {1}, "one policy per key, never shared"


def test_channels_cover_every_ingest_protocol_and_several_states(data):
    channels = _all(data, "Channels")
    assert {c["Input"]["StreamingProtocol"] for c in channels} == set(REFERENCE["enums"]["StreamingProtocol"]["values"].values())
    assert len({c["State"] for c in channels}) >= 4
    assert {c["EncodingType"] for c in channels} == {0, 1, 2}


def test_programs_have_archive_windows_and_archive_assets(data):
    programs = _all(data, "Programs")
    assert len({p["ArchiveWindowLength"] for p in programs}) >= 3
    assert all(data.get("Assets", p["AssetId"]) for p in programs)
    assert all(data.get("Channels", p["ChannelId"]) for p in programs)


def test_streaming_endpoints_cover_cdn_custom_hosts_and_access_control(data):
    endpoints = _all(data, "StreamingEndpoints")
    assert any(e["CdnEnabled"] for e in endpoints)
    assert any(e["CustomHostNames"] for e in endpoints)
    assert any(e["AccessControl"] and e["AccessControl"]["Akamai"] for e in endpoints)
    assert any(e["AccessControl"] and e["AccessControl"]["IP"]["Allow"] for e in endpoints)
    assert len(endpoints) > 2, "more than v3's quota of two"


def test_jobs_cover_every_state_with_standard_presets_and_legacy_processors(data):
    jobs = _all(data, "Jobs")
    assert {j["State"] for j in jobs} == set(REFERENCE["enums"]["JobState"]["values"].values())
    tasks = _all(data, "Tasks")
    configurations = {t["Configuration"] for t in tasks}
    assert {"Adaptive Streaming", "H264 Multiple Bitrate 720p"} <= configurations
    assert any(c.lstrip().startswith("{") and "Codecs" in c for c in configurations), "a custom JSON preset"
    assert any(c.startswith("<?xml") and "<Preset" in c for c in configurations), "a custom XML preset"
    processors = {p["Id"]: p["Name"] for p in _all(data, "MediaProcessors")}
    used = {processors[t["MediaProcessorId"]] for t in tasks}
    assert {"Media Encoder Standard", "Azure Media Indexer", "Azure Media Face Detector"} <= used
    assert any(t["Options"] & 1 and t["EncryptionKeyId"] for t in tasks), "a protected configuration"
    assert any(j["TemplateId"] for j in jobs) and any(j["JobNotificationSubscriptions"] for j in jobs)


def test_job_templates_have_task_templates(data):
    for template in _all(data, "JobTemplates"):
        task_templates = data.navigation("JobTemplates", template["Id"], "TaskTemplates")
        assert task_templates and all(t in template["JobTemplateBody"] for t in task_templates)


def test_account_and_asset_filters_exist(data):
    assert data.count("Filters") >= 3
    for asset_filter in _all(data, "AssetFilters"):
        assert asset_filter["Id"] == f"{asset_filter['ParentAssetId']}__###__{asset_filter['Name']}"


def test_notification_endpoints_cover_queue_and_webhook(data):
    endpoints = _all(data, "NotificationEndPoints")
    assert {1, 3} <= {e["EndPointType"] for e in endpoints}
    assert any(e["CredentialType"] == 1 and e["EncryptedEndPointCredential"] for e in endpoints)


def test_ingest_manifests_have_assets_and_files(data):
    for manifest in _all(data, "IngestManifests"):
        manifest_assets = data.navigation("IngestManifests", manifest["Id"], "IngestManifestAssets")
        assert manifest_assets
        for manifest_asset in manifest_assets:
            assert data.navigation("IngestManifestAssets", manifest_asset, "IngestManifestFiles")
            assert data.navigation("IngestManifestAssets", manifest_asset, "Asset")
    assert {f["State"] for f in _all(data, "IngestManifestFiles")} == {0, 1, 2}


def test_names_that_break_v3_rules_and_duplicate_names_appear(data):
    for entity_set in ("JobTemplates", "NotificationEndPoints", "Filters", "AssetFilters"):
        assert any(not V3_NAME.match(e["Name"]) for e in _all(data, entity_set)), entity_set
    asset_names = [a["Name"] for a in _all(data, "Assets")]
    assert any(n is not None and not V3_NAME.match(n) for n in asset_names)
    assert None in asset_names
    for entity_set in ("Assets", "JobTemplates", "NotificationEndPoints"):
        names = Counter(e["Name"] for e in _all(data, entity_set) if e["Name"])
        assert max(names.values()) >= 2, entity_set


def test_account_level_sets_are_present(data):
    storage = _all(data, "StorageAccounts")
    assert len(storage) >= 2 and sum(s["IsDefault"] for s in storage) == 1
    assert data.count("EncodingReservedUnitTypes") == 1
    assert {o["State"] for o in _all(data, "Operations")} == {0, 1, 2}
    assert all(a["StorageAccountName"] in {s["Name"] for s in storage} for a in _all(data, "Assets"))


def test_job_placeholder_assets_have_no_container_uri(data):
    assert any(a["Uri"] is None for a in _all(data, "Assets"))


def test_small_accounts_still_hold_every_entity_set(data):
    tiny = SeededV2Data(data.seed, 1)
    assert {s for s in ("Assets", "Channels", "Programs", "StreamingEndpoints", "MediaProcessors") if tiny.count(s) == 0} == set()
    assert all(tiny.get("Assets", p["AssetId"]) for p in tiny.iter("Programs"))


def test_pending_manifest_assets_are_those_with_a_pending_file_listed_once(data):
    for manifest in _all(data, "IngestManifests"):
        pending = data.navigation("IngestManifests", manifest["Id"], "PendingIngestManifestAssets")
        expected = {
            f["ParentIngestManifestAssetId"] for f in _all(data, "IngestManifestFiles") if f["ParentIngestManifestId"] == manifest["Id"] and f["State"] == 0
        }
        assert pending == sorted(expected)
