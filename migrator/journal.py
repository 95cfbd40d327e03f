"""The apply journal: what has been done to the target, durable across crashes.

One SQLite file (WAL) per plan run, one row per action address, modelled on Django's
migration recorder ("row done => applied") plus an ``in_flight`` state: an action is marked
in flight (and committed) *before* its request is sent and done *after* the answer, so a
crash or ``kill -9`` leaves exactly the actions whose effect is unknown in flight, and the
executor reconciles those by reading the target before it retries anything.

The journal stores addresses, states, resource ids and secret-free error codes and
messages; never a request body. It belongs to one plan: the plan checksum is recorded on
first use and a journal cannot be reused for another plan. One writer at a time: an
exclusive ``flock`` on ``<journal>.lock`` (released by the kernel if the holder dies, so a
killed run never leaves a stale lock) carrying the holder's pid for the error message.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Iterable

from migrator import __version__
from migrator.exceptions import ConfigError, InputError, LockedError
from migrator.redact import SECRETS

IN_MEMORY = ":memory:"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actions (
    address TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    resource_id TEXT,
    error_code TEXT,
    error_message TEXT,
    started_at TEXT,
    finished_at TEXT
);
"""


class ActionState(str, Enum):
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class JournalEntry:
    address: str
    state: ActionState
    attempts: int = 0
    outcome: str | None = None  # created, modified, started, confirmed, copied, deleted, unchanged
    resource_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class _WriterLock:
    """An exclusive, non-blocking ``flock`` on a side file that names its holder."""

    def __init__(self, journal_path: Path) -> None:
        self.path = journal_path.with_name(journal_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self, journal_path: Path) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise LockedError(
                f"journal {journal_path} is in use by another migrator process (pid {holder})",
                hint="wait for that run to finish, or stop it; only one apply may write a journal",
                pid=holder,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class Journal:
    """Per-action state of one plan's apply. Thread-safe: workers record their own actions."""

    def __init__(self, conn: sqlite3.Connection, path: str, lock: _WriterLock | None) -> None:
        self._conn = conn
        self._lock = lock
        self._mutex = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike, plan_checksum: str, *, seed_from: str | os.PathLike | None = None) -> Journal:
        """Open (creating if needed) the journal for the plan with ``plan_checksum``.

        ``IN_MEMORY`` gives a throw-away journal (dry runs); ``seed_from`` copies an existing
        journal file into it first, read-only, so a dry run starts where the real run stands.
        """
        text_path = str(path)
        lock = None
        if text_path != IN_MEMORY:
            file_path = Path(text_path)
            if not file_path.parent.is_dir():
                raise ConfigError(f"journal directory {file_path.parent} does not exist")
            lock = _WriterLock(file_path)
            lock.acquire(file_path)
        try:
            conn = sqlite3.connect(text_path, check_same_thread=False, isolation_level=None, timeout=30)
            if seed_from is not None and Path(seed_from).is_file():
                source = sqlite3.connect(f"file:{Path(seed_from).resolve()}?mode=ro", uri=True)
                source.backup(conn)
                source.close()
            journal = cls(conn, text_path, lock)
            journal._prepare(plan_checksum)
        except sqlite3.DatabaseError as exc:
            if lock:
                lock.release()
            raise InputError(f"journal {text_path} is not a readable SQLite file ({exc})") from None
        except BaseException:
            if lock:
                lock.release()
            raise
        return journal

    def _prepare(self, plan_checksum: str) -> None:
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM journal_meta WHERE key = 'plan_checksum'").fetchone()
            if row is None:
                conn.executemany(
                    "INSERT INTO journal_meta (key, value) VALUES (?, ?)",
                    [("plan_checksum", plan_checksum), ("created_at", _now()), ("tool_version", __version__)],
                )
            elif row[0] != plan_checksum:
                raise ConfigError(
                    f"journal {self.path} belongs to another plan ({row[0]})",
                    hint="a journal records one plan's apply; pass a new --journal path for this plan",
                )

    def _transaction(self):
        return _Transaction(self._conn, self._mutex)

    @property
    def plan_checksum(self) -> str:
        row = self._conn.execute("SELECT value FROM journal_meta WHERE key = 'plan_checksum'").fetchone()
        return row[0]

    def close(self) -> None:
        with self._mutex:
            self._conn.close()
        if self._lock:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ensure_actions(self, addresses: Iterable[str]) -> None:
        """Add a pending row for every address not yet journalled; existing rows are kept."""
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO actions (address, state) VALUES (?, ?) ON CONFLICT(address) DO NOTHING",
                ((address, ActionState.PENDING.value) for address in addresses),
            )

    def entries(self) -> dict[str, JournalEntry]:
        with self._mutex:
            rows = self._conn.execute("SELECT * FROM actions ORDER BY address").fetchall()
        return {row[0]: _entry(row) for row in rows}

    def get(self, address: str) -> JournalEntry | None:
        with self._mutex:
            row = self._conn.execute("SELECT * FROM actions WHERE address = ?", (address,)).fetchone()
        return None if row is None else _entry(row)

    def record_started(self, address: str) -> None:
        """Committed before the request is sent: a crash from here on leaves it in flight."""
        self._upsert(
            address,
            "state = ?, attempts = attempts + 1, started_at = ?, finished_at = NULL, error_code = NULL, error_message = NULL",
            (ActionState.IN_FLIGHT.value, _now()),
        )

    def record_done(self, address: str, *, outcome: str, resource_id: str | None = None) -> None:
        self._upsert(
            address,
            "state = ?, outcome = ?, resource_id = ?, finished_at = ?, error_code = NULL, error_message = NULL",
            (ActionState.DONE.value, outcome, resource_id, _now()),
        )

    def record_failed(self, address: str, *, code: str, message: str) -> None:
        self._upsert(
            address,
            "state = ?, error_code = ?, error_message = ?, finished_at = ?",
            (ActionState.FAILED.value, code, SECRETS.scrub(message), _now()),
        )

    def _upsert(self, address: str, assignments: str, values: tuple) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO actions (address, state, attempts) VALUES (?, ?, ?) ON CONFLICT(address) DO NOTHING",
                (address, ActionState.PENDING.value, 0),
            )
            conn.execute(f"UPDATE actions SET {assignments} WHERE address = ?", (*values, address))

    def counts(self) -> dict[ActionState, int]:
        with self._mutex:
            rows = self._conn.execute("SELECT state, COUNT(*) FROM actions GROUP BY state").fetchall()
        counted = {state: 0 for state in ActionState}
        counted.update({ActionState(state): n for state, n in rows})
        return counted


class _Transaction:
    """``BEGIN IMMEDIATE`` .. ``COMMIT`` under the journal's mutex; rolls back on error."""

    def __init__(self, conn: sqlite3.Connection, mutex: threading.Lock) -> None:
        self._conn = conn
        self._mutex = mutex

    def __enter__(self) -> sqlite3.Connection:
        self._mutex.acquire()
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._mutex.release()


def _entry(row: tuple) -> JournalEntry:
    address, state, attempts, outcome, resource_id, code, message, started, finished = row
    return JournalEntry(address, ActionState(state), attempts, outcome, resource_id, code, message, started, finished)

