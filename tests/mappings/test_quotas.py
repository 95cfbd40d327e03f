"""Fitting planned creates to the v3 quotas next to what the target already holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from inventory_fixtures import MemoryInventory, sample_account, sample_context

from migrator.mappings.base import Mode
from migrator.mappings.endpoints import map_streaming_endpoint
from migrator.mappings.quotas import fit_to_target, quota_group
from migrator.plan import Change
from migrator.v2 import entities as e
from migrator.v3.ids import ResourceType

ENDPOINT = ResourceType.STREAMING_ENDPOINT.value


def _endpoints_plan():
    items, links = sample_account()
    second = e.StreamingEndpoint(id="nb:oid:UUID:se0", name="aaa-second", created=dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc))
    inventory = MemoryInventory([*items, second], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    actions = [map_streaming_endpoint(inventory.get("StreamingEndpoints", k), ctx)[0].action for k in ("nb:oid:UUID:se0", "nb:oid:UUID:se1")]
    return ctx, actions


def test_creates_the_target_has_no_room_for_are_left_to_the_operator_lowest_ranked_first():
    ctx, actions = _endpoints_plan()
    # The target already runs one endpoint the plan knows nothing of.
    current = {(ENDPOINT, "legacy"): {"name": "legacy", "properties": {}}}
    fitted = {a.name: a for a in fit_to_target(ctx, actions, current)}
    assert fitted["default"].change is Change.CREATE  # the default endpoint ranks first
    second = fitted["aaa-second"]
    assert (second.change, second.operation) == (Change.MANUAL, "confirm")
    assert second.body == actions[0].body and second.address == "streamingEndpoints/aaa-second"
    assert second.findings[-1].code == "QUOTA_EXCEEDED" and "already holds 1" in second.findings[-1].message


def test_resources_the_plan_keeps_take_their_place_and_leave_the_rest_to_creates():
    ctx, actions = _endpoints_plan()
    # "default" exists on the target (as a new v3 account has it): it is refreshed, not created.
    refreshed = [replace(a, change=Change.NO_CHANGE) if a.name == "default" else a for a in actions]
    current = {(ENDPOINT, "default"): {"name": "default", "properties": {}}}
    assert [a.change for a in fit_to_target(ctx, refreshed, current)] == [Change.CREATE, Change.NO_CHANGE]


def test_same_account_visibility_checks_do_not_take_places():
    ctx, actions = _endpoints_plan()
    visible = sample_context(Mode.SAME_ACCOUNT, MemoryInventory(*sample_account()))
    checked = map_streaming_endpoint(MemoryInventory(*sample_account()).get("StreamingEndpoints", "nb:oid:UUID:se1"), visible)[0].action
    current = {(ENDPOINT, "default"): {"name": "default"}, (ENDPOINT, "other"): {"name": "other"}}
    new = actions[0]
    fitted = fit_to_target(ctx, [checked, new], current)
    assert [a.change for a in fitted] == [Change.NO_CHANGE, Change.CREATE]


def test_locators_count_per_asset_and_children_per_parent():
    assert quota_group(ResourceType.STREAMING_LOCATOR.value, "l1", {"properties": {"assetName": "A1"}}) == ("streamingLocatorsPerAsset", "a1")
    assert quota_group(ResourceType.LIVE_OUTPUT.value, "Event/out", None) == ("liveOutputsPerLiveEvent", "event")
    assert quota_group(ResourceType.ASSET_FILTER.value, "a1/f", None) == ("assetFiltersPerAsset", "a1")
    assert quota_group(ResourceType.CONTENT_KEY_POLICY.value, "p", None) is None
