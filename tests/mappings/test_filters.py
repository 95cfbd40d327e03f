"""Account and asset filters."""

from __future__ import annotations

from inventory_fixtures import cid
from openapi_check import body_errors

from migrator.mappings.filters import map_account_filter, map_asset_filter
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
