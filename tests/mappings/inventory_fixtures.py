"""A small v2 account, built with the typed dataclasses, covering every migration case.

Values follow the reference formats (protocol.md §8-10): delivery configuration as a JSON
string of Key/Value pairs, token restrictions and PlayReady licenses as XML, Widevine and
FairPlay configurations as JSON. ``SECRET_VALUES`` are the secret values the templates hold;
no plan may ever contain one of them.
"""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

from migrator.graph import build_graph
from migrator.mappings.base import MappingContext, Mode
from migrator.v2 import entities as e
from migrator.v2 import schema

UTC = dt.timezone.utc
READ_AT = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def asset_uri(n: int) -> str:
    """An asset's v2 Uri, shaped as in the reference's response example (storage container URL)."""
    return f"https://store1.blob.core.windows.net/asset-{cid(n)[-36:]}"


def cid(n: int) -> str:
    return f"nb:cid:UUID:00000000-0000-0000-0000-{n:012d}"


def kid(n: int) -> str:
    return f"nb:kid:UUID:00000000-0000-0000-00aa-{n:012d}"


def lid(n: int) -> str:
    return f"nb:lid:UUID:00000000-0000-0000-00bb-{n:012d}"


SYMMETRIC_KEY = "c2VjcmV0LXRva2VuLWtleS0xMjM0NTY3ODkwYWJjZGVm"
FAIRPLAY_PFX = "UEZYLXNlY3JldC1ib2R5LWZvci1mYWlycGxheS10ZXN0"
ENCRYPTED_KEY = "RW5jcnlwdGVkQ29udGVudEtleVZhbHVlMTIzNDU2Nzg="
WEBHOOK_CREDENTIAL = "d2ViaG9vay1zaWduaW5nLWtleS12YWx1ZQ=="
SECRET_VALUES = {SYMMETRIC_KEY, FAIRPLAY_PFX, ENCRYPTED_KEY, WEBHOOK_CREDENTIAL}

TOKEN_TEMPLATE = f"""<TokenRestrictionTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1">
<AlternateVerificationKeys />
<Audience>urn:test</Audience>
<Issuer>https://issuer.example.com</Issuer>
<PrimaryVerificationKey i:type="SymmetricVerificationKey"><KeyValue>{SYMMETRIC_KEY}</KeyValue></PrimaryVerificationKey>
<RequiredClaims><TokenClaim><ClaimType>urn:microsoft:azure:mediaservices:contentkeyidentifier</ClaimType><ClaimValue i:nil="true" /></TokenClaim></RequiredClaims>
<TokenType>JWT</TokenType>
</TokenRestrictionTemplate>"""

PLAYREADY_TEMPLATE = """<PlayReadyLicenseResponseTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/PlayReadyTemplate/v1">
<LicenseTemplates><PlayReadyLicenseTemplate>
<AllowTestDevices>false</AllowTestDevices>
<ContentKey i:type="ContentEncryptionKeyFromHeader" />
<LicenseType>Persistent</LicenseType>
<PlayRight><AllowPassingVideoContentToUnknownOutput>Allowed</AllowPassingVideoContentToUnknownOutput><DigitalVideoOnlyContentRestriction>false</DigitalVideoOnlyContentRestriction><ImageConstraintForAnalogComponentVideoRestriction>true</ImageConstraintForAnalogComponentVideoRestriction><ImageConstraintForAnalogComputerMonitorRestriction>false</ImageConstraintForAnalogComputerMonitorRestriction><UncompressedDigitalVideoOpl>300</UncompressedDigitalVideoOpl></PlayRight>
</PlayReadyLicenseTemplate></LicenseTemplates>
</PlayReadyLicenseResponseTemplate>"""

WIDEVINE_TEMPLATE = json.dumps(
    {"allowed_track_types": "SD_HD", "content_key_specs": [{"track_type": "SD", "security_level": 1}], "policy_overrides": {"can_play": True}}
)

FAIRPLAY_CONFIGURATION = json.dumps(
    {
        "ASkId": "00000000-0000-0000-00aa-000000000071",
        "FairPlayPfxPasswordId": "00000000-0000-0000-00aa-000000000072",
        "FairPlayPfx": FAIRPLAY_PFX,
        "ContentEncryptionIV": "0123456789ABCDEF0123456789ABCDEF",
        "RentalAndLeaseKeyType": 0x3DF2D9FB,  # PersistentUnlimited, as Json.NET writes the v2 SDK's uint enum
        "RentalDuration": 0,
    }
)

HOSTILE_TEMPLATE = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "boom">]><TokenRestrictionTemplate>&x;</TokenRestrictionTemplate>'

CUSTOM_PRESET = json.dumps(
    {
        "Version": 1.0,
        "Codecs": [
            {"KeyFrameInterval": "00:00:02", "Type": "H264Video", "H264Layers": [
                {"Profile": "Auto", "Level": "auto", "Bitrate": 3400, "MaxBitrate": 3400, "BufferWindow": "00:00:05",
                 "Width": 1280, "Height": 720, "BFrames": 3, "ReferenceFrames": 3, "AdaptiveBFrame": True, "Type": "H264Layer", "FrameRate": "0/1"}]},
            {"Profile": "AACLC", "Channels": 2, "SamplingRate": 48000, "Bitrate": 128, "Type": "AACAudio"},
        ],
        "Outputs": [{"FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4", "Format": {"Type": "MP4Format"}}],
    }
)

AMS_KEY_URL = json.dumps([{"Key": 2, "Value": "https://acct.keydelivery.mediaservices.windows.net/"}])


def sample_account():
    """(entities, links) of the sample account: every case of migration-guidance.md."""
    start = dt.datetime(2020, 1, 1, tzinfo=UTC)
    items = [
        # A1: envelope-encrypted, published; two files; locator with a 10-year access policy.
        e.Asset(id=cid(1), name="Movie One", alternate_id="ext-1", options=0, storage_account_name="store1", uri=asset_uri(1)),
        e.AssetFile(id="nb:cid:UUID:10000000-0000-0000-0000-000000000001", name="a.mp4", parent_asset_id=cid(1)),
        e.AssetFile(id="nb:cid:UUID:10000000-0000-0000-0000-000000000002", name="a.ism", parent_asset_id=cid(1)),
        e.AccessPolicy(id="nb:pid:UUID:p1", name="read", duration_in_minutes=5256000.0, permissions=1),
        e.Locator(id=lid(1), type=2, asset_id=cid(1), access_policy_id="nb:pid:UUID:p1", start_time=start),
        e.ContentKey(id=kid(1), content_key_type=4, authorization_policy_id="nb:ckpid:UUID:c1", encrypted_content_key=ENCRYPTED_KEY),
        e.ContentKeyAuthorizationPolicy(id="nb:ckpid:UUID:c1", name="envelope-token"),
        e.ContentKeyAuthorizationPolicyOption(
            id="nb:ckpoid:UUID:o1", name="token", key_delivery_type=2, key_delivery_configuration="",
            restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="jwt", key_restriction_type=1, requirements=TOKEN_TEMPLATE),),
        ),
        e.AssetDeliveryPolicy(id="nb:adpid:UUID:d1", name="envelope", asset_delivery_policy_type=3, asset_delivery_protocol=7, asset_delivery_configuration=AMS_KEY_URL),
        # A2: clear; a streaming locator, a SAS locator, an expired locator.
        e.Asset(id=cid(2), name="Clear/Two", options=0, uri=asset_uri(2)),
        e.AccessPolicy(id="nb:pid:UUID:p2", name="upload", duration_in_minutes=60.0, permissions=2),
        e.Locator(id=lid(2), type=2, asset_id=cid(2), access_policy_id="nb:pid:UUID:p1", start_time=start),
        e.Locator(id=lid(3), type=1, asset_id=cid(2), access_policy_id="nb:pid:UUID:p2", start_time=READ_AT - dt.timedelta(minutes=10)),
        e.Locator(id=lid(4), type=2, asset_id=cid(2), access_policy_id="nb:pid:UUID:p1", expiration_date_time=dt.datetime(2021, 1, 1, tzinfo=UTC)),
        e.AccessPolicy(id="nb:pid:UUID:p9", name="unused", duration_in_minutes=1.0, permissions=1),
        # A3: common encryption with PlayReady and Widevine.
        e.Asset(id=cid(3), name="Drm Three", options=0, uri=asset_uri(3)),
        e.Locator(id=lid(5), type=2, asset_id=cid(3), access_policy_id="nb:pid:UUID:p1", start_time=READ_AT + dt.timedelta(days=2)),
        e.ContentKey(id=kid(3), content_key_type=0, authorization_policy_id="nb:ckpid:UUID:c3"),
        e.ContentKeyAuthorizationPolicy(id="nb:ckpid:UUID:c3", name="drm"),
        e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:o3a", name="playready", key_delivery_type=1, key_delivery_configuration=PLAYREADY_TEMPLATE,
                                              restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="open", key_restriction_type=0),)),
        e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:o3b", name="widevine", key_delivery_type=3, key_delivery_configuration=WIDEVINE_TEMPLATE,
                                              restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="open", key_restriction_type=0),)),
        e.AssetDeliveryPolicy(id="nb:adpid:UUID:d3", name="cenc", asset_delivery_policy_type=4, asset_delivery_protocol=2 | 1 | 8,
                              asset_delivery_configuration=json.dumps([{"Key": 4, "Value": "https://licenses.example.com/pr"}])),
        # A4: storage-encrypted, with its storage key; no locator.
        e.Asset(id=cid(4), name="Secret Four", options=1, uri=asset_uri(4)),
        e.ContentKey(id=kid(4), content_key_type=1, encrypted_content_key=ENCRYPTED_KEY),
        # K5: a key on no asset with a policy: AMS used only as a key server.
        e.ContentKey(id=kid(5), content_key_type=4, authorization_policy_id="nb:ckpid:UUID:c1"),
        # A5: same delivery policy as A1 (deduplicated), key policy with an IP-restricted option.
        e.Asset(id=cid(5), name="Five", options=0, uri=asset_uri(5)),
        e.Locator(id=lid(6), type=2, asset_id=cid(5), access_policy_id="nb:pid:UUID:p1", start_time=start),
        e.ContentKey(id=kid(7), content_key_type=4, authorization_policy_id="nb:ckpid:UUID:c7"),
        e.ContentKeyAuthorizationPolicy(id="nb:ckpid:UUID:c7", name="ip"),
        e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:o7", name="ip-only", key_delivery_type=2,
                                              restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="ip", key_restriction_type=2),)),
        e.ContentKeyAuthorizationPolicy(id="nb:ckpid:UUID:c6", name="unused"),
        # A6: FairPlay (cbcs) with ASK and PFX-password keys and an IV.
        e.Asset(id=cid(6), name="Apple Six", options=0, uri=asset_uri(6)),
        e.Locator(id=lid(7), type=2, asset_id=cid(6), access_policy_id="nb:pid:UUID:p1", start_time=start),
        e.ContentKey(id=kid(6), content_key_type=6, authorization_policy_id="nb:ckpid:UUID:c8"),
        e.ContentKey(id=kid(71), content_key_type=7),
        e.ContentKey(id=kid(72), content_key_type=8),
        e.ContentKeyAuthorizationPolicy(id="nb:ckpid:UUID:c8", name="fairplay"),
        e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:o8", name="fairplay", key_delivery_type=4, key_delivery_configuration=FAIRPLAY_CONFIGURATION,
                                              restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="open", key_restriction_type=0),)),
        e.AssetDeliveryPolicy(id="nb:adpid:UUID:d6", name="fairplay", asset_delivery_policy_type=5, asset_delivery_protocol=4,
                              asset_delivery_configuration=json.dumps([{"Key": 10, "Value": "https://acct.keydelivery.mediaservices.windows.net/FairPlay/"}, {"Key": 11, "Value": "0123456789ABCDEF0123456789ABCDEF"}])),
        e.AssetDeliveryPolicy(id="nb:adpid:UUID:d9", name="unused", asset_delivery_policy_type=2, asset_delivery_protocol=7),
        # A8: a hostile template on its key policy.
        e.Asset(id=cid(8), name="Hostile", options=0, uri=asset_uri(8)),
        e.Locator(id=lid(8), type=2, asset_id=cid(8), access_policy_id="nb:pid:UUID:p1", start_time=start),
        e.ContentKey(id=kid(8), content_key_type=4, authorization_policy_id="nb:ckpid:UUID:c9"),
        e.ContentKeyAuthorizationPolicy(id="nb:ckpid:UUID:c9", name="hostile"),
        e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:o9", name="hostile", key_delivery_type=2,
                                              restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="t", key_restriction_type=1, requirements=HOSTILE_TEMPLATE),)),
        # Live: an RTMP channel running with a running program; an RTP channel.
        e.Asset(id=cid(7), name="Archive", options=0),
        e.Channel(id="nb:chid:UUID:ch1", name="news", state=2, input=e.ChannelInput(streaming_protocol=1, key_frame_interval=dt.timedelta(seconds=2),
                  access_control=e.ChannelAccessControl(ip=e.IPAccessControl(allow=(e.IPRange(name="all", address="0.0.0.0", subnet_prefix_length=0),)))),
                  encoding_type=0),
        e.Program(id="nb:pgid:UUID:pg1", name="morning show", channel_id="nb:chid:UUID:ch1", asset_id=cid(7), state=2,
                  archive_window_length=dt.timedelta(hours=1, minutes=30), manifest_name="show"),
        e.Channel(id="nb:chid:UUID:ch2", name="legacy", state=0, input=e.ChannelInput(streaming_protocol=2)),
        e.Operation(id="nb:opid:UUID:op1", target_entity_id="nb:chid:UUID:ch1", state=0),
        # Encoding.
        e.MediaProcessor(id="nb:mpid:UUID:mes", name="Media Encoder Standard"),
        e.MediaProcessor(id="nb:mpid:UUID:idx", name="Azure Media Indexer"),
        e.Job(id="nb:jid:UUID:j1", name="done", state=3, job_notification_subscriptions=(
            e.JobNotificationSubscription(notification_end_point_id="nb:nepid:UUID:n1", target_job_state=1),)),
        e.Task(id="nb:tid:UUID:t1", media_processor_id="nb:mpid:UUID:mes", configuration="H264 Multiple Bitrate 720p", state=3),
        e.Job(id="nb:jid:UUID:j2", name="running", state=2),
        e.Task(id="nb:tid:UUID:t2", media_processor_id="nb:mpid:UUID:mes", configuration=CUSTOM_PRESET, state=2),
        e.Task(id="nb:tid:UUID:t3", media_processor_id="nb:mpid:UUID:idx", configuration="<config/>", state=3),
        e.JobTemplate(id="nb:jtid:UUID:jt1", name="My template/1", template_type=1),
        e.TaskTemplate(id="nb:ttid:UUID:tt1", media_processor_id="nb:mpid:UUID:mes", configuration="Adaptive Streaming"),
        e.EncodingReservedUnitType(account_id="3fa85f64-5717-4562-b3fc-2c963f66afa6", reserved_unit_type=1),
        # Notifications.
        e.NotificationEndPoint(id="nb:nepid:UUID:n1", name="hook", end_point_type=3, end_point_address="https://hooks.example.com/ams",
                               credential_type=1, encrypted_end_point_credential=WEBHOOK_CREDENTIAL),
        e.NotificationEndPoint(id="nb:nepid:UUID:n2", name="queue", end_point_type=1, end_point_address="https://q.queue.core.windows.net/jobs"),
        e.NotificationEndPoint(id="nb:nepid:UUID:n3", name="table", end_point_type=2, end_point_address="https://t.table.core.windows.net/x"),
        # Filters.
        e.StreamingFilter(name="hd", first_quality=e.FirstQuality(bitrate=3000000), tracks=(
            e.FilterTrackSelect(property_conditions=(e.FilterTrackPropertyCondition(property="Type", value="Video", operator="Equal"),)),)),
        e.AssetFilter(id=f"{cid(1)}__###__first10", parent_asset_id=cid(1), name="first10",
                      presentation_time_range=e.PresentationTimeRange(start_timestamp=0, end_timestamp=100000000, timescale=10000000)),
        # Streaming endpoint, storage, ingest.
        e.StreamingEndpoint(id="nb:oid:UUID:se1", name="default", scale_units=1, custom_host_names=("media.example.com",)),
        e.StorageAccount(name="store1", is_default=True),
        e.IngestManifest(id="nb:mid:UUID:m1", name="bulk", state=2, statistics=e.IngestManifestStatistics(pending_files_count=2)),
        e.IngestManifestAsset(id="nb:maid:UUID:ma1", parent_ingest_manifest_id="nb:mid:UUID:m1"),
        e.IngestManifestFile(id="nb:mfid:UUID:mf1", parent_ingest_manifest_id="nb:mid:UUID:m1", parent_ingest_manifest_asset_id="nb:maid:UUID:ma1"),
    ]
    links = {
        ("Assets", "ContentKeys"): [(cid(1), kid(1)), (cid(3), kid(3)), (cid(4), kid(4)), (cid(5), kid(7)), (cid(6), kid(6)), (cid(8), kid(8))],
        ("Assets", "DeliveryPolicies"): [(cid(1), "nb:adpid:UUID:d1"), (cid(3), "nb:adpid:UUID:d3"), (cid(5), "nb:adpid:UUID:d1"), (cid(6), "nb:adpid:UUID:d6"), (cid(8), "nb:adpid:UUID:d1")],
        ("Assets", "ParentAssets"): [(cid(2), cid(1))],
        ("ContentKeyAuthorizationPolicies", "Options"): [
            ("nb:ckpid:UUID:c1", "nb:ckpoid:UUID:o1"), ("nb:ckpid:UUID:c3", "nb:ckpoid:UUID:o3a"), ("nb:ckpid:UUID:c3", "nb:ckpoid:UUID:o3b"),
            ("nb:ckpid:UUID:c7", "nb:ckpoid:UUID:o7"), ("nb:ckpid:UUID:c8", "nb:ckpoid:UUID:o8"), ("nb:ckpid:UUID:c9", "nb:ckpoid:UUID:o9"),
        ],
        ("Jobs", "Tasks"): [("nb:jid:UUID:j1", "nb:tid:UUID:t1"), ("nb:jid:UUID:j2", "nb:tid:UUID:t2"), ("nb:jid:UUID:j1", "nb:tid:UUID:t3")],
        ("Jobs", "InputMediaAssets"): [("nb:jid:UUID:j1", cid(2))],
        ("Jobs", "OutputMediaAssets"): [("nb:jid:UUID:j1", cid(1))],
        ("JobTemplates", "TaskTemplates"): [("nb:jtid:UUID:jt1", "nb:ttid:UUID:tt1")],
        ("IngestManifestAssets", "Asset"): [],
    }
    return items, links


class MemoryInventory:
    """The ``InventoryStore`` contract over in-memory typed entities."""

    def __init__(self, items, links) -> None:
        self._by_set: dict[str, dict[str, object]] = {}
        for item in items:
            self._by_set.setdefault(item.entity_set, {})[item.key] = item
        self._links = links
        counts = {s: len(self._by_set.get(s, {})) for s in schema.ENTITY_SETS}
        self.meta = SimpleNamespace(
            counts=counts,
            fingerprint="sha256:sample",
            endpoint="https://acct.restv2.westeurope.media.azure.net/api/",
            read_at=READ_AT,
            link_counts={f"{s}/{n}": len(v) for (s, n), v in links.items()},
        )

    def entities(self, entity_set):
        table = self._by_set.get(entity_set, {})
        return iter([table[k] for k in sorted(table)])

    def keys(self, entity_set):
        return iter(sorted(self._by_set.get(entity_set, {})))

    def get(self, entity_set, key):
        return self._by_set.get(entity_set, {}).get(key)

    def count(self, entity_set):
        return len(self._by_set.get(entity_set, {}))

    def links(self, entity_set, nav):
        return iter(sorted(self._links.get((entity_set, nav), [])))


def sample_inventory() -> MemoryInventory:
    return MemoryInventory(*sample_account())


def sample_context(mode: Mode = Mode.NEW_ACCOUNT, inventory: MemoryInventory | None = None) -> MappingContext:
    inventory = inventory or sample_inventory()
    graph = build_graph(inventory, schema.ENTITY_SETS)
    return MappingContext(mode=mode, graph=graph, entity=inventory.get, location="westeurope", now=READ_AT)
