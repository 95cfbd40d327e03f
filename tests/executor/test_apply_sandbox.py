"""End to end on the sandbox: the real CLI applies, dry-runs, survives SIGKILL and verifies."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from migrator.auth import StaticTokenProvider
from migrator.plan import AccountCoordinates, Action, Change, InventoryInfo, Phase, Plan, SecretRef, save
from migrator.sandbox.app import RESOURCE_GROUP, SOURCE_ACCOUNT, SUBSCRIPTION_ID, TARGET_ACCOUNT, Sandbox
from migrator.status import ExitStatus
from migrator.v3.client import ArmClient, arm_session

pytestmark = pytest.mark.e2e

T = "Microsoft.Media/mediaServices/"


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(assets=20, seed=3) as running:
        yield running


def locators_to_keep(running: Sandbox, count: int) -> list[tuple[str, str]]:
    """(asset name, v2 locator GUID) pairs of the seeded source account, one locator per asset."""
    client = ArmClient(arm_session(), running.base_url, StaticTokenProvider(running.token, api="ARM"))
    pairs: dict[str, str] = {}
    for locator in client.list(running.describe().source.id + "/streamingLocators"):
        pairs.setdefault(locator["properties"]["assetName"], locator["name"])
    assert len(pairs) >= count, "the seeded account has too few locators for this test"
    return sorted(pairs.items())[:count]


def coordinates(sandbox, account: str, with_state: bool = True) -> AccountCoordinates:
    return AccountCoordinates(sandbox.base_url, SUBSCRIPTION_ID, RESOURCE_GROUP, account, "sha256:unused" if with_state else None)


def new_account_plan(running: Sandbox, pairs: list[tuple[str, str]], *, copies: bool = True) -> Plan:
    """A new-account plan in the documented shape: assets, content copy, locators keeping v2 GUIDs."""
    actions = []
    for index, (asset, guid) in enumerate(pairs):
        actions.append(Action(f"assets/{asset}", Change.CREATE, T + "assets", asset, "put", Phase.PREPARE,
                              sources=(f"nb:cid:UUID:{asset}",), body={"properties": {"description": f"asset {index}", "container": f"asset-{asset}"}}))
        locator_needs = (f"assets/{asset}",)
        if copies:
            actions.append(Action(f"copy/{asset}", Change.CREATE, "copy:blobs", asset, "content-copy", Phase.CONTENT_COPY, depends_on=(f"assets/{asset}",)))
            locator_needs = (f"copy/{asset}",)
        actions.append(Action(f"streamingLocators/{guid}", Change.CREATE, T + "streamingLocators", guid, "put", Phase.PUBLISH,
                              sources=(f"nb:lid:UUID:{guid}",), depends_on=locator_needs,
                              body={"properties": {"assetName": asset, "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": guid}}))
    return Plan("0.1.0", "new-account", False, InventoryInfo("sha256:inv", running.base_url + "/api/", "2026-01-01T00:00:00Z", {"Assets": len(pairs)}),
                coordinates(running, TARGET_ACCOUNT, with_state=False), coordinates(running, SOURCE_ACCOUNT, with_state=False),
                tuple(actions), {"Assets": {"total": len(pairs), "accounted": len(pairs)}})


def migrator(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, timeout=timeout)


def target_mutations(sandbox) -> list:
    return [e for e in sandbox.request_log.mutations("v3") if f"/{TARGET_ACCOUNT}/" in e.path.lower()]


def test_dry_run_on_the_sandbox_changes_nothing_and_lists_every_write(sandbox, tmp_path):
    plan_path = tmp_path / "plan.json"
    save(new_account_plan(sandbox, locators_to_keep(sandbox, 2)), plan_path)
    sandbox.request_log.clear()
    result = migrator("apply", str(plan_path), "--dry-run", "--dry-run-out", str(tmp_path / "dry.json"), "--arm-token", sandbox.token)
    assert result.returncode == 0, result.stderr
    assert sandbox.request_log.mutations("v3") == []
    assert not any(e.method in ("PUT", "POST", "PATCH", "DELETE") for e in sandbox.request_log.entries("v3"))
    document = json.loads((tmp_path / "dry.json").read_text())
    written = [r for r in document["requests"] if r["method"] == "PUT"]
    assert len(written) == 4
    assert "Dry run complete, nothing sent: 8 request(s) would change the target" in result.stdout  # 4 PUTs + 4 listContainerSas


def test_apply_then_verify_on_the_sandbox_keeps_every_locator_path(sandbox, tmp_path):
    plan_path = tmp_path / "plan.json"
    save(new_account_plan(sandbox, locators_to_keep(sandbox, 3)), plan_path)
    result = migrator("apply", str(plan_path), "--yes", "--arm-token", sandbox.token)
    assert result.returncode == 0, result.stderr
    assert "Apply complete: 6 created, 3 copied, 0 unchanged, 0 failed." in result.stdout
    (script,) = tmp_path.glob("azcopy-*.sh")
    assert oct(script.stat().st_mode & 0o777) == "0o600"
    again = migrator("apply", str(plan_path), "--yes", "--arm-token", sandbox.token)
    assert "Nothing to do" in again.stdout and again.returncode == 0
    audit = migrator("verify", str(plan_path), "--arm-token", sandbox.token, "--output", "json")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert json.loads(audit.stdout)["summary"]["paths_kept"] == 3


def test_verify_on_the_sandbox_fails_for_resources_never_applied(sandbox, tmp_path):
    plan_path = tmp_path / "plan.json"
    plan = new_account_plan(sandbox, [("never-applied", "5e5e0000-0000-0000-0000-000000000001")], copies=False)
    renamed = plan.actions[:1]
    save(Plan(plan.tool_version, plan.mode, plan.refreshed, plan.inventory, plan.target, plan.source, renamed, plan.coverage), plan_path)
    audit = migrator("verify", str(plan_path), "--arm-token", sandbox.token)
    assert audit.returncode == ExitStatus.VERIFY_FAILED
    assert "MISSING   body  assets/never-applied" in audit.stdout


def done_count(journal) -> int:
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT COUNT(*) FROM actions WHERE state = 'done'").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_apply_killed_with_sigkill_resumes_to_completion_without_duplicates(tmp_path):
    with Sandbox(assets=60, seed=5, v3_latency_ms=40) as slow:
        client = ArmClient(arm_session(), slow.base_url, StaticTokenProvider(slow.token, api="ARM"))
        pairs = locators_to_keep(slow, 16)
        plan_path = tmp_path / "plan.json"
        save(new_account_plan(slow, pairs, copies=False), plan_path)
        journal = tmp_path / "plan.json.journal"
        args = [sys.executable, "-m", "migrator", "apply", str(plan_path), "--yes", "--parallel", "2", "--arm-token", slow.token]
        first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while done_count(journal) < 6 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        killed_at = done_count(journal)
        assert 0 < killed_at < 32, "the kill must land part-way"
        second = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "0 failed" in second.stdout
        puts = Counter(e.path.lower() for e in target_mutations(slow) if e.method == "PUT" and 200 <= e.status < 300)
        refused = [e for e in target_mutations(slow) if e.status >= 400]
        assert refused == []  # a second create of a locator would be refused with 409
        assert all(n == 1 for path, n in puts.items() if "/streaminglocators/" in path), puts
        target = slow.describe().target.id
        assert len(list(client.list(target + "/assets"))) == 16
        assert len(list(client.list(target + "/streamingLocators"))) == 16


def envelope_locator(running: Sandbox) -> tuple[str, str, str, str]:
    """(asset, locator GUID, key id, key value) of a seeded source locator with an envelope key."""
    client = ArmClient(arm_session(), running.base_url, StaticTokenProvider(running.token, api="ARM"))
    source = running.describe().source.id
    for locator in client.list(source + "/streamingLocators"):
        keys = locator["properties"].get("contentKeys") or []
        if len(keys) == 1 and keys[0]["type"] == "EnvelopeEncryption":
            (key,) = client.post(f"{source}/streamingLocators/{locator['name']}", "listContentKeys")["contentKeys"]
            return locator["properties"]["assetName"], locator["name"], key["id"], key["value"]
    pytest.fail("the seeded account has no locator with one envelope key")


def test_content_key_values_travel_from_the_source_and_appear_in_no_artifact_or_log(sandbox, tmp_path):
    asset, guid, key_id, key_value = envelope_locator(sandbox)
    base = new_account_plan(sandbox, [(asset, guid)], copies=True)
    locator = base.actions[-1]
    body = {"properties": dict(locator.body["properties"], streamingPolicyName="Predefined_ClearKey", contentKeys=[{"id": key_id, "value": "{secret}"}])}
    ref = SecretRef("properties.contentKeys[0].value", "source-content-key", (("key_id", key_id), ("locator", guid)))
    keyed = Action(locator.address, locator.change, locator.resource_type, locator.name, locator.operation, locator.phase,
                   sources=locator.sources, depends_on=locator.depends_on, body=body, secret_refs=(ref,))
    plan_path = tmp_path / "plan.json"
    save(Plan(base.tool_version, base.mode, base.refreshed, base.inventory, base.target, base.source, base.actions[:-1] + (keyed,), base.coverage), plan_path)
    dry = migrator("-vv", "apply", str(plan_path), "--dry-run", "--dry-run-out", str(tmp_path / "dry.json"), "--arm-token", sandbox.token)
    real = migrator("-vv", "apply", str(plan_path), "--yes", "--arm-token", sandbox.token)
    assert real.returncode == 0, real.stderr
    client = ArmClient(arm_session(), sandbox.base_url, StaticTokenProvider(sandbox.token, api="ARM"))
    answer = client.post(f"{sandbox.describe().target.id}/streamingLocators/{guid}", "listContentKeys")
    assert [k["value"] for k in answer["contentKeys"]] == [key_value]
    texts = [dry.stdout, dry.stderr, real.stdout, real.stderr]
    files = [p for p in tmp_path.iterdir() if p.is_file()]
    assert len(files) >= 5  # plan, dry-run output, journal (+ WAL side files), lock, azcopy script
    for blob in [t.encode() for t in texts] + [p.read_bytes() for p in files]:
        assert key_value.encode() not in blob


def same_account_plan(running: Sandbox) -> Plan:
    """Same account: the v2 locators are already v3 locators (no change); what v3 cannot see is created."""
    client = ArmClient(arm_session(), running.base_url, StaticTokenProvider(running.token, api="ARM"))
    source = running.describe().source.id
    kept = []
    for locator in list(client.list(source + "/streamingLocators"))[:3]:
        current = {"properties": {k: v for k, v in locator["properties"].items() if k in ("assetName", "streamingLocatorId", "streamingPolicyName")}}
        kept.append(Action(f"streamingLocators/{locator['name']}", Change.NO_CHANGE, T + "streamingLocators", locator["name"], "none", Phase.PUBLISH,
                           sources=(f"nb:lid:UUID:{locator['name']}",), current=current))
    preset = {"@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset", "presetName": "AdaptiveStreaming"}
    stop = Action("manual/channels/nb:chid:UUID:c1", Change.MANUAL, "v2:Channels", "nb:chid:UUID:c1", "confirm", Phase.CUTOVER, downtime=True)
    created = [
        Action("transforms/adaptive", Change.CREATE, T + "transforms", "adaptive", "put", Phase.PREPARE, body={"properties": {"outputs": [{"preset": preset}]}}),
        stop,
        Action("liveEvents/news", Change.CREATE, T + "liveEvents", "news", "put", Phase.CUTOVER, depends_on=(stop.address,), downtime=True,
               body={"location": "westus2", "properties": {"input": {"streamingProtocol": "RTMP"}}}),
        Action("liveEvents/news/start", Change.CREATE, T + "liveEvents", "news", "post:start", Phase.CUTOVER, depends_on=("liveEvents/news",),
               irreversible=True, downtime=True),
    ]
    coordinates_ = coordinates(running, SOURCE_ACCOUNT, with_state=False)
    inventory = InventoryInfo("sha256:inv", running.base_url + "/api/", "2026-01-01T00:00:00Z", {"Locators": 3})
    return Plan("0.1.0", "same-account", False, inventory, coordinates_, None, tuple(kept + created), {"Locators": {"total": 3, "accounted": 3}})


def test_same_account_plan_applies_by_phase_and_verifies_on_the_sandbox(sandbox, tmp_path):
    plan_path = tmp_path / "plan.json"
    save(same_account_plan(sandbox), plan_path)
    prepare = migrator("apply", str(plan_path), "--phase", "prepare", "--arm-token", sandbox.token)
    assert prepare.returncode == 0 and "Apply complete: 1 created, 0 unchanged, 0 failed." in prepare.stdout, prepare.stderr
    refused = migrator("apply", str(plan_path), "--phase", "cutover", "--arm-token", sandbox.token)
    assert refused.returncode == ExitStatus.ABORTED  # the channel stop needs an operator (no terminal, no --yes)
    cutover = migrator("apply", str(plan_path), "--phase", "cutover", "--yes", "--arm-token", sandbox.token)
    assert cutover.returncode == 0, cutover.stderr
    assert "Apply complete: 1 created, 1 confirmed, 1 started, 0 unchanged, 0 failed." in cutover.stdout
    everything = migrator("apply", str(plan_path), "--arm-token", sandbox.token)
    assert "Nothing to do" in everything.stdout
    audit = migrator("verify", str(plan_path), "--arm-token", sandbox.token, "--output", "json")
    assert audit.returncode == 0, audit.stdout
    summary = json.loads(audit.stdout)["summary"]
    assert summary["missing"] == summary["different"] == 0 and summary["paths_kept"] == 3


def test_real_same_account_plan_runs_dry_then_applies_verifies_and_refuses_once_stale(tmp_path):
    """The planner's own plan through every command: the contract between plan, apply and verify."""
    with Sandbox(assets=12, seed=1) as running:
        env = {"MIGRATOR_ARM_TOKEN": running.token, "MIGRATOR_ARM_ENDPOINT": running.base_url, "MIGRATOR_V2_TOKEN": running.token}
        account = ["--subscription-id", SUBSCRIPTION_ID, "--resource-group", RESOURCE_GROUP, "--account-name", SOURCE_ACCOUNT]

        def run(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env})

        inventory, plan_path = tmp_path / "inventory.db", tmp_path / "plan.json"
        assert run("inventory", "--out", str(inventory), "--v2-endpoint", running.base_url + "/api/").returncode == 0
        planned = run("plan", "--inventory", str(inventory), *account, "--mode", "same-account", "--out", str(plan_path))
        assert planned.returncode == 0, planned.stderr
        dry = run("apply", str(plan_path), "--dry-run", "--inventory", str(inventory))
        assert dry.returncode == 0 and "nothing sent" in dry.stdout, dry.stderr
        assert target_mutations_of(running, SOURCE_ACCOUNT) == []
        applied = run("apply", str(plan_path), "--yes", "--inventory", str(inventory))
        assert applied.returncode == 0 and "0 failed" in applied.stdout, applied.stdout + applied.stderr
        audit = run("verify", str(plan_path), "--output", "json")
        assert audit.returncode == 0, audit.stdout
        assert json.loads(audit.stdout)["summary"]["paths_kept"] > 0
        replanned = tmp_path / "plan2.json"
        assert run("plan", "--inventory", str(inventory), *account, "--mode", "same-account", "--out", str(replanned)).returncode == 0
        client = ArmClient(arm_session(), running.base_url, StaticTokenProvider(running.token, api="ARM"))
        client.put(running.describe().source.id + "/assets/created-by-someone-else", {"properties": {}})
        stale = run("apply", str(replanned), "--yes")
        assert stale.returncode == ExitStatus.STALE_PLAN
        assert "changed since planning" in stale.stderr


def target_mutations_of(running: Sandbox, account: str) -> list:
    return [e for e in running.request_log.mutations("v3") if f"/{account}/" in e.path.lower()]


def test_ctrl_c_stops_apply_with_status_130_and_the_next_run_finishes(tmp_path):
    with Sandbox(assets=40, seed=6, v3_latency_ms=40) as slow:
        pairs = locators_to_keep(slow, 10)
        plan_path = tmp_path / "plan.json"
        save(new_account_plan(slow, pairs, copies=False), plan_path)
        journal = tmp_path / "plan.json.journal"
        args = [sys.executable, "-m", "migrator", "apply", str(plan_path), "--yes", "--parallel", "2", "--arm-token", slow.token]
        first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while done_count(journal) < 3 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=30)
        assert first.returncode == ExitStatus.INTERRUPTED, err
        assert "Interrupted." in err
        with sqlite3.connect(journal) as conn:
            states = dict(conn.execute("SELECT state, COUNT(*) FROM actions GROUP BY state").fetchall())
        assert states.get("in_flight", 0) == 0  # the workers that had started finished their requests
        second = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0 and "0 failed" in second.stdout, second.stderr
