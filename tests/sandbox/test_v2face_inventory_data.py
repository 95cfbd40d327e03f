"""The v2 face over explicit data: in-memory records, and accounts loaded from an inventory file.

The inventory files here are written with plain SQL from docs/inventory-format.md and
docs/v2-records.md, not with the reader's store, so the loader is tested against the documents.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from migrator.exceptions import InventoryFormatError
from migrator.sandbox.seed import FULL_COVERAGE_ASSETS, SeededV2Data
from migrator.sandbox.v2data import InMemoryV2Data, load_inventory
from migrator.sandbox.v2face import V2Face
from v2_sandbox_helpers import ENTITY_SETS, MINIMAL, REFERENCE, TOKEN, VERBOSE, get, key_segment, results

# The relations the inventory stores as links (docs/inventory-format.md, "links").
LINK_RELATIONS = (
    ("Assets", "ContentKeys"),
    ("Assets", "ParentAssets"),
    ("Assets", "DeliveryPolicies"),
    ("ContentKeyAuthorizationPolicies", "Options"),
    ("Jobs", "InputMediaAssets"),
    ("Jobs", "OutputMediaAssets"),
    ("Jobs", "Tasks"),
    ("Tasks", "InputMediaAssets"),
    ("Tasks", "OutputMediaAssets"),
    ("JobTemplates", "TaskTemplates"),
    ("IngestManifestAssets", "Asset"),
)
SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE units (name TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE entities (entity_set TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (entity_set, key)) WITHOUT ROWID;
CREATE TABLE links (entity_set TEXT NOT NULL, nav TEXT NOT NULL, from_key TEXT NOT NULL, to_key TEXT NOT NULL,
                    PRIMARY KEY (entity_set, nav, from_key, to_key)) WITHOUT ROWID;
CREATE TABLE documents (name TEXT PRIMARY KEY, media_type TEXT NOT NULL, body TEXT NOT NULL);
"""


def _duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, whole = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (whole, "S")) if n)
    return f"P{f'{days}D' if days else ''}{'T' + time if time else ''}" if days or time else "PT0S"


def _record_value(prop: dict, value):
    """docs/v2-records.md: the record form of a native value."""
    if value is None:
        return None
    edm = prop["type"]
    if edm.startswith("Collection("):
        item = {"type": edm[len("Collection(") : -1], "enum": prop.get("enum")}
        return [_record_value(item, v) for v in value]
    fields = REFERENCE["complex_types"].get(edm.rsplit(".", 1)[-1] if edm.startswith(REFERENCE["namespace"]) else edm)
    if fields is not None:
        return {f["name"]: _record_value(f, value.get(f["name"])) for f in fields}
    enum = prop.get("enum")
    if enum and str(REFERENCE["enums"][enum]["wire"]).startswith("string"):
        return {v: k for k, v in REFERENCE["enums"][enum]["values"].items()}[value]
    if isinstance(value, datetime):
        return f"{value.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%f}Z"
    if isinstance(value, timedelta):
        return _duration(value)
    return value


def _record(entity_set: str, native: dict) -> str:
    record = {p["name"]: _record_value(p, native.get(p["name"])) for p in REFERENCE["entity_sets"][entity_set]["properties"]}
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def write_inventory(path: Path, data, *, format_version: str = "1", complete: str = "1") -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [("format_version", format_version), ("complete", complete), ("endpoint", "https://acct.restv2.westus.media.azure.net/api/"), ("api_version", "2.19")],
    )
    for entity_set in ENTITY_SETS:
        key_name = REFERENCE["entity_sets"][entity_set]["key"][0]
        rows = [(entity_set, str(r[key_name]), _record(entity_set, r)) for r in data.iter(entity_set)]
        connection.executemany("INSERT INTO entities VALUES (?, ?, ?)", rows)
    for entity_set, nav in LINK_RELATIONS:
        key_name = REFERENCE["entity_sets"][entity_set]["key"][0]
        for record in data.iter(entity_set):
            targets = data.navigation(entity_set, str(record[key_name]), nav)
            connection.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", [(entity_set, nav, str(record[key_name]), t) for t in targets])
    connection.commit()
    connection.close()
    return path


@pytest.fixture(scope="module")
def seeded() -> SeededV2Data:
    return SeededV2Data(17, FULL_COVERAGE_ASSETS)


@pytest.fixture(scope="module")
def inventory(seeded, tmp_path_factory) -> Path:
    return write_inventory(tmp_path_factory.mktemp("inventory") / "inventory.db", seeded)


@pytest.mark.parametrize("entity_set", ENTITY_SETS)
def test_a_loaded_inventory_holds_the_same_native_records(seeded, inventory, entity_set):
    loaded = load_inventory(inventory)
    assert list(loaded.iter(entity_set)) == list(seeded.iter(entity_set))


def test_a_loaded_inventory_answers_the_same_navigation(seeded, inventory):
    loaded = load_inventory(inventory)
    relations = LINK_RELATIONS + (("Assets", "Locators"), ("Assets", "Files"), ("Assets", "AssetFilters"), ("Channels", "Programs"), ("Locators", "Asset"))
    for entity_set, nav in relations:
        key_name = REFERENCE["entity_sets"][entity_set]["key"][0]
        for record in seeded.iter(entity_set):
            key = str(record[key_name])
            assert loaded.navigation(entity_set, key, nav) == seeded.navigation(entity_set, key, nav), (entity_set, nav, key)


def test_the_face_serves_a_loaded_inventory_byte_for_byte_like_the_seeded_account(seeded, inventory):
    from_seed, from_file = V2Face(seeded, token=TOKEN), V2Face(load_inventory(inventory), token=TOKEN)
    for entity_set in ENTITY_SETS:
        for accept in (VERBOSE, MINIMAL):
            target = f"/api/{entity_set}?$top=1000"
            assert get(from_file, target, accept).body == get(from_seed, target, accept).body, entity_set


def _broken_copy(source: Path, tmp_path: Path, statement: str, *params) -> Path:
    target = tmp_path / "broken.db"
    target.write_bytes(source.read_bytes())
    connection = sqlite3.connect(target)
    connection.execute(statement, params)
    connection.commit()
    connection.close()
    return target


@pytest.mark.parametrize(
    "statement, params",
    [
        ("UPDATE meta SET value = '2' WHERE name = 'format_version'", ()),
        ("UPDATE meta SET value = '0' WHERE name = 'complete'", ()),
        ("INSERT INTO entities VALUES ('Widgets', 'w1', '{}')", ()),
        ("INSERT INTO links VALUES ('Assets', 'Widgets', 'a', 'b')", ()),
        ("UPDATE entities SET record = '{\"Id\": 3' WHERE entity_set = 'ContentKeys'", ()),
        ("UPDATE entities SET record = json_set(record, '$.Created', 'yesterday') WHERE entity_set = 'ContentKeys'", ()),
    ],
    ids=["future-version", "unfinished", "unknown-set", "unknown-navigation", "bad-json", "bad-date"],
)
def test_files_that_are_not_finished_version_1_inventories_are_refused(inventory, tmp_path, statement, params):
    with pytest.raises(InventoryFormatError):
        load_inventory(_broken_copy(inventory, tmp_path, statement, *params))


def test_refusals_never_quote_a_secret_value(seeded, inventory, tmp_path):
    key = seeded.page("ContentKeys", 0, 1)[0]
    broken = _broken_copy(inventory, tmp_path, "UPDATE entities SET record = json_set(record, '$.Created', 'x') WHERE key = ?", key["Id"])
    with pytest.raises(InventoryFormatError) as raised:
        load_inventory(broken)
    assert key["EncryptedContentKey"] not in str(raised.value) and key["Id"] in str(raised.value)


def test_a_missing_file_is_refused_with_a_hint(tmp_path):
    with pytest.raises(InventoryFormatError) as raised:
        load_inventory(tmp_path / "nope.db")
    assert raised.value.hint


def test_unknown_properties_are_served_after_the_reference_ones(tmp_path):
    policy = {"Id": "nb:pid:UUID:00000000-0000-4000-8000-000000000001", "Created": None, "LastModified": None, "Name": "p",
              "DurationInMinutes": 60.0, "Permissions": 1, "_extra": {"FutureProperty": "kept"}}
    path = tmp_path / "inventory.db"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    connection.executemany("INSERT INTO meta VALUES (?, ?)", [("format_version", "1"), ("complete", "1")])
    connection.execute("INSERT INTO entities VALUES ('AccessPolicies', ?, ?)", (policy["Id"], json.dumps(policy)))
    connection.commit()
    connection.close()
    entity = results(get(V2Face(load_inventory(path), token=TOKEN), "/api/AccessPolicies", MINIMAL))[0]
    assert list(entity)[-1] == "FutureProperty" and entity["FutureProperty"] == "kept"
    assert entity["Created"] == "0001-01-01T00:00:00"


# -- InMemoryV2Data ---------------------------------------------------------------------------


def test_in_memory_navigation_follows_foreign_keys_unless_links_are_given():
    asset = {"Id": "nb:cid:UUID:a", "Name": "a"}
    files = [{"Id": f"nb:cid:UUID:f{i}", "ParentAssetId": "nb:cid:UUID:a"} for i in (2, 1)]
    derived = InMemoryV2Data({"Assets": [asset], "Files": files})
    assert derived.navigation("Assets", "nb:cid:UUID:a", "Files") == ["nb:cid:UUID:f1", "nb:cid:UUID:f2"]
    explicit = InMemoryV2Data({"Assets": [asset], "Files": files}, {("Assets", "Files"): [("nb:cid:UUID:a", "nb:cid:UUID:f2")]})
    assert explicit.navigation("Assets", "nb:cid:UUID:a", "Files") == ["nb:cid:UUID:f2"]
    assert derived.navigation("Assets", "nb:cid:UUID:a", "ContentKeys") == []


def test_in_memory_single_valued_navigation_needs_the_target_to_exist():
    locator = {"Id": "nb:lid:UUID:l", "AssetId": "nb:cid:UUID:gone", "AccessPolicyId": "nb:pid:UUID:p"}
    data = InMemoryV2Data({"Locators": [locator], "AccessPolicies": [{"Id": "nb:pid:UUID:p"}]})
    assert data.navigation("Locators", "nb:lid:UUID:l", "Asset") == []
    assert data.navigation("Locators", "nb:lid:UUID:l", "AccessPolicy") == ["nb:pid:UUID:p"]
    face = V2Face(data, token=TOKEN)
    assert get(face, f"/api/{key_segment('Locators', 'nb:lid:UUID:l')}/Asset").status == 404


def test_in_memory_data_refuses_unknown_sets():
    with pytest.raises(KeyError):
        InMemoryV2Data({"Widgets": []})


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database, just notes\n" * 100)
    with pytest.raises(InventoryFormatError):
        load_inventory(path)
