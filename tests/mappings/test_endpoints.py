"""Streaming endpoints in both modes."""

from __future__ import annotations

from openapi_check import body_errors

from migrator.mappings.base import Refresh
from migrator.mappings.endpoints import map_streaming_endpoint


def test_same_account_endpoint_is_expected_visible(inventory, same_ctx):
    [proposal] = map_streaming_endpoint(inventory.get("StreamingEndpoints", "nb:oid:UUID:se1"), same_ctx)
    assert proposal.refresh is Refresh.VISIBLE and proposal.action.address == "streamingEndpoints/default"


def test_new_account_endpoint_keeps_scale_and_custom_hosts_and_warns_about_dns(inventory, new_ctx):
    [proposal] = map_streaming_endpoint(inventory.get("StreamingEndpoints", "nb:oid:UUID:se1"), new_ctx)
    assert proposal.action.body == {"location": "westeurope", "properties": {"scaleUnits": 1, "customHostNames": ["media.example.com"]}}
    assert [f.code for f in proposal.action.findings] == ["ENDPOINT_CUSTOM_HOSTS"]
    assert body_errors(proposal.action) == []
