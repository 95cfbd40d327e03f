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

from dataclasses import dataclass
from typing import Callable, Iterable
from weakref import WeakKeyDictionary

from migrator.mappings import tables
from migrator.mappings.base import MappingContext

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
    """The group's ranking, computing ``members()`` (keys already in quota order) only once."""
    memo = _RANKINGS.setdefault(ctx.graph, {})
    found = memo.get((quota, group))
    if found is None:
        order = tuple(members())
        found = memo[(quota, group)] = Ranking(quota, order, {key: i for i, key in enumerate(order)})
    return found
