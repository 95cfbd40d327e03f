"""A deterministic, lazily generated v2 account: ``SeededV2Data(seed, assets)``.

Every entity is derived from ``(seed, entity kind, index)``, so ``get`` is O(1) and ``page``
is O(top) even for a million assets; only small fixed pools (channels, streaming endpoints,
media processors, ...) are built eagerly.

Per-asset entities (files, locators, content keys, key authorization policies and options,
delivery policies, asset filters, jobs and their tasks) follow the asset's *profile*. The
profiles form a fixed period (``PROFILES``) whose order the seed shuffles; the number of children
of an asset depends only on its profile, which is what makes index arithmetic O(1). Every hard
case the sandbox promises appears once per period, so any account with at least
``FULL_COVERAGE_ASSETS`` assets covers all of them.

Secret values (content keys, token signing keys, FairPlay ASK/PFX/password, SAS signatures,
Akamai keys, notification credentials) are base64 of bytes starting ``FAKE-SECRET-`` (or that
plain text itself where the service holds plain text); ``seeded_secret_values`` lists them.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Callable, Iterator, Sequence
from urllib.parse import quote

from migrator.exceptions import ConfigError
from migrator.sandbox.seed_catalog import (
    ACCESS_POLICIES,
    ACCOUNT_FILTERS,
    AssetProfile,
    CHANNELS,
    ChannelSpec,
    CLIENT_ACCESS_POLICY,
    CROSS_DOMAIN_POLICY,
    FAKE_CERTIFICATE,
    file_specs,
    FILTER_TEMPLATES,
    FULL_COVERAGE_ASSETS,
    HOSTILE_NAMES,
    KEY_NAMES,
    MEDIA_PROCESSORS,
    OPTION_NAMES,
    playready_template,
    POLICY_BY_LOCATOR_KIND,
    presentation_time_range,
    PROCESSOR_INDEX,
    PROFILES,
    STREAMING_ENDPOINTS,
    TASK_KINDS,
    TITLES,
    token_restriction_template,
    widevine_template,
)
from migrator.sandbox.v2data import InMemoryV2Data, load_inventory  # noqa: F401  (load_inventory: re-exported for the sandbox app)
from migrator.sandbox.v2reference import ENTITY_SET_NAMES, enum_value

UTC = timezone.utc
ACCOUNT_CREATED = datetime(2016, 1, 4, 9, 30, tzinfo=UTC)
# The seeded account's "now": its entities were created before it and the v2 API was switched
# off soon after. Dates are fixed (not the wall clock) so the same seed gives the same bytes.
ACCOUNT_NOW = datetime(2024, 6, 1, tzinfo=UTC)
# Future-start locators start after any plausible run of the tool.
FUTURE_START = datetime(2031, 1, 1, tzinfo=UTC)
SECRET_MARKER = b"FAKE-SECRET-"
POOL_KEY_BASE = 0xF0000000  # pool content keys sort after every per-asset key

JOB_STATES = ("Queued", "Scheduled", "Processing", "Finished", "Error", "Canceled", "Canceling")
_JOB_STATE_VALUE = {name: number for number, name in enumerate(JOB_STATES)}


# ---------------------------------------------------------------------------------------------
# Deterministic primitives


def _digest(seed: int, *parts: object) -> bytes:
    text = "|".join(str(p) for p in (seed, *parts))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=32).digest()


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(int.from_bytes(_digest(seed, *parts)[:8], "big"))


def _guid(seed: int, kind: str, index: int) -> str:
    """A v4-shaped GUID whose first group is the index, so keys sort in index order."""
    tail = _digest(seed, "guid", kind, index).hex()
    variant = "89ab"[int(tail[16], 16) & 3]
    return f"{index:08x}-{tail[8:12]}-4{tail[13:16]}-{variant}{tail[17:20]}-{tail[20:32]}"


def _index_of_guid(guid: str) -> int | None:
    try:
        return int(guid[:8], 16) if len(guid) == 36 else None
    except ValueError:
        return None


def _fake_secret_bytes(seed: int, label: str, index: int, size: int) -> bytes:
    """``size`` bytes starting with FAKE-SECRET- (and the label when it fits)."""
    head = SECRET_MARKER + label.encode("ascii") + b"-"
    if size < len(head) + 8:
        # Too short for a label and randomness (16-byte content keys): a per-seed counter keeps
        # every value of one account distinct.
        offset = int.from_bytes(_digest(seed, "secret-offset", label)[:4], "big")
        return (SECRET_MARKER + ((offset + index) % 2**32).to_bytes(4, "big")).ljust(size, b"-")[:size]
    filler = hashlib.shake_256(f"{seed}|{label}|{index}".encode()).digest(size)
    return (head + filler)[:size]


def _fake_secret_b64(seed: int, label: str, index: int, size: int) -> str:
    return base64.b64encode(_fake_secret_bytes(seed, label, index, size)).decode("ascii")


def _when(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A whole-millisecond instant in [start, end): the verbose wire format keeps milliseconds only."""
    span_ms = int((end - start).total_seconds() * 1000)
    return start + timedelta(milliseconds=rng.randrange(max(span_ms, 1)))


def _thumbprint(seed: int, label: str) -> str:
    return hashlib.sha1(f"{seed}|{label}".encode()).hexdigest().upper()


def _slashes_escaped(text: str) -> str:
    # DataContractJsonSerializer escapes "/" inside the AssetDeliveryConfiguration string.
    return text.replace("/", "\\/")


# ---------------------------------------------------------------------------------------------
# Periodic layouts: children whose count depends only on (owner % period)


class _Layout:
    def __init__(self, counts: Sequence[int], owners: int) -> None:
        self.counts = tuple(counts)
        self.period = len(self.counts)
        self.prefix = [0]
        for count in self.counts:
            self.prefix.append(self.prefix[-1] + count)
        self.per_period = self.prefix[-1]
        self.total = self.offset(owners)

    def offset(self, owner: int) -> int:
        whole, rest = divmod(owner, self.period)
        return whole * self.per_period + self.prefix[rest]

    def children(self, owner: int) -> range:
        start = self.offset(owner)
        return range(start, start + self.counts[owner % self.period])

    def locate(self, index: int) -> tuple[int, int]:
        """(owner, position among the owner's children) of a global child index."""
        whole, rest = divmod(index, self.per_period)
        slot = bisect.bisect_right(self.prefix, rest) - 1
        return whole * self.period + slot, rest - self.prefix[slot]


# ---------------------------------------------------------------------------------------------
# The generated account


@dataclass(frozen=True)
class _AssetFacts:
    index: int
    guid: str
    key: str
    profile: AssetProfile
    name: str | None
    created: datetime
    storage: str


class _ScaledSet:
    """An entity set whose members are computed from their global index."""

    def __init__(self, size: int, make: Callable[[int], dict], index_of: Callable[[str], int | None], key: str) -> None:
        self.size, self.make, self.index_of, self.key = size, make, index_of, key

    def page(self, skip: int, top: int) -> list[dict]:
        return [self.make(g) for g in range(max(skip, 0), min(skip + top, self.size))]

    def get(self, key: str) -> dict | None:
        index = self.index_of(key)
        if index is None or not 0 <= index < self.size:
            return None
        record = self.make(index)
        return record if record[self.key] == key else None


class SeededV2Data:
    """The v2 data of a generated account; see the module docstring."""

    def __init__(self, seed: int, assets: int, *, account_name: str = "amssandbox") -> None:
        if assets < 1:
            raise ConfigError("a seeded account needs at least one asset", hint="pass --assets 1 or more")
        self.seed = seed
        self.assets = assets
        self.account_name = account_name
        self.streaming_host = f"{account_name}.streaming.mediaservices.windows.net"
        self.key_delivery_host = f"{account_name}.keydelivery.mediaservices.windows.net"
        self.storage_accounts = (f"{account_name[:17]}storage", f"{account_name[:17]}archive")
        # Children of one asset are generated together; a per-account cache saves re-deriving it.
        self._facts = lru_cache(maxsize=4096)(self._compute_facts)
        order = list(range(len(PROFILES)))
        _rng(seed, "profile-order").shuffle(order)
        self._slot_profiles = tuple(PROFILES[i] for i in order)
        self._layouts = self._build_layouts()
        self._pool_keys = self._pool_content_keys()
        self._scaled = self._build_scaled_sets()
        self._pools = self._build_pools()

    # -- the V2Data protocol ---------------------------------------------------------------

    def count(self, entity_set: str) -> int:
        scaled = self._scaled.get(entity_set)
        return scaled.size if scaled else self._pools.count(entity_set)

    def iter(self, entity_set: str) -> Iterator[dict]:
        scaled = self._scaled.get(entity_set)
        if not scaled:
            return self._pools.iter(entity_set)
        return (record for start in range(0, scaled.size, 1000) for record in scaled.page(start, 1000))

    def page(self, entity_set: str, skip: int, top: int) -> list[dict]:
        scaled = self._scaled.get(entity_set)
        return scaled.page(skip, top) if scaled else self._pools.page(entity_set, skip, top)

    def get(self, entity_set: str, key: str) -> dict | None:
        scaled = self._scaled.get(entity_set)
        return scaled.get(key) if scaled else self._pools.get(entity_set, key)

    def navigation(self, entity_set: str, key: str, nav: str) -> list[str]:
        answer = self._scaled_navigation(entity_set, key, nav)
        return self._pools.navigation(entity_set, key, nav) if answer is None else answer

    # -- layouts ----------------------------------------------------------------------------

    def _build_layouts(self) -> dict[str, _Layout]:
        profiles = self._slot_profiles
        n = self.assets
        job_slots = [p for p in profiles if p.job]
        jobs = _Layout([1 if p.job else 0 for p in profiles], n)
        return {
            "Files": _Layout([len(file_specs(p.files)) for p in profiles], n),
            "Locators": _Layout([len(p.locators) for p in profiles], n),
            "ContentKeys": _Layout([len(p.keys) for p in profiles], n),
            "ContentKeyAuthorizationPolicies": _Layout([sum(1 for k in p.keys if k.options) for p in profiles], n),
            "ContentKeyAuthorizationPolicyOptions": _Layout([sum(len(k.options) for k in p.keys) for p in profiles], n),
            "AssetDeliveryPolicies": _Layout([len(p.delivery) for p in profiles], n),
            "AssetFilters": _Layout([len(p.filters) for p in profiles], n),
            "Jobs": jobs,
            "Tasks": _Layout([len(p.job.tasks) for p in job_slots], jobs.total),
        }

    def _build_scaled_sets(self) -> dict[str, _ScaledSet]:
        def by_guid(prefix: str, extra_base: int | None = None, extra_offset: int = 0) -> Callable[[str], int | None]:
            def index_of(key: str) -> int | None:
                if not key.startswith(prefix):
                    return None
                index = _index_of_guid(key[len(prefix) :])
                if index is not None and extra_base is not None and index >= extra_base:
                    return extra_offset + index - extra_base
                return index

            return index_of

        layouts = self._layouts
        keys_total = layouts["ContentKeys"].total
        sets = {
            "Assets": _ScaledSet(self.assets, self._asset, by_guid("nb:cid:UUID:"), "Id"),
            "Files": _ScaledSet(layouts["Files"].total, self._file, by_guid("nb:cid:UUID:"), "Id"),
            "Locators": _ScaledSet(layouts["Locators"].total, self._locator, by_guid("nb:lid:UUID:"), "Id"),
            "ContentKeys": _ScaledSet(
                keys_total + len(self._pool_keys), self._content_key, by_guid("nb:kid:UUID:", POOL_KEY_BASE, keys_total), "Id"
            ),
            "ContentKeyAuthorizationPolicies": _ScaledSet(
                layouts["ContentKeyAuthorizationPolicies"].total, self._authorization_policy, by_guid("nb:ckpid:UUID:"), "Id"
            ),
            "ContentKeyAuthorizationPolicyOptions": _ScaledSet(
                layouts["ContentKeyAuthorizationPolicyOptions"].total, self._authorization_option, by_guid("nb:ckpoid:UUID:"), "Id"
            ),
            "AssetDeliveryPolicies": _ScaledSet(layouts["AssetDeliveryPolicies"].total, self._delivery_policy, by_guid("nb:adpid:UUID:"), "Id"),
            "AssetFilters": _ScaledSet(layouts["AssetFilters"].total, self._asset_filter, self._asset_filter_index, "Id"),
            "Jobs": _ScaledSet(layouts["Jobs"].total, self._job, by_guid("nb:jid:UUID:"), "Id"),
            "Tasks": _ScaledSet(layouts["Tasks"].total, self._task, by_guid("nb:tid:UUID:"), "Id"),
        }
        return sets

    # -- ids --------------------------------------------------------------------------------

    def _id(self, prefix: str, kind: str, index: int) -> str:
        return f"{prefix}{_guid(self.seed, kind, index)}"

    def asset_key(self, index: int) -> str:
        return self._id("nb:cid:UUID:", "asset", index)

    def _child_key(self, entity_set: str, index: int) -> str:
        prefix, kind = _CHILD_ID[entity_set]
        if entity_set == "ContentKeys" and index >= self._layouts["ContentKeys"].total:
            return self._id(prefix, kind, POOL_KEY_BASE + index - self._layouts["ContentKeys"].total)
        if entity_set == "AssetFilters":
            owner, position = self._layouts["AssetFilters"].locate(index)
            facts = self._facts(owner)
            return f"{facts.key}__###__{facts.profile.filters[position]}"
        return self._id(prefix, kind, index)

    def _children_keys(self, entity_set: str, asset: int) -> list[str]:
        return [self._child_key(entity_set, g) for g in self._layouts[entity_set].children(asset)]

    # -- assets -----------------------------------------------------------------------------

    def _compute_facts(self, index: int) -> _AssetFacts:
        profile = self._slot_profiles[index % len(self._slot_profiles)]
        rng = _rng(self.seed, "asset", index)
        title = TITLES[rng.randrange(len(TITLES))]
        if profile.name_style == "duplicate":
            name: str | None = f"{TITLES[0]}.mp4"
        elif profile.name_style == "none":
            name = None
        elif profile.name_style == "hostile":
            name = HOSTILE_NAMES[(index // FULL_COVERAGE_ASSETS) % len(HOSTILE_NAMES)]
        elif profile.job:
            name = f"{title} {index - 1} - Media Encoder Standard encoded"
        else:
            name = f"{title} {index}"
        created = _when(rng, ACCOUNT_CREATED, ACCOUNT_NOW - timedelta(days=60))
        storage = self.storage_accounts[1] if rng.random() < 0.1 else self.storage_accounts[0]
        guid = _guid(self.seed, "asset", index)
        return _AssetFacts(index, guid, f"nb:cid:UUID:{guid}", profile, name, created, storage)

    def _asset(self, index: int) -> dict:
        facts = self._facts(index)
        rng = _rng(self.seed, "asset-extra", index)
        return {
            "Id": facts.key,
            "State": 0,
            "Created": facts.created,
            "LastModified": facts.created + timedelta(minutes=rng.randrange(1, 60 * 24 * 30)),
            "AlternateId": f"contoso-catalog-{index:07d}" if facts.profile.alternate_id else None,
            "Name": facts.name,
            "Options": facts.profile.options,
            "FormatOption": facts.profile.format_option,
            "Uri": f"https://{facts.storage}.blob.core.windows.net/asset-{facts.guid}" if facts.profile.uri else None,
            "StorageAccountName": facts.storage,
        }

    def _input_asset(self, output_asset: int) -> int:
        # A job reads the asset generated just before its output (the last one for asset 0).
        return (output_asset - 1) % self.assets

    # -- files ------------------------------------------------------------------------------

    def _file(self, index: int) -> dict:
        owner, position = self._layouts["Files"].locate(index)
        facts = self._facts(owner)
        name_part, mime, size_hint, primary, options = file_specs(facts.profile.files)[position]
        rng = _rng(self.seed, "file", index)
        base = (facts.name or "upload").split(" - ")[0].replace(" ", "")[:40] or "asset"
        created = facts.created + timedelta(seconds=rng.randrange(1, 600))
        encryption = self._file_encryption(facts, index)
        return {
            "Id": self._child_key("Files", index),
            "Name": name_part.format(base=base),
            "ContentFileSize": int(size_hint * (0.5 + rng.random())),
            "ParentAssetId": facts.key,
            "EncryptionVersion": encryption[1],
            "EncryptionScheme": encryption[0],
            "IsEncrypted": encryption[0] is not None,
            "EncryptionKeyId": encryption[2],
            "InitializationVector": encryption[3],
            "IsPrimary": primary,
            "LastModified": created,
            "Created": created,
            "MimeType": mime,
            "ContentChecksum": None,
            "Options": options,
        }

    def _file_encryption(self, facts: _AssetFacts, file_index: int) -> tuple[str | None, str | None, str | None, str | None]:
        """(scheme, version, key id, IV) of a file; IVs of storage encryption are 64-bit decimals."""
        scheme = {1: "StorageEncryption", 2: "CommonEncryption", 4: "EnvelopeEncryption"}.get(facts.profile.options)
        if scheme is None:
            return None, None, None, None
        key_id = self._children_keys("ContentKeys", facts.index)[0]
        iv = str(int.from_bytes(_digest(self.seed, "file-iv", file_index)[:8], "big")) if scheme == "StorageEncryption" else None
        return scheme, "1.0", key_id, iv

    # -- locators ---------------------------------------------------------------------------

    def _locator(self, index: int) -> dict:
        owner, position = self._layouts["Locators"].locate(index)
        facts = self._facts(owner)
        kind = facts.profile.locators[position]
        rng = _rng(self.seed, "locator", index)
        key = self._child_key("Locators", index)
        guid = key[len("nb:lid:UUID:") :]
        policy_index = POLICY_BY_LOCATOR_KIND[kind]
        minutes = ACCESS_POLICIES[policy_index][1]
        if kind == "future-streaming":
            start = _when(rng, FUTURE_START, FUTURE_START + timedelta(days=365))
        elif kind.startswith("expired"):
            start = _when(rng, ACCOUNT_NOW - timedelta(days=400), ACCOUNT_NOW - timedelta(days=60))
        else:
            start = facts.created + timedelta(minutes=5)
        expiration = start + timedelta(minutes=minutes)
        if kind in ("sas", "expired-sas"):
            base_uri = f"https://{facts.storage}.blob.core.windows.net/asset-{facts.guid}"
            component = (
                f"?sv=2012-02-12&sr=c&si={guid}&sig={quote(self._sas_signature(index), safe='')}"
                f"&st={start:%Y-%m-%dT%H:%M:%SZ}&se={expiration:%Y-%m-%dT%H:%M:%SZ}"
            )
            locator_type, path, name = 1, base_uri + component, "SAS locator"
        else:
            base_uri = f"https://{self.streaming_host}"
            component, locator_type, path = guid, 2, f"{base_uri}/{guid}/"
            name = None if rng.random() < 0.5 else "Streaming locator"
        return {
            "Id": key,
            "Name": name,
            "ExpirationDateTime": expiration,
            "Type": locator_type,
            "Path": path,
            "BaseUri": base_uri,
            "ContentAccessComponent": component,
            "AccessPolicyId": self._id("nb:pid:UUID:", "access-policy", policy_index),
            "AssetId": facts.key,
            # SAS locators made without a start time (the SDK's default) have none.
            "StartTime": None if kind == "sas" else start,
        }

    def _sas_signature(self, locator_index: int) -> str:
        return _fake_secret_b64(self.seed, "sas", locator_index, 33)

    # -- content keys and their policies -----------------------------------------------------

    def _pool_content_keys(self) -> tuple[tuple[str, int, str], ...]:
        """(name, ContentKeyType, label) of the account-wide keys: FairPlay ASK and PFX password, preset encryption."""
        return (
            ("FairPlay ASk", 7, "fairplay-ask"),
            ("FairPlay PFX password", 8, "fairplay-pfx-password"),
            ("Configuration encryption key", 2, "configuration"),
        )

    def _pool_key_id(self, label: str) -> str:
        position = next(i for i, key in enumerate(self._pool_keys) if key[2] == label)
        return self._id("nb:kid:UUID:", "content-key", POOL_KEY_BASE + position)

    def clear_key_value(self, key_index: int) -> str:
        """Base64 of the clear value of a content key (what RebindContentKey with no certificate returns)."""
        per_asset = self._layouts["ContentKeys"].total
        if key_index < per_asset:
            return _fake_secret_b64(self.seed, "ck", key_index, 16)
        label = self._pool_keys[key_index - per_asset][2]
        if label == "fairplay-pfx-password":
            return base64.b64encode(self.fairplay_pfx_password().encode("ascii")).decode("ascii")
        return _fake_secret_b64(self.seed, label, 0, 16)

    def clear_key_value_of(self, key_id: str) -> str | None:
        """Base64 clear value of the content key with this v2 id, None when there is no such key."""
        scaled = self._scaled["ContentKeys"]
        index = scaled.index_of(key_id)
        return self.clear_key_value(index) if index is not None and scaled.get(key_id) is not None else None

    def fairplay_pfx_password(self) -> str:
        return f"FAKE-SECRET-pfx-password-{self.seed}"

    def fairplay_pfx(self) -> str:
        return _fake_secret_b64(self.seed, "fairplay-pfx", 0, 96)

    def _encrypted_key(self, key_index: int) -> str:
        return _fake_secret_b64(self.seed, "encrypted-content-key", key_index, 256)

    def _content_key(self, index: int) -> dict:
        per_asset = self._layouts["ContentKeys"].total
        if index >= per_asset:
            name, key_type, _label = self._pool_keys[index - per_asset]
            created, policy = ACCOUNT_CREATED + timedelta(days=30), None
        else:
            owner, position = self._layouts["ContentKeys"].locate(index)
            facts = self._facts(owner)
            spec = facts.profile.keys[position]
            key_type = spec.content_key_type
            name = KEY_NAMES.get(key_type)
            created = facts.created + timedelta(minutes=2)
            policy = self._authorization_policy_for_key(owner, position)
        return {
            "Id": self._child_key("ContentKeys", index),
            "Created": created,
            "LastModified": created,
            "Name": name,
            "EncryptedContentKey": self._encrypted_key(index),
            "ContentKeyType": key_type,
            "ProtectionKeyId": _thumbprint(self.seed, f"protection-key-{key_type}"),
            "ProtectionKeyType": 0,
            "Checksum": base64.b64encode(_digest(self.seed, "checksum", index)[:8]).decode("ascii"),
            "AuthorizationPolicyId": policy,
            "TrackIdentifiers": None,
        }

    def _authorization_policy_for_key(self, asset: int, key_position: int) -> str | None:
        keys = self._facts(asset).profile.keys
        if not keys[key_position].options:
            return None
        rank = sum(1 for k in keys[:key_position] if k.options)
        return self._child_key("ContentKeyAuthorizationPolicies", self._layouts["ContentKeyAuthorizationPolicies"].children(asset)[rank])

    def _key_of_policy(self, policy_index: int) -> tuple[int, int]:
        """(asset, key position) of an authorization policy."""
        asset, rank = self._layouts["ContentKeyAuthorizationPolicies"].locate(policy_index)
        positions = [i for i, k in enumerate(self._facts(asset).profile.keys) if k.options]
        return asset, positions[rank]

    def _authorization_policy(self, index: int) -> dict:
        asset, position = self._key_of_policy(index)
        options = self._facts(asset).profile.keys[position].options
        # The same policy, repeated once per asset, as v2 samples taught accounts to do.
        name = "Token Authorization Policy" if any(o.endswith(("jwt", "swt")) for o in options) else "Open Authorization Policy"
        return {"Id": self._child_key("ContentKeyAuthorizationPolicies", index), "Name": name}

    def _option_range(self, policy_index: int) -> range:
        asset, position = self._key_of_policy(policy_index)
        keys = self._facts(asset).profile.keys
        start = self._layouts["ContentKeyAuthorizationPolicyOptions"].offset(asset) + sum(len(k.options) for k in keys[:position])
        return range(start, start + len(keys[position].options))

    def _authorization_option(self, index: int) -> dict:
        asset, position = self._layouts["ContentKeyAuthorizationPolicyOptions"].locate(index)
        facts = self._facts(asset)
        flat = [(k, kind) for k, spec in enumerate(facts.profile.keys) for kind in spec.options]
        key_position, kind = flat[position]
        key_index = self._layouts["ContentKeys"].offset(asset) + key_position
        key_guid = self._child_key("ContentKeys", key_index)[len("nb:kid:UUID:") :]
        delivery_type, configuration, restriction = self._option_body(kind, asset, key_guid)
        return {
            "Id": self._child_key("ContentKeyAuthorizationPolicyOptions", index),
            "Name": OPTION_NAMES[kind],
            "KeyDeliveryType": delivery_type,
            "KeyDeliveryConfiguration": configuration,
            "Restrictions": [restriction],
        }

    def token_signing_key(self, token_type: str, slot: int) -> str:
        """One of a small pool of symmetric signing keys, shared by the repeated policies."""
        return _fake_secret_b64(self.seed, f"{token_type.lower()}-signing-key", slot, 64)

    def _restriction(self, kind: str, asset: int) -> dict:
        if kind.endswith("-open") or kind.endswith("-open-persistent"):
            return {"Name": "Open", "KeyRestrictionType": 0, "Requirements": None}
        if kind.endswith("-ip"):
            # The reference gives no format for IP restrictions (never enabled in the service).
            return {"Name": "IP restriction", "KeyRestrictionType": 2, "Requirements": "192.0.2.0/24;198.51.100.7/32"}
        token_type = "SWT" if kind.endswith("-swt") else "JWT"
        slot = asset % 3
        if kind == "widevine-jwt":
            template = token_restriction_template("JWT", primary_key=None, x509_raw_body=FAKE_CERTIFICATE)
        elif kind == "fairplay-jwt":
            template = token_restriction_template("JWT", primary_key=None, openid_uri="https://sts.contoso.example/.well-known/openid-configuration")
        elif kind == "clearkey-jwt":
            template = token_restriction_template(
                "JWT",
                primary_key=self.token_signing_key("JWT", slot),
                alternate_key=self.token_signing_key("JWT", slot + 3),
                extra_claim=("urn:contoso:entitlement", "premium"),
            )
        else:
            template = token_restriction_template(token_type, primary_key=self.token_signing_key(token_type, slot))
        return {"Name": "Token Authorization Template", "KeyRestrictionType": 1, "Requirements": template}

    def _option_body(self, kind: str, asset: int, key_guid: str) -> tuple[int, str | None, dict]:
        restriction = self._restriction(kind, asset)
        if kind.startswith("playready"):
            return 1, playready_template(kind.endswith("persistent"), key_guid), restriction
        if kind.startswith("widevine"):
            return 3, widevine_template(kind.endswith("open")), restriction
        if kind.startswith("fairplay"):
            configuration = json.dumps(
                {
                    "ASkId": self._pool_key_id("fairplay-ask")[len("nb:kid:UUID:") :],
                    "FairPlayPfxPasswordId": self._pool_key_id("fairplay-pfx-password")[len("nb:kid:UUID:") :],
                    "FairPlayPfx": self.fairplay_pfx(),
                    "ContentEncryptionIV": self._cbcs_iv(asset),
                    "RentalAndLeaseKeyType": 0,
                    "RentalDuration": 0,
                }
            )
            return 4, configuration, restriction
        # BaselineHttp (AES clear key): the service stored no configuration.
        return 2, None if asset % 2 else "", restriction

    def _cbcs_iv(self, asset: int) -> str:
        return _digest(self.seed, "cbcs-iv", asset)[:16].hex().upper()

    # -- delivery policies -------------------------------------------------------------------

    def _delivery_policy(self, index: int) -> dict:
        asset, position = self._layouts["AssetDeliveryPolicies"].locate(index)
        facts = self._facts(asset)
        kind = facts.profile.delivery[position]
        base = f"https://{self.key_delivery_host}/"
        if kind == "envelope":
            entries = [(2, base), (3, base64.b64encode(_digest(self.seed, "envelope-iv", asset)[:16]).decode("ascii"))]
            protocol, policy_type, name = 7, 3, "AssetDeliveryPolicy"
        elif kind == "cenc":
            key_guid = self._children_keys("ContentKeys", asset)[0][len("nb:kid:UUID:") :]
            entries = [(4, f"{base}PlayReady/"), (7, f"{base}Widevine/?KID={key_guid}")]
            protocol, policy_type, name = 3, 4, "AssetDeliveryPolicy"
        elif kind == "cbcs":
            entries = [(10, f"skd://{self.key_delivery_host}/FairPlay/"), (11, self._cbcs_iv(asset))]
            protocol, policy_type, name = 4, 5, "FairPlay AssetDeliveryPolicy"
        else:
            entries, protocol, policy_type, name = [], 15, 2, "Clear Policy"
        configuration = (
            _slashes_escaped(json.dumps([{"Key": k, "Value": v} for k, v in entries], separators=(",", ":"))) if entries else None
        )
        created = facts.created + timedelta(minutes=3)
        return {
            "Id": self._child_key("AssetDeliveryPolicies", index),
            "Name": name,
            "AssetDeliveryProtocol": protocol,
            "AssetDeliveryPolicyType": policy_type,
            "AssetDeliveryConfiguration": configuration,
            "Created": created,
            "LastModified": created,
        }

    # -- filters ----------------------------------------------------------------------------

    def _asset_filter(self, index: int) -> dict:
        asset, position = self._layouts["AssetFilters"].locate(index)
        facts = self._facts(asset)
        name = facts.profile.filters[position]
        time_range, tracks, first_quality = FILTER_TEMPLATES[name]
        return {
            "Id": f"{facts.key}__###__{name}",
            "ParentAssetId": facts.key,
            "Name": name,
            "PresentationTimeRange": presentation_time_range(time_range),
            "Tracks": json.loads(json.dumps(tracks)),
            "FirstQuality": dict(first_quality) if first_quality else None,
        }

    def _asset_filter_index(self, key: str) -> int | None:
        asset_key, separator, name = key.partition("__###__")
        asset = _index_of_guid(asset_key[len("nb:cid:UUID:") :]) if separator and asset_key.startswith("nb:cid:UUID:") else None
        if asset is None or asset >= self.assets:
            return None
        filters = self._facts(asset).profile.filters
        return self._layouts["AssetFilters"].offset(asset) + filters.index(name) if name in filters else None

    # -- jobs and tasks ---------------------------------------------------------------------

    def _job_asset(self, job_index: int) -> _AssetFacts:
        return self._facts(self._layouts["Jobs"].locate(job_index)[0])

    def _job(self, index: int) -> dict:
        facts = self._job_asset(index)
        spec = facts.profile.job
        rng = _rng(self.seed, "job", index)
        created = facts.created - timedelta(minutes=rng.randrange(5, 120))
        start, end, running = _job_times(spec.state, created, rng)
        subscriptions = []
        if spec.notify:
            subscriptions = [
                {"NotificationEndPointId": self._id("nb:nepid:UUID:", "notification-endpoint", 0), "TargetJobState": 1},
                {"NotificationEndPointId": self._id("nb:nepid:UUID:", "notification-endpoint", 1), "TargetJobState": 2},
            ]
        input_name = self._facts(self._input_asset(facts.index)).name or "asset"
        return {
            "Id": self._child_key("Jobs", index),
            "Name": f"Encoding {input_name}" if spec.tasks[0].startswith("mes") else f"Analysing {input_name}",
            "Created": created,
            "LastModified": end or start or created,
            "EndTime": end,
            "Priority": rng.randrange(0, 3),
            "RunningDuration": running,
            "StartTime": start,
            "State": _JOB_STATE_VALUE[spec.state],
            "TemplateId": self._id("nb:jtid:UUID:", "job-template", spec.template) if spec.template is not None else None,
            "JobNotificationSubscriptions": subscriptions,
        }

    def _task(self, index: int) -> dict:
        job_index, position = self._layouts["Tasks"].locate(index)
        facts = self._job_asset(job_index)
        spec = facts.profile.job
        kind = spec.tasks[position]
        name, processor, configuration = TASK_KINDS[kind]
        rng = _rng(self.seed, "task", index)
        created = facts.created - timedelta(minutes=rng.randrange(1, 5))
        start, end, running = _job_times(spec.state, created, rng)
        protected = kind.endswith("-protected")
        encryption: dict = {"EncryptionKeyId": None, "EncryptionScheme": None, "EncryptionVersion": None, "InitializationVector": None}
        if protected:
            configuration = base64.b64encode(b"FAKE-ENCRYPTED-PRESET-" + _digest(self.seed, "preset", index)).decode("ascii")
            encryption = {
                "EncryptionKeyId": self._pool_key_id("configuration"),
                "EncryptionScheme": "ConfigurationEncryption",
                "EncryptionVersion": "1.0",
                "InitializationVector": base64.b64encode(_digest(self.seed, "preset-iv", index)[:16]).decode("ascii"),
            }
        errors = [{"Code": "ErrorParsingConfiguration", "Message": "The configuration is invalid: H264Layer Bitrate must be set."}] if spec.state == "Error" else []
        events = [{"Code": "Queued", "Message": "Task queued", "TimeStamp": created}]
        if start:
            events.append({"Code": "Processing", "Message": "Task started", "TimeStamp": start})
        output_name = facts.name or "output"
        return {
            "Id": self._child_key("Tasks", index),
            "Name": name,
            "Configuration": configuration,
            "EndTime": end,
            "ErrorDetails": errors,
            "HistoricalEvents": events,
            "MediaProcessorId": _processor_id(PROCESSOR_INDEX[processor]),
            "PerfMessage": None if spec.state != "Finished" else "Encode speed 2.3x",
            "Priority": 0,
            "Progress": {"Finished": 100.0, "Processing": 42.5, "Canceling": 17.0}.get(spec.state, 0.0),
            "RunningDuration": running,
            "StartTime": start,
            "State": _JOB_STATE_VALUE[spec.state],
            "TaskBody": (
                '<?xml version="1.0" encoding="utf-8"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset>'
                f'<outputAsset assetCreationOptions="0" assetName="{_xml_attribute(output_name)}">JobOutputAsset(0)</outputAsset></taskBody>'
            ),
            "Options": 1 if protected else 0,
            **encryption,
            "TaskNotificationSubscriptions": (
                [{"NotificationEndPointId": self._id("nb:nepid:UUID:", "notification-endpoint", 1), "TargetTaskState": 2, "IncludeTaskProgress": True}]
                if spec.notify
                else []
            ),
        }

    # -- navigation over the generated sets --------------------------------------------------

    def _scaled_navigation(self, entity_set: str, key: str, nav: str) -> list[str] | None:
        scaled = self._scaled.get(entity_set)
        if scaled is None:
            return None
        index = scaled.index_of(key)
        if index is None or scaled.get(key) is None:
            return []
        if entity_set == "Assets":
            return self._asset_navigation(index, nav)
        if entity_set == "ContentKeyAuthorizationPolicies" and nav == "Options":
            return [self._child_key("ContentKeyAuthorizationPolicyOptions", g) for g in self._option_range(index)]
        if entity_set == "Jobs":
            return self._job_navigation(index, nav)
        if entity_set == "Tasks" and nav in ("InputMediaAssets", "OutputMediaAssets"):
            return self._job_navigation(self._layouts["Tasks"].locate(index)[0], nav)
        if entity_set == "Locators" and nav in ("AccessPolicy", "Asset"):
            record = scaled.get(key)
            return [record["AccessPolicyId" if nav == "AccessPolicy" else "AssetId"]]
        return []

    def _asset_navigation(self, asset: int, nav: str) -> list[str]:
        children = {"Locators": "Locators", "ContentKeys": "ContentKeys", "Files": "Files", "DeliveryPolicies": "AssetDeliveryPolicies", "AssetFilters": "AssetFilters"}
        if nav in children:
            return sorted(self._children_keys(children[nav], asset))
        facts = self._facts(asset)
        if nav == "ParentAssets":
            return [self.asset_key(self._input_asset(asset))] if facts.profile.job else []
        if nav == "StorageAccount":
            return [facts.storage]
        return []

    def _job_navigation(self, job_index: int, nav: str) -> list[str]:
        asset = self._layouts["Jobs"].locate(job_index)[0]
        if nav == "Tasks":
            return [self._child_key("Tasks", g) for g in self._layouts["Tasks"].children(job_index)]
        if nav == "InputMediaAssets":
            return [self.asset_key(self._input_asset(asset))]
        if nav == "OutputMediaAssets":
            return [self.asset_key(asset)]
        return []

    # -- pools ------------------------------------------------------------------------------

    def _pool_asset(self, wanted_label: str, occurrence: int) -> str:
        """The key of the n-th asset of a profile, or of some asset when the account is too small."""
        slots = [s for s, p in enumerate(self._slot_profiles) if p.label == wanted_label]
        period, which = divmod(occurrence, len(slots))
        index = period * len(self._slot_profiles) + slots[which]
        return self.asset_key(index if index < self.assets else index % self.assets)

    def _build_pools(self) -> InMemoryV2Data:
        records: dict[str, list[dict]] = {name: [] for name in ENTITY_SET_NAMES if name not in self._scaled}
        links: dict[tuple[str, str], list[tuple[str, str]]] = {}
        records["AccessPolicies"] = self._access_policies()
        records["MediaProcessors"] = [_media_processor(i) for i in range(len(MEDIA_PROCESSORS))]
        records["StorageAccounts"] = [
            {"Name": self.storage_accounts[0], "IsDefault": True, "BytesUsed": 5_123_456_789_012},
            {"Name": self.storage_accounts[1], "IsDefault": False, "BytesUsed": None},
        ]
        records["EncodingReservedUnitTypes"] = [
            {"AccountId": str(uuid.UUID(bytes=_digest(self.seed, "account")[:16], version=4)), "ReservedUnitType": 1, "MaxReservableUnits": 25, "CurrentReservedUnits": 2}
        ]
        records["Filters"] = [self._account_filter(name) for name in ACCOUNT_FILTERS]
        records["NotificationEndPoints"] = self._notification_endpoints()
        records["Channels"], records["Programs"] = self._channels_and_programs()
        records["StreamingEndpoints"] = self._streaming_endpoints()
        records["Operations"] = self._operations(records["Channels"], records["StreamingEndpoints"], records["Programs"])
        records["JobTemplates"], records["TaskTemplates"], links[("JobTemplates", "TaskTemplates")] = self._job_templates()
        manifests, manifest_assets, manifest_files, asset_links = self._ingest_manifests()
        records["IngestManifests"], records["IngestManifestAssets"], records["IngestManifestFiles"] = manifests, manifest_assets, manifest_files
        links[("IngestManifestAssets", "Asset")] = asset_links
        links[("IngestManifests", "PendingIngestManifestAssets")] = sorted(
            {(f["ParentIngestManifestId"], f["ParentIngestManifestAssetId"]) for f in manifest_files if f["State"] == 0}
        )
        return InMemoryV2Data(records, links)

    def _access_policies(self) -> list[dict]:
        rows = []
        for index, (name, minutes, permissions) in enumerate(ACCESS_POLICIES):
            created = ACCOUNT_CREATED + timedelta(days=index)
            rows.append(
                {
                    "Id": self._id("nb:pid:UUID:", "access-policy", index),
                    "Created": created,
                    "LastModified": created,
                    "Name": name,
                    "DurationInMinutes": minutes,
                    "Permissions": permissions,
                }
            )
        return rows

    def _account_filter(self, name: str) -> dict:
        time_range, tracks, first_quality = FILTER_TEMPLATES[name]
        return {
            "Name": name,
            "PresentationTimeRange": presentation_time_range(time_range),
            "Tracks": json.loads(json.dumps(tracks)),
            "FirstQuality": dict(first_quality) if first_quality else None,
        }

    def _notification_endpoints(self) -> list[dict]:
        rows = []
        specs = (
            # name, type, address, signed
            ("jobnotifications", 1, "jobnotifications", False),
            ("Job notifications (prod) / webhook", 3, "https://functions.contoso.example/api/amsnotify", True),
            ("webhook", 3, "https://hooks.contoso.example/ams", True),
            ("webhook", 3, "https://hooks.contoso.example/ams-backup", False),
            ("legacy-table", 2, "jobhistory", False),
        )
        for index, (name, endpoint_type, address, signed) in enumerate(specs):
            rows.append(
                {
                    "Id": self._id("nb:nepid:UUID:", "notification-endpoint", index),
                    "Name": name,
                    "Created": ACCOUNT_CREATED + timedelta(days=40 + index),
                    "EndPointType": endpoint_type,
                    "EndPointAddress": address,
                    "CredentialType": 1 if signed else 0,
                    "EncryptedEndPointCredential": self.notification_credential(index) if signed else None,
                    "ProtectionKeyId": _thumbprint(self.seed, "notification-protection") if signed else None,
                    "ProtectionKeyType": 0,
                }
            )
        return rows

    def notification_credential(self, index: int) -> str:
        return _fake_secret_b64(self.seed, "webhook-signing-key", index, 48)

    def _channels_and_programs(self) -> tuple[list[dict], list[dict]]:
        channels, programs = [], []
        for index, spec in enumerate(CHANNELS):
            channel_id = self._id("nb:chid:UUID:", "channel", index)
            created = ACCOUNT_CREATED + timedelta(days=100 + index * 7)
            channels.append(self._channel(channel_id, spec, created))
            for position, (program_name, window, state, manifest) in enumerate(spec.programs):
                program_index = len(programs)
                programs.append(
                    {
                        "Id": self._id("nb:pgid:UUID:", "program", program_index),
                        "Name": program_name,
                        "Description": f"{program_name} on {spec.name}",
                        "Created": created + timedelta(days=1 + position),
                        "LastModified": created + timedelta(days=2 + position),
                        "ChannelId": channel_id,
                        "AssetId": self._pool_asset("live-archive" if state != "Stopped" else "live-archive-unpublished", program_index),
                        "ArchiveWindowLength": window,
                        "State": _enum("ProgramState", state),
                        "ManifestName": manifest,
                    }
                )
        return channels, programs

    def _channel(self, channel_id: str, spec: ChannelSpec, created: datetime) -> dict:
        host = f"{spec.name}-{self.account_name}.channel.mediaservices.windows.net"
        protocol = _enum("StreamingProtocol", spec.protocol)
        stream_key = channel_id[len("nb:chid:UUID:") :].replace("-", "")
        ingest_urls = {
            "FragmentedMP4": [("FragmentedMP4", f"http://{host}/ingest.isml")],
            "RTMP": [("RTMP", f"rtmp://{host}:1935/live/{stream_key}"), ("RTMP", f"rtmps://{host}:2935/live/{stream_key}")],
            "RTPMPEG2TS": [("RTPMPEG2TS", f"udp://{host}:2010")],
        }[spec.protocol]
        encoding = None
        if spec.encoding != "None":
            encoding = {
                "SystemPreset": "Default720p" if spec.encoding == "Standard" else "Default1080p",
                "VideoStreams": [{"Index": 1, "Name": "Video"}],
                "AudioStreams": [{"Index": 0, "Language": "eng"}, {"Index": 1, "Language": "spa"}],
                "IgnoreCea708ClosedCaptions": False,
                "AdMarkerSource": _enum("AdMarkerSource", "Scte35" if spec.protocol == "RTPMPEG2TS" else "Api"),
            }
        return {
            "Id": channel_id,
            "Name": spec.name,
            "Description": spec.description,
            "Created": created,
            "LastModified": created + timedelta(hours=3),
            "State": _enum("ChannelState", spec.state),
            "Input": {
                "KeyFrameInterval": timedelta(seconds=2) if spec.encoding != "None" else None,
                "StreamingProtocol": protocol,
                "AccessControl": {"IP": {"Allow": _ip_ranges(spec.ingest_allow)}},
                "Endpoints": [{"Protocol": p, "Url": u} for p, u in ingest_urls],
            },
            "Preview": {
                "AccessControl": {"IP": {"Allow": _ip_ranges(("0.0.0.0/0",))}},
                "Endpoints": [{"Protocol": "FragmentedMP4", "Url": f"https://{spec.name}-{self.account_name}.channel.mediaservices.windows.net/preview.isml/manifest"}],
            },
            "Output": {"Hls": {"FragmentsPerSegment": spec.fragments_per_segment}},
            "CrossSiteAccessPolicies": {"ClientAccessPolicy": CLIENT_ACCESS_POLICY, "CrossDomainPolicy": CROSS_DOMAIN_POLICY},
            "EncodingType": _enum("ChannelEncodingType", spec.encoding),
            "Encoding": encoding,
            "Slate": {"InsertSlateOnAdMarker": True, "DefaultSlateAssetId": self._pool_asset("clear-streaming", 0)} if encoding else None,
            "VanityUrl": spec.name == "news-fmp4",
        }

    def akamai_key(self, index: int) -> str:
        return _fake_secret_b64(self.seed, "akamai", index, 48)

    def _streaming_endpoints(self) -> list[dict]:
        rows = []
        for index, spec in enumerate(STREAMING_ENDPOINTS):
            created = ACCOUNT_CREATED + timedelta(days=index * 90)
            name = spec.name
            access_control = None
            if spec.access_control:
                access_control = {
                    "Akamai": {
                        "AkamaiSignatureHeaderAuthenticationKeyList": [
                            {"Identifier": "akamai-primary", "Expiration": datetime(2030, 12, 31, tzinfo=UTC), "Base64Key": self.akamai_key(index)}
                        ]
                    },
                    "IP": {"Allow": _ip_ranges(("203.0.113.0/24", "198.51.100.10"))},
                }
            rows.append(
                {
                    "Id": self._id("nb:oid:UUID:", "streaming-endpoint", index),
                    "Name": name,
                    "Description": spec.description,
                    "Created": created,
                    "LastModified": created + timedelta(days=1),
                    "State": _enum("StreamingEndpointState", spec.state),
                    "HostName": self.streaming_host if name == "default" else f"{name}-{self.account_name}.streaming.mediaservices.windows.net",
                    "CustomHostNames": list(spec.custom_hosts),
                    "ScaleUnits": spec.scale_units,
                    "CdnEnabled": spec.cdn_provider is not None,
                    # Non-CDN endpoints report the default provider; the reference marks it non-nullable.
                    "CdnProvider": _enum("CdnProviderType", spec.cdn_provider or "StandardVerizon"),
                    "CdnProfile": f"AzureMediaStreamingPlatformCdnProfile-{spec.cdn_provider}" if spec.cdn_provider else "",
                    "StreamingEndpointVersion": spec.version,
                    "FreeTrialEndTime": spec.free_trial_end,
                    "AccessControl": access_control,
                    "CacheControl": {"MaxAge": 1800} if spec.cache else None,
                    "CrossSiteAccessPolicies": {"ClientAccessPolicy": CLIENT_ACCESS_POLICY, "CrossDomainPolicy": CROSS_DOMAIN_POLICY} if spec.access_control else None,
                }
            )
        return rows

    def _operations(self, channels: list[dict], endpoints: list[dict], programs: list[dict]) -> list[dict]:
        specs = (
            (channels[0]["Id"], "Succeeded", None, None),
            (endpoints[1]["Id"], "Succeeded", None, None),
            (endpoints[3]["Id"], "InProgress", None, None),
            (channels[3]["Id"], "Failed", "InternalError", "The channel could not be started. Please retry."),
            (programs[0]["Id"], "Succeeded", None, None),
        )
        return [
            {
                "Id": self._id("nb:opid:UUID:", "operation", index),
                "TargetEntityId": target,
                "State": _enum("OperationState", state),
                "ErrorCode": code,
                "ErrorMessage": message,
            }
            for index, (target, state, code, message) in enumerate(specs)
        ]

    def _job_templates(self) -> tuple[list[dict], list[dict], list[tuple[str, str]]]:
        specs = (
            ("Adaptive Streaming template", ("mes-builtin-adaptive",)),
            ("MES + Indexer", ("mes-builtin-720p", "indexer-v1")),
            ("Custom preset (prod) / v2 #1", ("mes-custom-json",)),
            ("Adaptive Streaming template", ("mes-custom-xml",)),
        )
        templates, task_templates, links = [], [], []
        for index, (name, kinds) in enumerate(specs):
            template_id = self._id("nb:jtid:UUID:", "job-template", index)
            created = ACCOUNT_CREATED + timedelta(days=200 + index)
            bodies = []
            for kind in kinds:
                task_name, processor, configuration = TASK_KINDS[kind]
                task_id = self._id("nb:ttid:UUID:", "task-template", len(task_templates))
                bodies.append(f'<taskBody taskTemplateId="{task_id}"><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>')
                task_templates.append(
                    {
                        "Id": task_id,
                        "Name": task_name,
                        "Description": f"{task_name} task template",
                        "NumberofInputAssets": 1,
                        "NumberofOutputAssets": 1,
                        "Configuration": configuration,
                        "MediaProcessorId": _processor_id(PROCESSOR_INDEX[processor]),
                        "Created": created,
                        "LastModified": created,
                        "Options": 0,
                        # Unencrypted templates: the reference marks these non-nullable, so "" not null.
                        "InitializationVector": "",
                        "EncryptionVersion": "",
                        "EncryptionScheme": "",
                        "EncryptionKeyId": "",
                    }
                )
                links.append((template_id, task_id))
            templates.append(
                {
                    "Id": template_id,
                    "Name": name,
                    "TemplateType": 1,
                    "Created": created,
                    "LastModified": created,
                    "JobTemplateBody": f'<?xml version="1.0" encoding="utf-16"?><jobTemplate>{"".join(bodies)}</jobTemplate>',
                    "NumberofInputAssets": 1,
                }
            )
        return templates, task_templates, links

    def _ingest_manifests(self) -> tuple[list[dict], list[dict], list[dict], list[tuple[str, str]]]:
        specs = (
            ("Bulk upload 2019-03", 2, (("storage-encrypted-sas", ("movie.mp4",), (1,)), ("mezzanine-duplicate-name", ("a.mp4", "b.mp4"), (1, 1)))),
            ("Nightly ingest", 1, (("unnamed-upload", ("clip.mov",), (0,)),)),
            ("Abandoned manifest", 0, (("hostile-name", ("broken.mxf", "ok.mp4"), (2, 0)),)),
        )
        manifests, manifest_assets, manifest_files, asset_links = [], [], [], []
        for index, (name, state, entries) in enumerate(specs):
            manifest_id = self._id("nb:mid:UUID:", "ingest-manifest", index)
            created = ACCOUNT_CREATED + timedelta(days=300 + index * 30)
            states: list[int] = []
            for label, file_names, file_states in entries:
                manifest_asset_id = self._id("nb:maid:UUID:", "ingest-manifest-asset", len(manifest_assets))
                asset_key = self._pool_asset(label, index)
                manifest_assets.append({"Id": manifest_asset_id, "Created": created, "LastModified": created, "ParentIngestManifestId": manifest_id})
                asset_links.append((manifest_asset_id, asset_key))
                encrypted = label.startswith("storage-encrypted")
                for file_name, file_state in zip(file_names, file_states):
                    file_index = len(manifest_files)
                    manifest_files.append(
                        {
                            "Id": self._id("nb:mfid:UUID:", "ingest-manifest-file", file_index),
                            "Created": created,
                            "LastModified": created + timedelta(hours=1),
                            "Name": file_name,
                            "State": file_state,
                            "ParentIngestManifestId": manifest_id,
                            "ParentIngestManifestAssetId": manifest_asset_id,
                            "ErrorDetail": "The blob was not found in the upload container." if file_state == 2 else None,
                            "MimeType": "video/mp4",
                            "IsPrimary": file_name == file_names[0],
                            "EncryptionVersion": "1.0" if encrypted else "",
                            "EncryptionScheme": "StorageEncryption" if encrypted else "",
                            "IsEncrypted": encrypted,
                            "EncryptionKeyId": self._storage_key_of(asset_key) if encrypted else "",
                            "InitializationVector": str(int.from_bytes(_digest(self.seed, "manifest-iv", file_index)[:8], "big")) if encrypted else "",
                        }
                    )
                    states.append(file_state)
            manifests.append(
                {
                    "Id": manifest_id,
                    "Created": created,
                    "LastModified": created + timedelta(hours=2),
                    "Name": name,
                    "State": state,
                    "BlobStorageUriForUpload": f"https://{self.storage_accounts[0]}.blob.core.windows.net/mid-{manifest_id[-36:]}",
                    "StorageAccountName": self.storage_accounts[0],
                    "Statistics": {
                        "PendingFilesCount": states.count(0),
                        "FinishedFilesCount": states.count(1),
                        "ErrorFilesCount": states.count(2),
                        "ErrorFilesDetails": "broken.mxf: The blob was not found in the upload container." if 2 in states else "",
                    },
                }
            )
        return manifests, manifest_assets, manifest_files, asset_links

    def _storage_key_of(self, asset_key: str) -> str:
        asset = _index_of_guid(asset_key[len("nb:cid:UUID:") :])
        keys = self._children_keys("ContentKeys", asset) if asset is not None else []
        return keys[0] if keys else ""

    # -- secrets ----------------------------------------------------------------------------

    def secret_values(self) -> set[str]:
        values: set[str] = {self.fairplay_pfx(), self.fairplay_pfx_password()}
        for token_type in ("JWT", "SWT"):
            values.update(self.token_signing_key(token_type, slot) for slot in range(6))
        keys_total = self.count("ContentKeys")
        for key_index in range(keys_total):
            values.add(self.clear_key_value(key_index))
            values.add(self._encrypted_key(key_index))
        sas_kinds = ("sas", "expired-sas")
        layout = self._layouts["Locators"]
        for slot, profile in enumerate(self._slot_profiles):
            for position, kind in enumerate(profile.locators):
                if kind not in sas_kinds:
                    continue
                for asset in range(slot, self.assets, len(self._slot_profiles)):
                    signature = self._sas_signature(layout.offset(asset) + position)
                    values.update({signature, quote(signature, safe="")})
        values.update(self.akamai_key(i) for i, spec in enumerate(STREAMING_ENDPOINTS) if spec.access_control)
        values.update(self.notification_credential(i) for i in range(5))
        return values


def seeded_secret_values(seed: int, assets: int) -> set[str]:
    """Every secret string a seeded account embeds (O(assets): for tests on modest accounts)."""
    return SeededV2Data(seed, assets).secret_values()


# ---------------------------------------------------------------------------------------------
# Helpers and tables used above


_CHILD_ID = {
    "Files": ("nb:cid:UUID:", "file"),
    "Locators": ("nb:lid:UUID:", "locator"),
    "ContentKeys": ("nb:kid:UUID:", "content-key"),
    "ContentKeyAuthorizationPolicies": ("nb:ckpid:UUID:", "authorization-policy"),
    "ContentKeyAuthorizationPolicyOptions": ("nb:ckpoid:UUID:", "authorization-option"),
    "AssetDeliveryPolicies": ("nb:adpid:UUID:", "delivery-policy"),
    "AssetFilters": ("", "asset-filter"),
    "Jobs": ("nb:jid:UUID:", "job"),
    "Tasks": ("nb:tid:UUID:", "task"),
}

def _job_times(state: str, created: datetime, rng: random.Random) -> tuple[datetime | None, datetime | None, float]:
    if state in ("Queued", "Scheduled"):
        return None, None, 0.0
    start = created + timedelta(seconds=rng.randrange(5, 600))
    if state in ("Processing", "Canceling"):
        return start, None, 0.0
    seconds = rng.randrange(30, 7200)
    return start, start + timedelta(seconds=seconds), float(seconds * 1000)


def _processor_id(index: int) -> str:
    name, _vendor, version, _sku, _description = MEDIA_PROCESSORS[index]
    # Processor ids were global in the service; the sandbox derives them from name and version.
    return f"nb:mpid:UUID:{uuid.uuid5(uuid.NAMESPACE_URL, f'ams-sandbox/{name}/{version}')}"


def _media_processor(index: int) -> dict:
    name, vendor, version, sku, description = MEDIA_PROCESSORS[index]
    return {"Id": _processor_id(index), "Name": name, "Description": description, "Sku": sku, "Vendor": vendor, "Version": version}


def _enum(enum_name: str, member: str) -> int:
    return enum_value(enum_name, member)


def _ip_ranges(addresses: Sequence[str]) -> list[dict] | None:
    if addresses == ("*",):
        return None
    ranges = []
    for position, address in enumerate(addresses):
        host, _, prefix = address.partition("/")
        ranges.append({"Name": f"range{position}", "Address": host, "SubnetPrefixLength": int(prefix) if prefix else None})
    return ranges


def _xml_attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")

