"""The journal records each action's state durably, belongs to one plan, and admits one writer."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from migrator.exceptions import ConfigError, InputError, LockedError
from migrator.journal import IN_MEMORY, ActionState, Journal
from migrator.redact import SECRETS

CHECKSUM = "sha256:" + "a" * 64


@pytest.fixture
def journal_path(tmp_path):
    return tmp_path / "apply.journal"


def test_new_actions_start_pending_and_existing_rows_are_kept(journal_path):
    with Journal.open(journal_path, CHECKSUM) as journal:
        journal.ensure_actions(["assets/a", "assets/b"])
        journal.record_started("assets/a")
        journal.record_done("assets/a", outcome="created", resource_id="/sub/x/assets/a")
        journal.ensure_actions(["assets/a", "assets/b", "assets/c"])
        entries = journal.entries()
    assert {a: e.state for a, e in entries.items()} == {
        "assets/a": ActionState.DONE,
        "assets/b": ActionState.PENDING,
        "assets/c": ActionState.PENDING,
    }
    assert entries["assets/a"].resource_id == "/sub/x/assets/a"
    assert entries["assets/a"].outcome == "created"


def test_started_action_is_durably_in_flight_before_any_answer(journal_path):
    journal = Journal.open(journal_path, CHECKSUM)
    journal.ensure_actions(["liveEvents/le1"])
    journal.record_started("liveEvents/le1")
    # Read with an independent connection, as a process started after a crash would.
    row = sqlite3.connect(journal_path).execute(
        "SELECT state, attempts, started_at FROM actions WHERE address = 'liveEvents/le1'"
    ).fetchone()
    journal.close()
    assert row[0] == "in_flight" and row[1] == 1 and row[2]


def test_attempts_count_every_start_and_failure_keeps_code_and_message(journal_path):
    with Journal.open(journal_path, CHECKSUM) as journal:
        journal.record_started("transforms/t")
        journal.record_failed("transforms/t", code="VALIDATION", message="bad preset")
        journal.record_started("transforms/t")
        entry = journal.get("transforms/t")
        assert entry.state is ActionState.IN_FLIGHT and entry.attempts == 2
        assert entry.error_code is None  # a new attempt clears the old error
        journal.record_failed("transforms/t", code="VALIDATION", message="bad preset")
        entry = journal.get("transforms/t")
    assert (entry.state, entry.error_code, entry.error_message) == (ActionState.FAILED, "VALIDATION", "bad preset")


def test_failure_messages_are_scrubbed_of_registered_secrets(journal_path):
    secret = "c2VjcmV0LWtleS12YWx1ZS0xMjM0NQ=="
    SECRETS.add(secret)
    with Journal.open(journal_path, CHECKSUM) as journal:
        journal.record_failed("streamingLocators/l", code="REMOTE", message=f"service echoed {secret}")
    assert secret.encode() not in journal_path.read_bytes()
    for extra in journal_path.parent.glob("apply.journal-*"):
        assert secret.encode() not in extra.read_bytes()


def test_journal_uses_write_ahead_logging(journal_path):
    Journal.open(journal_path, CHECKSUM).close()
    assert sqlite3.connect(journal_path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_journal_of_another_plan_is_refused_with_the_recorded_checksum(journal_path):
    Journal.open(journal_path, CHECKSUM).close()
    with pytest.raises(ConfigError, match="belongs to another plan") as err:
        Journal.open(journal_path, "sha256:" + "b" * 64)
    assert CHECKSUM in str(err.value)


def test_second_writer_is_refused_naming_the_holder_pid(journal_path):
    with Journal.open(journal_path, CHECKSUM):
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
            Journal.open(journal_path, CHECKSUM)


def test_lock_of_a_killed_writer_does_not_block_the_next_run(journal_path):
    script = textwrap.dedent(
        f"""
        import os, signal
        from migrator.journal import Journal
        j = Journal.open({str(journal_path)!r}, {CHECKSUM!r})
        j.record_started("assets/a")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -9
    with Journal.open(journal_path, CHECKSUM) as journal:
        assert journal.get("assets/a").state is ActionState.IN_FLIGHT


def test_writer_in_another_process_is_named_in_the_lock_error(journal_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        from migrator.journal import Journal
        j = Journal.open({str(journal_path)!r}, {CHECKSUM!r})
        print("locked", flush=True)
        sys.stdin.readline()
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError, match=f"pid {holder.pid}"):
            Journal.open(journal_path, CHECKSUM)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_in_memory_journal_can_start_from_a_copy_of_a_real_one(journal_path):
    with Journal.open(journal_path, CHECKSUM) as journal:
        journal.record_started("assets/a")
        journal.record_done("assets/a", outcome="created")
    with Journal.open(journal_path, CHECKSUM) as holder:  # the copy needs no lock
        copy = Journal.open(IN_MEMORY, CHECKSUM, seed_from=journal_path)
        copy.record_started("assets/b")
        assert copy.get("assets/a").state is ActionState.DONE
        assert holder.get("assets/b") is None
        copy.close()


def test_counts_cover_every_state(journal_path):
    with Journal.open(journal_path, CHECKSUM) as journal:
        journal.ensure_actions(["a", "b", "c"])
        journal.record_started("a")
        journal.record_done("b", outcome="unchanged")
        counts = journal.counts()
    assert counts == {ActionState.PENDING: 1, ActionState.IN_FLIGHT: 1, ActionState.DONE: 1, ActionState.FAILED: 0}


def test_a_file_that_is_not_a_journal_is_refused_and_the_lock_released(journal_path):
    journal_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="is not a readable SQLite file"):
        Journal.open(journal_path, CHECKSUM)
    journal_path.unlink()
    Journal.open(journal_path, CHECKSUM).close()  # the failed open left no lock behind
