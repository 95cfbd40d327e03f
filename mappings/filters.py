"""Account filters and asset filters (dynamic manifests) -> v3 account and asset filters.

Whether v3 sees v2 filters in the same account is undocumented, so both modes plan them as
resources and let the refresh decide: visible and equal -> no change, absent -> create.
"""

from __future__ import annotations

from typing import Any

from migrator.plan import Phase
from migrator.v3.ids import ResourceType

from migrator.mappings.assets import asset_name
from migrator.mappings.base import MappingContext, Proposal, address_of, ignore, manual, resource_action
from migrator.mappings.catalog import finding
from migrator.mappings.naming import v3_name
from migrator.mappings.quotas import ranking

_PROPERTIES = {"Type", "Name", "Language", "FourCC", "Bitrate"}
_OPERATIONS = {"Equal", "NotEqual"}
_TIME_FIELDS = (
    ("start_timestamp", "startTimestamp"),
    ("end_timestamp", "endTimestamp"),
    ("presentation_window_duration", "presentationWindowDuration"),
    ("live_backoff_duration", "liveBackoffDuration"),
    ("timescale", "timescale"),
)


def filter_properties(entity) -> tuple[dict[str, Any], list]:
    properties: dict[str, Any] = {}
    findings = []
    time_range = entity.presentation_time_range
    if time_range is not None:
        ptr = {v3: int(getattr(time_range, v2)) for v2, v3 in _TIME_FIELDS if getattr(time_range, v2) is not None}
        if time_range.force_end_timestamp is not None:
            ptr["forceEndTimestamp"] = bool(time_range.force_end_timestamp)
        properties["presentationTimeRange"] = ptr
    if entity.first_quality is not None and entity.first_quality.bitrate is not None:
        properties["firstQuality"] = {"bitrate": int(entity.first_quality.bitrate)}
    tracks = []
    for select in entity.tracks or ():
        selections = []
        for condition in select.property_conditions or ():
            prop, op = str(condition.property or ""), str(condition.operator or "")
            if prop not in _PROPERTIES or op not in _OPERATIONS:
                findings.append(finding("FILTER_TRACK_UNMAPPED", f"condition {prop} {op}"))
                continue
            selections.append({"property": prop, "operation": op, "value": condition.value or ""})
        if selections:
            tracks.append({"trackSelections": selections})
    if tracks:
        properties["tracks"] = tracks
    return properties, findings


def map_account_filter(entity, ctx: MappingContext) -> list[Proposal]:
    filters = ranking(ctx, "accountFilters", ("account",), lambda: ctx.graph.keys("Filters"))
    if not filters.fits(entity.name):
        message = f"{filters.over_message(entity.name, f'account filter {entity.name}', 'an account')}; not created: merge filters or make it an asset filter"
        return [manual("Filters", entity.name, finding("QUOTA_EXCEEDED", message), phase=Phase.PUBLISH)]
    name, renamed = v3_name(ResourceType.ACCOUNT_FILTER, entity.name, fallback="filter")
    properties, findings = filter_properties(entity)
    if renamed:
        findings.append(renamed)
    return [resource_action(ResourceType.ACCOUNT_FILTER, name, {"properties": properties}, sources=(entity.name,), phase=Phase.PUBLISH, findings=tuple(findings))]


def map_asset_filter(entity, ctx: MappingContext) -> list[Proposal]:
    assets = ctx.graph.need_keys("AssetFilters", entity.id, "Assets")
    if not assets:
        return [ignore("AssetFilters", entity.id, "GRAPH_DANGLING_REFERENCE", f"asset filter {entity.name} refers to an asset the inventory lacks")]
    siblings = ranking(ctx, "assetFiltersPerAsset", (assets[0],), lambda: ctx.graph.needed_by_keys("Assets", assets[0], "AssetFilters"))
    asset = asset_name(assets[0])
    if not siblings.fits(entity.id):
        message = f"{siblings.over_message(entity.id, f'asset filter {entity.name}', f'asset {asset}')}; not created: merge filters or use account filters"
        return [manual("AssetFilters", entity.id, finding("QUOTA_EXCEEDED", message), phase=Phase.PUBLISH)]
    name, renamed = v3_name(ResourceType.ASSET_FILTER, entity.name, fallback="filter")
    properties, findings = filter_properties(entity)
    if renamed:
        findings.append(renamed)
    return [
        resource_action(
            ResourceType.ASSET_FILTER, f"{asset}/{name}", {"properties": properties}, sources=(entity.id,),
            phase=Phase.PUBLISH, depends_on=(address_of(ResourceType.ASSET, asset),), findings=tuple(findings),
        )
    ]
