"""Both migrations through the real CLI, one subprocess per command, against a sandbox the test starts.

inventory -> plan -> report -> apply --dry-run -> apply --yes -> apply again -> verify, each as
``python3 -m migrator -vv ...`` (debug logs on, so every log line is checked for secrets too).
The chain runs once per mode (module fixture); each test checks one promise on its record.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from e2e_helpers import (
    INVENTORY_FILE,
    Run,
    arm_client,
    artifact_texts,
    leaked_secrets,
    migrator,
    paths_of,
    plan_arguments,
    sandbox_environment,
)
from migrator.sandbox.app import Sandbox
from migrator.sandbox.seed import seeded_secret_values

pytestmark = pytest.mark.e2e

SEED = 7
ASSETS = 32  # one period of the generator's profiles: every hard case once
LOCATOR_TYPE = "Microsoft.Media/mediaServices/streamingLocators"
KEPT = ("create", "modify", "no-change")
_V2_LOCATOR = re.compile(r"^nb:lid:UUID:([0-9a-fA-F-]{36})$")


@dataclass
class Cutover:
    mode: str
    workdir: Path
    runs: dict[str, Run] = field(default_factory=dict)
    failed_stage: str | None = None
    v2_write_attempts: int = -1
    v2_mutations: list = field(default_factory=list)
    v3_mutations_during_dry_run: list = field(default_factory=list)
    target_paths: dict[str, list[str]] = field(default_factory=dict)
    source_paths: dict[str, list[str]] = field(default_factory=dict)

    def run(self, stage: str, *args: str, env: dict[str, str]) -> Run | None:
        if self.failed_stage:
            return None
        result = migrator(*args, cwd=self.workdir, env=env)
        self.runs[stage] = result
        if result.returncode != 0:
            self.failed_stage = stage
        return result

    def require(self, *stages: str) -> None:
        """Fail the calling test with the broken stage's output if a stage it needs failed or never ran."""
        for stage in stages:
            if stage not in self.runs or self.runs[stage].returncode != 0:
                broken = self.failed_stage or stage
                pytest.fail(f"needs stage {stage!r}; stage {broken!r} failed:\n{self.runs[broken].explain()}")

    def plan(self) -> dict:
        return json.loads((self.workdir / "plan.json").read_text(encoding="utf-8"))

    def kept_locators(self) -> dict[str, str]:
        """v3 locator name -> the GUID of the v2 locator it keeps, for every locator the plan keeps."""
        kept = {}
        for action in self.plan()["actions"]:
            if action["resource_type"] != LOCATOR_TYPE or action["change"] not in KEPT:
                continue
            guids = [m.group(1).lower() for m in map(_V2_LOCATOR.match, action["sources"]) if m]
            if guids:
                kept[action["name"]] = guids[0]
        return kept


def _run_chain(sandbox: Sandbox, cutover: Cutover) -> None:
    env = sandbox_environment(sandbox)
    cutover.run("inventory", "-vv", "inventory", "--out", INVENTORY_FILE, "-o", "json", env=env)
    cutover.run("plan", "-vv", "plan", "--inventory", INVENTORY_FILE, "--mode", cutover.mode, *plan_arguments(sandbox, cutover.mode), "--out", "plan.json", env=env)
    cutover.run("report", "-vv", "report", "plan.json", "--format", "html", "--out", "report.html", env=env)
    before = len(sandbox.request_log.mutations("v3"))
    cutover.run("dry run", "-vv", "apply", "plan.json", "--dry-run", "--dry-run-out", "dry-run.json", "--inventory", INVENTORY_FILE, env=env)
    cutover.v3_mutations_during_dry_run = sandbox.request_log.mutations("v3")[before:]
    cutover.run("apply", "-vv", "apply", "plan.json", "--yes", "--inventory", INVENTORY_FILE, env=env)
    cutover.run("apply again", "-vv", "apply", "plan.json", "--yes", "--inventory", INVENTORY_FILE, env=env)
    cutover.run("verify", "-vv", "verify", "plan.json", "-o", "json", env=env)


def _read_paths(sandbox: Sandbox, cutover: Cutover) -> None:
    client = arm_client(sandbox)
    description = sandbox.describe()
    target = description.source.id if cutover.mode == "same-account" else description.target.id
    for name, guid in cutover.kept_locators().items():
        cutover.target_paths[name] = paths_of(client.post(f"{target}/streamingLocators/{name}", "listPaths"))
        cutover.source_paths[name] = paths_of(client.post(f"{description.source.id}/streamingLocators/{guid}", "listPaths"))


@pytest.fixture(scope="module", params=["same-account", "new-account"])
def cutover(request, tmp_path_factory) -> Cutover:
    record = Cutover(request.param, tmp_path_factory.mktemp(request.param))
    with Sandbox(seed=SEED, assets=ASSETS) as sandbox:
        _run_chain(sandbox, record)
        if record.failed_stage is None:
            _read_paths(sandbox, record)
        record.v2_write_attempts = sandbox.v2_face.write_attempts
        record.v2_mutations = sandbox.request_log.mutations("v2")
    return record


def test_every_command_of_the_cutover_exits_zero(cutover):
    cutover.require("inventory", "plan", "report", "dry run", "apply", "apply again", "verify")


def test_every_inventory_entity_is_accounted_for_in_the_plan(cutover):
    cutover.require("inventory", "plan")
    read = json.loads(cutover.runs["inventory"].stdout)["entity_sets"]
    coverage = cutover.plan()["coverage"]
    assert sum(read.values()) > 0
    for entity_set, count in read.items():
        assert coverage[entity_set]["total"] == count, entity_set
        assert coverage[entity_set]["accounted"] == count, f"{entity_set}: {coverage[entity_set]}"


def test_verify_passes_on_the_real_target(cutover):
    cutover.require("verify")
    audit = json.loads(cutover.runs["verify"].stdout)
    assert audit["ok"] is True
    assert audit["summary"]["missing"] == 0 and audit["summary"]["different"] == 0
    assert audit["summary"]["ok"] > 0


def test_every_kept_streaming_locator_answers_the_v2_paths(cutover):
    cutover.require("verify")
    kept = cutover.kept_locators()
    assert kept, "the seeded account has streaming locators to keep"
    audit = json.loads(cutover.runs["verify"].stdout)
    assert audit["summary"]["paths_kept"] == len(kept)
    streamable = 0
    for name, guid in kept.items():
        assert all(p.lower().startswith(f"/{guid}/") for p in cutover.target_paths[name]), (name, cutover.target_paths[name])
        assert cutover.target_paths[name] == cutover.source_paths[name], name  # same GUID paths, whatever the host
        streamable += bool(cutover.target_paths[name])
    assert streamable > 0, "at least some kept locators have content to stream"


def test_second_apply_of_a_finished_plan_changes_nothing_and_says_so(cutover):
    cutover.require("apply again")
    assert "Nothing to do" in cutover.runs["apply again"].stdout
    assert " 0 created" in cutover.runs["apply again"].stdout


def test_dry_run_sends_no_mutating_request(cutover):
    cutover.require("dry run")
    assert cutover.v3_mutations_during_dry_run == []
    recorded = json.loads((cutover.workdir / "dry-run.json").read_text(encoding="utf-8"))
    assert any(r["method"] == "PUT" for r in recorded["requests"]), "the plan has creates the dry run must list"
    assert all(r["sent"] is False for r in recorded["requests"] if r["method"] != "GET")


def test_no_request_ever_wrote_to_the_v2_face(cutover):
    cutover.require("inventory", "plan")  # whatever the later stages did, none may write to v2
    assert cutover.v2_write_attempts == 0
    assert cutover.v2_mutations == []


def test_no_seeded_secret_appears_in_any_artifact_stdout_or_stderr(cutover):
    cutover.require("inventory", "plan", "dry run")  # every stage that ran is checked, failed or not
    secrets = seeded_secret_values(SEED, ASSETS)
    assert secrets, "the seeded account has secrets to look for"
    outputs = [(f"{stage} {stream}", text.encode()) for stage, run in cutover.runs.items() for stream, text in (("stdout", run.stdout), ("stderr", run.stderr))]
    files = artifact_texts(cutover.workdir)
    assert {"plan.json", "dry-run.json", "report.html"} <= {name for name, _ in files}
    assert leaked_secrets(secrets, outputs + files) == []


def test_inventory_file_that_holds_the_secrets_is_private(cutover):
    cutover.require("inventory")
    assert oct(os.stat(cutover.workdir / INVENTORY_FILE).st_mode & 0o777) == "0o600"
