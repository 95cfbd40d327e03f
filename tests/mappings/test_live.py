"""Channels -> live events, programs -> live outputs."""

from __future__ import annotations

import datetime as dt

from inventory_fixtures import MemoryInventory, cid, sample_account, sample_context
from openapi_check import body_errors

from migrator.mappings.base import Mode
from migrator.mappings.live import map_channel, map_operation, map_program
from migrator.plan import Change, Phase
from migrator.v2 import entities as e


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


def _rtmp_channel(n: int, *, running: bool = False) -> e.Channel:
    return e.Channel(id=f"nb:chid:UUID:x{n:02d}", name=f"extra{n:02d}", state=2 if running else 0,
                     created=dt.datetime(2018, 1, n, tzinfo=dt.timezone.utc), input=e.ChannelInput(streaming_protocol=1))


def test_channels_past_the_five_live_event_quota_are_manual_running_ones_kept_first():
    items, links = sample_account()
    # ch1 (running, in the sample) + 5 more stopped ones, and a running one created last.
    extra = [_rtmp_channel(n) for n in range(1, 6)] + [_rtmp_channel(9, running=True)]
    inventory = MemoryInventory([*items, *extra], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    keys = ["nb:chid:UUID:ch1", *(c.id for c in extra)]
    actions = {k: map_channel(inventory.get("Channels", k), ctx)[0].action for k in reversed(keys)}
    created = sorted(k for k, a in actions.items() if a.change is Change.CREATE)
    assert created == sorted(["nb:chid:UUID:ch1", "nb:chid:UUID:x09", "nb:chid:UUID:x01", "nb:chid:UUID:x02", "nb:chid:UUID:x03"])
    for key in ("nb:chid:UUID:x04", "nb:chid:UUID:x05"):
        action = actions[key]
        assert (action.change, action.address) == (Change.MANUAL, f"manual/channels/{key}")
        assert action.findings[0].code == "QUOTA_EXCEEDED" and "an account holds 5" in action.findings[0].message
    # The RTP channel is not counted: it never becomes a live event.
    assert map_channel(inventory.get("Channels", "nb:chid:UUID:ch2"), ctx)[0].action.change is Change.UNSUPPORTED


def test_programs_past_three_per_live_event_and_programs_of_a_channel_over_quota_are_manual():
    items, links = sample_account()
    programs = [
        e.Program(id=f"nb:pgid:UUID:p{n}", name=f"show{n}", channel_id="nb:chid:UUID:ch1", asset_id=cid(7), state=0,
                  created=dt.datetime(2019, 1, n, tzinfo=dt.timezone.utc))
        for n in range(1, 4)
    ]
    inventory = MemoryInventory([*items, *programs], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    changes = {p: map_program(inventory.get("Programs", p), ctx)[0].action for p in ("nb:pgid:UUID:p3", "nb:pgid:UUID:pg1", "nb:pgid:UUID:p1", "nb:pgid:UUID:p2")}
    # pg1 is running: it keeps its place; then the oldest stopped ones.
    assert {p: a.change for p, a in changes.items()} == {
        "nb:pgid:UUID:pg1": Change.CREATE, "nb:pgid:UUID:p1": Change.CREATE, "nb:pgid:UUID:p2": Change.CREATE, "nb:pgid:UUID:p3": Change.MANUAL,
    }
    assert "live event news holds 3" in changes["nb:pgid:UUID:p3"].findings[0].message


def test_a_program_on_a_channel_over_the_live_event_quota_is_not_created():
    items, links = sample_account()
    # Five running channels with a creation time rank before the sample's ch1, which has none.
    extra = [_rtmp_channel(n, running=True) for n in range(1, 6)]
    inventory = MemoryInventory([*items, *extra], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    assert map_channel(inventory.get("Channels", "nb:chid:UUID:ch1"), ctx)[0].action.change is Change.MANUAL
    [proposal] = map_program(inventory.get("Programs", "nb:pgid:UUID:pg1"), ctx)
    assert (proposal.action.change, proposal.action.address) == (Change.MANUAL, "manual/programs/nb:pgid:UUID:pg1")
    assert proposal.action.findings[0].code == "QUOTA_EXCEEDED" and "channel news" in proposal.action.findings[0].message
