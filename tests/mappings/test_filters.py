"""Account and asset filters."""

from __future__ import annotations

from inventory_fixtures import MemoryInventory, cid, sample_account, sample_context
from openapi_check import body_errors

from migrator.mappings import tables
from migrator.mappings.base import Mode
from migrator.mappings.filters import map_account_filter, map_asset_filter
from migrator.plan import Change
from migrator.v2 import entities as e


def test_an_account_filter_keeps_its_tracks_and_first_quality(inventory, same_ctx):
    [proposal] = map_account_filter(inventory.get("Filters", "hd"), same_ctx)
    assert proposal.action.body == {
        "properties": {
            "firstQuality": {"bitrate": 3000000},
            "tracks": [{"trackSelections": [{"property": "Type", "operation": "Equal", "value": "Video"}]}],
        }
    }
    assert body_errors(proposal.action) == []


def test_an_asset_filter_is_a_child_of_its_asset(inventory, new_ctx):
    [proposal] = map_asset_filter(inventory.get("AssetFilters", f"{cid(1)}__###__first10"), new_ctx)
    action = proposal.action
    assert action.address == "assets/00000000-0000-0000-0000-000000000001/assetFilters/first10"
    assert action.body["properties"]["presentationTimeRange"] == {"startTimestamp": 0, "endTimestamp": 100000000, "timescale": 10000000}
    assert action.depends_on == ("assets/00000000-0000-0000-0000-000000000001",)
    assert body_errors(action) == []


def test_an_unknown_track_condition_is_reported_not_guessed(inventory, new_ctx):
    entity = e.StreamingFilter(name="odd", tracks=(e.FilterTrackSelect(property_conditions=(
        e.FilterTrackPropertyCondition(property="Resolution", value="HD", operator="Equal"),)),))
    [proposal] = map_account_filter(entity, new_ctx)
    assert proposal.action.body == {"properties": {}}
    assert proposal.action.findings[0].code == "FILTER_TRACK_UNMAPPED"


def test_account_filters_past_the_quota_are_manual_steps_in_name_order(monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "accountFilters", 2)
    items, links = sample_account()
    inventory = MemoryInventory([*items, e.StreamingFilter(name="audio"), e.StreamingFilter(name="sd")], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    actions = {n: map_account_filter(inventory.get("Filters", n), ctx)[0].action for n in ("sd", "hd", "audio")}
    assert {n: a.change for n, a in actions.items()} == {"audio": Change.CREATE, "hd": Change.CREATE, "sd": Change.MANUAL}
    assert actions["sd"].address == "manual/filters/sd"
    assert actions["sd"].findings[0].code == "QUOTA_EXCEEDED" and "an account holds 2" in actions["sd"].findings[0].message


def test_asset_filters_past_the_per_asset_quota_are_manual_steps(monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "assetFiltersPerAsset", 1)
    items, links = sample_account()
    second = e.AssetFilter(id=f"{cid(1)}__###__second", parent_asset_id=cid(1), name="second")
    other_asset = e.AssetFilter(id=f"{cid(2)}__###__only", parent_asset_id=cid(2), name="only")
    inventory = MemoryInventory([*items, second, other_asset], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    first = map_asset_filter(inventory.get("AssetFilters", f"{cid(1)}__###__first10"), ctx)[0].action
    over = map_asset_filter(second, ctx)[0].action
    alone = map_asset_filter(other_asset, ctx)[0].action
    assert (first.change, over.change, alone.change) == (Change.CREATE, Change.MANUAL, Change.CREATE)
    assert over.findings[0].code == "QUOTA_EXCEEDED" and "asset 00000000-0000-0000-0000-000000000001 holds 1" in over.findings[0].message
