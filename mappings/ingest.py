"""Bulk ingest manifests: no v3 entity (use the Storage APIs or JobInputHttp)."""

from __future__ import annotations

from migrator.mappings.base import MappingContext, Proposal, enum_value, ignore, manual
from migrator.mappings.catalog import finding

ACTIVE_STATES = frozenset({1, 2})  # Activating, Active


def map_ingest_manifest(manifest, ctx: MappingContext) -> list[Proposal]:
    members = (
        *ctx.graph.needed_by_keys("IngestManifests", manifest.id, "IngestManifestAssets"),
        *ctx.graph.needed_by_keys("IngestManifests", manifest.id, "IngestManifestFiles"),
    )
    pending = getattr(manifest.statistics, "pending_files_count", 0) or 0
    if enum_value(manifest.state) in ACTIVE_STATES and pending:
        message = f"ingest manifest {manifest.name} has {pending} pending file(s)"
        return [manual("IngestManifests", manifest.id, finding("INGEST_MANIFEST_PENDING", message), sources=(manifest.id, *members))]
    return [ignore("IngestManifests", manifest.id, "INGEST_MANIFEST", sources=(manifest.id, *members))]


def map_ingest_member(entity, ctx: MappingContext, accounted: set[str]) -> list[Proposal]:
    """Manifest assets and files are accounted by their manifest; orphans are ignored."""
    if entity.id in accounted:
        return []
    return [ignore(entity.entity_set, entity.id, "INGEST_MANIFEST", "its manifest is not in the inventory")]
