"""What every mapping module shares: the mode, the context it reads, and what it proposes.

A mapping is a small pure function from (v2 entity, context) to ``Proposal``s: a plan action
as the mapping wants it, plus how the planner checks it against the target. The planner owns
refresh (``Refresh``): a mapping never reads the target.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Mapping

from migrator.canonical import canonical_json
from migrator.graph import DependencyGraph
from migrator.plan import Action, Change, Finding, Operation, Phase
from migrator.v3.ids import ResourceType

from migrator.mappings.catalog import finding


class Mode(str, Enum):
    SAME_ACCOUNT = "same-account"
    NEW_ACCOUNT = "new-account"


class Refresh(str, Enum):
    """How the planner decides the change of a proposal from the target's current state."""

    COMPARE = "compare"  # absent -> create; equal -> no-change; different -> modify or unsupported
    VISIBLE = "visible"  # same account: present -> no-change; absent -> ASSET_NOT_VISIBLE
    NONE = "none"  # not an ARM resource (manual, ignore, content copy): the change stands


# v3 resources that cannot be updated once created (no PATCH; PUT is create-only).
IMMUTABLE_TYPES = frozenset(
    {
        ResourceType.STREAMING_LOCATOR.value,
        ResourceType.STREAMING_POLICY.value,
        ResourceType.LIVE_OUTPUT.value,
    }
)


@dataclass(frozen=True, slots=True)  # a plan holds millions
class Proposal:
    action: Action
    refresh: Refresh = Refresh.NONE


@dataclass(frozen=True)
class MappingContext:
    """What a mapping may read: the mode, the graph, entities by key, the account names.

    ``entity(set, key)`` returns a typed v2 entity or None. ``location`` is the target
    account's Azure region when known (live events and streaming endpoints need it).
    """

    mode: Mode
    graph: DependencyGraph
    entity: Callable[[str, str], Any]
    location: str | None = None
    now: datetime | None = None  # the inventory's read time: "expired" is judged against it

    @property
    def new_account(self) -> bool:
        return self.mode is Mode.NEW_ACCOUNT


ACCOUNT_LOCATION_PLACEHOLDER = "{account-location}"

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def guid_of(v2_id: str) -> str:
    """The GUID part of ``nb:<kind>:UUID:<guid>`` (lower-cased, as v3 writes ids); other ids as they are."""
    tail = (v2_id or "")[-36:]
    return tail.lower() if _GUID.fullmatch(tail) else v2_id


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def canonical_hash(value: Any, length: int = 10) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:length]


def resource_action(
    resource_type: ResourceType,
    name: str,
    body: Mapping[str, Any] | None,
    *,
    sources: tuple[str, ...],
    phase: Phase,
    depends_on: tuple[str, ...] = (),
    findings: tuple[Finding, ...] = (),
    secret_refs=(),
    change: Change = Change.CREATE,
    irreversible: bool = False,
    downtime: bool = False,
    refresh: Refresh = Refresh.COMPARE,
) -> Proposal:
    """A v3 resource to PUT (or, for VISIBLE refresh, to find in place)."""
    visible = refresh is Refresh.VISIBLE
    return Proposal(
        Action(
            address=address_of(resource_type, name),
            change=Change.NO_CHANGE if visible else change,
            resource_type=resource_type.value,
            name=name,
            operation=Operation.NONE.value if visible else Operation.PUT.value,
            phase=phase,
            sources=tuple(sorted(set(sources))),
            depends_on=tuple(sorted(set(depends_on))),
            body=None if visible else body,
            secret_refs=tuple(secret_refs),
            findings=tuple(findings),
            irreversible=irreversible,
            downtime=downtime,
        ),
        refresh,
    )


def address_of(resource_type: ResourceType, name: str) -> str:
    """``assets/a1``, ``assets/a1/assetFilters/f``, ``liveEvents/e/liveOutputs/o``."""
    names = name.split("/")
    return "/".join(f"{c}/{n}" for c, n in zip(resource_type.collections, names))


def step_action(
    kind: Change,
    entity_set: str,
    key: str,
    *,
    sources: tuple[str, ...] | None = None,
    findings: tuple[Finding, ...] = (),
    phase: Phase = Phase.PREPARE,
    depends_on: tuple[str, ...] = (),
    downtime: bool = False,
    irreversible: bool = False,
) -> Proposal:
    """A v2 entity that becomes no v3 resource: ignored, unsupported, or a manual step."""
    prefix = {Change.IGNORE: "ignore", Change.UNSUPPORTED: "unsupported", Change.MANUAL: "manual"}[kind]
    operation = Operation.CONFIRM if kind is Change.MANUAL else Operation.NONE
    return Proposal(
        Action(
            address=f"{prefix}/{lower_first(entity_set)}/{key}",
            change=kind,
            resource_type=f"v2:{entity_set}",
            name=key,
            operation=operation.value,
            phase=phase,
            sources=tuple(sorted(set(sources if sources is not None else (key,)))),
            depends_on=tuple(sorted(set(depends_on))),
            findings=tuple(findings),
            downtime=downtime,
            irreversible=irreversible,
        )
    )


def ignore(entity_set: str, key: str, code: str, message: str | None = None, **kw) -> Proposal:
    return step_action(Change.IGNORE, entity_set, key, findings=(finding(code, message),), **kw)


def manual(entity_set: str, key: str, *findings: Finding, **kw) -> Proposal:
    return step_action(Change.MANUAL, entity_set, key, findings=findings, **kw)


def unsupported(entity_set: str, key: str, *findings: Finding, **kw) -> Proposal:
    return step_action(Change.UNSUPPORTED, entity_set, key, findings=findings, **kw)


def iso_datetime(value) -> str | None:
    """A datetime as v3 writes it (UTC, ``Z``), or None."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_duration(value) -> str | None:
    """A timedelta as an ISO 8601 duration (``PT1H30M``)."""
    if value is None:
        return None
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + (f"{secs}S" if secs else "")
    return text if text != "PT" else "PT0S"


def enum_name(value) -> str:
    """An enum member's name for messages (``Running``), else the raw value."""
    return getattr(value, "name", None) or str(value)


def enum_value(value) -> int | None:
    """An enum member or raw int as an int (None when unset or unknown text)."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
