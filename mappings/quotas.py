"""v3 quotas a 1:1 copy can exceed: only what fits is planned as ``create``.

The target refuses the resource past a quota (409 QuotaExceeded), so planning it as a create
only makes apply fail. Each rule ranks the whole group the same way every time (an account's
streaming endpoints, an asset's locators, a live event's outputs, ...); an entity fits when its
rank is below the quota, whatever order the planner maps entities in. What does not fit
becomes a manual step carrying ``QUOTA_EXCEEDED``.

Rankings are computed once per group and kept beside the graph they came from (weakly, so a
finished plan's graph and its rankings go together).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable, Mapping
from weakref import WeakKeyDictionary

from migrator.plan import Action, Change, Operation
from migrator.v3.ids import ResourceType

from migrator.mappings import tables
from migrator.mappings.base import MappingContext
from migrator.mappings.catalog import finding

_RANKINGS: WeakKeyDictionary = WeakKeyDictionary()


@dataclass(frozen=True)
class Ranking:
    """A group in quota order: the first ``limit`` members are created, the rest are not."""

    quota: str
    order: tuple[str, ...]
    index: dict[str, int]

    @property
    def limit(self) -> int:
        return tables.QUOTAS[self.quota]

    def fits(self, key: str) -> bool:
        """Within the quota; an entity the graph does not hold was not ranked and counts as first."""
        return self.rank(key) < self.limit

    def rank(self, key: str) -> int:
        return self.index.get(key, 0)

    def kept(self) -> tuple[str, ...]:
        return self.order[: self.limit]

    def over_message(self, key: str, what: str, scope: str) -> str:
        """``what`` is the resource, ``scope`` where the quota counts (``an account``)."""
        return f"{what} is number {self.rank(key) + 1} of {len(self.order)}; {scope} holds {self.limit}"


def ranking(ctx: MappingContext, quota: str, group: tuple[str, ...], members: Callable[[], Iterable[str]]) -> Ranking:
    """The group's ranking, computing ``members()`` (keys already in quota order) only once.

    Groups of one are not kept: per-asset groups are mostly that, and a million of them would
    only cost memory.
    """
    memo = _RANKINGS.setdefault(ctx.graph, {})
    found = memo.get((quota, group))
    if found is None:
        found = ranked(quota, tuple(members()))
        if len(found.order) > 1:
            memo[(quota, group)] = found
    return found


def ranked(quota: str, order: tuple[str, ...]) -> Ranking:
    """A ranking of keys already in quota order."""
    return Ranking(quota, order, {key: i for i, key in enumerate(order)})


# -- fitting the plan to what the target already holds ------------------------------------------
#
# A mapping never reads the target, so the rankings above count only what the plan itself
# creates. After refresh the planner knows what the target holds; ``fit_to_target`` then keeps
# only the creates that still fit next to it, as a step after ``refresh``.

_ACCOUNT_QUOTAS = {
    ResourceType.STREAMING_ENDPOINT.value: "streamingEndpoints",
    ResourceType.LIVE_EVENT.value: "liveEvents",
    ResourceType.TRANSFORM.value: "transforms",
    ResourceType.STREAMING_POLICY.value: "streamingPolicies",
    ResourceType.ACCOUNT_FILTER.value: "accountFilters",
}
_CHILD_QUOTAS = {
    ResourceType.LIVE_OUTPUT.value: "liveOutputsPerLiveEvent",
    ResourceType.ASSET_FILTER.value: "assetFiltersPerAsset",
}
_LOCATOR = ResourceType.STREAMING_LOCATOR.value


def quota_group(resource_type: str | None, name: str, body: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(quota, scope) a resource counts toward: scope is "" (the account), the parent's name, or
    for a streaming locator its asset's name (all lower-cased, as ARM compares names)."""
    if resource_type in _ACCOUNT_QUOTAS:
        return _ACCOUNT_QUOTAS[resource_type], ""
    if resource_type in _CHILD_QUOTAS:
        return _CHILD_QUOTAS[resource_type], name.split("/")[0].lower()
    if resource_type == _LOCATOR:
        asset = ((body or {}).get("properties") or {}).get("assetName")
        return ("streamingLocatorsPerAsset", str(asset).lower()) if asset else None
    return None


def fit_to_target(ctx: MappingContext, actions: Iterable[Action], current: Mapping[tuple[str, str], Mapping[str, Any]]) -> list[Action]:
    """``actions`` with every create that the target's quota has no room for left to the
    operator (``manual``, ``confirm``, body kept, ``QUOTA_EXCEEDED``).

    ``current`` is what refresh read (``(resource type, lower-cased name)`` -> body, as
    ``migrator.planner.read_target_state`` returns it). Everything the target holds in a group
    takes a place, except the v2 entities a same-account plan only checks for (they exist under
    the old limits; whether they count is undocumented, as in ``generate_quota_findings``); the
    creates keep the rest in the mappings' ranking order.
    """
    actions = list(actions)
    checked_only = {(a.resource_type, a.name.lower()) for a in actions if a.change is Change.NO_CHANGE and a.body is None}
    held: dict[tuple[str, str], int] = {}
    for (resource_type, name), body in current.items():
        group = None if (resource_type, name) in checked_only else quota_group(resource_type, name, body)
        if group is not None:
            held[group] = held.get(group, 0) + 1
    creates: dict[tuple[str, str], list[int]] = {}
    demoted: set[str] = set()
    for i, action in enumerate(actions):
        group = quota_group(action.resource_type, action.name, action.body)
        if group is not None and action.change is Change.CREATE:
            creates.setdefault(group, []).append(i)
    for group, indexes in creates.items():
        quota, scope = group
        room = max(tables.QUOTAS[quota] - held.get(group, 0), 0)
        if len(indexes) <= room:
            continue
        ordered = sorted(indexes, key=lambda i: (_rank_of_sources(ctx, quota, actions[i].sources), actions[i].address))
        for i in ordered[room:]:
            actions[i] = _left_to_the_operator(actions[i], quota, scope, held.get(group, 0))
            demoted.add(actions[i].address)
    return _with_dependents_left_to_the_operator(actions, demoted)


def _with_dependents_left_to_the_operator(actions: list[Action], demoted: set[str]) -> list[Action]:
    """Creates that need a demoted create (a live output on a live event without room) cannot
    succeed either: leave them to the operator too, transitively."""
    changed = bool(demoted)
    while changed:
        changed = False
        for i, action in enumerate(actions):
            parents = demoted.intersection(action.depends_on)
            if action.change is Change.CREATE and parents:
                message = (
                    f"{action.name}: needs {min(parents)}, which the target's quota leaves to the operator; "
                    "create it by hand from this body after that"
                )
                actions[i] = replace(
                    action, change=Change.MANUAL, operation=Operation.CONFIRM.value,
                    findings=action.findings + (finding("QUOTA_EXCEEDED", message),),
                )
                demoted.add(action.address)
                changed = True
    return actions


def _rank_of_sources(ctx: MappingContext, quota: str, sources: tuple[str, ...]) -> int:
    ranks = [
        r.index[s]
        for (q, _), r in _RANKINGS.get(ctx.graph, {}).items() if q == quota
        for s in sources if s in r.index
    ]
    return min(ranks, default=1 << 30)  # unranked (streaming policies): by address, after the ranked


def _left_to_the_operator(action: Action, quota: str, scope: str, held: int) -> Action:
    where = f"{scope} " if scope else "the account "
    message = (
        f"{action.name}: {where}already holds {held} on the target and the plan's earlier creates take the rest "
        f"of the {tables.QUOTAS[quota]} {quota}; not created: free a place on the target or ask for a quota increase, "
        "then create it by hand from this body"
    )
    return replace(
        action, change=Change.MANUAL, operation=Operation.CONFIRM.value,
        findings=action.findings + (finding("QUOTA_EXCEEDED", message),),
    )
