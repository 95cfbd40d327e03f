"""Same-account visibility as migration-guidance.md documents it (§0.2, table a.1): which v2
entities the v3 face shows, under which names and properties, and which it lets v3 change."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from migrator.sandbox.v2data import InMemoryV2Data
from migrator.sandbox.visibility import LocatorEndTime, V2Projection, VisibilityAssumptions
from test_v3face_helpers import Arm, account, serving

T0 = datetime(2019, 5, 1, 12, 0, tzinfo=timezone.utc)
ASSET = "11111111-0000-4000-8000-000000000001"
ENCRYPTED_ASSET = "11111111-0000-4000-8000-000000000002"
LOCATOR = "22222222-0000-4000-8000-000000000001"
SAS_LOCATOR = "22222222-0000-4000-8000-000000000002"
KEY = "33333333-0000-4000-8000-000000000001"
STORAGE_KEY = "33333333-0000-4000-8000-000000000002"
CKAP = "44444444-0000-4000-8000-000000000001"
OPTION = "44444444-0000-4000-8000-0000000000aa"
ADP = "55555555-0000-4000-8000-000000000001"
POLICY = "66666666-0000-4000-8000-000000000001"
FILE = "77777777-0000-4000-8000-000000000001"
ORIGIN = "https://v2sandbox.streaming.mediaservices.windows.net"


def v2_records() -> InMemoryV2Data:
    """A small v2 account in the reference's wire names, enums as numbers (v2data contract)."""

    def asset(guid: str, name: str, options: int) -> dict:
        return {
            "Id": f"nb:cid:UUID:{guid}", "Name": name, "AlternateId": f"alt-{name}", "Options": options, "State": 0,
            "FormatOption": 0, "Created": T0, "LastModified": T0 + timedelta(days=1),
            "Uri": f"https://v2storage.blob.core.windows.net/asset-{guid}", "StorageAccountName": "v2storage",
        }

    def file(guid: str, parent: str, name: str, **extra) -> dict:
        return {"Id": f"nb:cid:UUID:{guid}", "Name": name, "ParentAssetId": f"nb:cid:UUID:{parent}", "IsEncrypted": False, "IsPrimary": False, **extra}

    def locator(guid: str, locator_type: int) -> dict:
        return {
            "Id": f"nb:lid:UUID:{guid}", "Name": "loc", "Type": locator_type, "AssetId": f"nb:cid:UUID:{ASSET}",
            "AccessPolicyId": f"nb:pid:UUID:{POLICY}", "StartTime": T0, "ExpirationDateTime": T0 + timedelta(days=365),
            "Path": f"{ORIGIN}/{guid}/", "BaseUri": ORIGIN, "ContentAccessComponent": guid,
        }

    def unseen(entity_set: str, prefix: str) -> tuple[str, list[dict]]:
        return entity_set, [{"Id": f"nb:{prefix}:UUID:99999999-0000-4000-8000-000000000001", "Name": f"v2 {entity_set}"}]

    records = {
        "Assets": [asset(ASSET, "Big Buck Bunny", 0), asset(ENCRYPTED_ASSET, "Secret Film", 1)],
        "Files": [
            file(FILE, ASSET, "bbb.ism", IsPrimary=True),
            file("77777777-0000-4000-8000-000000000002", ASSET, "bbb_1000.mp4"),
            file("77777777-0000-4000-8000-000000000003", ENCRYPTED_ASSET, "secret.mp4", IsEncrypted=True, InitializationVector="1234567890"),
        ],
        "AccessPolicies": [{"Id": f"nb:pid:UUID:{POLICY}", "Name": "30 days", "DurationInMinutes": 43200.0, "Permissions": 1, "Created": T0, "LastModified": T0}],
        "Locators": [locator(LOCATOR, 2), locator(SAS_LOCATOR, 1)],
        "ContentKeys": [
            {"Id": f"nb:kid:UUID:{KEY}", "Name": "envelope", "ContentKeyType": 4, "AuthorizationPolicyId": f"nb:ckpid:UUID:{CKAP}", "EncryptedContentKey": "FAKE-SECRET"},
            {"Id": f"nb:kid:UUID:{STORAGE_KEY}", "Name": "storage", "ContentKeyType": 1, "EncryptedContentKey": "FAKE-SECRET"},
        ],
        "ContentKeyAuthorizationPolicies": [{"Id": f"nb:ckpid:UUID:{CKAP}", "Name": "Open policy"}],
        "ContentKeyAuthorizationPolicyOptions": [
            {"Id": f"nb:ckpoid:UUID:{OPTION}", "Name": "AES open", "KeyDeliveryType": 2, "KeyDeliveryConfiguration": None, "Restrictions": [{"Name": "Open", "KeyRestrictionType": 0, "Requirements": None}]}
        ],
        "AssetDeliveryPolicies": [{"Id": f"nb:adpid:UUID:{ADP}", "Name": "AES", "AssetDeliveryProtocol": 7, "AssetDeliveryPolicyType": 3, "Created": T0, "LastModified": T0}],
        "StreamingEndpoints": [{"Id": "nb:oid:UUID:88888888-0000-4000-8000-000000000001", "Name": "default", "State": 2, "ScaleUnits": 1, "HostName": "v2sandbox.streaming.mediaservices.windows.net", "CustomHostNames": [], "CdnEnabled": False, "Created": T0, "LastModified": T0}],
        "Filters": [{"Name": "hd", "FirstQuality": {"Bitrate": 1000000}, "Tracks": []}],
        "AssetFilters": [{"Id": f"nb:cid:UUID:{ASSET}__###__audio", "ParentAssetId": f"nb:cid:UUID:{ASSET}", "Name": "audio", "Tracks": [{"PropertyConditions": [{"Property": "Type", "Value": "audio", "Operator": "Equal"}]}]}],
        **dict(
            unseen(s, p)
            for s, p in [
                ("Jobs", "jid"), ("Tasks", "tid"), ("JobTemplates", "jtid"), ("Channels", "chid"), ("Programs", "pgid"),
                ("NotificationEndPoints", "nepid"), ("IngestManifests", "mid"), ("MediaProcessors", "mpid"),
            ]
        ),
    }
    links = {
        ("Assets", "ContentKeys"): [(f"nb:cid:UUID:{ASSET}", f"nb:kid:UUID:{KEY}"), (f"nb:cid:UUID:{ENCRYPTED_ASSET}", f"nb:kid:UUID:{STORAGE_KEY}")],
        ("Assets", "DeliveryPolicies"): [(f"nb:cid:UUID:{ASSET}", f"nb:adpid:UUID:{ADP}")],
        ("ContentKeyAuthorizationPolicies", "Options"): [(f"nb:ckpid:UUID:{CKAP}", f"nb:ckpoid:UUID:{OPTION}")],
    }
    return InMemoryV2Data(records, links)


def projected_arm(assumptions: VisibilityAssumptions = VisibilityAssumptions()):
    holder = account()
    projection = V2Projection(v2_records(), holder.id, "westus2", assumptions)
    source = account(projection=projection)
    return source, serving(source)


@pytest.fixture()
def arm():
    source, context = projected_arm()
    with context as (server, _face):
        yield Arm(server.base_url, source)


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["value"]]


def test_v2_assets_appear_named_by_their_guid_with_documented_properties(arm):
    properties = arm.get(f"assets/{ASSET}").json()["properties"]
    assert properties["assetId"] == ASSET
    assert properties["description"] == "Big Buck Bunny"
    assert properties["alternateId"] == "alt-Big Buck Bunny"
    assert properties["container"] == f"asset-{ASSET}"
    assert properties["storageAccountName"] == "v2storage"
    assert properties["storageEncryptionFormat"] == "None"
    assert arm.get(f"assets/{ENCRYPTED_ASSET}").json()["properties"]["storageEncryptionFormat"] == "MediaStorageClientEncryption"
    assert names(arm.get("assets")) == [ASSET, ENCRYPTED_ASSET]


def test_on_demand_locators_appear_with_the_same_id_and_paths(arm):
    locator = arm.get(f"streamingLocators/{LOCATOR}").json()["properties"]
    assert locator["streamingLocatorId"] == LOCATOR and locator["assetName"] == ASSET
    assert locator["streamingPolicyName"] == ADP
    v2_path = urlsplit(f"{ORIGIN}/{LOCATOR}/").path
    paths = arm.post(f"streamingLocators/{LOCATOR}/listPaths").json()["streamingPaths"]
    hls = next(p for p in paths if p["streamingProtocol"] == "Hls")
    assert hls["encryptionScheme"] == "EnvelopeEncryption"
    assert hls["paths"][0] == f"{v2_path}bbb.ism/manifest(format=m3u8-aapl)"
    assert names(arm.get("streamingLocators")) == [LOCATOR]


def test_content_keys_are_read_through_list_content_keys(arm):
    keys = arm.post(f"streamingLocators/{LOCATOR}/listContentKeys").json()["contentKeys"]
    assert [(k["id"], k["type"], k["policyName"]) for k in keys] == [(KEY, "EnvelopeEncryption", CKAP)]
    assert keys[0]["value"]
    assert "value" not in arm.get(f"streamingLocators/{LOCATOR}").json()["properties"]["contentKeys"][0]


def test_key_authorization_policies_appear_as_content_key_policies(arm):
    policy = arm.get(f"contentKeyPolicies/{CKAP}").json()["properties"]
    assert policy["policyId"] == CKAP and policy["description"] == "Open policy"
    option = policy["options"][0]
    assert option["policyOptionId"] == OPTION
    assert option["configuration"]["@odata.type"] == "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"
    assert option["restriction"]["@odata.type"] == "#Microsoft.Media.ContentKeyPolicyOpenRestriction"


def test_delivery_policies_appear_as_streaming_policies(arm):
    policy = arm.get(f"streamingPolicies/{ADP}").json()["properties"]
    assert policy["envelopeEncryption"]["enabledProtocols"] == {"download": False, "dash": True, "hls": True, "smoothStreaming": True}


def test_streaming_endpoints_appear_with_state_names(arm):
    endpoint = arm.get("streamingEndpoints/default").json()
    assert endpoint["properties"]["resourceState"] == "Running"
    assert endpoint["properties"]["hostName"] == "v2sandbox.streaming.mediaservices.windows.net"


@pytest.mark.parametrize("collection", ["transforms", "liveEvents", "accountFilters", "providers/Microsoft.EventGrid/eventSubscriptions"])
def test_jobs_templates_channels_programs_notifications_and_filters_are_not_visible(arm, collection):
    assert arm.get(collection).json()["value"] == []


def test_files_access_policies_and_other_v2_sets_have_no_v3_resource(arm):
    for segment in ("files", "accessPolicies", "mediaProcessors", "ingestManifests", "jobs", "channels"):
        assert arm.get(segment).status_code == 400


def test_sas_locators_are_hidden_by_default_and_shown_when_assumed():
    assert VisibilityAssumptions().sas_locators_visible is False
    source, context = projected_arm(VisibilityAssumptions(sas_locators_visible=True))
    with context as (server, _):
        listed = names(Arm(server.base_url, source).get("streamingLocators"))
    assert listed == [LOCATOR, SAS_LOCATOR]


def test_filters_appear_only_when_assumed():
    source, context = projected_arm(VisibilityAssumptions(filters_visible=True))
    with context as (server, _):
        arm = Arm(server.base_url, source)
        assert names(arm.get("accountFilters")) == ["hd"]
        assert names(arm.get(f"assets/{ASSET}/assetFilters")) == ["audio"]
        assert arm.get("accountFilters/hd").json()["properties"]["firstQuality"] == {"bitrate": 1000000}


def test_locator_end_time_assumption_switches_the_source_of_end_time():
    source, context = projected_arm(VisibilityAssumptions(locator_end_time=LocatorEndTime.ACCESS_POLICY))
    with context as (server, _):
        end = Arm(server.base_url, source).get(f"streamingLocators/{LOCATOR}").json()["properties"]["endTime"]
    assert end == "2019-05-31T12:00:00Z"  # StartTime + 43200 minutes
    source, context = projected_arm()
    with context as (server, _):
        end = Arm(server.base_url, source).get(f"streamingLocators/{LOCATOR}").json()["properties"]["endTime"]
    assert end == "2020-04-30T12:00:00Z"  # ExpirationDateTime


def test_v2_assets_can_be_updated_through_v3(arm):
    assert arm.patch(f"assets/{ASSET}", {"properties": {"description": "renamed"}}).status_code == 200
    assert arm.get(f"assets/{ASSET}").json()["properties"]["description"] == "renamed"
    assert arm.get("assets").json()["value"][0]["properties"]["description"] == "renamed"


def test_v2_streaming_endpoints_can_be_started_and_stopped_through_v3(arm):
    stopping = arm.post("streamingEndpoints/default/stop")
    assert stopping.status_code == 202
    assert arm.get("streamingEndpoints/default").json()["properties"]["resourceState"] == "Stopping"
    arm.session.get(stopping.headers["Azure-AsyncOperation"])
    assert arm.get("streamingEndpoints/default").json()["properties"]["resourceState"] == "Stopped"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", f"contentKeyPolicies/{CKAP}", {"properties": {"options": [{"configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}, "restriction": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"}}]}}),
        ("PATCH", f"contentKeyPolicies/{CKAP}", {"properties": {"description": "x", "options": []}}),
        ("DELETE", f"contentKeyPolicies/{CKAP}", None),
        ("DELETE", f"streamingPolicies/{ADP}", None),
        ("PUT", f"streamingLocators/{LOCATOR}", {"properties": {"assetName": ASSET, "streamingPolicyName": "Predefined_ClearStreamingOnly"}}),
    ],
)
def test_v2_publishing_entities_cannot_be_changed_through_v3(arm, method, path, body):
    response = arm.call(method, path, body)
    assert response.status_code == 400
    assert "v2 API" in response.json()["error"]["message"]


def test_v3_can_delete_a_v2_locator(arm):
    assert arm.delete(f"streamingLocators/{LOCATOR}").status_code == 200
    assert arm.get(f"streamingLocators/{LOCATOR}").status_code == 404
    assert names(arm.get("streamingLocators")) == []


@pytest.mark.parametrize("key_id", [KEY, STORAGE_KEY])
def test_reusing_a_v2_content_key_id_fails_even_when_the_key_is_not_visible(arm, key_id):
    body = {"properties": {"assetName": ASSET, "streamingPolicyName": "Predefined_ClearKey", "contentKeys": [{"id": key_id, "value": "1UqLohAfWsEGkULYxHjYZg=="}]}}
    response = arm.put("streamingLocators/newloc", body)
    assert response.status_code == 409
    assert response.json()["error"]["message"] == f"Content key id '{key_id}' already exists."


def test_reusing_a_v2_locator_guid_fails(arm):
    body = {"properties": {"assetName": ASSET, "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": SAS_LOCATOR}}
    assert arm.put("streamingLocators/copy", body).status_code == 409


def test_storage_encrypted_asset_gives_its_key_and_file_ivs(arm):
    data = arm.post(f"assets/{ENCRYPTED_ASSET}/getEncryptionKey").json()
    assert data["key"]
    assert data["assetFileEncryptionMetadata"] == [{"initializationVector": "1234567890", "assetFileName": "secret.mp4", "assetFileId": "77777777-0000-4000-8000-000000000003"}]
    assert arm.post(f"assets/{ASSET}/getEncryptionKey").status_code == 400


def test_list_streaming_locators_of_a_v2_asset(arm):
    listed = arm.post(f"assets/{ASSET}/listStreamingLocators").json()["streamingLocators"]
    assert [(l["name"], l["streamingLocatorId"], l["streamingPolicyName"]) for l in listed] == [(LOCATOR, LOCATOR, ADP)]


class CountingData:
    """A million-asset V2Data that records what the projection asks for."""

    def __init__(self, assets: int) -> None:
        self.assets = assets
        self.calls: list[tuple] = []

    def count(self, entity_set: str) -> int:
        return self.assets if entity_set == "Assets" else 0

    def iter(self, entity_set: str):
        if entity_set == "Assets":
            raise AssertionError("the projection must never iterate the assets")
        return iter(())

    def page(self, entity_set: str, skip: int, top: int) -> list[dict]:
        self.calls.append((entity_set, skip, top))
        return [
            {"Id": f"nb:cid:UUID:{index:08d}-0000-4000-8000-000000000000", "Name": f"asset {index}", "Options": 0, "Created": T0, "LastModified": T0}
            for index in range(skip, min(skip + top, self.count(entity_set)))
        ]

    def get(self, entity_set: str, key: str) -> dict | None:
        return None

    def navigation(self, entity_set: str, key: str, nav: str) -> list[str]:
        return []


def test_listing_a_million_asset_account_reads_one_page_at_a_time():
    data = CountingData(1_000_000)
    holder = account()
    source = account(projection=V2Projection(data, holder.id, "westus2"))
    with serving(source, page_size=10) as (server, _):
        arm = Arm(server.base_url, source)
        first = arm.get("assets").json()
        last = arm.session.get(first["@odata.nextLink"].replace("$skiptoken=10", "$skiptoken=999990")).json()
    assert len(first["value"]) == 10 and len(last["value"]) == 10 and "@odata.nextLink" not in last
    assert data.calls == [("Assets", 0, 10), ("Assets", 999990, 10)]


def test_v2_assets_can_be_found_by_their_alternate_id(arm):
    found = arm.get("assets", **{"$filter": "properties/alternateId eq 'alt-Secret Film'"}).json()
    assert [a["name"] for a in found["value"]] == [ENCRYPTED_ASSET]


def test_a_locator_on_an_asset_with_cenc_and_cbcs_policies_lists_the_paths_of_both():
    data = v2_records()
    cenc, cbcs = f"nb:adpid:UUID:{ADP}", "nb:adpid:UUID:55555555-0000-4000-8000-000000000002"
    data_records = {s: list(data.iter(s)) for s in ("Assets", "Files", "AccessPolicies", "Locators", "ContentKeys",
                                                    "ContentKeyAuthorizationPolicies", "ContentKeyAuthorizationPolicyOptions",
                                                    "StreamingEndpoints")}
    data_records["AssetDeliveryPolicies"] = [
        {"Id": cenc, "Name": "CENC", "AssetDeliveryProtocol": 1 | 2, "AssetDeliveryPolicyType": 4, "Created": T0, "LastModified": T0},
        {"Id": cbcs, "Name": "CBCS", "AssetDeliveryProtocol": 4, "AssetDeliveryPolicyType": 5, "Created": T0, "LastModified": T0},
    ]
    links = {
        ("Assets", "ContentKeys"): [(f"nb:cid:UUID:{ASSET}", f"nb:kid:UUID:{KEY}")],
        ("Assets", "DeliveryPolicies"): [(f"nb:cid:UUID:{ASSET}", cenc), (f"nb:cid:UUID:{ASSET}", cbcs)],
        ("ContentKeyAuthorizationPolicies", "Options"): [(f"nb:ckpid:UUID:{CKAP}", f"nb:ckpoid:UUID:{OPTION}")],
    }
    holder = account()
    source = account(projection=V2Projection(InMemoryV2Data(data_records, links), holder.id, "westus2", VisibilityAssumptions()))
    with serving(source) as (server, _face):
        arm = Arm(server.base_url, source)
        paths = arm.post(f"streamingLocators/{LOCATOR}/listPaths").json()["streamingPaths"]
    served = {(p["streamingProtocol"], p["encryptionScheme"]) for p in paths}
    assert served == {
        ("Dash", "CommonEncryptionCenc"),
        ("SmoothStreaming", "CommonEncryptionCenc"),
        ("Hls", "CommonEncryptionCbcs"),
    }
