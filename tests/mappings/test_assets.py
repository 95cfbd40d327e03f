"""Assets, files and storage accounts in both modes."""

from __future__ import annotations

import dataclasses

import pytest

from inventory_fixtures import MemoryInventory, cid, sample_account, sample_context
from openapi_check import body_errors

from migrator.mappings.assets import map_asset, map_file, map_storage_account, source_container
from migrator.mappings.base import Mode, Refresh
from migrator.plan import Change, Phase
from migrator.v2 import entities as e

FILE_1 = "nb:cid:UUID:10000000-0000-0000-0000-000000000001"
FILE_2 = "nb:cid:UUID:10000000-0000-0000-0000-000000000002"


def test_same_account_asset_is_expected_visible_under_its_guid_and_accounts_for_its_files(inventory, same_ctx):
    [proposal] = map_asset(inventory.get("Assets", cid(1)), same_ctx)
    action = proposal.action
    assert proposal.refresh is Refresh.VISIBLE
    assert action.address == "assets/00000000-0000-0000-0000-000000000001"
    assert action.change is Change.NO_CHANGE and action.body is None
    assert action.sources == (cid(1), FILE_1, FILE_2)
    assert [f.code for f in action.findings] == ["ASSET_VISIBLE"]


def test_new_account_asset_keeps_the_guid_as_name_and_the_v2_name_as_description(inventory, new_ctx):
    create, copy = map_asset(inventory.get("Assets", cid(1)), new_ctx)
    assert create.action.name == "00000000-0000-0000-0000-000000000001"
    assert create.action.body == {
        "properties": {"description": "Movie One", "alternateId": "ext-1", "container": "asset-00000000-0000-0000-0000-000000000001"}
    }
    assert body_errors(create.action) == []
    assert create.action.phase is Phase.PREPARE


def test_new_account_asset_gets_a_content_copy_step_that_accounts_for_its_files(inventory, new_ctx):
    _, copy = map_asset(inventory.get("Assets", cid(1)), new_ctx)
    action = copy.action
    assert action.address == "copies/00000000-0000-0000-0000-000000000001"
    assert action.resource_type == "copy:blobs" and action.operation == "content-copy"
    assert action.phase is Phase.CONTENT_COPY
    assert action.sources == (FILE_1, FILE_2)
    assert action.depends_on == ("assets/00000000-0000-0000-0000-000000000001", "manual/storageAccounts/store1")
    assert action.body["files"] == 2


def test_a_storage_encrypted_asset_needs_a_manual_decrypting_copy(inventory, new_ctx):
    _, copy = map_asset(inventory.get("Assets", cid(4)), new_ctx)
    assert copy.action.change is Change.MANUAL
    assert "ASSET_STORAGE_ENCRYPTED" in [f.code for f in copy.action.findings]
    assert copy.action.body["storageEncrypted"] is True
    assert "nb:kid:UUID:00000000-0000-0000-00aa-000000000004" in copy.action.sources


def test_parent_asset_links_are_reported_as_dropped(inventory, new_ctx):
    create, _ = map_asset(inventory.get("Assets", cid(2)), new_ctx)
    assert [f.code for f in create.action.findings] == ["ASSET_PARENT_DROPPED"]


def test_files_of_a_known_asset_need_no_action_and_orphans_are_ignored_with_the_reason(inventory, new_ctx):
    assert map_file(FILE_1, new_ctx) == []
    items, links = sample_account()
    orphan = e.AssetFile(id="nb:cid:UUID:99999999-0000-0000-0000-000000000000", parent_asset_id=cid(99))
    [proposal] = map_file(orphan.id, sample_context(Mode.NEW_ACCOUNT, MemoryInventory([*items, orphan], links)))
    assert proposal.action.change is Change.IGNORE
    assert proposal.action.findings[0].message == f"file {orphan.id} refers to asset {cid(99)}, which the inventory lacks"


def test_storage_accounts_stay_in_the_same_account_and_must_be_attached_to_a_new_one(inventory, same_ctx, new_ctx):
    account = inventory.get("StorageAccounts", "store1")
    [same] = map_storage_account(account, same_ctx)
    [new] = map_storage_account(account, new_ctx)
    assert (same.action.change, same.action.findings[0].code) == (Change.IGNORE, "STORAGE_ACCOUNT_KEPT")
    assert (new.action.change, new.action.address) == (Change.MANUAL, "manual/storageAccounts/store1")


def test_new_account_asset_keeps_the_source_container_name_so_blobs_land_where_the_copy_puts_them(inventory, new_ctx):
    create, copy = map_asset(inventory.get("Assets", cid(3)), new_ctx)
    assert create.action.body["properties"]["container"] == "asset-00000000-0000-0000-0000-000000000003"
    assert copy.action.body["sourceAssetName"] == copy.action.body["targetAssetName"] == create.action.name
    assert body_errors(create.action) == []


def test_an_asset_without_a_v2_uri_gets_no_container_and_says_so(inventory, new_ctx):
    create, _ = map_asset(inventory.get("Assets", cid(7)), new_ctx)
    assert "container" not in create.action.body["properties"]
    assert [f.code for f in create.action.findings] == ["ASSET_CONTAINER_UNKNOWN"]
    assert body_errors(create.action) == []


@pytest.mark.parametrize(
    "uri, container",
    [
        ("https://mystorage.blob.core.windows.net/asset-7e712f7e-d35f-4629-a9b1-47b35b2b576b", "asset-7e712f7e-d35f-4629-a9b1-47b35b2b576b"),
        ("https://mystorage.blob.core.windows.net/asset-7e712f7e-d35f-4629-a9b1-47b35b2b576b/", "asset-7e712f7e-d35f-4629-a9b1-47b35b2b576b"),
        ("https://mystorage.blob.core.windows.net/Asset-Upper", None),  # container names are lower case
        ("https://mystorage.blob.core.windows.net/a--b", None),  # no consecutive hyphens
        ("https://mystorage.blob.core.windows.net/ab", None),  # at least 3 characters
        ("https://mystorage.blob.core.windows.net/" + "a" * 64, None),  # at most 63
        ("", None),
        (None, None),
    ],
)
def test_the_source_container_is_the_uris_last_segment_only_when_it_is_a_valid_container_name(uri, container):
    assert source_container(uri) == container


def test_an_asset_whose_uri_is_no_container_url_gets_no_container(inventory, new_ctx):
    asset = dataclasses.replace(inventory.get("Assets", cid(1)), uri="https://mystorage.blob.core.windows.net/Not_A_Container")
    create, _ = map_asset(asset, new_ctx)
    assert "container" not in create.action.body["properties"]
    assert "ASSET_CONTAINER_UNKNOWN" in [f.code for f in create.action.findings]
