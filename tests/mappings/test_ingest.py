"""Ingest manifests have no v3 entity."""

from __future__ import annotations

from migrator.mappings.ingest import map_ingest_manifest, map_ingest_member
from migrator.plan import Change
from migrator.v2 import entities as e


def test_an_active_manifest_with_pending_files_is_a_manual_step_that_accounts_for_its_members(inventory, new_ctx):
    [proposal] = map_ingest_manifest(inventory.get("IngestManifests", "nb:mid:UUID:m1"), new_ctx)
    assert (proposal.action.change, proposal.action.findings[0].code) == (Change.MANUAL, "INGEST_MANIFEST_PENDING")
    assert proposal.action.sources == ("nb:maid:UUID:ma1", "nb:mfid:UUID:mf1", "nb:mid:UUID:m1")


def test_an_idle_manifest_is_ignored_and_orphan_members_say_why(inventory, new_ctx):
    [idle] = map_ingest_manifest(e.IngestManifest(id="nb:mid:UUID:m2", state=0), new_ctx)
    assert idle.action.change is Change.IGNORE
    [orphan] = map_ingest_member(e.IngestManifestFile(id="nb:mfid:UUID:x"), new_ctx, set())
    assert orphan.action.findings[0].message == "its manifest is not in the inventory"
