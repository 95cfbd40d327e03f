"""A plan is refused when its inventory or its target changed since planning; the message says which."""

from __future__ import annotations

import sqlite3

import pytest
import responses
from click.testing import CliRunner

from apply_fixtures import TARGET, FakeArm, make_action, make_plan
from migrator.cli import cli
from migrator.exceptions import StalePlanError
from migrator.executor import check_plan_is_current, target_state_fingerprint
from migrator.plan import save
from migrator.planner import state_fingerprint
from migrator.status import ExitStatus
from migrator.v3.ids import ResourceType, resource_id


def fingerprint_of(arm: FakeArm, plan) -> str:
    return target_state_fingerprint(arm, plan)


def test_unchanged_target_passes_and_a_new_resource_makes_the_plan_stale(journal):
    arm = FakeArm()
    arm.put(resource_id(TARGET, ResourceType.ASSET, "existing").id, {"properties": {"description": "kept"}})
    planned = make_plan([make_action("assets/a1")], state=fingerprint_of(arm, make_plan([])))
    check_plan_is_current(planned, journal, target_fingerprint=lambda p: target_state_fingerprint(arm, p))
    arm.put(resource_id(TARGET, ResourceType.ASSET, "added-by-someone").id, {"properties": {}})
    with pytest.raises(StalePlanError, match="the target account target changed since planning") as err:
        check_plan_is_current(planned, journal, target_fingerprint=lambda p: target_state_fingerprint(arm, p))
    assert err.value.fields["reason"] == "target"


def test_target_is_not_rechecked_once_the_journal_shows_this_plans_own_progress(journal):
    planned = make_plan([make_action("assets/a1")], state="sha256:" + "0" * 64)
    journal.record_started("assets/a1")
    check_plan_is_current(planned, journal, target_fingerprint=lambda p: pytest.fail("the target must not be re-read"))


def test_plan_made_without_refresh_skips_the_target_check(journal):
    check_plan_is_current(make_plan([make_action("assets/a1")]), journal, target_fingerprint=lambda p: pytest.fail("no check"))


def test_empty_target_fingerprint_is_the_planners_own():
    assert target_state_fingerprint(FakeArm(), make_plan([])) == state_fingerprint({})


def test_plan_from_another_inventory_is_refused_naming_both_fingerprints(tmp_path, journal):
    from migrator.v2.store import InventoryStore

    inventory = _complete_inventory(tmp_path / "inventory.sqlite")
    with InventoryStore.open(inventory) as store:
        actual = store.meta.fingerprint
    check_plan_is_current(make_plan([], inventory=actual), journal, inventory_path=inventory)
    with pytest.raises(StalePlanError, match="the plan was made from another inventory") as err:
        check_plan_is_current(make_plan([], inventory="sha256:" + "9" * 64), journal, inventory_path=inventory)
    assert actual[:19] in str(err.value) and err.value.fields["reason"] == "inventory"


def test_inventory_edited_after_it_was_read_is_refused(tmp_path, journal):
    from migrator.v2.store import InventoryStore

    inventory = _complete_inventory(tmp_path / "inventory.sqlite")
    with InventoryStore.open(inventory) as store:
        actual = store.meta.fingerprint
    with sqlite3.connect(inventory) as conn:
        assert conn.execute("UPDATE entities SET record = replace(record, '\"FormatOption\":0', '\"FormatOption\":1')").rowcount > 0
    with pytest.raises(StalePlanError, match="was modified after it was read"):
        check_plan_is_current(make_plan([], inventory=actual), journal, inventory_path=inventory)


def _complete_inventory(path):
    """An inventory written by the real reader from the sandbox's v2 face (two assets)."""
    from migrator.auth import StaticTokenProvider
    from migrator.http import build_session
    from migrator.sandbox.app import Sandbox
    from migrator.v2.reader import READ_RETRY, ReaderSettings, read_inventory

    with Sandbox(assets=2, seed=9) as sandbox:
        read_inventory(
            path,
            ReaderSettings(endpoint=sandbox.describe().v2_endpoint, parallel=2),
            provider=StaticTokenProvider(sandbox.token, api="v2"),
            session=build_session(READ_RETRY),
            entity_sets=["Assets"],
        )
    return path


def test_cli_refuses_a_plan_whose_target_changed_with_the_stale_status(tmp_path):
    path = tmp_path / "plan.json"
    save(make_plan([make_action("assets/a1")], state=state_fingerprint({})), path)
    base = "https://management.example" + f"/subscriptions/{TARGET.subscription_id}/resourceGroups/rg/providers/Microsoft.Media/mediaServices/target"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(base + "/assets", json={"value": [{"name": "appeared", "properties": {}}]})
        for collection in ("streamingLocators", "streamingPolicies", "contentKeyPolicies", "accountFilters", "transforms", "liveEvents", "streamingEndpoints", "providers/Microsoft.EventGrid/eventSubscriptions"):
            rsps.get(base.replace("mediaServices", "mediaservices") + "/" + collection, json={"value": []})
            rsps.get(base + "/" + collection, json={"value": []})
        result = CliRunner().invoke(cli, ["apply", str(path), "--arm-token", "t0ken-value"])
        assert not any(call.request.method == "PUT" for call in rsps.calls)
    assert result.exit_code == ExitStatus.STALE_PLAN, result.output
    assert "the target account target changed since planning" in result.output
