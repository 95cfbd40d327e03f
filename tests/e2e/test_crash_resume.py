"""``migrator apply`` killed with SIGKILL part-way through a real new-account plan, then re-run.

tests/executor has the same test on a hand-made plan; this one runs the planner's own plan
(manual v2 steps, the content-copy boundary, policies, locators, live events) so the journal's
reconciliation meets every kind of action a real cutover has.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from e2e_helpers import INVENTORY_FILE, migrator, plan_arguments, sandbox_environment
from migrator.sandbox.app import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KILL_AFTER_DONE = 12


def journal_counts(journal) -> tuple[int, int]:
    """(done actions, all actions) of a journal another process is writing; (0, 0) before it exists."""
    try:
        with sqlite3.connect(f"file:{journal}?mode=ro", uri=True) as conn:
            done = conn.execute("SELECT COUNT(*) FROM actions WHERE state = 'done'").fetchone()[0]
            total = conn.execute("SELECT COUNT(*) FROM actions").fetchone()[0]
            return done, total
    except sqlite3.Error:
        return 0, 0


def test_apply_killed_part_way_resumes_to_completion_without_creating_anything_twice(tmp_path):
    with Sandbox(seed=11, assets=32, v3_latency_ms=25) as sandbox:
        env = sandbox_environment(sandbox)
        assert migrator("inventory", "--out", INVENTORY_FILE, cwd=tmp_path, env=env).returncode == 0
        planned = migrator("plan", "--inventory", INVENTORY_FILE, "--mode", "new-account", *plan_arguments(sandbox, "new-account"), "--out", "plan.json", cwd=tmp_path, env=env)
        assert planned.returncode == 0, planned.explain()
        journal = tmp_path / "plan.json.journal"
        apply = [sys.executable, "-m", "migrator", "apply", "plan.json", "--yes", "--parallel", "2"]
        first = subprocess.Popen(apply, cwd=tmp_path, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while journal_counts(journal)[0] < KILL_AFTER_DONE and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL, "the first run must still be running when killed"
        done, total = journal_counts(journal)
        assert 0 < done < total, f"the kill must land part-way ({done} of {total} done)"

        second = migrator("apply", "plan.json", "--yes", "--parallel", "2", cwd=tmp_path, env=env)
        assert second.returncode == 0, second.explain()
        assert " 0 failed" in second.stdout
        target = f"/{sandbox.describe().target.account_name}/"
        writes = [e for e in sandbox.request_log.mutations("v3") if target in e.path.lower()]
        created = Counter(e.path.lower().partition("?")[0] for e in writes if e.method == "PUT" and e.status == 201)
        assert [path for path, n in created.items() if n > 1] == [], "a resource was created twice"
        assert [e for e in writes if e.status == 409] == [], "a second create was refused as a conflict"
        audit = migrator("verify", "plan.json", cwd=tmp_path, env=env)
        assert audit.returncode == 0, audit.explain()  # nothing the plan creates is missing
