"""Assets, their files and storage accounts.

Same account: v3 already sees every v2 asset (named by the GUID part of its id), so the plan
only confirms it is there. New account: the asset is created under that GUID name with the v2
``Name`` as description, and its blobs are copied outside ARM (one content-copy step each).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from migrator.plan import Action, Change, Operation, Phase
from migrator.v3.ids import ResourceType

from migrator.mappings.base import (
    MappingContext,
    Proposal,
    Refresh,
    address_of,
    enum_value,
    guid_of,
    ignore,
    manual,
    resource_action,
)
from migrator.mappings.catalog import finding

STORAGE_ENCRYPTED = 1
STATICALLY_PROTECTED = frozenset({2, 4})
STORAGE_KEY_TYPE = 1
COPY_RESOURCE_TYPE = "copy:blobs"
# Azure Blob container names: 3-63 lowercase letters, digits and single hyphens, starting and
# ending with a letter or digit.
_CONTAINER_NAME = re.compile(r"(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*")


def asset_name(asset_id: str) -> str:
    """v3 names a v2 asset by the GUID part of its id (migration-guidance a.1)."""
    return guid_of(asset_id)


def copy_address(name: str) -> str:
    """The content-copy step of the asset named ``name`` (new account)."""
    return f"copies/{name}"


def map_asset(asset, ctx: MappingContext) -> list[Proposal]:
    if not ctx.new_account:
        return map_visible_asset(asset.id, ctx)
    graph = ctx.graph
    name = asset_name(asset.id)
    files = graph.needed_by_keys("Assets", asset.id, "Files")
    storage_keys = _storage_keys(asset.id, ctx)
    findings = []
    if graph.need_keys("Assets", asset.id, "Assets"):
        findings.append(finding("ASSET_PARENT_DROPPED"))
    properties = {"description": asset.name or ""}
    if asset.alternate_id:
        properties["alternateId"] = asset.alternate_id
    container = source_container(asset.uri)
    if container:
        # Same container name on both sides: the copy is container to container, and a
        # client that derived blob paths from the container keeps them.
        properties["container"] = container
    else:
        findings.append(finding("ASSET_CONTAINER_UNKNOWN", f"asset {name} has no usable v2 Uri ({asset.uri!r})"))
    create = resource_action(
        ResourceType.ASSET, name, {"properties": properties}, sources=(asset.id,), phase=Phase.PREPARE,
        findings=tuple(findings),
    )
    return [create, _content_copy(asset, name, files, storage_keys, ctx)]


def map_visible_asset(asset_id: str, ctx: MappingContext) -> list[Proposal]:
    """Same account: the asset is only confirmed visible to v3, which needs its key, not its
    record (a million-asset plan reads no asset record in this mode)."""
    files = ctx.graph.needed_by_keys("Assets", asset_id, "Files")
    return [
        resource_action(
            ResourceType.ASSET, asset_name(asset_id), None, sources=(asset_id, *files, *_storage_keys(asset_id, ctx)),
            phase=Phase.PREPARE, findings=(finding("ASSET_VISIBLE"),), refresh=Refresh.VISIBLE,
        )
    ]


def _storage_keys(asset_id: str, ctx: MappingContext) -> list[str]:
    return [
        k for k in ctx.graph.need_keys("Assets", asset_id, "ContentKeys")
        if enum_value(getattr(ctx.entity("ContentKeys", k), "content_key_type", None)) == STORAGE_KEY_TYPE
    ]


def source_container(uri: str | None) -> str | None:
    """The blob container of a v2 asset: the last path segment of its ``Uri``, if a valid name."""
    if not uri:
        return None
    segment = urlsplit(uri).path.rstrip("/").rpartition("/")[2]
    return segment if _CONTAINER_NAME.fullmatch(segment) else None


def _content_copy(asset, name: str, files: list[str], storage_keys: list[str], ctx: MappingContext) -> Proposal:
    options = enum_value(asset.options) or 0
    findings = [finding("ASSET_CONTENT_COPY", f"copy {len(files)} file(s) of asset {name}")]
    change = Change.CREATE
    if options & STORAGE_ENCRYPTED:
        findings.append(finding("ASSET_STORAGE_ENCRYPTED"))
        change = Change.MANUAL
    if options & 6:
        findings.append(finding("ASSET_STATICALLY_PROTECTED"))
    depends = [address_of(ResourceType.ASSET, name)]
    # Blobs can only land once the storage account is attached to the target account.
    depends += [f"manual/storageAccounts/{s}" for s in ctx.graph.need_keys("Assets", asset.id, "StorageAccounts")]
    return Proposal(
        Action(
            address=copy_address(name),
            change=change,
            resource_type=COPY_RESOURCE_TYPE,
            name=name,
            operation=Operation.CONTENT_COPY.value,
            phase=Phase.CONTENT_COPY,
            sources=tuple(sorted({*files, *storage_keys})),
            depends_on=tuple(sorted(depends)),
            body={
                "sourceAssetName": name,
                "targetAssetName": name,
                "files": len(files),
                "storageEncrypted": bool(options & STORAGE_ENCRYPTED),
            },
            findings=tuple(findings),
        )
    )


def map_file(file_id: str, ctx: MappingContext) -> list[Proposal]:
    """Files are accounted by their asset; a file whose asset is missing is dropped, said so.

    Takes the key, not the entity: a million-asset account has millions of files, and only the
    orphans need reading.
    """
    if ctx.graph.need_keys("Files", file_id, "Assets"):
        return []
    parent = getattr(ctx.entity("Files", file_id), "parent_asset_id", None)
    return [ignore("Files", file_id, "GRAPH_DANGLING_REFERENCE", f"file {file_id} refers to asset {parent}, which the inventory lacks")]


def map_storage_account(account, ctx: MappingContext) -> list[Proposal]:
    if not ctx.new_account:
        return [ignore("StorageAccounts", account.name, "STORAGE_ACCOUNT_KEPT")]
    return [manual("StorageAccounts", account.name, finding("STORAGE_ACCOUNT_ATTACH", f"storage account {account.name}"))]
