"""The inventory file: one SQLite snapshot of a v2 account (format in docs/inventory-format.md).

Two halves. ``InventoryWriter`` fills a partial file beside the destination, marks each unit
(an entity set, or a navigation relation such as ``Assets/ContentKeys``) complete inside it,
and publishes it with an atomic rename, so a crash never leaves a file under the final name
and ``--resume`` can pick up the partial file where it stopped. ``InventoryStore`` is the
read-only view every later stage uses.

Entities are stored as canonical JSON records (``entity.to_record()``), keyed by entity set
and OData key; SQLite's primary key de-duplicates entities that ``$skip`` paging returns twice.
The file holds policy templates with secrets, so it is created with mode 0600 and never
widened.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

from migrator import __version__
from migrator.exceptions import ConfigError, InventoryFormatError
from migrator.v2 import schema, wire
from migrator.v2.wire import canonical_json  # noqa: F401 - the file's serialisation, kept importable here
from migrator.v2.entities import V2Entity

log = logging.getLogger("migrator.v2.store")

FORMAT_VERSION = 1
FILE_MODE = 0o600
PARTIAL_SUFFIX = ".partial"
# Rows buffered in one transaction before a commit; a crash loses at most the unfinished
# unit anyway, so this only trades commit overhead against work redone on --resume.
COMMIT_EVERY_ROWS = 5000

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE units (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE entities (
    entity_set TEXT NOT NULL,
    key TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (entity_set, key)
) WITHOUT ROWID;
CREATE TABLE links (
    entity_set TEXT NOT NULL,
    nav TEXT NOT NULL,
    from_key TEXT NOT NULL,
    to_key TEXT NOT NULL,
    PRIMARY KEY (entity_set, nav, from_key, to_key)
) WITHOUT ROWID;
CREATE TABLE documents (name TEXT PRIMARY KEY, media_type TEXT NOT NULL, body TEXT NOT NULL);
"""


class UnitKind(str, Enum):
    ENTITY_SET = "entity_set"
    NAVIGATION = "navigation"


class UnitState(str, Enum):
    PENDING = "pending"
    COMPLETE = "complete"
    # The service refused to list the set (only for sets whose listing is undocumented).
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Unit:
    """One resumable piece of a read: an entity set, or one navigation of a set."""

    kind: UnitKind
    entity_set: str
    nav: str | None = None
    target_set: str | None = None

    @property
    def name(self) -> str:
        return self.entity_set if self.nav is None else f"{self.entity_set}/{self.nav}"


@dataclass(frozen=True)
class InventoryMeta:
    format_version: int
    endpoint: str
    api_version: str
    read_at: datetime
    counts: Mapping[str, int]
    fingerprint: str
    wire_format: str = "verbose"
    tool_version: str = ""
    link_counts: Mapping[str, int] = field(default_factory=dict)
    unavailable: tuple[str, ...] = ()


def partial_path(out: Path) -> Path:
    return out.with_name(out.name + PARTIAL_SUFFIX)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _create_private_file(path: Path) -> None:
    # O_EXCL + explicit mode: the file never exists, even briefly, with wider permissions.
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # umask may only narrow; make the mode exact
    finally:
        os.close(fd)


def _connect_for_writing(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level="DEFERRED")
    conn.execute("PRAGMA journal_mode=WAL")  # the -wal file inherits the database's mode
    # No fsync while the partial file fills (a third less insert CPU): SQLite stays consistent
    # if the process dies, since the OS keeps every write, and publish() fsyncs the finished
    # file before the atomic rename. Only an OS crash or power loss mid-read can damage the
    # partial file; the read then starts again without --resume.
    conn.execute("PRAGMA synchronous=OFF")
    return conn


class InventoryWriter:
    """Writes a partial inventory file; only ``publish`` gives it its final name."""

    def __init__(self, conn: sqlite3.Connection, partial: Path) -> None:
        self._conn = conn
        self.partial = partial
        self._uncommitted = 0
        # Rows inserted per entity set since this writer emptied it: its count without a scan.
        self._stored: dict[str, int] = {}

    # -- opening --------------------------------------------------------------------------

    @classmethod
    def create(
        cls, partial: Path, *, endpoint: str, api_version: str, wire_format: str, units: Sequence[Unit]
    ) -> "InventoryWriter":
        if partial.exists():
            log.warning("discarding the interrupted read in %s (pass --resume to continue it)", partial)
            partial.unlink()
        for suffix in ("-wal", "-shm"):  # a stale WAL would be replayed into the new file
            Path(str(partial) + suffix).unlink(missing_ok=True)
        _create_private_file(partial)
        conn = _connect_for_writing(partial)
        conn.executescript(_SCHEMA)
        meta = {
            "format_version": str(FORMAT_VERSION),
            "endpoint": endpoint,
            "api_version": api_version,
            "wire_format": wire_format,
            "tool_version": __version__,
            "started_at": _utc_now().isoformat(),
            "units": json.dumps([u.name for u in units]),
            "complete": "0",
        }
        conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", meta.items())
        conn.executemany(
            "INSERT INTO units (name, kind, state) VALUES (?, ?, ?)",
            [(u.name, u.kind.value, UnitState.PENDING.value) for u in units],
        )
        conn.commit()
        return cls(conn, partial)

    @classmethod
    def resume(cls, partial: Path, *, endpoint: str, units: Sequence[Unit]) -> "InventoryWriter":
        if not partial.exists():
            raise ConfigError(
                f"nothing to resume: {partial} does not exist", hint="run without --resume to start a new read"
            )
        _require_private(partial)
        conn = _connect_for_writing(partial)
        try:
            meta = _read_meta_table(conn, partial)
        except InventoryFormatError:
            conn.close()
            raise
        if meta.get("endpoint") != endpoint:
            conn.close()
            raise ConfigError(
                f"{partial} was started against another endpoint",
                hint="resume with the same --v2-endpoint, or run without --resume",
            )
        if json.loads(meta.get("units", "[]")) != [u.name for u in units]:
            conn.close()
            raise ConfigError(
                f"{partial} was started with other entity sets",
                hint="resume with the same --entity-sets, or run without --resume",
            )
        return cls(conn, partial)

    # -- units ----------------------------------------------------------------------------

    def unit_states(self) -> dict[str, UnitState]:
        return {name: UnitState(state) for name, state in self._conn.execute("SELECT name, state FROM units")}

    def begin_unit(self, unit: Unit) -> None:
        """Forget whatever an interrupted attempt wrote for this unit: it is read again whole."""
        if unit.kind is UnitKind.ENTITY_SET:
            self._conn.execute("DELETE FROM entities WHERE entity_set = ?", (unit.entity_set,))
            self._stored[unit.entity_set] = 0
        else:
            self._conn.execute("DELETE FROM links WHERE entity_set = ? AND nav = ?", (unit.entity_set, unit.nav))
        self._conn.commit()

    def complete_unit(self, unit: Unit, state: UnitState = UnitState.COMPLETE) -> int:
        count = self._count_unit(unit)
        self._conn.execute("UPDATE units SET state = ?, count = ? WHERE name = ?", (state.value, count, unit.name))
        self._conn.commit()
        self._uncommitted = 0
        return count

    def _count_unit(self, unit: Unit) -> int:
        if unit.kind is UnitKind.ENTITY_SET and unit.entity_set in self._stored:
            return self._stored[unit.entity_set]
        if unit.kind is UnitKind.ENTITY_SET:  # emptied by an earlier run (--resume): count what is there
            sql, args = "SELECT COUNT(*) FROM entities WHERE entity_set = ?", (unit.entity_set,)
        else:
            sql, args = "SELECT COUNT(*) FROM links WHERE entity_set = ? AND nav = ?", (unit.entity_set, unit.nav)
        return self._conn.execute(sql, args).fetchone()[0]

    # -- rows -----------------------------------------------------------------------------

    def add_entities(self, entity_set: str, records: Sequence[tuple[str, str]]) -> int:
        """Insert (key, canonical record) rows; returns how many were new (the rest were duplicates)."""
        cur = self._conn.executemany(
            "INSERT OR IGNORE INTO entities (entity_set, key, record) VALUES (?, ?, ?)",
            [(entity_set, key, record) for key, record in records],
        )
        self._after_rows(len(records))
        if entity_set in self._stored:
            self._stored[entity_set] += cur.rowcount
        return cur.rowcount

    def add_links(self, entity_set: str, nav: str, from_key: str, to_keys: Iterable[str]) -> int:
        rows = [(entity_set, nav, from_key, to_key) for to_key in to_keys]
        cur = self._conn.executemany(
            "INSERT OR IGNORE INTO links (entity_set, nav, from_key, to_key) VALUES (?, ?, ?, ?)", rows
        )
        self._after_rows(len(rows))
        return cur.rowcount

    def _after_rows(self, n: int) -> None:
        self._uncommitted += n
        if self._uncommitted >= COMMIT_EVERY_ROWS:
            self._conn.commit()
            self._uncommitted = 0

    def keys_after(self, entity_set: str, after: str | None, limit: int) -> list[str]:
        """A batch of stored keys in key order: lets navigation reads stream over a large set."""
        if after is None:
            sql, args = "SELECT key FROM entities WHERE entity_set = ? ORDER BY key LIMIT ?", (entity_set, limit)
        else:
            sql = "SELECT key FROM entities WHERE entity_set = ? AND key > ? ORDER BY key LIMIT ?"
            args = (entity_set, after, limit)
        return [row[0] for row in self._conn.execute(sql, args)]

    def has_document(self, name: str) -> bool:
        return self._conn.execute("SELECT 1 FROM documents WHERE name = ?", (name,)).fetchone() is not None

    def add_document(self, name: str, media_type: str, body: str) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO documents (name, media_type, body) VALUES (?, ?, ?)", (name, media_type, body)
        )
        self._conn.commit()

    # -- finishing ------------------------------------------------------------------------

    def finish(self) -> InventoryMeta:
        """Record counts, fingerprint and time, and mark the file complete (still under its partial name)."""
        self._conn.commit()
        states = self.unit_states()
        unfinished = [name for name, state in states.items() if state is UnitState.PENDING]
        if unfinished:
            raise InventoryFormatError(f"cannot finish the inventory: {', '.join(unfinished)} not read")
        counts = dict(self._conn.execute("SELECT name, count FROM units WHERE kind = 'entity_set'"))
        updates = {
            "read_at": _utc_now().isoformat(),
            "fingerprint": fingerprint(self._conn),
            "counts": json.dumps(counts, sort_keys=True),
            "complete": "1",
        }
        self._conn.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", updates.items())
        self._conn.commit()
        return _meta_from_conn(self._conn, self.partial)

    def publish(self, out: Path) -> None:
        """Fold the WAL into the file, close it and rename it into place atomically."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.execute("PRAGMA journal_mode=DELETE")
        self._conn.close()
        with open(self.partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(self.partial, out)
        _fsync_directory(out.parent)

    def is_finished(self) -> bool:
        row = self._conn.execute("SELECT value FROM meta WHERE name = 'complete'").fetchone()
        return bool(row and row[0] == "1")

    def close(self) -> None:
        """Leave the partial file for --resume (after a failure or an interrupt)."""
        try:
            self._conn.commit()
        finally:
            self._conn.close()


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on directories; the rename still happened
        pass
    finally:
        os.close(fd)


def _require_private(path: Path) -> None:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigError(
            f"{path} is readable by other users (mode {mode:o})",
            hint="it holds secrets: chmod 600 it, or start a new read without --resume",
        )


_FINGERPRINT_BATCH = 2000


def fingerprint(conn: sqlite3.Connection) -> str:
    """sha256 over every record and link in a stable order (see docs/inventory-format.md)."""
    digest = hashlib.sha256()
    digest.update(f"ams-migrator-inventory/{FORMAT_VERSION}\n".encode())
    present = set(_entity_sets_present(conn))
    utf8 = conn.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"
    for entity_set in [s for s in schema.ENTITY_SETS if s in present] + sorted(present - set(schema.ENTITY_SETS)):
        for chunk in _entity_lines(conn, entity_set, utf8=utf8):
            digest.update(chunk)
    links = conn.execute(
        "SELECT entity_set, nav, from_key, to_key FROM links ORDER BY entity_set, nav, from_key, to_key"
    )
    for batch in iter(lambda: links.fetchmany(_FINGERPRINT_BATCH), []):
        digest.update("".join([f"L\t{s}\t{n}\t{f}\t{t}\n" for s, n, f, t in batch]).encode())
    return "sha256:" + digest.hexdigest()


def _entity_lines(conn: sqlite3.Connection, entity_set: str, *, utf8: bool) -> Iterator[bytes]:
    """The set's fingerprint lines (``E\tset\tkey\trecord\n``) in key order, a batch at a time."""
    prefix = f"E\t{entity_set}\t"
    if utf8:  # SQLite hands over each line as the UTF-8 bytes it stores: no str per row
        lines = conn.execute(
            "SELECT CAST(? || key || char(9) || record || char(10) AS BLOB) FROM entities"
            " WHERE entity_set = ? ORDER BY key",
            (prefix, entity_set),
        )
        for batch in iter(lambda: lines.fetchmany(_FINGERPRINT_BATCH), []):
            yield b"".join([line for line, in batch])
        return
    rows = conn.execute("SELECT key, record FROM entities WHERE entity_set = ? ORDER BY key", (entity_set,))
    for batch in iter(lambda: rows.fetchmany(_FINGERPRINT_BATCH), []):
        yield "".join([f"{prefix}{key}\t{record}\n" for key, record in batch]).encode()


def _entity_sets_present(conn: sqlite3.Connection) -> Iterator[str]:
    """The distinct sets in ``entities``: one primary-key seek per set, not a scan of every record."""
    rows = conn.execute(
        "WITH RECURSIVE present(name) AS ("
        " SELECT (SELECT MIN(entity_set) FROM entities)"
        " UNION ALL SELECT (SELECT MIN(entity_set) FROM entities WHERE entity_set > name) FROM present"
        " WHERE name IS NOT NULL)"
        " SELECT name FROM present WHERE name IS NOT NULL"
    )
    return (name for (name,) in rows)


def _read_meta_table(conn: sqlite3.Connection, path: Path) -> dict[str, str]:
    try:
        meta = dict(conn.execute("SELECT name, value FROM meta"))
    except sqlite3.DatabaseError:
        raise InventoryFormatError(
            f"{path} is not an inventory file", hint="create one with: migrator inventory --out FILE"
        ) from None
    version = meta.get("format_version")
    if version != str(FORMAT_VERSION):
        raise InventoryFormatError(
            f"{path} has inventory format version {version}, this tool reads version {FORMAT_VERSION}",
            hint="read the account again with this version of the tool",
        )
    return meta


def _meta_from_conn(conn: sqlite3.Connection, path: Path) -> InventoryMeta:
    meta = _read_meta_table(conn, path)
    units = list(conn.execute("SELECT name, kind, state, count FROM units ORDER BY rowid"))
    counts = json.loads(meta.get("counts", "{}"))
    try:
        return InventoryMeta(
            format_version=int(meta["format_version"]),
            endpoint=meta["endpoint"],
            api_version=meta["api_version"],
            read_at=datetime.fromisoformat(meta["read_at"]),
            counts={s: counts[s] for s in schema.ENTITY_SETS if s in counts},
            fingerprint=meta["fingerprint"],
            wire_format=meta.get("wire_format", ""),
            tool_version=meta.get("tool_version", ""),
            link_counts={name: count for name, kind, _, count in units if kind == UnitKind.NAVIGATION.value},
            unavailable=tuple(name for name, _, state, _ in units if state == UnitState.UNAVAILABLE.value),
        )
    except (KeyError, ValueError) as exc:
        raise InventoryFormatError(f"{path} has a damaged meta table ({type(exc).__name__}: {exc})") from None


class InventoryStore:
    """Read-only access to a complete inventory file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, meta: InventoryMeta) -> None:
        self._conn = conn
        self.path = path
        self.meta = meta

    @classmethod
    def open(cls, path: str | os.PathLike) -> "InventoryStore":
        path = Path(path)
        if not path.is_file():
            raise InventoryFormatError(
                f"inventory file {path} does not exist", hint="create one with: migrator inventory --out FILE"
            )
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            meta_table = _read_meta_table(conn, path)
            if meta_table.get("complete") != "1":
                raise InventoryFormatError(
                    f"{path} is an unfinished read", hint="continue it with: migrator inventory --resume"
                )
            meta = _meta_from_conn(conn, path)
        except Exception:
            conn.close()
            raise
        return cls(conn, path, meta)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "InventoryStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def entity_sets(self) -> tuple[str, ...]:
        """The sets this file holds (read completely), in reference order."""
        return tuple(s for s in schema.ENTITY_SETS if s in self.meta.counts)

    def entities(self, entity_set: str) -> Iterator[V2Entity]:
        """Every entity of the set, streamed in key order."""
        rows = self._conn.execute("SELECT record FROM entities WHERE entity_set = ? ORDER BY key", (entity_set,))
        for (record,) in rows:
            yield wire.from_record(entity_set, json.loads(record))

    def keys(self, entity_set: str) -> Iterator[str]:
        """Every key of the set, in key order, without reading a record."""
        rows = self._conn.execute("SELECT key FROM entities WHERE entity_set = ? ORDER BY key", (entity_set,))
        return (key for (key,) in rows)

    def get(self, entity_set: str, key: str) -> V2Entity | None:
        row = self._conn.execute(
            "SELECT record FROM entities WHERE entity_set = ? AND key = ?", (entity_set, key)
        ).fetchone()
        return None if row is None else wire.from_record(entity_set, json.loads(row[0]))

    def count(self, entity_set: str) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM entities WHERE entity_set = ?", (entity_set,)).fetchone()[0]

    def links(self, entity_set: str, nav: str) -> Iterator[tuple[str, str]]:
        """(from key, to key) pairs of a navigation read from the service, in key order."""
        rows = self._conn.execute(
            "SELECT from_key, to_key FROM links WHERE entity_set = ? AND nav = ? ORDER BY from_key, to_key",
            (entity_set, nav),
        )
        yield from rows

    def document(self, name: str) -> str | None:
        """An archived service document, e.g. ``$metadata``, when the service returned one."""
        row = self._conn.execute("SELECT body FROM documents WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def verify_fingerprint(self) -> bool:
        return fingerprint(self._conn) == self.meta.fingerprint
