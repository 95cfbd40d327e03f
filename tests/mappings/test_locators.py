"""Locators and access policies -> streaming locators."""

from __future__ import annotations

import datetime as dt

from inventory_fixtures import MemoryInventory, cid, kid, lid, sample_account, sample_context
from openapi_check import body_errors

from migrator.mappings import tables
from migrator.mappings.base import Mode
from migrator.mappings.locators import map_access_policy, map_locator
from migrator.mappings.protection import ProtectionPlanner
from migrator.plan import Change
from migrator.v2 import entities as e


def locate(inventory, ctx, n):
    return map_locator(inventory.get("Locators", lid(n)), ctx, ProtectionPlanner(ctx))


def test_new_account_locator_keeps_the_v2_guid_as_streaming_locator_id(inventory, new_ctx):
    [proposal] = locate(inventory, new_ctx, 2)
    props = proposal.action.body["properties"]
    assert props["streamingLocatorId"] == "00000000-0000-0000-00bb-000000000002"
    assert props["assetName"] == "00000000-0000-0000-0000-000000000002"
    assert props["streamingPolicyName"] == "Predefined_ClearStreamingOnly"
    assert "LOCATOR_HOST_CHANGES" in [f.code for f in proposal.action.findings]
    assert body_errors(proposal.action) == []


def test_the_access_policy_duration_becomes_the_locator_end_time(inventory, new_ctx):
    [proposal] = locate(inventory, new_ctx, 2)
    props = proposal.action.body["properties"]
    assert (props["startTime"], props["endTime"]) == ("2020-01-01T00:00:00Z", "2029-12-29T00:00:00Z")  # 3650 days later
    assert "nb:pid:UUID:p1" in proposal.action.sources
    assert "LOCATOR_ACCESS_POLICY_FOLDED" in [f.code for f in proposal.action.findings]


def test_encrypted_locator_carries_key_ids_but_never_values(inventory, new_ctx):
    [proposal] = locate(inventory, new_ctx, 1)
    action = proposal.action
    props = action.body["properties"]
    assert props["contentKeys"] == [
        {"id": "00000000-0000-0000-00aa-000000000001", "labelReferenceInStreamingPolicy": "envelopeKey", "value": "{secret}"}
    ]
    assert [r.to_dict() for r in action.secret_refs] == [
        {"path": "properties.contentKeys[0].value", "from": "source-content-key",
         "key_id": "00000000-0000-0000-00aa-000000000001", "locator": "00000000-0000-0000-00bb-000000000001"}
    ]
    assert props["streamingPolicyName"].startswith("v2-") and props["defaultContentKeyPolicyName"].startswith("v2-")
    assert action.depends_on == (
        "assets/00000000-0000-0000-0000-000000000001",
        f"contentKeyPolicies/{props['defaultContentKeyPolicyName']}",
        "copies/00000000-0000-0000-0000-000000000001",
        f"streamingPolicies/{props['streamingPolicyName']}",
    )
    assert kid(1) in action.sources and "nb:adpid:UUID:d1" in action.sources
    assert body_errors(action) == []


def test_sas_locators_have_no_v3_entity(inventory, new_ctx):
    [proposal] = locate(inventory, new_ctx, 3)
    assert proposal.action.change is Change.UNSUPPORTED
    assert proposal.action.findings[0].code == "LOCATOR_SAS"
    assert proposal.action.sources == (lid(3), "nb:pid:UUID:p2")


def test_expired_locators_are_ignored(inventory, new_ctx, same_ctx):
    for ctx in (new_ctx, same_ctx):
        [proposal] = locate(inventory, ctx, 4)
        assert proposal.action.change is Change.IGNORE
        assert proposal.action.findings[0].code == "LOCATOR_EXPIRED"


def test_a_future_start_is_kept_and_reported(inventory, new_ctx):
    [proposal] = locate(inventory, new_ctx, 5)
    assert proposal.action.body["properties"]["startTime"] == "2024-03-03T12:00:00Z"
    assert "LOCATOR_FUTURE_START" in [f.code for f in proposal.action.findings]


def test_same_account_locator_is_expected_visible_and_accounts_for_the_asset_keys(inventory, same_ctx):
    [proposal] = locate(inventory, same_ctx, 1)
    assert proposal.action.change is Change.NO_CHANGE and proposal.action.body is None
    assert proposal.action.sources == (kid(1), lid(1), "nb:pid:UUID:p1")


def test_access_policies_are_accounted_by_locators_or_ignored_as_unused(inventory, new_ctx):
    assert map_access_policy("nb:pid:UUID:p1", new_ctx, {"nb:pid:UUID:p1"}) == []
    [proposal] = map_access_policy("nb:pid:UUID:p9", new_ctx, set())
    assert proposal.action.findings[0].code == "ACCESS_POLICY_UNUSED"


def _asset_one_with_more_locators(count: int):
    """The sample account with ``count`` more streaming locators on the encrypted asset 1."""
    items, links = sample_account()
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    extra = [e.Locator(id=lid(100 + i), type=2, asset_id=cid(1), access_policy_id="nb:pid:UUID:p1", start_time=start) for i in range(count)]
    inventory = MemoryInventory([*items, *extra], links)
    return inventory, sample_context(Mode.NEW_ACCOUNT, inventory)


def test_in_a_new_account_a_locator_waits_for_its_assets_content_copy(inventory, new_ctx):
    [proposal] = locate(inventory, new_ctx, 2)
    assert "copies/00000000-0000-0000-0000-000000000002" in proposal.action.depends_on


def test_only_the_first_locator_of_an_asset_carries_the_v2_content_keys_the_others_get_new_keys(inventory, new_ctx):
    inventory, ctx = _asset_one_with_more_locators(2)
    protection = ProtectionPlanner(ctx)
    # Mapped in reverse order: the choice must not depend on the order of mapping.
    later, first, middle = (map_locator(inventory.get("Locators", lid(n)), ctx, protection)[0].action for n in (101, 1, 100))
    assert [k["id"] for k in first.body["properties"]["contentKeys"]] == ["00000000-0000-0000-00aa-000000000001"]
    for action in (middle, later):
        props = action.body["properties"]
        assert "contentKeys" not in props and action.secret_refs == ()
        assert props["streamingPolicyName"] == first.body["properties"]["streamingPolicyName"]
        assert props["defaultContentKeyPolicyName"] == first.body["properties"]["defaultContentKeyPolicyName"]
        [regenerated] = [f for f in action.findings if f.code == "LOCATOR_KEYS_REGENERATED"]
        assert regenerated.severity.value == "warning" and "00000000-0000-0000-00bb-000000000001" in regenerated.message
        assert body_errors(action) == []
    assert "LOCATOR_KEYS_REGENERATED" not in [f.code for f in first.findings]


def test_a_clear_assets_second_locator_needs_no_key_warning(inventory, new_ctx):
    items, links = sample_account()
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    inventory = MemoryInventory([*items, e.Locator(id=lid(90), type=2, asset_id=cid(2), start_time=start)], links)
    ctx = sample_context(Mode.NEW_ACCOUNT, inventory)
    [proposal] = map_locator(inventory.get("Locators", lid(90)), ctx, ProtectionPlanner(ctx))
    assert proposal.action.change is Change.CREATE
    assert "LOCATOR_KEYS_REGENERATED" not in [f.code for f in proposal.action.findings]


def test_locators_past_the_per_asset_quota_are_manual_steps_not_creates(monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "streamingLocatorsPerAsset", 2)
    inventory, ctx = _asset_one_with_more_locators(2)
    protection = ProtectionPlanner(ctx)
    changes = {n: map_locator(inventory.get("Locators", lid(n)), ctx, protection)[0].action for n in (1, 100, 101)}
    assert [changes[n].change for n in (1, 100, 101)] == [Change.CREATE, Change.CREATE, Change.MANUAL]
    [quota] = changes[101].findings
    assert quota.code == "QUOTA_EXCEEDED" and "number 3 of 3" in quota.message
