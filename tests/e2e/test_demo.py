"""``migrator demo``: the README's main command, run as a user runs it, in a fresh process."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from e2e_helpers import INVENTORY_FILE, Run, artifact_texts, leaked_secrets, migrator
from migrator import demo
from migrator.cli import cli
from migrator.demo import DEFAULT_ASSETS, DEFAULT_SEED, SUMMARY_FILE, prepare_out_dir
from migrator.exceptions import ConfigError, UnreachableError
from migrator.sandbox.seed import seeded_secret_values
from migrator.status import ExitStatus

pytestmark = pytest.mark.e2e

DEMO_BUDGET_SECONDS = 60  # the "under a minute on this machine"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR)", re.MULTILINE)


@dataclass(frozen=True)
class DemoRun:
    run: Run
    out: Path
    seconds: float

    def summary(self) -> dict:
        return json.loads((self.out / SUMMARY_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> DemoRun:
    """The README's command with its defaults, from a fresh working directory, with debug logs on."""
    cwd = tmp_path_factory.mktemp("fresh-machine")
    started = time.monotonic()
    run = migrator("-vv", "demo", "--out", "demo-out", cwd=cwd, timeout=180)
    return DemoRun(run, cwd / "demo-out", time.monotonic() - started)


def test_demo_finishes_with_exit_zero_in_under_a_minute(demo_run):
    assert demo_run.run.returncode == 0, demo_run.run.explain()
    assert demo_run.seconds < DEMO_BUDGET_SECONDS, f"the demo took {demo_run.seconds:.1f} s"


def test_demo_writes_every_artifact_into_the_directory(demo_run):
    assert demo_run.run.returncode == 0, demo_run.run.explain()
    names = {p.name for p in demo_run.out.iterdir()}
    expected = {INVENTORY_FILE, SUMMARY_FILE}
    for mode in ("new-account", "same-account"):
        expected |= {
            f"plan-{mode}.json",
            f"plan-{mode}.json.journal",
            f"dry-run-{mode}.json",
            f"verify-{mode}.json",
            f"report-{mode}.html",
            f"report-{mode}.md",
            f"report-{mode}.json",
            f"report-{mode}.csv",
            f"report-{mode}-urls.csv",
            f"report-{mode}-findings.csv",
        }
    assert expected <= names, sorted(expected - names)
    assert any(name.startswith("azcopy-") and name.endswith(".sh") for name in names), "the new-account apply writes its azcopy script"
    listed = {Path(p).name for p in demo_run.summary()["artifacts"]}
    assert listed == names


def test_demo_verifies_both_plans_and_never_writes_to_v2(demo_run):
    assert demo_run.run.returncode == 0, demo_run.run.explain()
    for mode in ("new-account", "same-account"):
        audit = json.loads((demo_run.out / f"verify-{mode}.json").read_text(encoding="utf-8"))
        assert audit["ok"] is True, mode
        assert audit["summary"]["paths_kept"] > 0, mode
    assert demo_run.summary()["v2_write_attempts"] == 0


def test_demo_prints_a_summary_and_where_the_html_report_is(demo_run):
    assert demo_run.run.returncode == 0, demo_run.run.explain()
    stdout = demo_run.run.stdout
    html_line = next(line for line in stdout.splitlines() if line.startswith("HTML report: "))
    html = Path(html_line.removeprefix("HTML report: "))
    if not html.is_absolute():
        html = demo_run.out.parent / html
    assert html.is_file() and html.parent == demo_run.out
    assert "In the demo, the operator is the demo" in stdout
    assert "Verify passed" in stdout
    assert not LOG_LINE.search(stdout), "log lines belong on stderr"
    assert LOG_LINE.search(demo_run.run.stderr), "-vv logs go to stderr"


def test_html_report_is_one_page_without_secrets(demo_run):
    # The reports are written before apply: checked whatever the later stages did.
    page = (demo_run.out / "report-new-account.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "<link " not in page and 'src="http' not in page, "one self-contained file"
    assert leaked_secrets(seeded_secret_values(DEFAULT_SEED, DEFAULT_ASSETS), [("report", page.encode())]) == []


def test_no_seeded_secret_appears_in_any_demo_artifact_stdout_or_stderr(demo_run):
    # Every file the demo wrote and everything it said, whether it finished or stopped at a stage.
    assert (demo_run.out / SUMMARY_FILE).is_file(), demo_run.run.explain()
    secrets = seeded_secret_values(DEFAULT_SEED, DEFAULT_ASSETS)
    texts = artifact_texts(demo_run.out) + [("stdout", demo_run.run.stdout.encode()), ("stderr", demo_run.run.stderr.encode())]
    assert leaked_secrets(secrets, texts) == []
    assert oct((demo_run.out / INVENTORY_FILE).stat().st_mode & 0o777) == "0o600"


def test_demo_refuses_a_directory_holding_files_it_did_not_write(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    run = migrator("demo", "--out", str(out))
    assert run.returncode == ExitStatus.USAGE, run.explain()
    assert "notes.txt" in run.stderr
    assert (out / "notes.txt").read_text() == "mine"


def test_a_new_demo_removes_only_the_files_the_previous_demo_listed(tmp_path):
    for name in ("plan-new-account.json", "plan-new-account.json.journal", "plan-new-account.json.journal-wal"):
        (tmp_path / name).write_text("old")
    listed = [str(tmp_path / "plan-new-account.json"), str(tmp_path / "plan-new-account.json.journal"), str(tmp_path / SUMMARY_FILE)]
    (tmp_path / SUMMARY_FILE).write_text(json.dumps({"artifacts": listed}))
    assert prepare_out_dir(tmp_path) == tmp_path
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "keep.txt").write_text("not the demo's")
    with pytest.raises(ConfigError):
        prepare_out_dir(tmp_path)
    assert (tmp_path / "keep.txt").exists()


def test_a_failing_stage_stops_the_demo_with_that_stages_error_and_exit_code(tmp_path, monkeypatch):
    def unreachable(*args, **kwargs):
        raise UnreachableError("cannot reach the v2 endpoint", hint="sandbox test")

    monkeypatch.setattr(demo, "read_inventory", unreachable)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == ExitStatus.UNREACHABLE, result.output
    assert "cannot reach the v2 endpoint" in result.output
    assert "HTML report" not in result.output
    summary = json.loads((out / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["ok"] is False and summary["failed_stage"] == "inventory"
    assert summary["error"]["code"] == "UNREACHABLE"


def test_a_failed_demo_leaves_a_directory_the_next_demo_may_reuse(tmp_path, monkeypatch):
    def refused(*args, **kwargs):
        (tmp_path / "inventory.db.partial").write_text("half a read")
        raise UnreachableError("cannot reach the v2 endpoint")

    monkeypatch.setattr(demo, "read_inventory", refused)
    assert CliRunner().invoke(cli, ["demo", "--out", str(tmp_path)]).exit_code == ExitStatus.UNREACHABLE
    assert prepare_out_dir(tmp_path) == tmp_path
    assert list(tmp_path.iterdir()) == []
