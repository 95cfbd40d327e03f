"""End to end on the sandbox: inventory, then the real ``migrator plan`` CLI in both modes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from openapi_check import body_errors

from migrator.plan import Change, load
from migrator.sandbox.app import RESOURCE_GROUP, SOURCE_ACCOUNT, SUBSCRIPTION_ID, TARGET_ACCOUNT, Sandbox
from migrator.sandbox.seed import FULL_COVERAGE_ASSETS, seeded_secret_values
from migrator.status import ExitStatus

pytestmark = pytest.mark.e2e

SEED = 5


def migrator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(assets=FULL_COVERAGE_ASSETS, seed=SEED) as running:
        yield running


@pytest.fixture(scope="module")
def inventory(sandbox, tmp_path_factory):
    path = tmp_path_factory.mktemp("inv") / "inventory.db"
    result = migrator("inventory", "--out", str(path), "--v2-endpoint", sandbox.describe().v2_endpoint, "--v2-token", sandbox.token)
    assert result.returncode == 0, result.stderr
    return path


def plan_args(sandbox, inventory, out, mode):
    target = SOURCE_ACCOUNT if mode == "same-account" else TARGET_ACCOUNT
    args = ["plan", "--inventory", str(inventory), "--subscription-id", SUBSCRIPTION_ID, "--resource-group", RESOURCE_GROUP,
            "--account-name", target, "--mode", mode, "--arm-endpoint", sandbox.base_url, "--arm-token", sandbox.token, "--out", str(out)]
    if mode == "new-account":
        args += ["--source-account-name", SOURCE_ACCOUNT]
    return args


@pytest.mark.parametrize("mode", ["same-account", "new-account"])
def test_a_sandbox_account_is_planned_with_every_entity_accounted_for(sandbox, inventory, tmp_path, mode):
    out = tmp_path / "plan.json"
    result = migrator(*plan_args(sandbox, inventory, out, mode), "--detailed-exitcode")
    assert result.returncode == ExitStatus.CHANGES_PRESENT, result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("Plan: ")
    plan = load(out)
    assert plan.refreshed and plan.target.state_fingerprint.startswith("sha256:")
    assert plan.fully_covered, {k: v for k, v in plan.coverage.items() if v["total"] != v["accounted"]}
    assert sum(c["total"] for c in plan.coverage.values()) > 100


@pytest.mark.parametrize("mode", ["same-account", "new-account"])
def test_no_seeded_secret_is_anywhere_in_the_plan_or_the_output(sandbox, inventory, tmp_path, mode):
    out = tmp_path / "plan.json"
    result = migrator(*plan_args(sandbox, inventory, out, mode), "-o", "json")
    assert result.returncode == 0, result.stderr
    written = out.read_text() + result.stdout + result.stderr
    assert [s for s in seeded_secret_values(SEED, FULL_COVERAGE_ASSETS) if s in written] == []
    assert json.loads(result.stdout)["checksum"] == json.loads(out.read_text())["checksum"]


@pytest.mark.parametrize("mode", ["same-account", "new-account"])
def test_every_body_planned_for_the_sandbox_is_valid_against_the_official_openapi(sandbox, inventory, tmp_path, mode):
    out = tmp_path / "plan.json"
    assert migrator(*plan_args(sandbox, inventory, out, mode)).returncode == 0
    checked = [a for a in load(out).actions if a.body is not None and (a.resource_type or "").startswith("Microsoft.")]
    assert checked
    assert {a.address: body_errors(a) for a in checked if body_errors(a)} == {}


def test_planning_the_same_account_twice_gives_byte_identical_files(sandbox, inventory, tmp_path):
    for name in ("a.json", "b.json"):
        assert migrator(*plan_args(sandbox, inventory, tmp_path / name, "new-account")).returncode == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_same_account_confirms_v2_publishing_is_visible_and_creates_only_the_rest(sandbox, inventory, tmp_path):
    out = tmp_path / "plan.json"
    assert migrator(*plan_args(sandbox, inventory, out, "same-account")).returncode == 0
    plan = load(out)
    locators = [a for a in plan.actions if a.resource_type == "Microsoft.Media/mediaServices/streamingLocators"]
    assert locators and all(a.change is Change.NO_CHANGE for a in locators)
    assert not any(a.change is Change.CREATE and a.resource_type.endswith(("/assets", "/streamingLocators")) for a in plan.actions)


def test_offline_planning_needs_no_target_and_says_so(inventory, tmp_path):
    out = tmp_path / "plan.json"
    result = migrator("plan", "--inventory", str(inventory), "--subscription-id", "s", "--resource-group", "g", "--account-name", "a",
                      "--mode", "new-account", "--source-account-name", "old", "--no-refresh", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "--no-refresh" in result.stdout
    assert load(out).refreshed is False


def test_new_account_without_a_source_account_is_a_usage_error(inventory, tmp_path):
    result = migrator("plan", "--inventory", str(inventory), "--subscription-id", "s", "--resource-group", "g", "--account-name", "a",
                      "--mode", "new-account", "--no-refresh", "--out", str(tmp_path / "p.json"))
    assert result.returncode == ExitStatus.USAGE
    assert "--source-account-name" in result.stderr


def test_with_detailed_exitcode_every_error_is_1_and_usage_errors_stay_apart(inventory, tmp_path):
    base = ["plan", "--inventory", str(inventory), "--subscription-id", "s", "--resource-group", "g", "--account-name", "a",
            "--mode", "new-account", "--no-refresh", "--out", str(tmp_path / "p.json"), "--detailed-exitcode"]
    assert migrator(*base).returncode == ExitStatus.ERROR
    assert migrator(*base, "--no-such-option").returncode == ExitStatus.USAGE


# The planner's steps in the order of the entity families, as the pipeline was first written:
# the memory-saving order of ``Planner.STEPS`` must plan exactly the same.
FAMILY_ORDER = (
    "generate_graph", "generate_assets", "generate_files", "generate_storage_accounts", "generate_locators",
    "generate_policies", "generate_content_keys", "generate_key_policies", "generate_key_options",
    "generate_delivery_policies", "generate_access_policies", "generate_filters", "generate_transforms",
    "generate_jobs", "generate_media_processors", "generate_reserved_units", "generate_live",
    "generate_streaming_endpoints", "generate_notifications", "generate_ingest", "generate_graph_findings",
    "generate_quota_findings", "refresh",
)


@pytest.mark.parametrize("mode", ["same-account", "new-account"])
def test_the_planner_step_order_changes_nothing_in_the_plan(inventory, mode, monkeypatch):
    from migrator.mappings.base import Mode
    from migrator.plan import AccountCoordinates, dumps
    from migrator.planner import Planner, PlanRequest, make_plan
    from migrator.v2.store import InventoryStore

    assert sorted(Planner.STEPS) == sorted(FAMILY_ORDER)
    target = AccountCoordinates("https://management.azure.com", SUBSCRIPTION_ID, RESOURCE_GROUP, TARGET_ACCOUNT)
    source = AccountCoordinates("https://management.azure.com", SUBSCRIPTION_ID, RESOURCE_GROUP, SOURCE_ACCOUNT)
    request = PlanRequest(mode=Mode(mode), target=target, source=source if mode == "new-account" else None, refresh=False, location="westeurope")
    with InventoryStore.open(inventory) as store:
        planned = dumps(make_plan(store, request))
        monkeypatch.setattr(Planner, "STEPS", FAMILY_ORDER)
        in_family_order = dumps(make_plan(store, request))
    assert planned == in_family_order
