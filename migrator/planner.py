"""From an inventory to a plan: an ordered pipeline of small ``generate_*`` steps.

Like Django's migration autodetector, each step looks at one family of the inventory and
adds proposals; the order matters and is fixed in ``STEPS`` (publishing inputs are accounted
by the locators before the leftover keys and policies get their own disposition). Then the
target's current state is read through the injected ARM reader and every proposal gets its
final change: absent -> create, equal -> no change, different -> modify where v3 allows it,
unsupported otherwise. Last, coverage is checked: every inventory entity must appear in the
sources of at least one action.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import logging
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol

from migrator import __version__
from migrator.console import Reporter, SilentReporter
from migrator.exceptions import ConfigError
from migrator.graph import NAVIGATION_RELATIONS, RELATIONS, DependencyGraph, GraphBuilder, build_graph
from migrator.mappings import assets, encoding, endpoints, filters, ingest, live, locators, notifications, protection, quotas, tables
from migrator.mappings.base import IMMUTABLE_TYPES, MappingContext, Mode, Proposal, Refresh, canonical_hash
from migrator.mappings.catalog import finding
from migrator.plan import (
    AccountCoordinates,
    Action,
    Change,
    Finding,
    InventoryInfo,
    Operation,
    Plan,
    coverage_of,
    order_actions,
)
from migrator.redact import SECRET_FIELDS, redact_body
from migrator.v2 import schema
from migrator.v3.ids import AccountRef, ResourceType, collection_id, name_rule

log = logging.getLogger("migrator.planner")


class TargetReader(Protocol):
    """What refresh needs of the ARM client (``ArmClient`` satisfies it)."""

    def get(self, resource_id: str) -> dict | None: ...

    def list(self, collection_id: str) -> Iterator[dict]: ...


class Inventory(Protocol):
    """What the planner reads of an ``InventoryStore``."""

    meta: Any

    def entities(self, entity_set: str) -> Iterator[Any]: ...

    def keys(self, entity_set: str) -> Iterator[str]: ...

    def get(self, entity_set: str, key: str) -> Any: ...

    def links(self, entity_set: str, nav: str) -> Iterator[tuple[str, str]]: ...


@dataclass(frozen=True)
class PlanRequest:
    mode: Mode
    target: AccountCoordinates
    source: AccountCoordinates | None = None
    refresh: bool = True
    location: str | None = None


# Entity sets small enough (and read often enough) to hold in memory while mapping.
CACHED_SETS = (
    "AccessPolicies",
    "ContentKeys",
    "ContentKeyAuthorizationPolicies",
    "ContentKeyAuthorizationPolicyOptions",
    "AssetDeliveryPolicies",
    "MediaProcessors",
    "TaskTemplates",
    "Channels",
    "Jobs",
)

# Cached sets no mapping reads after the step named: they are dropped then, so their memory
# (millions of keys, options and policies at a million assets) goes to the actions still to
# come. A late read would still be answered, from the file.
_RELEASED_AFTER = {
    "generate_notifications": ("Jobs",),
    "generate_access_policies": (
        "AccessPolicies",
        "ContentKeyAuthorizationPolicies",
        "ContentKeyAuthorizationPolicyOptions",
        "AssetDeliveryPolicies",
    ),
    "generate_content_keys": ("ContentKeys",),
}

# Collections listed once during refresh (top-level, account scope).
_LISTED_TYPES = (
    ResourceType.ASSET,
    ResourceType.STREAMING_LOCATOR,
    ResourceType.STREAMING_POLICY,
    ResourceType.CONTENT_KEY_POLICY,
    ResourceType.ACCOUNT_FILTER,
    ResourceType.TRANSFORM,
    ResourceType.LIVE_EVENT,
    ResourceType.STREAMING_ENDPOINT,
    ResourceType.EVENT_SUBSCRIPTION,
)


class _EntityCache:
    """``entity(set, key)``: whole small sets in memory, the rest through ``store.get``."""

    def __init__(self, store: Inventory, sets: Iterable[str]) -> None:
        self._store = store
        self._sets = {s: None for s in sets}

    def __call__(self, entity_set: str, key: str):
        if entity_set in self._sets:
            return self._table(entity_set).get(key)
        return self._store.get(entity_set, key)

    @contextmanager
    def holding(self, entity_set: str) -> Iterator[None]:
        """Hold a large set in memory for one step only: its mapping reads siblings of the
        entity it maps (an asset's other locators), which would otherwise parse each again."""
        self._sets[entity_set] = None
        try:
            yield
        finally:
            del self._sets[entity_set]

    def release(self, entity_sets: Iterable[str]) -> None:
        for entity_set in entity_sets:
            self._sets.pop(entity_set, None)

    def all(self, entity_set: str) -> Iterator[Any]:
        """Every entity of the set in key order, without reading a cached set twice."""
        if entity_set in self._sets:
            table = self._table(entity_set)
            return (table[k] for k in sorted(table))
        return self._store.entities(entity_set)

    def _table(self, entity_set: str) -> dict[str, Any]:
        table = self._sets[entity_set]
        if table is None:
            table = self._sets[entity_set] = {e.key: e for e in self._store.entities(entity_set)}
        return table


class Planner:
    """One planning run. ``run()`` executes ``STEPS`` in order and returns the plan."""

    # The steps that hold large sets in memory (jobs until notifications; locators and the
    # policies they publish with until the policy ledger steps) come before the millions of
    # asset actions, which then take over the memory they let go. No step reads another's
    # proposals; a ledger step only reads what the steps before it accounted (assets account
    # content keys only, so just that ledger step waits for them).
    STEPS = (
        "generate_graph",
        "generate_transforms",
        "generate_jobs",
        "generate_notifications",
        "generate_locators",
        "generate_policies",
        "generate_key_policies",
        "generate_key_options",
        "generate_delivery_policies",
        "generate_access_policies",
        "generate_assets",
        "generate_files",
        "generate_storage_accounts",
        "generate_content_keys",
        "generate_filters",
        "generate_media_processors",
        "generate_reserved_units",
        "generate_live",
        "generate_streaming_endpoints",
        "generate_ingest",
        "generate_graph_findings",
        "generate_quota_findings",
        "refresh",
    )

    def __init__(
        self,
        store: Inventory,
        request: PlanRequest,
        reader: TargetReader | None = None,
        reporter: Reporter | None = None,
    ) -> None:
        if request.refresh and reader is None:
            raise ConfigError("planning with refresh needs an ARM reader", hint="pass --no-refresh to plan offline")
        self.store = store
        self.request = request
        self.reader = reader
        self.reporter = reporter or SilentReporter()
        self.entity_sets = tuple(s for s in schema.ENTITY_SETS if s in store.meta.counts)
        self.proposals: dict[str, Proposal] = {}
        self.accounted: set[str] = set()
        self.plan_findings: list[Finding] = []
        self.state_fingerprint: str | None = None
        self.graph: DependencyGraph
        self.ctx: MappingContext

    # -- the pipeline ----------------------------------------------------------------------

    def run(self) -> Plan:
        for step in self.STEPS:
            log.info("plan step %s", step)
            getattr(self, step)()
            self.entity_cache.release(_RELEASED_AFTER.get(step, ()))
        return self.assemble()

    def generate_graph(self) -> None:
        navigations = [(n.from_set, n.navigation) for n in schema.NAVIGATION_TO_READ]
        link_counts = getattr(self.store.meta, "link_counts", None) or {}
        if link_counts:
            navigations = [n for n in navigations if f"{n[0]}/{n[1]}" in link_counts]
        inventory_file = getattr(self.store, "path", None)
        if inventory_file is not None:
            self.graph = graph_of_inventory_file(inventory_file, self.entity_sets, navigations)
        else:
            self.graph = build_graph(self.store, self.entity_sets, navigations)
        self.entity_cache = _EntityCache(self.store, CACHED_SETS)
        self.ctx = MappingContext(
            mode=self.request.mode,
            graph=self.graph,
            entity=self.entity_cache,
            location=self.request.location or self._target_location(),
            now=self.store.meta.read_at,
        )
        self.protection = protection.ProtectionPlanner(self.ctx)
        self.encoding = encoding.EncodingPlanner(self.ctx)

    def generate_assets(self) -> None:
        if self.ctx.new_account:
            self._map_each("Assets", assets.map_asset)
        else:
            self._map_each("Assets", assets.map_visible_asset, by_key=True)

    def generate_files(self) -> None:
        for key in self.graph.keys("Files"):
            self._add(assets.map_file(key, self.ctx))

    def generate_storage_accounts(self) -> None:
        self._map_each("StorageAccounts", assets.map_storage_account)

    def generate_locators(self) -> None:
        with self.entity_cache.holding("Locators"):
            self._map_each("Locators", lambda e, ctx: locators.map_locator(e, ctx, self.protection))
        self.protection.forget_assets()

    def generate_policies(self) -> None:
        self._add(self.protection.policy_proposals())

    def generate_content_keys(self) -> None:
        self._map_each("ContentKeys", self._with_ledger(protection.map_content_key))

    def generate_key_policies(self) -> None:
        self._map_each("ContentKeyAuthorizationPolicies", self._with_ledger(protection.map_authorization_policy), by_key=True)

    def generate_key_options(self) -> None:
        self._map_each("ContentKeyAuthorizationPolicyOptions", self._with_ledger(protection.map_authorization_option), by_key=True)

    def generate_delivery_policies(self) -> None:
        self._map_each("AssetDeliveryPolicies", self._with_ledger(protection.map_delivery_policy), by_key=True)

    def generate_access_policies(self) -> None:
        self._map_each("AccessPolicies", self._with_ledger(locators.map_access_policy), by_key=True)

    def generate_filters(self) -> None:
        self._map_each("Filters", filters.map_account_filter)
        self._map_each("AssetFilters", filters.map_asset_filter)

    def generate_transforms(self) -> None:
        self._map_each("JobTemplates", encoding.map_job_template)
        self._map_each("TaskTemplates", encoding.map_task_template)
        for task in self._entities("Tasks"):
            self.encoding.add_task(task)
        self._add(self.encoding.proposals())

    def generate_jobs(self) -> None:
        self._map_each("Jobs", encoding.map_job)

    def generate_media_processors(self) -> None:
        self._map_each("MediaProcessors", encoding.map_media_processor)

    def generate_reserved_units(self) -> None:
        self._map_each("EncodingReservedUnitTypes", encoding.map_reserved_units)

    def generate_live(self) -> None:
        self._map_each("Channels", live.map_channel)
        self._map_each("Programs", live.map_program)
        self._map_each("Operations", live.map_operation)

    def generate_streaming_endpoints(self) -> None:
        self._map_each("StreamingEndpoints", endpoints.map_streaming_endpoint)

    def generate_notifications(self) -> None:
        self._map_each("NotificationEndPoints", notifications.map_notification_endpoint)

    def generate_ingest(self) -> None:
        self._map_each("IngestManifests", ingest.map_ingest_manifest)
        self._map_each("IngestManifestAssets", self._with_ledger(ingest.map_ingest_member))
        self._map_each("IngestManifestFiles", self._with_ledger(ingest.map_ingest_member))

    def generate_graph_findings(self) -> None:
        for dangling in self.graph.dangling:
            message = (
                f"{dangling.source.entity_set} {dangling.source.key} refers to "
                f"{dangling.target_set} {dangling.target_key} ({dangling.relation})"
            )
            self.plan_findings.append(finding("GRAPH_DANGLING_REFERENCE", message))
        for cycle in self.graph.cycles:
            members = ", ".join(m.key for m in cycle.members[:5])
            self.plan_findings.append(finding("GRAPH_CYCLE", f"{len(cycle.members)} entities: {members}"))

    def generate_quota_findings(self) -> None:
        # What v3 already sees in the same account exists under the old limits; only what the
        # plan adds must fit the v3 quotas.
        planned = (p.action for p in self.proposals.values() if p.refresh is not Refresh.VISIBLE)
        for message in quota_problems(planned):
            self.plan_findings.append(finding("QUOTA_EXCEEDED", message))

    def refresh(self) -> None:
        if not self.request.refresh:
            self.plan_findings.append(finding("NOT_REFRESHED"))
            return
        current = self._read_target()
        self.state_fingerprint = state_fingerprint(current)
        for address, proposal in list(self.proposals.items()):
            if proposal.refresh is Refresh.NONE:
                continue
            action = proposal.action
            key = _target_key(action)
            self.proposals[address] = replace(proposal, action=refreshed_action(action, proposal.refresh, current.get(key)))
        self._fit_to_target_quotas(current)

    def _fit_to_target_quotas(self, current: Mapping[tuple[str, str], Mapping[str, Any]]) -> None:
        """Leave to the operator every create the target has no room for, counting what it holds."""
        fitted = quotas.fit_to_target(self.ctx, (p.action for p in self.proposals.values()), current)
        for (address, proposal), action in zip(list(self.proposals.items()), fitted):
            if action is not proposal.action:
                self.proposals[address] = replace(proposal, action=action)

    # -- assembly ---------------------------------------------------------------------------

    def assemble(self) -> Plan:
        meta = self.store.meta
        counts = {s: meta.counts[s] for s in self.entity_sets}
        accounted = {s: self.graph.count_among(s, self.accounted) for s in self.entity_sets}
        actions = [p.action for p in self.proposals.values()]
        self._release_mapping_state()
        return Plan(
            tool_version=__version__,
            mode=self.request.mode.value,
            refreshed=self.request.refresh,
            inventory=InventoryInfo(
                fingerprint=meta.fingerprint,
                endpoint=meta.endpoint,
                read_at=_iso(meta.read_at),
                counts=counts,
            ),
            target=replace(self.request.target, state_fingerprint=self.state_fingerprint),
            source=self.request.source if self.request.mode is Mode.NEW_ACCOUNT else None,
            actions=order_actions(actions),
            coverage=coverage_of(counts, accounted),
            findings=tuple(sorted(set(self.plan_findings), key=lambda f: (f.code, f.message))),
        )

    def _release_mapping_state(self) -> None:
        """Drop the graph, the entity caches and the ledger before ordering the actions.

        At a million assets they are most of the memory, and ordering and writing the plan
        need none of them: the peak is then the larger of the two halves, not their sum.
        """
        self.graph.clear()
        self.proposals = {}
        self.accounted = set()
        self.ctx = self.protection = self.encoding = self.entity_cache = None  # type: ignore[assignment]

    # -- helpers ----------------------------------------------------------------------------

    def _entities(self, entity_set: str) -> Iterator[Any]:
        if entity_set not in self.entity_sets:
            return iter(())
        return self.store.entities(entity_set)

    def _map_each(self, entity_set: str, mapping: Callable[[Any, MappingContext], list[Proposal]], *, by_key: bool = False) -> None:
        """Map every entity of the set; ``by_key`` hands the mapping keys, not parsed records."""
        if entity_set not in self.entity_sets:
            return
        items = self.store.keys(entity_set) if by_key else self.ctx.entity.all(entity_set)
        with self.reporter.progress(f"mapping {entity_set}", self.store.meta.counts.get(entity_set)) as bar:
            for item in items:
                self._add(mapping(item, self.ctx))
                bar.advance()

    def _with_ledger(self, mapping) -> Callable[[Any, MappingContext], list[Proposal]]:
        return lambda entity, ctx: mapping(entity, ctx, self.accounted)

    def _add(self, proposals: Iterable[Proposal]) -> None:
        for proposal in proposals:
            address = proposal.action.address
            if address in self.proposals:
                proposal = self._disambiguated(proposal)
                address = proposal.action.address
            self.proposals[address] = proposal
            self.accounted.update(proposal.action.sources)

    def _disambiguated(self, proposal: Proposal) -> Proposal:
        """Two v2 entities whose names make the same v3 name: the later one gets a suffix."""
        action = proposal.action
        suffix = canonical_hash(list(action.sources), 8)
        base, _, leaf = action.name.rpartition("/")
        room = name_rule(ResourceType(action.resource_type)).max_length - len(suffix) - 1
        new_leaf = f"{leaf[:room]}-{suffix}"
        name = f"{base}/{new_leaf}" if base else new_leaf
        address = action.address[: len(action.address) - len(leaf)] + new_leaf
        note = finding("NAME_RENAMED", f"{action.name!r} is taken by another v2 entity; planned as {name!r}")
        return replace(proposal, action=replace(action, name=name, address=address, findings=action.findings + (note,)))

    def _target_location(self) -> str | None:
        if not self.request.refresh or self.reader is None:
            return None
        account = self.reader.get(_account_ref(self.request.target).id(ResourceType.ACCOUNT.family))
        return (account or {}).get("location")

    def _read_target(self) -> dict[tuple[str, str], dict]:
        return read_target_state(self.reader, _account_ref(self.request.target), (p.action for p in self.proposals.values()))


# -- the graph straight from the inventory file ------------------------------------------------


def graph_of_inventory_file(path, entity_sets: Iterable[str], navigations: Iterable[tuple[str, str]]) -> DependencyGraph:
    """The dependency graph of an inventory file, its foreign keys read by SQLite's JSON functions.

    Equal to ``build_graph`` over the typed entities (a test holds them together), but the
    records are never turned into typed entities: at millions of entities that parse is most
    of the cost. Records are the canonical wire-named JSON of docs/inventory-format.md. Rows
    stream straight into the builder, sets a reference points to before the sets that refer
    (so nearly every reference is an edge at once and its key string is dropped), navigations
    last: the graph's peak memory is little more than the graph.
    """
    wanted = tuple(entity_sets)
    stored = set(navigations)
    builder = GraphBuilder()
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        for entity_set in _referenced_sets_first(wanted):
            _scan_set(conn, entity_set, builder)
        for relation in NAVIGATION_RELATIONS:
            if relation.from_set in wanted and (relation.from_set, relation.name) in stored:
                builder.add_links(
                    relation,
                    conn.execute(
                        "SELECT from_key, to_key FROM links WHERE entity_set = ? AND nav = ? ORDER BY from_key, to_key",
                        (relation.from_set, relation.name),
                    ),
                )
    finally:
        conn.close()
    return builder.build()


def _referenced_sets_first(entity_sets: tuple[str, ...]) -> list[str]:
    """The sets in an order where a set's property references point to sets already read
    (where the schema allows; the graph is the same in any order)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(entity_set: str) -> None:
        if entity_set in seen:
            return
        seen.add(entity_set)
        for relation in RELATIONS:
            if relation.kind == "property" and relation.from_set == entity_set and relation.to_set in entity_sets:
                visit(relation.to_set)
        order.append(entity_set)

    for entity_set in entity_sets:
        visit(entity_set)
    return order


_SCAN_BATCH = 10_000


def _scan_set(conn: sqlite3.Connection, entity_set: str, builder: GraphBuilder) -> None:
    """The set's nodes and its property references, reading its records once (a collection on
    a relation's path, e.g. a job's notification subscriptions, takes one more small query)."""
    plain, nested = [], []
    for relation in RELATIONS:
        if relation.kind == "property" and relation.from_set == entity_set:
            head = relation.name.split(".")[0]
            info = schema.ENTITY_SET_INFO[entity_set].property_named(head)
            (nested if info is not None and info.collection else plain).append(relation)
    columns = "".join(", json_extract(record, ?)" for _ in plain)
    rows = conn.execute(
        f"SELECT key{columns} FROM entities WHERE entity_set = ? ORDER BY key",
        (*("$." + r.name for r in plain), entity_set),
    )
    # Streamed into flat lists (the key strings shared): holding the row tuples and a pair
    # tuple per reference was most of the graph's peak memory. A batch of rows at a time, each
    # column by one comprehension: a loop statement per row and reference cost more than SQL.
    keys: list[str] = []
    pairs: list[tuple[list[str], list[str]]] = [([], []) for _ in plain]
    for batch in iter(lambda: rows.fetchmany(_SCAN_BATCH), []):
        keys += [row[0] for row in batch]
        for column, (froms, tos) in enumerate(pairs, start=1):
            referring = [row for row in batch if row[column]]
            froms += [row[0] for row in referring]
            tos += [row[column] for row in referring]
    builder.add_nodes(entity_set, keys)
    del keys
    for relation, (froms, tos) in zip(plain, pairs):
        builder.add_references(entity_set, f"{entity_set}.{relation.name}", relation.to_set, zip(froms, tos))
    del pairs
    for relation in nested:
        collection, field_name = relation.name.split(".", 1)
        found = conn.execute(
            "SELECT e.key, json_extract(item.value, ?) FROM entities e, json_each(e.record, ?) item WHERE e.entity_set = ?",
            ("$." + field_name, "$." + collection, entity_set),
        )
        builder.add_references(entity_set, f"{entity_set}.{relation.name}", relation.to_set, ((k, t) for k, t in found if t))


# -- refresh rules (pure) -----------------------------------------------------------------------

_CHILD_TYPES = ((ResourceType.ASSET_FILTER, ResourceType.ASSET), (ResourceType.LIVE_OUTPUT, ResourceType.LIVE_EVENT))


def read_target_state(reader: TargetReader, account: AccountRef, actions: Iterable[Action]) -> dict[tuple[str, str], dict]:
    """The target resources a plan's refresh reads, by (resource type, lower-cased name path).

    Account-level collections are listed once each; child collections (asset filters, live
    outputs) only under parents that exist on the target and that the plan has children for.
    ``state_fingerprint`` of this is the plan's ``target.state_fingerprint``; apply re-reads
    it with this same function to refuse a stale plan.
    """
    current: dict[tuple[str, str], dict] = {}
    for resource_type in _LISTED_TYPES:
        for item in reader.list(collection_id(account, resource_type)):
            current[(resource_type.value, str(item.get("name", "")).lower())] = item
    planned = list(actions)
    for child, parent in _CHILD_TYPES:
        parents = sorted({a.name.split("/")[0] for a in planned if a.resource_type == child.value})
        for parent_name in parents:
            if (parent.value, parent_name.lower()) not in current:
                continue  # nothing can exist below a parent the target lacks
            for item in reader.list(collection_id(account, child, parent_name)):
                current[(child.value, f"{parent_name}/{item.get('name', '')}".lower())] = item
    return current


_PLACEHOLDERS = frozenset({protection.SECRET, "{account-location}"})
_READ_ONLY = frozenset({"id", "name", "type", "systemData", "etag"})
# Secret-bearing fields of v3 bodies beyond the shared list: Akamai signature keys of streaming
# endpoints.
_TARGET_SECRET_FIELDS = SECRET_FIELDS | frozenset({"base64key"})


def _target_key(action: Action) -> tuple[str, str]:
    return (action.resource_type or "", action.name.lower())


def refreshed_action(action: Action, rule: Refresh, current: Mapping[str, Any] | None) -> Action:
    """The action's final change given what the target holds now."""
    seen = None if current is None else _secret_free(current)
    if rule is Refresh.VISIBLE:
        if current is None:
            return replace(
                action, change=Change.UNSUPPORTED, operation=Operation.NONE.value,
                findings=action.findings + (finding("ASSET_NOT_VISIBLE", f"{action.resource_type} {action.name} was not found"),),
            )
        # Presence is all a visibility check needs; a million echoed bodies would only bloat the plan.
        return replace(action, change=Change.NO_CHANGE, operation=Operation.NONE.value)
    if current is None:
        return replace(action, change=Change.CREATE)
    if contains(current, action.body or {}):
        return replace(action, change=Change.NO_CHANGE, operation=Operation.NONE.value, current=seen)
    if action.resource_type in IMMUTABLE_TYPES:
        return replace(
            action, change=Change.UNSUPPORTED, operation=Operation.NONE.value, current=seen,
            findings=action.findings + (finding("TARGET_DIFFERS_IMMUTABLE", f"{action.name} exists with a different body"),),
        )
    return replace(
        action, change=Change.MODIFY, current=seen,
        findings=action.findings + (finding("TARGET_DIFFERS", f"{action.name} exists with a different body"),),
    )


def contains(current: Any, desired: Any) -> bool:
    """Whether the target's body already says everything the desired body says.

    Secrets and the account location are placeholders here and match anything; names of
    strings compare case-insensitively only where ARM itself does (never in bodies).
    """
    if isinstance(desired, str) and desired in _PLACEHOLDERS:
        return True
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(contains(current.get(k), v) for k, v in desired.items())
    if isinstance(desired, list):
        return isinstance(current, list) and len(current) == len(desired) and all(map(contains, current, desired))
    return current == desired


def _secret_free(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in redact_body(dict(body), _TARGET_SECRET_FIELDS).items() if k not in _READ_ONLY}


def state_fingerprint(current: Mapping[tuple[str, str], Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for key in sorted(current):
        digest.update(json.dumps([key, redact_body(dict(current[key]))], sort_keys=True, separators=(",", ":")).encode())
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()


def quota_problems(actions: Iterable[Action]) -> list[str]:
    """Every v3 quota the planned resources would exceed, as one message each."""
    per_type: dict[str, int] = {}
    per_parent: dict[tuple[str, str], int] = {}
    locators_per_asset: dict[str, int] = {}
    options: list[tuple[str, int]] = []
    for action in actions:
        if action.change not in (Change.CREATE, Change.NO_CHANGE, Change.MODIFY) or not action.resource_type:
            continue
        per_type[action.resource_type] = per_type.get(action.resource_type, 0) + 1
        if "/" in action.name:
            parent = action.name.split("/")[0]
            per_parent[(action.resource_type, parent)] = per_parent.get((action.resource_type, parent), 0) + 1
        if action.resource_type == ResourceType.STREAMING_LOCATOR.value and action.body:
            asset = action.body["properties"]["assetName"]
            locators_per_asset[asset] = locators_per_asset.get(asset, 0) + 1
        if action.resource_type == ResourceType.CONTENT_KEY_POLICY.value and action.body:
            options.append((action.name, len(action.body["properties"]["options"])))
    problems = []
    for resource_type, quota_name in (
        (ResourceType.STREAMING_POLICY, "streamingPolicies"),
        (ResourceType.TRANSFORM, "transforms"),
        (ResourceType.LIVE_EVENT, "liveEvents"),
        (ResourceType.STREAMING_ENDPOINT, "streamingEndpoints"),
        (ResourceType.ACCOUNT_FILTER, "accountFilters"),
    ):
        count, limit = per_type.get(resource_type.value, 0), tables.QUOTAS[quota_name]
        if count > limit:
            problems.append(f"{count} {quota_name}; an account holds {limit}")
    for (resource_type, parent), count in sorted(per_parent.items()):
        if resource_type == ResourceType.LIVE_OUTPUT.value and count > tables.QUOTAS["liveOutputsPerLiveEvent"]:
            problems.append(f"{count} live outputs on live event {parent}; a live event holds {tables.QUOTAS['liveOutputsPerLiveEvent']}")
        if resource_type == ResourceType.ASSET_FILTER.value and count > tables.QUOTAS["assetFiltersPerAsset"]:
            problems.append(f"{count} filters on asset {parent}; an asset holds {tables.QUOTAS['assetFiltersPerAsset']}")
    for asset, count in sorted(locators_per_asset.items()):
        if count > tables.QUOTAS["streamingLocatorsPerAsset"]:
            problems.append(f"{count} streaming locators on asset {asset}; an asset holds {tables.QUOTAS['streamingLocatorsPerAsset']}")
    for name, count in sorted(options):
        if count > tables.QUOTAS["optionsPerContentKeyPolicy"]:
            problems.append(f"{count} options in content key policy {name}; a policy holds {tables.QUOTAS['optionsPerContentKeyPolicy']}")
    return problems


def _account_ref(account: AccountCoordinates) -> AccountRef:
    return AccountRef(account.subscription_id, account.resource_group, account.account_name)


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if hasattr(value, "isoformat") else str(value)


def make_plan(store: Inventory, request: PlanRequest, reader: TargetReader | None = None, reporter: Reporter | None = None) -> Plan:
    """Plan the migration of ``store`` into ``request.target`` (reads the target unless ``--no-refresh``)."""
    with _without_cycle_collection(), _templates_parsed_once():
        return Planner(store, request, reader, reporter).run()


@contextmanager
def _templates_parsed_once() -> Iterator[None]:
    """Key authorization templates repeat across an account's options (the seeded 100k-asset
    account has 13 distinct restriction templates among 40k options), so while planning the
    protection mapping's XML parse is memoised by template text. The parse is pure and its
    trees are only read; a template that fails to parse raises again each time (never cached)."""
    parse = protection._parse_xml
    protection._parse_xml = functools.lru_cache(maxsize=4096)(parse)
    try:
        yield
    finally:
        protection._parse_xml = parse


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Planning allocates millions of long-lived, acyclic objects; Python's cycle collector
    would rescan all of them again and again (quadratic in practice) and find nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
