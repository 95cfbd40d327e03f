"""Channels -> live events, programs -> live outputs."""

from __future__ import annotations

from inventory_fixtures import sample_context
from openapi_check import body_errors

from migrator.mappings.base import Mode
from migrator.mappings.live import map_channel, map_operation, map_program
from migrator.plan import Change, Phase


def test_an_rtmp_channel_becomes_a_live_event_in_the_downtime_window(inventory, new_ctx):
    [proposal] = map_channel(inventory.get("Channels", "nb:chid:UUID:ch1"), new_ctx)
    action = proposal.action
    assert action.address == "liveEvents/news"
    assert action.body == {
        "location": "westeurope",
        "properties": {
            "input": {
                "streamingProtocol": "RTMP",
                "keyFrameIntervalDuration": "PT2S",
                "accessControl": {"ip": {"allow": [{"name": "all", "address": "0.0.0.0", "subnetPrefixLength": 0}]}},
            },
            "encoding": {"encodingType": "PassthroughStandard"},
        },
    }
    assert action.phase is Phase.CUTOVER and action.downtime and action.irreversible
    assert {f.code for f in action.findings} == {"CHANNEL_DOWNTIME", "CHANNEL_RUNNING"}
    assert body_errors(action) == []


def test_rtp_mpeg_ts_channels_have_no_v3_protocol(inventory, new_ctx):
    [proposal] = map_channel(inventory.get("Channels", "nb:chid:UUID:ch2"), new_ctx)
    assert (proposal.action.change, proposal.action.findings[0].code) == (Change.UNSUPPORTED, "CHANNEL_PROTOCOL_UNSUPPORTED")


def test_a_program_becomes_a_live_output_of_its_channel_s_live_event(inventory, same_ctx):
    [proposal] = map_program(inventory.get("Programs", "nb:pgid:UUID:pg1"), same_ctx)
    action = proposal.action
    assert action.name == "news/morning-show-9d34a1bf"
    assert action.address == "liveEvents/news/liveOutputs/morning-show-9d34a1bf"
    assert action.body["properties"] == {
        "assetName": "00000000-0000-0000-0000-000000000007",
        "archiveWindowLength": "PT1H30M",
        "manifestName": "show",
        "description": "(v2 name: morning show)",
    }
    assert action.depends_on == ("assets/00000000-0000-0000-0000-000000000007", "liveEvents/news")
    assert action.irreversible
    assert body_errors(action) == []


def test_without_a_known_location_the_body_holds_the_account_location_placeholder(inventory):
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    ctx = type(ctx)(**{**ctx.__dict__, "location": None})
    [proposal] = map_channel(inventory.get("Channels", "nb:chid:UUID:ch1"), ctx)
    assert proposal.action.body["location"] == "{account-location}"


def test_live_operations_are_history(inventory, new_ctx):
    [proposal] = map_operation(next(inventory.entities("Operations")), new_ctx)
    assert proposal.action.change is Change.IGNORE
