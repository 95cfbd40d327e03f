"""Seeded accounts are deterministic, lazily generated, and answer deep pages of huge accounts."""

from __future__ import annotations

import gc
import hashlib
import os
import subprocess
import sys

import pytest

from migrator.exceptions import ConfigError
from migrator.sandbox.seed import FULL_COVERAGE_ASSETS, SeededV2Data
from migrator.sandbox.v2data import key_property
from migrator.sandbox.v2face import V2Face
from v2_sandbox_helpers import ENTITY_SETS, MINIMAL, TOKEN, VERBOSE, get, key_segment, results


def _served_bytes(seed: int, assets: int, sets: tuple[str, ...] = ENTITY_SETS) -> list[bytes]:
    face = V2Face(SeededV2Data(seed, assets), token=TOKEN)
    return [get(face, f"/api/{s}?$top=1000", accept).body for s in sets for accept in (VERBOSE, MINIMAL)]


def test_the_same_seed_serves_the_same_bytes():
    assert _served_bytes(5, FULL_COVERAGE_ASSETS + 7) == _served_bytes(5, FULL_COVERAGE_ASSETS + 7)


_DIGEST_SCRIPT = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
from v2_sandbox_helpers import ENTITY_SETS, MINIMAL, VERBOSE, get
from migrator.sandbox.seed import SeededV2Data
from migrator.sandbox.v2face import V2Face
face = V2Face(SeededV2Data(5, 40), token="test-token")
digest = hashlib.sha256()
for entity_set in ENTITY_SETS:
    for accept in (VERBOSE, MINIMAL):
        digest.update(get(face, f"/api/{entity_set}?$top=1000", accept).body)
print(digest.hexdigest())
"""


def test_the_same_seed_serves_the_same_bytes_in_other_processes():
    here = os.path.dirname(os.path.abspath(__file__))
    expected = hashlib.sha256(b"".join(_served_bytes(5, 40))).hexdigest()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        output = subprocess.run([sys.executable, "-c", _DIGEST_SCRIPT, here], env=env, capture_output=True, text=True, check=True)
        assert output.stdout.strip() == expected


def test_another_seed_gives_other_ids_except_to_the_global_media_processors():
    account_sets = tuple(s for s in ENTITY_SETS if s not in ("MediaProcessors", "StorageAccounts", "Filters"))
    first, second = _served_bytes(5, FULL_COVERAGE_ASSETS, account_sets), _served_bytes(6, FULL_COVERAGE_ASSETS, account_sets)
    assert all(a != b for a, b in zip(first, second))
    assert _served_bytes(5, 1, ("MediaProcessors",)) == _served_bytes(6, 1, ("MediaProcessors",))


def test_growing_an_account_keeps_its_existing_assets_unchanged():
    small, large = SeededV2Data(9, 40), SeededV2Data(9, 400)
    assert small.page("Assets", 0, 40) == large.page("Assets", 0, 40)
    assert small.page("Files", 0, small.count("Files")) == large.page("Files", 0, small.count("Files"))


@pytest.mark.parametrize("entity_set", ENTITY_SETS)
def test_pages_follow_key_order_and_every_key_gets_back_its_record(entity_set):
    data = SeededV2Data(13, FULL_COVERAGE_ASSETS * 3 + 5)
    key_name = key_property(entity_set)
    records = list(data.iter(entity_set))
    keys = [str(r[key_name]) for r in records]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == data.count(entity_set)
    assert data.page(entity_set, 3, 4) == records[3:7]
    assert all(data.get(entity_set, k) == r for k, r in zip(keys, records))


def test_lookups_of_keys_that_do_not_exist_answer_none():
    data = SeededV2Data(13, 50)
    past_the_end = data.asset_key(50)
    assert data.get("Assets", past_the_end) is None
    real = data.asset_key(3)
    forged = real[:-1] + ("1" if real.endswith("0") else "0")
    assert data.get("Assets", forged) is None
    assert data.get("Assets", "nb:cid:UUID:not-a-guid") is None
    assert data.get("AssetFilters", f"{data.asset_key(3)}__###__no-such-filter") is None
    assert data.navigation("Assets", past_the_end, "Files") == []


def test_an_account_needs_at_least_one_asset():
    with pytest.raises(ConfigError):
        SeededV2Data(1, 0)


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def test_a_million_asset_account_answers_a_deep_page_without_growing_memory():
    gc.collect()
    before = _rss_bytes()
    data = SeededV2Data(21, 1_000_000)
    face = V2Face(data, token=TOKEN)
    page = results(get(face, "/api/Assets?$skip=999000&$top=1000", VERBOSE))
    files = results(get(face, f"/api/Files?$skip={data.count('Files') - 1000}", MINIMAL))
    last = data.asset_key(999_999)
    single = get(face, f"/api/{key_segment('Assets', last)}/Locators", MINIMAL)
    gc.collect()
    growth = _rss_bytes() - before
    assert data.count("Assets") == 1_000_000
    assert [e["Id"] for e in page] == [data.asset_key(i) for i in range(999_000, 1_000_000)]
    assert len(files) == 1000 and files[-1]["ParentAssetId"] == last
    assert single.status == 200
    assert growth < 64 * 1024 * 1024, f"RSS grew by {growth / 2**20:.1f} MiB"
