"""Streaming endpoints in both modes."""

from __future__ import annotations

import datetime as dt

from inventory_fixtures import MemoryInventory, sample_account, sample_context
from openapi_check import body_errors

from migrator.mappings.base import Mode, Refresh
from migrator.mappings.endpoints import map_streaming_endpoint
from migrator.plan import Change
from migrator.v2 import entities as e


def test_same_account_endpoint_is_expected_visible(inventory, same_ctx):
    [proposal] = map_streaming_endpoint(inventory.get("StreamingEndpoints", "nb:oid:UUID:se1"), same_ctx)
    assert proposal.refresh is Refresh.VISIBLE and proposal.action.address == "streamingEndpoints/default"


def test_new_account_endpoint_keeps_scale_and_custom_hosts_and_warns_about_dns(inventory, new_ctx):
    [proposal] = map_streaming_endpoint(inventory.get("StreamingEndpoints", "nb:oid:UUID:se1"), new_ctx)
    assert proposal.action.body == {"location": "westeurope", "properties": {"scaleUnits": 1, "customHostNames": ["media.example.com"]}}
    assert [f.code for f in proposal.action.findings] == ["ENDPOINT_CUSTOM_HOSTS"]
    assert body_errors(proposal.action) == []


def _with_endpoints(*endpoints):
    items, links = sample_account()
    inventory = MemoryInventory([*items, *endpoints], links)
    return inventory, sample_context(Mode.NEW_ACCOUNT, inventory)


def _when(day: int) -> dt.datetime:
    return dt.datetime(2016, 1, day, tzinfo=dt.timezone.utc)


def test_only_as_many_endpoints_as_the_v3_quota_allows_are_created_default_first_then_oldest():
    inventory, ctx = _with_endpoints(
        e.StreamingEndpoint(id="nb:oid:UUID:se0", name="aaa-newest", created=_when(9)),
        e.StreamingEndpoint(id="nb:oid:UUID:se2", name="oldest", created=_when(1), custom_host_names=("a.example.com",)),
        e.StreamingEndpoint(id="nb:oid:UUID:se3", name="middle", created=_when(5), custom_host_names=("b.example.com",)),
    )
    keys = ("nb:oid:UUID:se0", "nb:oid:UUID:se1", "nb:oid:UUID:se2", "nb:oid:UUID:se3")
    actions = {k: map_streaming_endpoint(inventory.get("StreamingEndpoints", k), ctx)[0].action for k in reversed(keys)}
    created = sorted(a.name for a in actions.values() if a.change is Change.CREATE)
    assert created == ["default", "oldest"]
    for key in ("nb:oid:UUID:se0", "nb:oid:UUID:se3"):
        action = actions[key]
        assert (action.change, action.address, action.operation) == (Change.MANUAL, f"manual/streamingEndpoints/{key}", "confirm")
        assert action.sources == (key,)
        [quota] = action.findings
        assert quota.code == "QUOTA_EXCEEDED" and "an account holds 2" in quota.message
        assert "default or oldest" in quota.message
    assert "b.example.com" in actions["nb:oid:UUID:se3"].findings[0].message


def test_endpoints_within_the_quota_are_all_created():
    inventory, ctx = _with_endpoints(e.StreamingEndpoint(id="nb:oid:UUID:se2", name="second", created=_when(1)))
    changes = [map_streaming_endpoint(inventory.get("StreamingEndpoints", k), ctx)[0].action.change for k in ("nb:oid:UUID:se1", "nb:oid:UUID:se2")]
    assert changes == [Change.CREATE, Change.CREATE]
