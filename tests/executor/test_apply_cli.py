"""``migrator apply``: exit codes, dry-run output and refusals, through the real CLI."""

from __future__ import annotations

import json

import pytest
import responses
from click.testing import CliRunner

from apply_fixtures import TARGET, T, make_action, make_plan
from migrator.cli import cli
from migrator.journal import Journal
from migrator.plan import Phase, save
from migrator.status import ExitStatus
from migrator.v3.ids import ResourceType, resource_id

ENDPOINT = "https://management.example"  # the plan's recorded arm_endpoint


def url(resource_type: ResourceType, *names: str) -> str:
    return ENDPOINT + resource_id(TARGET, resource_type, *names).path


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    save(make_plan([make_action("assets/a1"), make_action("assets/a2")]), path)
    return path


def _run(args, input=None):
    return CliRunner().invoke(cli, ["apply", *args, "--arm-token", "static-token-value"], input=input)


def test_apply_creates_every_resource_and_prints_the_closing_line(plan_file):
    with responses.RequestsMock() as rsps:
        for name in ("a1", "a2"):
            rsps.put(url(ResourceType.ASSET, name), json={"id": resource_id(TARGET, ResourceType.ASSET, name).id, "properties": {}}, status=201)
        result = _run([str(plan_file)])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    assert result.output.strip().endswith("Apply complete: 2 created, 0 unchanged, 0 failed.")
    with Journal.open(plan_file.with_name("plan.json.journal"), json.loads(plan_file.read_text())["checksum"]) as journal:
        assert {e.state.value for e in journal.entries().values()} == {"done"}


def test_dry_run_prints_the_writes_and_sends_nothing(plan_file, tmp_path):
    out = tmp_path / "dry-run.json"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        result = _run([str(plan_file), "--dry-run", "--dry-run-reads", "none", "--dry-run-out", str(out)])
        assert len(rsps.calls) == 0
    assert result.exit_code == 0, result.output
    assert f"PUT {url(ResourceType.ASSET, 'a1')}?api-version=2023-01-01" in result.output
    assert "Dry run complete, nothing sent: 2 request(s) would change the target" in result.output
    document = json.loads(out.read_text())
    assert [r["method"] for r in document["requests"]] == ["PUT", "PUT"]
    assert not plan_file.with_name("plan.json.journal").exists()


def test_edited_plan_is_refused_as_stale(plan_file):
    plan_file.write_text(plan_file.read_text().replace('"assets/a2"', '"assets/a3"'))
    result = _run([str(plan_file)])
    assert result.exit_code == ExitStatus.STALE_PLAN
    assert "was edited after it was written" in result.output


def test_plan_of_an_unknown_major_format_is_refused(plan_file):
    document = json.loads(plan_file.read_text())
    document["format_version"] = "2.0"
    plan_file.write_text(json.dumps(document))
    result = _run([str(plan_file)])
    assert result.exit_code == ExitStatus.INPUT
    assert "plan format 2.0" in result.output


def test_journal_held_by_another_writer_gives_the_locked_status(plan_file):
    checksum = json.loads(plan_file.read_text())["checksum"]
    with Journal.open(plan_file.with_name("plan.json.journal"), checksum):
        result = _run([str(plan_file)])
    assert result.exit_code == ExitStatus.LOCKED
    assert "in use by another migrator process" in result.output


def test_irreversible_step_without_yes_or_terminal_aborts_with_its_status(tmp_path):
    path = tmp_path / "plan.json"
    start = make_action("liveEvents/le1/start", resource_type=T + "liveEvents", name="le1", operation="post:start", body=None, phase=Phase.CUTOVER, irreversible=True)
    save(make_plan([start]), path)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        result = _run([str(path)])
        assert len(rsps.calls) == 0
    assert result.exit_code == ExitStatus.ABORTED
    assert "not confirmed: start liveEvents/le1/start" in result.output


def test_failed_action_gives_a_non_zero_status_and_names_it(plan_file):
    with responses.RequestsMock() as rsps:
        rsps.put(url(ResourceType.ASSET, "a1"), json={"id": "x"}, status=201)
        rsps.put(url(ResourceType.ASSET, "a2"), json={"error": {"code": "BadRequest", "message": "invalid description"}}, status=400)
        result = _run([str(plan_file)])
    assert result.exit_code == ExitStatus.ERROR
    assert "failed: assets/a2: VALIDATION" in result.output
    assert "Apply incomplete: 1 created, 0 unchanged, 1 failed." in result.output
