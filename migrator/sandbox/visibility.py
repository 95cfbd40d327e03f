"""Same-account visibility: what the v3 face of an account shows of its own v2 data.

Documented rules (migration-guidance.md §0.2 and table a.1): v2 Assets, OnDemandOrigin
Locators, ContentKeys (through ``listContentKeys``), ContentKeyAuthorizationPolicies (as
content key policies) and AssetDeliveryPolicies (as streaming policies) appear in v3; so do
StreamingEndpoints. Only assets and streaming endpoints can be changed through v3. Jobs,
tasks, templates, channels, programs, notification endpoints, ingest manifests, access
policies, files and media processors are not visible.

Where the documents are silent the choice is a ``VisibilityAssumptions`` field, a CLI
``--assume-...`` option and a section of docs/sandbox.md.

Everything is computed on demand from the ``V2Data`` protocol, one page at a time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Callable

from migrator.sandbox.arm import iso
from migrator.sandbox.v2data import V2Data
from migrator.sandbox.v2keypolicies import key_policy_option
from migrator.sandbox.v2reference import enum_names
from migrator.sandbox.v3store import blank_policy_secrets

log = logging.getLogger("migrator.sandbox.visibility")


class LocatorEndTime(Enum):
    """How a v2 locator's expiry shows up as the v3 ``endTime`` (UNVERIFIED in the reference)."""

    EXPIRATION = "expiration"  # Locator.ExpirationDateTime
    ACCESS_POLICY = "access-policy"  # Locator.StartTime + AccessPolicy.DurationInMinutes


@dataclass(frozen=True)
class VisibilityAssumptions:
    """The undocumented corners of visibility; every default is explained in docs/sandbox.md."""

    filters_visible: bool = False
    sas_locators_visible: bool = False
    locator_end_time: LocatorEndTime = LocatorEndTime.EXPIRATION
    # Whether v2 entities seen through v3 count toward the v3 quotas (streaming policies,
    # locators per asset, filters). Streaming endpoints are one entity in v2 and v3 and
    # always count.
    v2_counts_toward_quotas: bool = False
    # PlayReady and FairPlay options as typed v3 configurations (licenses from the XML
    # template; ASK, PFX and password from the v2 keys); False shows the spec's
    # ContentKeyPolicyUnknownConfiguration, which a new-account copy cannot recreate.
    drm_configurations_typed: bool = True


# v2 ids are ``nb:<kind>:UUID:<guid>``; the GUID part is the v3 name (guidance a.1/a.2).
def guid_of(v2_id: str) -> str:
    return v2_id.rsplit(":", 1)[-1]


ASSET_PREFIX = "nb:cid:UUID:"
LOCATOR_PREFIX = "nb:lid:UUID:"
KEY_PREFIX = "nb:kid:UUID:"
CKAP_PREFIX = "nb:ckpid:UUID:"
ADP_PREFIX = "nb:adpid:UUID:"

LOCATOR_SAS, LOCATOR_ON_DEMAND_ORIGIN = 1, 2
STORAGE_ENCRYPTED = 1  # AssetCreationOptions.StorageEncrypted
CLEAR_STREAMING_POLICY = "Predefined_ClearStreamingOnly"
DOWNLOAD_POLICY = "Predefined_DownloadOnly"

# ContentKeyType -> the v3 StreamingLocatorContentKey.type; other key types (storage,
# configuration, URL, FairPlay ASK/password) are never streaming keys.
STREAMING_KEY_TYPES = {0: "CommonEncryptionCenc", 4: "EnvelopeEncryption", 6: "CommonEncryptionCbcs"}
STORAGE_KEY_TYPE = 1

V2_SET = {
    "assets": "Assets",
    "streaminglocators": "Locators",
    "contentkeypolicies": "ContentKeyAuthorizationPolicies",
    "streamingpolicies": "AssetDeliveryPolicies",
    "streamingendpoints": "StreamingEndpoints",
    "accountfilters": "Filters",
}
KEY_PREFIX_BY_SET = {
    "Assets": ASSET_PREFIX,
    "ContentKeys": KEY_PREFIX,
    "Locators": LOCATOR_PREFIX,
    "ContentKeyAuthorizationPolicies": CKAP_PREFIX,
    "AssetDeliveryPolicies": ADP_PREFIX,
}
TYPE_BY_KEY = {
    "assets": "assets",
    "streaminglocators": "streamingLocators",
    "contentkeypolicies": "contentKeyPolicies",
    "streamingpolicies": "streamingPolicies",
    "streamingendpoints": "streamingEndpoints",
    "accountfilters": "accountFilters",
}


class V2Projection:
    """The v3 bodies an account's v2 data shows; implements ``v3store.Projection``."""

    def __init__(
        self,
        data: V2Data,
        account_id: str,
        location: str,
        assumptions: VisibilityAssumptions = VisibilityAssumptions(),
        *,
        key_value: Callable[[str], str | None] | None = None,
    ) -> None:
        self.data = data
        self.account_id = account_id
        self.location = location
        self.assumptions = assumptions
        # v2 content key id -> base64 clear value, when the data knows it (seeded accounts do).
        self.key_value = key_value

    def _clear_value(self, v2_key_id: str) -> str:
        known = self.key_value(v2_key_id) if self.key_value else None
        return known or fake_key_value(guid_of(v2_key_id))

    # ------------------------------------------------------------ Projection protocol

    def covers(self, key: str) -> bool:
        if key in ("accountfilters",) or key.endswith("/assetfilters"):
            return self.assumptions.filters_visible and (key == "accountfilters" or self._asset_of(key) is not None)
        return key in V2_SET

    def raw_count(self, key: str) -> int:
        if key.endswith("/assetfilters"):
            return len(self._asset_filter_keys(key))
        return self.data.count(V2_SET[key])

    def page(self, key: str, skip: int, top: int) -> list[dict]:
        if key.endswith("/assetfilters"):
            keys = self._asset_filter_keys(key)[skip : skip + top]
            records = [r for r in (self.data.get("AssetFilters", k) for k in keys) if r]
            return [self._asset_filter(key, r) for r in records]
        records = self.data.page(V2_SET[key], skip, top)
        project = self._projector(key)
        return [body for body in map(project, records) if body is not None]

    def get(self, key: str, name: str) -> dict | None:
        entity_set = V2_SET.get(key)
        if key.endswith("/assetfilters"):
            asset = self._asset_of(key)
            record = self.data.get("AssetFilters", f"{asset['Id']}__###__{name}") if asset else None
            return self._asset_filter(key, record) if record else None
        if entity_set is None:
            return None
        record = self._endpoint_named(name) if entity_set == "StreamingEndpoints" else self._record(entity_set, name)
        return self._projector(key)(record) if record else None

    # ------------------------------------------------------------ extra v3 answers

    def content_keys(self, locator_name: str, *, with_values: bool) -> list[dict]:
        """The locator's keys as ``listContentKeys`` returns them (values only when asked)."""
        locator = self._record("Locators", locator_name)
        if locator is None:
            return []
        return self._asset_content_keys(locator["AssetId"], with_values=with_values)

    def encryption_key(self, asset_name: str) -> dict | None:
        """``getEncryptionKey`` for a storage-encrypted v2 asset: the key and per-file IVs."""
        asset = self._record("Assets", asset_name)
        if asset is None or not int(asset.get("Options") or 0) & STORAGE_ENCRYPTED:
            return None
        keys = [self.data.get("ContentKeys", k) for k in self.data.navigation("Assets", asset["Id"], "ContentKeys")]
        storage_key = next((k for k in keys if k and k.get("ContentKeyType") == STORAGE_KEY_TYPE), None)
        files = [self.data.get("Files", k) for k in self.data.navigation("Assets", asset["Id"], "Files")]
        return {
            "key": self._clear_value(storage_key["Id"] if storage_key else asset["Id"]),
            "assetFileEncryptionMetadata": [
                {
                    "initializationVector": f.get("InitializationVector"),
                    "assetFileName": f.get("Name"),
                    "assetFileId": guid_of(f["Id"]),
                }
                for f in files
                if f and f.get("IsEncrypted")
            ],
        }

    def asset_locators(self, asset_name: str) -> list[dict]:
        """The visible v2 locators of one asset, as streaming locators."""
        asset = self._record("Assets", asset_name)
        if asset is None:
            return []
        records = (self.data.get("Locators", k) for k in self.data.navigation("Assets", asset["Id"], "Locators"))
        return [body for body in (self.locator(r) for r in records if r) if body is not None]

    def holds_content_key(self, key_id: str) -> bool:
        """A v2 content key with this id exists, visible or not (AMSE #137)."""
        return self._record("ContentKeys", key_id) is not None

    def holds_locator_id(self, locator_id: str) -> bool:
        return self._record("Locators", locator_id) is not None

    def manifest_name(self, asset_name: str) -> str | None:
        """The ``.ism`` of a v2 asset (base name), which v2 paths and v3 ``listPaths`` both use."""
        manifests = [name for name in self.file_names(asset_name) if name.lower().endswith(".ism")]
        return manifests[0][: -len(".ism")] if manifests else None

    def file_names(self, asset_name: str) -> tuple[str, ...]:
        asset = self._record("Assets", asset_name)
        if asset is None:
            return ()
        records = (self.data.get("Files", key) for key in self.data.navigation("Assets", asset["Id"], "Files"))
        return tuple(str(r["Name"]) for r in records if r and r.get("Name"))

    # ------------------------------------------------------------ projections

    def _projector(self, key: str) -> Callable[[dict], dict | None]:
        return {
            "assets": self.asset,
            "streaminglocators": self.locator,
            "contentkeypolicies": self.content_key_policy,
            "streamingpolicies": self.streaming_policy,
            "streamingendpoints": self.streaming_endpoint,
            "accountfilters": self.account_filter,
        }[key]

    def _resource(self, key: str, name: str, properties: dict, **extra: Any) -> dict:
        return {
            "id": f"{self.account_id}/{TYPE_BY_KEY[key]}/{name}",
            "name": name,
            "type": f"Microsoft.Media/mediaservices/{TYPE_BY_KEY[key]}",
            **extra,
            "properties": _without_nones(properties),
        }

    def asset(self, record: dict) -> dict:
        name = guid_of(record["Id"])
        options = int(record.get("Options") or 0)
        return self._resource(
            "assets",
            name,
            {
                "assetId": name,
                "created": _iso(record.get("Created")),
                "lastModified": _iso(record.get("LastModified")),
                "alternateId": record.get("AlternateId"),
                "description": record.get("Name"),
                "container": _container(record, name),
                "storageAccountName": record.get("StorageAccountName"),
                "storageEncryptionFormat": "MediaStorageClientEncryption" if options & STORAGE_ENCRYPTED else "None",
            },
        )

    def locator(self, record: dict) -> dict | None:
        visible_types = {LOCATOR_ON_DEMAND_ORIGIN} | ({LOCATOR_SAS} if self.assumptions.sas_locators_visible else set())
        if record.get("Type") not in visible_types:
            return None
        name = guid_of(record["Id"])
        policy_id = record.get("AccessPolicyId")
        policy = self.data.get("AccessPolicies", policy_id) if policy_id else None
        keys = self._asset_content_keys(record["AssetId"], with_values=False)
        return self._resource(
            "streaminglocators",
            name,
            {
                "assetName": guid_of(record["AssetId"]),
                "created": _iso(policy.get("Created")) if policy else _iso(record.get("StartTime")),
                "startTime": _iso(record.get("StartTime")),
                "endTime": _iso(self._end_time(record, policy)),
                "streamingLocatorId": name,
                "streamingPolicyName": self._locator_policy(record),
                "contentKeys": keys,
                "filters": [],
            },
        )

    def _end_time(self, record: dict, policy: dict | None) -> datetime | None:
        if self.assumptions.locator_end_time is LocatorEndTime.ACCESS_POLICY and policy and record.get("StartTime"):
            return record["StartTime"] + timedelta(minutes=float(policy.get("DurationInMinutes") or 0))
        return record.get("ExpirationDateTime")

    def served_policies(self, locator_name: str) -> list[str] | None:
        """Every streaming policy a projected v2 locator serves through, None for other locators.

        A v3 locator names one streaming policy, but v2 applied every delivery policy linked to
        the asset (e.g. CENC for DASH and Smooth beside CBCS for HLS), so its paths are the union.
        """
        record = self._record("Locators", locator_name)
        if record is None or self.locator(record) is None or record.get("Type") == LOCATOR_SAS:
            return None
        policies = self.data.navigation("Assets", record["AssetId"], "DeliveryPolicies")
        return [guid_of(p) for p in policies] or [CLEAR_STREAMING_POLICY]

    def _locator_policy(self, record: dict) -> str:
        if record.get("Type") == LOCATOR_SAS:
            return DOWNLOAD_POLICY
        policies = self.data.navigation("Assets", record["AssetId"], "DeliveryPolicies")
        return guid_of(policies[0]) if policies else CLEAR_STREAMING_POLICY

    def _asset_content_keys(self, asset_id: str, *, with_values: bool) -> list[dict]:
        keys = []
        for key_id in self.data.navigation("Assets", asset_id, "ContentKeys"):
            record = self.data.get("ContentKeys", key_id)
            key_type = STREAMING_KEY_TYPES.get(record.get("ContentKeyType")) if record else None
            if key_type is None:
                continue
            guid = guid_of(record["Id"])
            entry = {"id": guid, "type": key_type, "tracks": []}
            if record.get("AuthorizationPolicyId"):
                entry["policyName"] = guid_of(record["AuthorizationPolicyId"])
            if with_values:
                entry["value"] = self._clear_value(record["Id"])
            keys.append(entry)
        return keys

    def content_key_policy(self, record: dict) -> dict:
        """As a plain GET shows it: key material blanked."""
        name = guid_of(record["Id"])
        return self._resource("contentkeypolicies", name, blank_policy_secrets(self._key_policy_properties(record)))

    def policy_properties_with_secrets(self, name: str) -> dict | None:
        """``getPolicyPropertiesWithSecrets`` of a projected policy: the v2 key material."""
        record = self._record("ContentKeyAuthorizationPolicies", name)
        return _without_nones(self._key_policy_properties(record)) if record else None

    def _key_policy_properties(self, record: dict) -> dict:
        option_keys = self.data.navigation("ContentKeyAuthorizationPolicies", record["Id"], "Options")
        options = [self.data.get("ContentKeyAuthorizationPolicyOptions", k) for k in option_keys]
        typed = self.assumptions.drm_configurations_typed
        return {
            "policyId": guid_of(record["Id"]),
            "description": record.get("Name"),
            "options": [key_policy_option(o, typed_drm=typed, clear_value=self._clear_value) for o in options if o],
        }

    def streaming_policy(self, record: dict) -> dict:
        name = guid_of(record["Id"])
        return self._resource(
            "streamingpolicies",
            name,
            {"created": _iso(record.get("Created")), **_streaming_policy_scheme(record)},
        )

    def streaming_endpoint(self, record: dict) -> dict:
        name = record["Name"]
        cache = record.get("CacheControl") or {}
        cross_site = record.get("CrossSiteAccessPolicies") or {}
        cdn = bool(record.get("CdnEnabled"))
        return {
            **self._resource(
                "streamingendpoints",
                name,
                {
                    "description": record.get("Description"),
                    "scaleUnits": record.get("ScaleUnits") or 0,
                    "hostName": record.get("HostName"),
                    "customHostNames": list(record.get("CustomHostNames") or []),
                    "cdnEnabled": bool(record.get("CdnEnabled")),
                    # v2 kept a provider on endpoints without CDN; v3 shows none there.
                    "cdnProvider": _enum_name("CdnProviderType", record.get("CdnProvider")) if cdn else None,
                    "cdnProfile": record.get("CdnProfile") if cdn else None,
                    "created": _iso(record.get("Created")),
                    "lastModified": _iso(record.get("LastModified")),
                    "freeTrialEndTime": _iso(record.get("FreeTrialEndTime")),
                    "resourceState": _enum_name("StreamingEndpointState", record.get("State")),
                    "provisioningState": "Succeeded",
                    "maxCacheAge": _seconds(cache.get("MaxAge")),
                    "crossSiteAccessPolicies": _renamed(cross_site, CROSS_SITE_FIELDS) or None,
                    "accessControl": _endpoint_access_control(record.get("AccessControl")),
                },
            ),
            "location": self.location,
            "tags": {},
        }

    def account_filter(self, record: dict) -> dict:
        return self._resource("accountfilters", record["Name"], _filter_properties(record))

    def _asset_filter(self, key: str, record: dict) -> dict:
        asset_name = key.split("/")[1]
        return {
            "id": f"{self.account_id}/assets/{asset_name}/assetFilters/{record['Name']}",
            "name": record["Name"],
            "type": "Microsoft.Media/mediaservices/assets/assetFilters",
            "properties": _without_nones(_filter_properties(record)),
        }

    # ------------------------------------------------------------ lookups

    def _record(self, entity_set: str, name: str) -> dict | None:
        prefix = KEY_PREFIX_BY_SET.get(entity_set)
        if prefix is None:
            return self.data.get(entity_set, name)
        return self.data.get(entity_set, prefix + name) or self.data.get(entity_set, prefix + name.lower())

    def _endpoint_named(self, name: str) -> dict | None:
        # v2 keys streaming endpoints by Id but v3 by Name; an account has only a handful.
        named = (r for r in self.data.iter("StreamingEndpoints") if str(r.get("Name", "")).lower() == name.lower())
        return next(named, None)

    def _asset_of(self, key: str) -> dict | None:
        parts = key.split("/")
        return self._record("Assets", parts[1]) if len(parts) == 3 and parts[0] == "assets" else None

    def _asset_filter_keys(self, key: str) -> list[str]:
        asset = self._asset_of(key)
        return self.data.navigation("Assets", asset["Id"], "AssetFilters") if asset else []


def fake_key_value(seed: str) -> str:
    """A deterministic 16-byte key: the sandbox holds no private key to decrypt v2's
    ``EncryptedContentKey``, so it shows a stable stand-in (see docs/sandbox.md)."""
    return base64.b64encode(hashlib.sha256(f"sandbox-content-key:{seed}".encode()).digest()[:16]).decode()


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return iso(value)
    return value


def _enum_name(enum: str, value: Any) -> str | None:
    """Native records carry enums as numbers; v3 speaks their names."""
    if value is None or isinstance(value, str):
        return value
    return enum_names(enum).get(int(value))


def _seconds(value: Any) -> int | None:
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return int(value) if value not in (None, "") else None


def _without_nones(properties: dict) -> dict:
    return {k: v for k, v in properties.items() if v is not None}


# v2 complex-type field -> v3 field, for the streaming endpoint parts that only change case.
CROSS_SITE_FIELDS = {"ClientAccessPolicy": "clientAccessPolicy", "CrossDomainPolicy": "crossDomainPolicy"}
AKAMAI_KEY_FIELDS = {"Identifier": "identifier", "Base64Key": "base64Key", "Expiration": "expiration"}
IP_RANGE_FIELDS = {"Name": "name", "Address": "address", "SubnetPrefixLength": "subnetPrefixLength"}


def _renamed(record: dict, fields: dict[str, str]) -> dict:
    return _without_nones({v3: record.get(v2) for v2, v3 in fields.items()})


def _container(record: dict, name: str) -> str:
    uri = record.get("Uri")
    if uri:
        return uri.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return f"asset-{name}"


def _endpoint_access_control(control: dict | None) -> dict | None:
    if not control:
        return None
    result: dict[str, Any] = {}
    akamai = (control.get("Akamai") or {}).get("AkamaiSignatureHeaderAuthenticationKeyList")
    if akamai is not None:
        result["akamai"] = {
            "akamaiSignatureHeaderAuthenticationKeyList": [
                _renamed({**k, "Expiration": _iso(k.get("Expiration"))}, AKAMAI_KEY_FIELDS) for k in akamai
            ]
        }
    allow = (control.get("IP") or {}).get("Allow")
    if allow is not None:
        result["ip"] = {
            "allow": [_renamed(r, IP_RANGE_FIELDS) for r in allow]
        }
    return result or None


def _filter_properties(record: dict) -> dict:
    time_range = record.get("PresentationTimeRange") or {}
    first = record.get("FirstQuality")
    return _without_nones(
        {
            "presentationTimeRange": _without_nones(
                {
                    "startTimestamp": time_range.get("StartTimestamp"),
                    "endTimestamp": time_range.get("EndTimestamp"),
                    "presentationWindowDuration": time_range.get("PresentationWindowDuration"),
                    "liveBackoffDuration": time_range.get("LiveBackoffDuration"),
                    "timescale": time_range.get("Timescale"),
                    "forceEndTimestamp": time_range.get("ForceEndTimestamp"),
                }
            )
            or None,
            "firstQuality": {"bitrate": first["Bitrate"]} if first and first.get("Bitrate") is not None else None,
            "tracks": [
                {
                    "trackSelections": [
                        {"property": c.get("Property"), "operation": c.get("Operator"), "value": c.get("Value")}
                        for c in (select.get("PropertyConditions") or [])
                    ]
                }
                for select in (record.get("Tracks") or [])
            ],
        }
    )


# AssetDeliveryProtocol flags -> v3 EnabledProtocols (all four are required).
def _protocols(flags: int) -> dict[str, bool]:
    return {name: bool(flags & bit) for name, bit in (("download", 16), ("dash", 2), ("hls", 4), ("smoothStreaming", 1))}


ALLOW_PERSISTENT_LICENSE = 13  # AssetDeliveryPolicyConfigurationKey


def _streaming_policy_scheme(record: dict) -> dict:
    protocols = _protocols(int(record.get("AssetDeliveryProtocol") or 0))
    policy_type = record.get("AssetDeliveryPolicyType")
    if policy_type == 3:
        return {"envelopeEncryption": {"enabledProtocols": protocols}}
    if policy_type == 4:
        return {"commonEncryptionCenc": {"enabledProtocols": protocols, "drm": {"playReady": {}, "widevine": {}}}}
    if policy_type == 5:
        persistent = _delivery_configuration(record).get(ALLOW_PERSISTENT_LICENSE, "false")
        return {
            "commonEncryptionCbcs": {
                "enabledProtocols": protocols,
                "drm": {"fairPlay": {"allowPersistentLicense": str(persistent).lower() == "true"}},
            }
        }
    if policy_type == 1:  # Blocked: nothing may be delivered
        return {"noEncryption": {"enabledProtocols": _protocols(0)}}
    return {"noEncryption": {"enabledProtocols": protocols}}


def _delivery_configuration(record: dict) -> dict[int, str]:
    raw = record.get("AssetDeliveryConfiguration")
    if not raw:
        return {}
    try:
        pairs = json.loads(raw) if isinstance(raw, str) else raw
        return {int(p["Key"]): p["Value"] for p in pairs}
    except (ValueError, TypeError, KeyError):
        log.warning("unreadable AssetDeliveryConfiguration on %s", record.get("Id"))
        return {}
