"""Locators and access policies -> streaming locators.

v3 has no access policies: a locator's window is its own start and end time. Only
OnDemandOrigin locators have a v3 counterpart; SAS locators are replaced by container SAS.
In a new account the locator keeps its GUID as ``streamingLocatorId`` (same URL path, new host),
is created only after its asset's content copy is confirmed, and carries the v2 content keys
only if it is the asset's first locator: v2 locators of one asset share the asset's keys, but a
v3 key id exists once per account (migration-guidance a.3), so further locators get new keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from migrator.plan import Phase, SecretRef
from migrator.v3.ids import ResourceType

from migrator.mappings.assets import asset_name, copy_address
from migrator.mappings.base import (
    MappingContext,
    Proposal,
    Refresh,
    address_of,
    enum_name,
    enum_value,
    guid_of,
    ignore,
    iso_datetime,
    manual,
    resource_action,
    unsupported,
)
from migrator.mappings.catalog import finding
from migrator.mappings.protection import SECRET, ProtectionPlanner
from migrator.mappings.quotas import Ranking, ranked, ranking

SAS, ON_DEMAND_ORIGIN = 1, 2


def locator_name(locator_id: str) -> str:
    """v3 names a v2 locator by the GUID part of its id (assumption A1 in docs/findings.md)."""
    return guid_of(locator_id)


def map_locator(locator, ctx: MappingContext, protection: ProtectionPlanner | None) -> list[Proposal]:
    graph = ctx.graph
    policy_ids = graph.need_keys("Locators", locator.id, "AccessPolicies")
    sources = (locator.id, *policy_ids)
    end = _end_time(locator, ctx)
    kind = enum_value(locator.type)
    if _expired(end, ctx):
        return [ignore("Locators", locator.id, "LOCATOR_EXPIRED", f"locator {locator.id} expired {iso_datetime(end)}", sources=sources)]
    if kind == SAS:
        return [unsupported("Locators", locator.id, finding("LOCATOR_SAS", f"SAS locator {locator.id}"), sources=sources)]
    if kind != ON_DEMAND_ORIGIN:
        return [ignore("Locators", locator.id, "LOCATOR_TYPE_UNKNOWN", f"locator type {enum_name(locator.type)}", sources=sources)]
    assets = graph.need_keys("Locators", locator.id, "Assets")
    if not assets:
        return [unsupported("Locators", locator.id, finding("LOCATOR_WITHOUT_ASSET", f"asset {locator.asset_id} is not in the inventory"), sources=sources)]
    asset = assets[0]
    name = locator_name(locator.id)
    if not ctx.new_account:
        keys = graph.need_keys("Assets", asset, "ContentKeys")
        return [
            resource_action(
                ResourceType.STREAMING_LOCATOR, name, None, sources=(*sources, *keys), phase=Phase.PUBLISH,
                depends_on=(address_of(ResourceType.ASSET, asset_name(asset)),),
                findings=(finding("ASSET_VISIBLE"),), refresh=Refresh.VISIBLE,
            )
        ]
    return [_new_locator(locator, name, asset, sources, end, ctx, protection)]


def _expired(end: datetime | None, ctx: MappingContext) -> bool:
    return end is not None and ctx.now is not None and end < ctx.now


def _publishes(locator, ctx: MappingContext) -> bool:
    """Whether the locator maps to a v3 streaming locator (OnDemandOrigin, not expired)."""
    return enum_value(locator.type) == ON_DEMAND_ORIGIN and not _expired(_end_time(locator, ctx), ctx)


def asset_locator_ranking(asset: str, ctx: MappingContext) -> Ranking:
    """The asset's publishing locators by v2 id: the first keeps the v2 content keys, and the
    first 100 fit the per-asset locator quota."""
    keys = ctx.graph.needed_by_keys("Assets", asset, "Locators")
    if len(keys) == 1:
        # The usual case, and the locator being mapped: no sibling to read.
        return ranked("streamingLocatorsPerAsset", tuple(keys))

    def ordered() -> list[str]:
        siblings = (ctx.entity("Locators", k) for k in keys)
        return sorted(s.id for s in siblings if s is not None and _publishes(s, ctx))

    return ranking(ctx, "streamingLocatorsPerAsset", (asset, str(ctx.now)), ordered)


def _new_locator(locator, name, asset, sources, end, ctx: MappingContext, protection: ProtectionPlanner) -> Proposal:
    profile = protection.profile(asset)
    if profile.blocked:
        return unsupported("Locators", locator.id, *profile.findings, sources=(*sources, *profile.sources))
    if profile.over_quota is not None:
        return manual("Locators", locator.id, profile.over_quota, sources=(*sources, *profile.sources), phase=Phase.PUBLISH)
    siblings = asset_locator_ranking(asset, ctx)
    if not siblings.fits(locator.id):
        message = f"{siblings.over_message(locator.id, f'locator {locator.id}', f'asset {asset_name(asset)}')}; not created: publish the asset through fewer locators"
        return manual("Locators", locator.id, finding("QUOTA_EXCEEDED", message), sources=(*sources, *profile.sources), phase=Phase.PUBLISH)
    properties = {
        "assetName": asset_name(asset),
        "streamingPolicyName": profile.streaming_policy,
        "streamingLocatorId": guid_of(locator.id),
    }
    findings = [finding("LOCATOR_HOST_CHANGES", f"path /{guid_of(locator.id)}/ is kept; the host changes")]
    if locator.start_time is not None:
        properties["startTime"] = iso_datetime(locator.start_time)
        if ctx.now and locator.start_time > ctx.now:
            findings.append(finding("LOCATOR_FUTURE_START", f"starts {iso_datetime(locator.start_time)}"))
    if end is not None:
        properties["endTime"] = iso_datetime(end)
    if len(sources) > 1:
        findings.append(finding("LOCATOR_ACCESS_POLICY_FOLDED"))
    if profile.content_key_policy:
        properties["defaultContentKeyPolicyName"] = profile.content_key_policy
    refs = []
    keeps_keys = siblings.rank(locator.id) == 0
    if profile.keys and not keeps_keys:
        first = locator_name(siblings.order[0])
        findings.append(finding("LOCATOR_KEYS_REGENERATED", f"the v2 keys of asset {asset_name(asset)} go to locator {first}; this locator gets new keys"))
    if profile.keys and keeps_keys:
        properties["contentKeys"] = []
        for i, (v2_key, key_id, label) in enumerate(profile.keys):
            properties["contentKeys"].append({"id": key_id, "labelReferenceInStreamingPolicy": label, "value": SECRET})
            refs.append(
                SecretRef(
                    f"properties.contentKeys[{i}].value",
                    "source-content-key",
                    (("key_id", key_id), ("locator", locator_name(locator.id))),
                )
            )
    return resource_action(
        ResourceType.STREAMING_LOCATOR, name, {"properties": properties},
        sources=(*sources, *profile.sources), phase=Phase.PUBLISH,
        depends_on=(address_of(ResourceType.ASSET, asset_name(asset)), copy_address(asset_name(asset)), *profile.depends_on),
        findings=(*findings, *profile.findings), secret_refs=refs,
    )


def _end_time(locator, ctx: MappingContext) -> datetime | None:
    """The locator's own expiry, else start + the access policy's duration."""
    if locator.expiration_date_time is not None:
        return locator.expiration_date_time
    for policy_id in ctx.graph.need_keys("Locators", locator.id, "AccessPolicies"):
        policy = ctx.entity("AccessPolicies", policy_id)
        if policy is not None and policy.duration_in_minutes and locator.start_time is not None:
            return locator.start_time + timedelta(minutes=policy.duration_in_minutes)
    return None


def map_access_policy(policy_id: str, ctx: MappingContext, accounted: set[str]) -> list[Proposal]:
    """Accounted by the locators that use it (by key: no record is read); an unused policy is ignored."""
    if policy_id in accounted:
        return []
    return [ignore("AccessPolicies", policy_id, "ACCESS_POLICY_UNUSED")]
