"""The inventory file: atomic publication, 0600 mode, resume, and the read API."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from fake_v2_service import FakeV2Service, Fault, read
from migrator.exceptions import ConfigError, InventoryFormatError, MalformedPageError
from migrator.v2.store import FORMAT_VERSION, InventoryStore, partial_path


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _account(**kwargs) -> FakeV2Service:
    service = FakeV2Service(**kwargs)
    service.add("Assets", 3)
    service.add("ContentKeys", 2)
    service.add("Locators", 2500)
    return service


SETS = ["Assets", "ContentKeys", "Locators"]


def test_the_file_is_0600_from_creation_to_publication(tmp_path):
    out = tmp_path / "inv.db"
    modes = []

    def watch_partial(request):
        partial = partial_path(out)
        if partial.exists():
            modes.append(_mode(partial))
            wal = partial.with_name(partial.name + "-wal")
            if wal.exists():
                modes.append(_mode(wal))
        return None

    old_umask = os.umask(0)  # the most permissive umask must not widen the file
    try:
        read(_account(before=watch_partial), out, entity_sets=SETS)
    finally:
        os.umask(old_umask)
    assert modes and set(modes) == {0o600}
    assert _mode(out) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.db"]  # no partial, WAL or journal left


def test_a_crash_mid_read_never_leaves_a_file_that_looks_complete(tmp_path):
    out = tmp_path / "inv.db"
    service = _account()
    service.fail("Locators?$skip=1000", Fault(200, {}, "{}"))
    with pytest.raises(MalformedPageError):
        read(service, out, entity_sets=SETS, parallel=1)
    assert not out.exists()
    with pytest.raises(InventoryFormatError, match="unfinished read"):
        InventoryStore.open(partial_path(out))


def test_a_failed_read_leaves_the_previous_inventory_untouched(tmp_path):
    out = tmp_path / "inv.db"
    read(_account(), out, entity_sets=SETS)
    before = out.read_bytes()

    def crash(request):
        raise RuntimeError("the process died")

    with pytest.raises(RuntimeError):
        read(_account(before=crash), out, entity_sets=SETS)
    assert out.read_bytes() == before


def test_resume_continues_without_rereading_finished_sets_and_matches_a_fresh_read(tmp_path):
    out = tmp_path / "inv.db"
    broken = _account()
    broken.fail("Locators?$skip=2000", Fault(200, {}, "not json"))
    with pytest.raises(MalformedPageError):
        read(broken, out, entity_sets=SETS, parallel=1)
    conn = sqlite3.connect(partial_path(out))
    finished = {name for (name,) in conn.execute("SELECT name FROM units WHERE state = 'complete'")}
    conn.close()
    assert {"Assets", "ContentKeys"} <= finished and "Locators" not in finished

    healthy = _account()
    summary = read(healthy, out, entity_sets=SETS, resume=True)
    assert healthy.listing_requests("Assets") == [] and healthy.listing_requests("ContentKeys") == []
    assert healthy.listing_requests("Locators")
    assert summary.counts == {"Assets": 3, "ContentKeys": 2, "Locators": 2500}
    fresh = read(_account(), tmp_path / "fresh.db", entity_sets=SETS)
    assert summary.fingerprint == fresh.fingerprint
    assert not partial_path(out).exists()


def test_resume_refuses_a_partial_file_from_another_endpoint_or_selection(tmp_path):
    out = tmp_path / "inv.db"
    service = _account()
    service.fail("Locators", Fault(200, {}, "not json"))
    with pytest.raises(MalformedPageError):
        read(service, out, entity_sets=SETS)
    with pytest.raises(ConfigError, match="other entity sets"):
        read(_account(), out, entity_sets=["Assets"], resume=True)
    elsewhere = FakeV2Service(root="https://other.restv2.westus.media.azure.net/api/")
    with pytest.raises(ConfigError, match="another endpoint"):
        read(elsewhere, out, entity_sets=SETS, resume=True)


def test_resume_without_a_partial_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="nothing to resume"):
        read(_account(), tmp_path / "inv.db", entity_sets=SETS, resume=True)


def test_a_new_read_discards_an_interrupted_one(tmp_path, caplog):
    out = tmp_path / "inv.db"
    service = _account()
    service.fail("Locators", Fault(200, {}, "not json"))
    with pytest.raises(MalformedPageError):
        read(service, out, entity_sets=SETS)
    summary = read(_account(), out, entity_sets=["Assets"])
    assert summary.counts == {"Assets": 3}
    assert "discarding the interrupted read" in caplog.text


@pytest.fixture(name="inventory")
def inventory_fixture(tmp_path):
    service = FakeV2Service()
    assets = service.add("Assets", 3)
    keys = service.add("ContentKeys", 2)
    service.link("Assets", assets[1], "ContentKeys", "ContentKeys", keys)
    read(service, tmp_path / "inv.db", entity_sets=["Assets", "ContentKeys"])
    return tmp_path / "inv.db", assets, keys


def test_the_store_streams_entities_in_key_order_and_answers_lookups(inventory):
    path, assets, keys = inventory
    with InventoryStore.open(path) as store:
        assert [a.key for a in store.entities("Assets")] == sorted(assets)
        assert store.get("Assets", assets[0]).key == assets[0]
        assert store.get("Assets", "nb:cid:UUID:missing") is None
        assert store.count("Assets") == 3 and store.count("ContentKeys") == 2 and store.count("Locators") == 0
        assert list(store.links("Assets", "ContentKeys")) == [(assets[1], k) for k in sorted(keys)]
        assert store.entity_sets == ("Assets", "ContentKeys")


def test_the_store_lists_a_sets_keys_in_key_order_without_parsing_a_record(inventory, monkeypatch):
    from migrator.v2 import wire

    path, assets, keys = inventory
    monkeypatch.setattr(wire, "from_record", lambda *args: pytest.fail("a record was parsed"))
    with InventoryStore.open(path) as store:
        assert list(store.keys("Assets")) == sorted(assets)
        assert list(store.keys("ContentKeys")) == sorted(keys)
        assert list(store.keys("Locators")) == []


def test_the_meta_records_endpoint_time_version_counts_and_fingerprint(inventory):
    path, _, _ = inventory
    with InventoryStore.open(path) as store:
        meta = store.meta
        assert meta.format_version == FORMAT_VERSION
        assert meta.endpoint == "https://myaccount.restv2.westus.media.azure.net/api/"
        assert meta.api_version == "2.19"
        assert meta.read_at.tzinfo is not None
        assert meta.counts == {"Assets": 3, "ContentKeys": 2}
        assert meta.link_counts["Assets/ContentKeys"] == 2
        assert meta.fingerprint.startswith("sha256:") and store.verify_fingerprint()


def test_the_fingerprint_changes_when_any_record_changes(inventory):
    path, assets, _ = inventory
    conn = sqlite3.connect(path)
    record = json.loads(conn.execute("SELECT record FROM entities WHERE key = ?", (assets[0],)).fetchone()[0])
    record["Name"] = "tampered"
    conn.execute("UPDATE entities SET record = ? WHERE key = ?", (json.dumps(record), assets[0]))
    conn.commit()
    conn.close()
    with InventoryStore.open(path) as store:
        assert not store.verify_fingerprint()


def test_an_unknown_format_version_is_refused(inventory):
    path, _, _ = inventory
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE name = 'format_version'")
    conn.commit()
    conn.close()
    with pytest.raises(InventoryFormatError, match="format version 99"):
        InventoryStore.open(path)


def test_a_file_that_is_not_an_inventory_is_refused(tmp_path):
    other = tmp_path / "notes.db"
    other.write_text("just text")
    with pytest.raises(InventoryFormatError, match="not an inventory file"):
        InventoryStore.open(other)
    with pytest.raises(InventoryFormatError, match="does not exist"):
        InventoryStore.open(tmp_path / "missing.db")


def test_opening_the_store_never_writes_to_it(inventory):
    path, _, _ = inventory
    before = path.read_bytes()
    with InventoryStore.open(path) as store:
        list(store.entities("Assets"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["inv.db"]
