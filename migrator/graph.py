"""The dependency graph of a v2 inventory: one node per entity, one edge per relation.

An edge points from the entity that *needs* to the entity it needs (a locator needs its asset
and its access policy), so "what X needs" is X's successors and "what depends on X" its
predecessors; applying in dependency order means visiting needs first.

Pure structure, no I/O. Built for millions of nodes: nodes are small integers, the entity set
and key of node ``i`` live in two flat arrays, and the edges are two compressed sparse row
arrays (successors and predecessors, 4 bytes an edge) instead of networkx's two dicts per node.
A networkx view is built only for the transitive queries (orders, groups), which the planner's
hot path never asks. References to ids the inventory does not hold and cycles are recorded,
never raised.
"""

from __future__ import annotations

import logging
from array import array
from itertools import accumulate, islice
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Protocol

import networkx as nx

from migrator.v2 import schema

log = logging.getLogger("migrator.graph")


@dataclass(frozen=True, order=True)
class NodeRef:
    """An inventory entity as the graph names it: entity set and OData key."""

    entity_set: str
    key: str


@dataclass(frozen=True)
class Relation:
    """A reference from one entity set to another, as the v2 schema declares it.

    ``kind`` says where the reference is read: ``property`` (``path`` is the attribute path
    through the typed entity; a tuple on the way is walked item by item) or ``navigation``
    (pairs read from the service, ``InventoryStore.links``). ``reverse`` is true when the
    navigation runs from the needed entity to the one that needs it (``Jobs/Tasks`` yields
    job -> task, but a task needs its job).
    """

    from_set: str
    name: str
    to_set: str
    kind: str = "property"
    reverse: bool = False
    path: tuple[str, ...] = ()

    @property
    def dependent_set(self) -> str:
        return self.to_set if self.reverse else self.from_set

    @property
    def dependency_set(self) -> str:
        return self.from_set if self.reverse else self.to_set


# Navigations whose entities point the other way: the brief's "task -> job", "task template ->
# job template" (the reference reads them from the parent's side).
_REVERSED_NAVIGATIONS = frozenset({("Jobs", "Tasks"), ("JobTemplates", "TaskTemplates")})


def _attribute_path(entity_set: str, wire_path: str) -> tuple[str, ...]:
    """``Slate.DefaultSlateAssetId`` -> (``slate``, ``default_slate_asset_id``) via the schema tables."""
    properties = schema.ENTITY_SET_INFO[entity_set].properties
    path = []
    for part in wire_path.split("."):
        info = next(p for p in properties if p.name == part)
        path.append(info.attribute)
        properties = schema.COMPLEX_TYPES.get(info.edm_type, ())
    return tuple(path)


def _relations_of_schema() -> tuple[Relation, ...]:
    by_property = tuple(
        Relation(fk.from_set, fk.property, fk.to_set, path=_attribute_path(fk.from_set, fk.property))
        for fk in schema.FOREIGN_KEYS
    )
    by_navigation = tuple(
        Relation(
            nav.from_set,
            nav.navigation,
            nav.to_set,
            kind="navigation",
            reverse=(nav.from_set, nav.navigation) in _REVERSED_NAVIGATIONS,
        )
        for nav in schema.NAVIGATION_TO_READ
    )
    return by_property + by_navigation


# Every relation of the v2 reference: schema.FOREIGN_KEYS and schema.NAVIGATION_TO_READ.
RELATIONS: tuple[Relation, ...] = _relations_of_schema()


@dataclass(frozen=True)
class DanglingReference:
    """``source`` refers through ``relation`` to ``target_set``/``target_key``, which the inventory lacks."""

    source: NodeRef
    relation: str
    target_set: str
    target_key: str


@dataclass(frozen=True)
class Cycle:
    """Entities that need each other in a ring; ``dropped`` are the edges removed to order them."""

    members: tuple[NodeRef, ...]
    dropped: tuple[tuple[NodeRef, NodeRef], ...]


class Inventory(Protocol):
    """What the builder reads: the ``InventoryStore`` contract."""

    def entities(self, entity_set: str) -> Iterator[Any]: ...

    def links(self, entity_set: str, nav: str) -> Iterator[tuple[str, str]]: ...


# The one attribute dict every node and edge of the networkx view shares: the view is pure
# structure and private to DependencyGraph, so nothing ever writes into it.
_NO_ATTRIBUTES: dict = {}


class _StructureGraph(nx.DiGraph):
    node_attr_dict_factory = staticmethod(lambda: _NO_ATTRIBUTES)
    edge_attr_dict_factory = staticmethod(lambda: _NO_ATTRIBUTES)


_REFERENCE_BATCH = 10_000

# An edge u -> v is coded as one integer, u << 32 | v: a set of them deduplicates edges (as a
# DiGraph does) and sorting them groups each node's successors, at a fraction of tuples' memory.
_LOW = (1 << 32) - 1


class _Adjacency:
    """One direction of the edges in compressed sparse rows: node ``u``'s neighbours are
    ``targets[start[u]:start[u + 1]]``."""

    __slots__ = ("start", "targets")

    def __init__(self, sorted_codes: list[int], node_count: int) -> None:
        counts = [0] * (node_count + 1)
        for code in sorted_codes:
            counts[(code >> 32) + 1] += 1
        self.start = array("I", accumulate(counts))
        self.targets = array("I", [code & _LOW for code in sorted_codes])

    def __len__(self) -> int:
        return len(self.targets)

    def of(self, node: int) -> array:
        return self.targets[self.start[node] : self.start[node + 1]]

    def pairs(self) -> Iterator[tuple[int, int]]:
        start, targets = self.start, self.targets
        for u in range(len(start) - 1):
            for i in range(start[u], start[u + 1]):
                yield u, targets[i]


class GraphBuilder:
    """Collects nodes and references, then resolves them into a ``DependencyGraph``.

    References may name entities added later (an asset's locators arrive before or after the
    asset), so they are held until ``build``.
    """

    def __init__(self) -> None:
        self._set_names: list[str] = []
        self._set_index: dict[str, int] = {}
        self._index_by_set: list[dict[str, int]] = []
        self._set_of = array("H")
        self._key_of: list[str] = []
        # References to keys not (yet) indexed, in batches (relation no., to set, from nodes, to
        # keys): two machine words a reference, where a tuple each costs ten. References whose
        # target is already indexed are edges at once (``_edges``, coded u << 32 | v).
        self._pending: list[tuple[int, str, array, list[str]]] = []
        self._edges: set[int] = set()
        # (from set, to set) of every relation that made an edge: the set-level graph cycles are
        # looked for in, known without a pass over millions of edges.
        self._set_pairs: set[tuple[int, int]] = set()
        self._relation_names: list[str] = []
        self._relation_no: dict[str, int] = {}

    def add_node(self, entity_set: str, key: str) -> int:
        set_no = self._set_no(entity_set)
        index = self._index_by_set[set_no]
        node = index.get(key)
        if node is None:
            node = len(self._key_of)
            index[key] = node
            self._set_of.append(set_no)
            self._key_of.append(key)
        return node

    def add_nodes(self, entity_set: str, keys: Iterable[str]) -> None:
        """Many nodes of one set at once (the bulk path of ``build_graph_from_rows``)."""
        set_no = self._set_no(entity_set)
        index, key_of = self._index_by_set[set_no], self._key_of
        fresh = [k for k in dict.fromkeys(keys) if k not in index]
        index.update(zip(fresh, range(len(key_of), len(key_of) + len(fresh))))
        key_of.extend(fresh)
        self._set_of.extend([set_no] * len(fresh))

    def add_references(self, from_set: str, relation: str, to_set: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Many (from key, to key) references of one relation at once."""
        rel_no = self._relation_number(relation)
        from_set_no = self._set_no(from_set)
        index = self._index_by_set[from_set_no]
        to_set_no = self._set_index.get(to_set)
        targets = {} if to_set_no is None else self._index_by_set[to_set_no]
        add_node = self.add_node
        from_nodes, to_keys = array("l"), []
        # A batch at a time through map and comprehensions: millions of references, and a
        # statement per reference costs more than the lookups themselves.
        pairs = iter(pairs)
        while batch := list(islice(pairs, _REFERENCE_BATCH)):
            nodes = list(map(index.get, [f for f, _ in batch]))
            if None in nodes:
                nodes = [add_node(from_set, f) if node is None else node for node, (f, _) in zip(nodes, batch)]
            found = list(map(targets.get, [t for _, t in batch]))
            edges = [node << 32 | target for node, target in zip(nodes, found) if target is not None]
            if edges:
                self._edges.update(edges)
                self._set_pairs.add((from_set_no, to_set_no))
            if None in found:
                missing = [i for i, target in enumerate(found) if target is None]
                from_nodes.extend([nodes[i] for i in missing])
                to_keys += [batch[i][1] for i in missing]
        if to_keys:
            self._pending.append((rel_no, to_set, from_nodes, to_keys))

    def add_links(self, relation: Relation, pairs: Iterable[tuple[str, str]]) -> None:
        """Many navigation pairs of one relation as read from the service, in its own direction."""
        name = f"{relation.from_set}/{relation.name}"
        if relation.reverse:
            self.add_references(relation.to_set, name, relation.from_set, ((t, f) for f, t in pairs))
        else:
            self.add_references(relation.from_set, name, relation.to_set, pairs)

    def add_reference(self, from_set: str, from_key: str, relation: str, to_set: str, to_key: str) -> None:
        """``from`` needs ``to``; a missing ``to`` becomes a dangling reference at build time."""
        self._pending.append((self._relation_number(relation), to_set, array("l", [self.add_node(from_set, from_key)]), [to_key]))

    def add_entity(self, entity: Any) -> None:
        """A typed v2 entity and every reference its own attributes hold."""
        entity_set, key = entity.entity_set, entity.key
        self.add_node(entity_set, key)
        for relation in _ATTRIBUTE_RELATIONS.get(entity_set, ()):
            for target in _read_path(entity, relation.path):
                self.add_reference(entity_set, key, f"{entity_set}.{relation.name}", relation.to_set, target)

    def add_link(self, relation: Relation, from_key: str, to_key: str) -> None:
        """One navigation pair as read from the service, in the navigation's own direction."""
        name = f"{relation.from_set}/{relation.name}"
        if relation.reverse:
            self.add_reference(relation.to_set, to_key, name, relation.from_set, from_key)
        else:
            self.add_reference(relation.from_set, from_key, name, relation.to_set, to_key)

    def build(self) -> "DependencyGraph":
        dangling: list[DanglingReference] = []
        codes, self._edges = self._edges, set()
        empty: dict[str, int] = {}
        indexes = {name: self._index_by_set[no] for name, no in self._set_index.items()}
        set_pairs, self._set_pairs = self._set_pairs, set()
        for rel_no, to_set, from_nodes, to_keys in self._pending:
            targets = indexes.get(to_set, empty)
            for node, to_key in zip(from_nodes, to_keys):
                target = targets.get(to_key)
                if target is None:
                    dangling.append(DanglingReference(self._ref(node), self._relation_names[rel_no], to_set, to_key))
                else:
                    codes.add(node << 32 | target)
                    set_pairs.add((self._set_of[node], self._set_index[to_set]))
        self._pending = []
        edges = sorted(codes)
        del codes
        result = DependencyGraph(
            self._set_names,
            self._index_by_set,
            self._set_of,
            self._key_of,
            sorted(set(dangling), key=_dangling_order),
            edges,
        )
        result._break_cycles(set_pairs, edges)
        return result

    def _set_no(self, entity_set: str) -> int:
        set_no = self._set_index.get(entity_set)
        if set_no is None:
            set_no = self._set_index[entity_set] = len(self._set_names)
            self._set_names.append(entity_set)
            self._index_by_set.append({})
        return set_no

    def _relation_number(self, relation: str) -> int:
        rel_no = self._relation_no.get(relation)
        if rel_no is None:
            rel_no = self._relation_no[relation] = len(self._relation_names)
            self._relation_names.append(relation)
        return rel_no

    def _ref(self, node: int) -> NodeRef:
        return NodeRef(self._set_names[self._set_of[node]], self._key_of[node])


def _dangling_order(d: DanglingReference) -> tuple:
    return (d.source, d.relation, d.target_set, d.target_key)


def _read_path(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if not path:
        if value:
            yield value
        return
    if isinstance(value, tuple):
        for item in value:
            yield from _read_path(item, path)
        return
    yield from _read_path(getattr(value, path[0], None), path[1:])


_ATTRIBUTE_RELATIONS: dict[str, tuple[Relation, ...]] = {}
for _relation in RELATIONS:
    if _relation.kind == "property":
        _ATTRIBUTE_RELATIONS[_relation.from_set] = _ATTRIBUTE_RELATIONS.get(_relation.from_set, ()) + (_relation,)

NAVIGATION_RELATIONS: tuple[Relation, ...] = tuple(r for r in RELATIONS if r.kind == "navigation")


def build_graph(
    inventory: Inventory,
    entity_sets: Iterable[str],
    navigations: Iterable[tuple[str, str]] | None = None,
) -> "DependencyGraph":
    """Every entity of ``entity_sets`` and every relation the inventory holds.

    ``navigations`` limits the navigation relations to the (set, nav) pairs the file holds;
    None reads every navigation relation of ``RELATIONS``.
    """
    builder = GraphBuilder()
    wanted_sets = tuple(entity_sets)
    for entity_set in wanted_sets:
        for entity in inventory.entities(entity_set):
            builder.add_entity(entity)
    stored = None if navigations is None else set(navigations)
    for relation in NAVIGATION_RELATIONS:
        if relation.from_set not in wanted_sets:
            continue
        if stored is not None and (relation.from_set, relation.name) not in stored:
            continue
        for from_key, to_key in inventory.links(relation.from_set, relation.name):
            builder.add_link(relation, from_key, to_key)
    return builder.build()


def build_graph_from_rows(
    nodes: Iterable[tuple[str, Iterable[str]]],
    references: Iterable[tuple[Relation, Iterable[tuple[str, str]]]],
    links: Iterable[tuple[Relation, Iterable[tuple[str, str]]]] = (),
) -> "DependencyGraph":
    """The same graph as ``build_graph``, from rows a caller has already extracted.

    ``nodes`` are (entity set, its keys); ``references`` (property relation, its (from key, to
    key) pairs); ``links`` (navigation relation, its (from key, to key) pairs as read). A caller
    that streams rows set by set (SQL over the inventory file) calls the builder's
    ``add_nodes``/``add_references``/``add_links`` the same way, without holding the rows.
    """
    builder = GraphBuilder()
    for entity_set, keys in nodes:
        builder.add_nodes(entity_set, keys)
    for relation, pairs in references:
        builder.add_references(relation.from_set, f"{relation.from_set}.{relation.name}", relation.to_set, pairs)
    for relation, pairs in links:
        builder.add_links(relation, pairs)
    return builder.build()


class DependencyGraph:
    """Queries over the built graph. Results are always in a stable order: (entity set, key)."""

    def __init__(
        self,
        set_names: list[str],
        index_by_set: list[dict[str, int]],
        set_of: array,
        key_of: list[str],
        dangling: list[DanglingReference],
        edges: list[int],
    ) -> None:
        self._set_names = set_names
        self._set_index = {name: i for i, name in enumerate(set_names)}
        self._index_by_set = index_by_set
        self._set_of = set_of
        self._key_of = key_of
        self.dangling: tuple[DanglingReference, ...] = tuple(dangling)
        self.cycles: tuple[Cycle, ...] = ()
        self._set_edges(edges)

    def _set_edges(self, sorted_codes: list[int]) -> None:
        node_count = len(self._key_of)
        self._succ = _Adjacency(sorted_codes, node_count)
        self._pred = _Adjacency(sorted((c & _LOW) << 32 | c >> 32 for c in sorted_codes), node_count)
        self._view: nx.DiGraph | None = None

    def clear(self) -> None:
        """Forget every node and edge (frees the memory when a caller is done querying)."""
        self._index_by_set = [{} for _ in self._set_names]
        self._set_of = array("H")
        self._key_of = []
        self._set_edges([])

    def _graph(self) -> nx.DiGraph:
        """The networkx view of the structure, built on the first transitive query."""
        if self._view is None:
            view = _StructureGraph()
            view.add_nodes_from(range(len(self._key_of)))
            view.add_edges_from(self._succ.pairs())
            self._view = view
        return self._view

    # -- size and identity -------------------------------------------------

    def __len__(self) -> int:
        return len(self._key_of)

    def __contains__(self, ref: NodeRef) -> bool:
        return self._node(ref.entity_set, ref.key) is not None

    @property
    def edge_count(self) -> int:
        return len(self._succ)

    def count(self, entity_set: str) -> int:
        set_no = self._set_index.get(entity_set)
        return 0 if set_no is None else len(self._index_by_set[set_no])

    def keys(self, entity_set: str) -> list[str]:
        set_no = self._set_index.get(entity_set)
        return [] if set_no is None else sorted(self._index_by_set[set_no])

    def count_among(self, entity_set: str, keys: set[str]) -> int:
        """How many entities of the set have their key in ``keys`` (no sorting: millions of keys)."""
        set_no = self._set_index.get(entity_set)
        return 0 if set_no is None else sum(1 for k in self._index_by_set[set_no] if k in keys)

    # -- direct relations ----------------------------------------------------

    def needs(self, entity_set: str, key: str, of_set: str | None = None) -> list[NodeRef]:
        """What the entity refers to directly (optionally only entities of ``of_set``)."""
        return self._neighbours(self._succ, entity_set, key, of_set)

    def needed_by(self, entity_set: str, key: str, of_set: str | None = None) -> list[NodeRef]:
        """What refers to the entity directly (optionally only entities of ``of_set``)."""
        return self._neighbours(self._pred, entity_set, key, of_set)

    def need_keys(self, entity_set: str, key: str, of_set: str) -> list[str]:
        """Keys of the ``of_set`` entities the entity needs, sorted (the mappings' hot path)."""
        return self._neighbour_keys(self._succ, entity_set, key, of_set)

    def needed_by_keys(self, entity_set: str, key: str, of_set: str) -> list[str]:
        """Keys of the ``of_set`` entities that need the entity, sorted."""
        return self._neighbour_keys(self._pred, entity_set, key, of_set)

    # -- transitive relations ------------------------------------------------

    def requirements(self, entity_set: str, key: str) -> list[NodeRef]:
        """Everything the entity needs, directly or not, in the order to create them."""
        node = self._require(entity_set, key)
        return self._in_dependency_order(nx.descendants(self._graph(), node))

    def dependents(self, entity_set: str, key: str) -> list[NodeRef]:
        """Everything that needs the entity, directly or not, in the order to create them."""
        node = self._require(entity_set, key)
        return self._in_dependency_order(nx.ancestors(self._graph(), node))

    def dependency_order(self) -> list[NodeRef]:
        """All entities, each after everything it needs; ties by (entity set, key)."""
        return self._in_dependency_order(range(len(self._key_of)))

    def connected_groups(self) -> list[tuple[NodeRef, ...]]:
        """Entities that relate to each other at all (the runbook's work packages), sorted."""
        groups = [
            tuple(sorted(self._ref(n) for n in component))
            for component in nx.weakly_connected_components(self._graph())
        ]
        return sorted(groups, key=lambda g: g[0])

    # -- internals ----------------------------------------------------------

    def _node(self, entity_set: str, key: str) -> int | None:
        set_no = self._set_index.get(entity_set)
        return None if set_no is None else self._index_by_set[set_no].get(key)

    def _require(self, entity_set: str, key: str) -> int:
        node = self._node(entity_set, key)
        if node is None:
            raise KeyError(f"{entity_set}({key}) is not in the graph")
        return node

    def _ref(self, node: int) -> NodeRef:
        return NodeRef(self._set_names[self._set_of[node]], self._key_of[node])

    def _neighbours(self, adjacency: _Adjacency, entity_set: str, key: str, of_set: str | None) -> list[NodeRef]:
        node = self._node(entity_set, key)
        if node is None:
            return []
        refs = (self._ref(n) for n in adjacency.of(node))
        return sorted(r for r in refs if of_set is None or r.entity_set == of_set)

    def _neighbour_keys(self, adjacency: _Adjacency, entity_set: str, key: str, of_set: str) -> list[str]:
        node = self._node(entity_set, key)
        set_no = self._set_index.get(of_set)
        if node is None or set_no is None:
            return []
        set_of, key_of = self._set_of, self._key_of
        keys = [key_of[n] for n in adjacency.of(node) if set_of[n] == set_no]
        keys.sort()
        return keys

    def _in_dependency_order(self, nodes: Iterable[int]) -> list[NodeRef]:
        sub = self._graph().subgraph(nodes)
        # Reversed so that a node's needs (its successors) come out before it.
        ordered = nx.lexicographical_topological_sort(sub.reverse(copy=False), key=self._sort_key)
        return [self._ref(n) for n in ordered]

    def _sort_key(self, node: int) -> tuple[str, str]:
        return (self._set_names[self._set_of[node]], self._key_of[node])

    def _break_cycles(self, set_pairs: set[tuple[int, int]], edges: list[int]) -> None:
        """Record every ring of entities and drop its backward edges so orders exist.

        A ring of entities maps onto a ring of entity sets, so only edges between sets in one
        strongly connected component of the set-level graph can close one; at millions of
        nodes that keeps the search to a handful of edges.
        """
        set_graph = nx.DiGraph(list(set_pairs))
        cyclic_sets: dict[int, int] = {}
        for number, component in enumerate(nx.strongly_connected_components(set_graph)):
            if len(component) > 1 or any(set_graph.has_edge(s, s) for s in component):
                for s in component:
                    cyclic_sets[s] = number
        if not cyclic_sets:
            return
        candidate = nx.DiGraph()
        succ = self._succ
        for set_no, component_no in cyclic_sets.items():
            for u in self._index_by_set[set_no].values():
                for v in succ.of(u):
                    if cyclic_sets.get(self._set_of[v]) == component_no:
                        candidate.add_edge(u, v)
        cycles = []
        dropped: set[int] = set()
        for component in nx.strongly_connected_components(candidate):
            if len(component) == 1 and not any(candidate.has_edge(n, n) for n in component):
                continue
            cycle, dropped_pairs = self._break_one(candidate, component)
            cycles.append(cycle)
            dropped.update(u << 32 | v for u, v in dropped_pairs)
        self.cycles = tuple(sorted(cycles, key=lambda c: c.members))
        if dropped:
            self._set_edges([c for c in edges if c not in dropped])
        for cycle in self.cycles:
            log.warning("dependency cycle among %d entities", len(cycle.members))

    def _break_one(self, candidate: nx.DiGraph, component: set[int]) -> tuple[Cycle, list[tuple[int, int]]]:
        # Keep only edges that go up in the total (set, key) order: what remains is acyclic.
        dropped = sorted(
            (u, v)
            for u, v in candidate.subgraph(component).edges
            if self._sort_key(u) >= self._sort_key(v)
        )
        cycle = Cycle(
            members=tuple(sorted(self._ref(n) for n in component)),
            dropped=tuple(sorted((self._ref(u), self._ref(v)) for u, v in dropped)),
        )
        return cycle, dropped
