"""The inventory fingerprint is the documented digest, byte for byte (docs/inventory-format.md)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.auth import StaticTokenProvider
from migrator.http import build_session
from migrator.v2.reader import READ_RETRY, ReaderSettings, read_inventory
from migrator.v2.store import FORMAT_VERSION, InventoryWriter, Unit, UnitKind, fingerprint

BENCH_SERVER = Path(__file__).resolve().parents[2] / "bench" / "inventory" / "server.py"
# The benchmark's account of 2500 Files, as the reader before the parse pool fingerprinted it.
BENCH_ACCOUNT_2500 = "sha256:e91722f855ae838064f155762cfd613fb9d53934c82221e24f54f048b5cdab39"


def _documented_digest(entities: list[tuple[str, str, str]], links: list[tuple[str, str, str, str]]) -> str:
    """The rule as written: one line per record in (set order, key order), then one per link, sha256."""
    digest = hashlib.sha256(f"ams-migrator-inventory/{FORMAT_VERSION}\n".encode())
    for entity_set, key, record in entities:
        digest.update(f"E\t{entity_set}\t{key}\t{record}\n".encode())
    for link in links:
        digest.update(("L\t" + "\t".join(link) + "\n").encode())
    return "sha256:" + digest.hexdigest()


def test_the_fingerprint_hashes_every_line_as_its_utf8_bytes(tmp_path):
    units = [Unit(UnitKind.ENTITY_SET, "Assets"), Unit(UnitKind.ENTITY_SET, "Locators")]
    writer = InventoryWriter.create(tmp_path / "f.partial", endpoint="e", api_version="2.19", wire_format="verbose", units=units)
    # sets are hashed in reference order (Assets before Locators), keys in byte order
    locators = [("nb:lid:UUID:2", '{"Name":"tab\\there"}'), ("nb:lid:UUID:1", '{"Name":"ümlaut ✓ 𝄞"}')]
    assets = [(f"nb:cid:UUID:{i:04d}", '{"Name":"asset %d"}' % i) for i in range(4500, -1, -1)]
    assets.append(("nb:cid:UUID:zz\x00nul", '{"Name":"nul in the key"}'))
    writer.add_entities("Locators", locators)
    writer.add_entities("Assets", assets)
    writer.add_entities("ZzFutureSet", [("z1", "{}")])  # sets the schema does not know come last, by name
    writer.add_entities("AaFutureSet", [("a1", "{}")])
    writer.add_links("Assets", "ContentKeys", "nb:cid:UUID:0001", ["nb:kid:UUID:b", "nb:kid:UUID:a"])
    expected = _documented_digest(
        [("Assets", k, r) for k, r in sorted(assets, key=lambda row: row[0].encode())]
        + [("Locators", k, r) for k, r in sorted(locators)]
        + [("AaFutureSet", "a1", "{}"), ("ZzFutureSet", "z1", "{}")],
        [("Assets", "ContentKeys", "nb:cid:UUID:0001", "nb:kid:UUID:a"), ("Assets", "ContentKeys", "nb:cid:UUID:0001", "nb:kid:UUID:b")],
    )
    assert fingerprint(writer._conn) == expected
    writer.close()


@pytest.fixture(scope="module")
def bench_account():
    server = subprocess.Popen(
        [sys.executable, str(BENCH_SERVER), "--entities", "2500", "--latency", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        yield f"http://127.0.0.1:{int(server.stdout.readline())}/api/"  # type: ignore[union-attr]
    finally:
        server.terminate()
        server.wait()


@pytest.mark.parametrize("parallel", [1, 8])
def test_the_benchmark_account_keeps_its_fingerprint_with_and_without_parse_workers(tmp_path, bench_account, parallel):
    summary = read_inventory(
        tmp_path / "inv.db",
        ReaderSettings(bench_account, parallel=parallel, archive_metadata=False),
        provider=StaticTokenProvider("bench-token", api="v2"),
        session=build_session(READ_RETRY),
        entity_sets=["Files"],
    )
    assert summary.counts == {"Files": 2500}
    assert summary.fingerprint == BENCH_ACCOUNT_2500


def test_a_utf16_inventory_fingerprints_as_its_utf8_copy(tmp_path):
    import sqlite3

    units = [Unit(UnitKind.ENTITY_SET, "Assets")]
    writer = InventoryWriter.create(tmp_path / "f.partial", endpoint="e", api_version="2.19", wire_format="verbose", units=units)
    writer.add_entities("Assets", [("nb:cid:UUID:2", '{"Name":"ümlaut ✓ 𝄞"}'), ("nb:cid:UUID:1", '{"Name":"tab\\there"}')])
    writer.add_links("Assets", "ContentKeys", "nb:cid:UUID:1", ["nb:kid:UUID:a"])
    utf16 = sqlite3.connect(tmp_path / "utf16.db")
    utf16.execute("PRAGMA encoding = 'UTF-16le'")
    for table in ("entities", "links"):
        [(create,)] = writer._conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
        utf16.execute(create)
        rows = writer._conn.execute(f"SELECT * FROM {table}").fetchall()
        utf16.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    assert utf16.execute("PRAGMA encoding").fetchone()[0] == "UTF-16le"
    assert fingerprint(utf16) == fingerprint(writer._conn)
    utf16.close()
    writer.close()
