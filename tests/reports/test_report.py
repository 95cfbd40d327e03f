"""Reports render every section in each format, escape hostile names, and stay small at scale."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import UndefinedError

from migrator.cli import cli
from migrator.plan import Finding, Phase, Severity, save
from migrator.reports.model import build_report
from migrator.reports.render import _environment, render_html, render_markdown, render_report
from report_plans import GUID, action, plan_of, sample_plan


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(build_report(sample_plan()))


def test_html_escapes_hostile_v2_names_in_text_and_svg(html):
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_html_is_one_self_contained_page(html):
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html


def test_html_carries_every_section(html):
    for heading in ("Summary", "Inventory coverage", "Findings", "Manual steps checklist", "Streaming URL continuity",
                    "Quotas used against their limits", "Cutover runbook", "Blockers and their neighbourhood"):
        assert f">{heading}</h2>" in html
    assert html.count("<svg") == 2  # the bar chart and one blocker neighbourhood
    assert "Live channels: the downtime window" in html


def test_templates_fail_loudly_on_an_unknown_field():
    with pytest.raises(UndefinedError):
        _environment(html=True).from_string("{{ report.no_such_field }}").render(report=build_report(sample_plan()))


def test_markdown_escapes_pipes_and_html_in_table_cells():
    text = render_markdown(build_report(sample_plan()))
    assert "<script>" not in text
    assert "&lt;script&gt;" in text and "\\| =cmd" in text
    assert "- [ ] **Stop channel ch1 in the v2 portal**" in text


def test_url_continuity_says_the_host_changes_in_a_new_account_and_keeps_the_path():
    (row,) = build_report(sample_plan()).urls
    assert (row.v2_path, row.v3_path, row.path_kept) == (f"/{GUID}/", f"/{GUID}/", True)
    assert row.host.startswith("changes")


def test_runbook_orders_phases_and_counts_irreversible_and_downtime_steps():
    runbook = {p.phase: p for p in build_report(sample_plan()).runbook}
    assert list(runbook) == ["prepare", "content-copy", "publish", "cutover", "post"]
    cutover = runbook["cutover"]
    assert (cutover.step_count, cutover.irreversible, cutover.downtime) == (3, 1, 3)
    assert [s.address for s in cutover.steps] == ["manual/channels/nb:chid:UUID:c1", "liveEvents/le1", "liveEvents/le1/start"]


def test_live_window_lists_channel_steps_and_live_events_with_what_waits_for_them():
    windows = {w.address: w for w in build_report(sample_plan()).live_windows}
    assert list(windows) == ["liveEvents/le1", "manual/channels/nb:chid:UUID:c1"]
    assert windows["manual/channels/nb:chid:UUID:c1"].follows == ("liveEvents/le1",)
    assert windows["liveEvents/le1"].what.startswith("Channel <script>")  # escaped by the templates, not here


def test_quota_over_its_limit_is_flagged():
    policies = [action(f"streamingPolicies/p{i:03d}") for i in range(101)]
    row = next(q for q in build_report(plan_of(policies)).quotas if q.label == "Streaming policies per account")
    assert (row.used, row.limit, row.over) == (101, 100, True)


def test_json_report_holds_every_row(tmp_path):
    (path,) = render_report(sample_plan(), "json", tmp_path / "report.json")
    document = json.loads(path.read_text())
    assert len(document["findings"]) == 2 and len(document["urls"]) == 1 and document["fully_covered"] is True
    assert document["change_counts"]["create"] == 5


def test_csv_report_writes_actions_urls_and_findings_and_defuses_formulas(tmp_path):
    evil = plan_of([action("assets/=HYPERLINK(1)", name="=HYPERLINK(1)")])
    actions_csv, urls_csv, findings_csv = render_report(evil, "csv", tmp_path / "plan.csv")
    rows = list(csv.reader(actions_csv.open()))
    assert rows[0][:3] == ["address", "change", "resource_type"] and rows[1][3] == "'=HYPERLINK(1)"
    assert urls_csv.name == "plan-urls.csv" and findings_csv.name == "plan-findings.csv"
    urls = list(csv.DictReader(render_report(sample_plan(), "csv", tmp_path / "s.csv")[1].open()))
    assert urls == [{"v2_locator_id": f"nb:lid:UUID:{GUID}", "v2_path": f"/{GUID}/", "v3_locator": GUID, "v3_path": f"/{GUID}/",
                     "host": "changes to the new account's streaming endpoint host", "path_kept": "True", "change": "create"}]


def test_report_command_writes_the_file(tmp_path):
    plan_path = tmp_path / "plan.json"
    save(sample_plan(), plan_path)
    result = CliRunner().invoke(cli, ["report", str(plan_path), "--format", "md", "--out", str(tmp_path / "r.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.md").read_text().startswith("# Migration plan report")


def test_a_100k_asset_plan_renders_quickly_into_a_small_page(tmp_path):
    warn = Finding("STORAGE_ENCRYPTED", Severity.WARNING, "storage-encrypted asset", "decrypt before copying")
    actions = []
    for i in range(100_000):
        guid = f"00000000-0000-0000-0000-{i:012d}"
        actions.append(action(f"assets/{guid}", findings=(warn,) if i % 10 == 0 else ()))
        actions.append(action(f"streamingLocators/{guid}", phase=Phase.PUBLISH, depends_on=(f"assets/{guid}",), sources=(f"nb:lid:UUID:{guid}",),
                              body={"properties": {"assetName": guid, "streamingLocatorId": guid}}))
    plan = plan_of(actions)
    started = time.perf_counter()
    (path,) = render_report(plan, "html", tmp_path / "big.html")
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"rendering took {elapsed:.1f}s"
    assert path.stat().st_size < 500_000
    assert "9,950 more (see the CSV or JSON report)" in path.read_text()


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (/usr/bin/chromium missing; .ci/run installs it): the HTML report was not opened in a browser")
def test_html_report_opens_in_headless_chromium_without_console_errors(tmp_path, html):
    page = tmp_path / "report.html"
    page.write_text(html)
    shot = tmp_path / "report.png"
    profile = tmp_path / "profile"
    common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
              "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}"]
    result = subprocess.run([CHROMIUM, *common, "--enable-logging=stderr", "--v=0", f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
                            capture_output=True, text=True, timeout=60)
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    console_errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and ("ERROR" in line.upper() or "Uncaught" in line)]
    assert console_errors == []


def test_with_the_inventory_the_url_table_shows_each_v2_locators_full_url(tmp_path):
    from migrator.auth import StaticTokenProvider
    from migrator.http import build_session
    from migrator.sandbox.app import Sandbox
    from migrator.v2.reader import READ_RETRY, ReaderSettings, read_inventory
    from migrator.v2.store import InventoryStore

    inventory = tmp_path / "inventory.db"
    with Sandbox(assets=4, seed=2) as sandbox:
        read_inventory(inventory, ReaderSettings(endpoint=sandbox.describe().v2_endpoint, parallel=2),
                       provider=StaticTokenProvider(sandbox.token, api="v2"), session=build_session(READ_RETRY), entity_sets=["Locators"])
    with InventoryStore.open(inventory) as store:
        locator = next(l for l in store.entities("Locators") if l.path)
    guid = locator.id.rsplit(":", 1)[-1]
    plan = plan_of([action(f"streamingLocators/{guid}", sources=(locator.id,), body={"properties": {"assetName": "a", "streamingLocatorId": guid}})])
    (urls_csv,) = [p for p in render_report(plan, "csv", tmp_path / "r.csv", inventory=inventory) if p.name == "r-urls.csv"]
    (row,) = list(csv.DictReader(urls_csv.open()))
    assert row["v2_path"] == locator.path and locator.path.startswith("http") and row["path_kept"] == "True"
