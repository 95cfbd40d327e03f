"""Audit the target after apply: every planned resource exists and says what the plan said.

Three kinds of check, all read-only:

* ``body``: the resource exists and every field the plan set has the planned value (fields
  the plan did not set, such as ``created`` or ``provisioningState``, are ignored; secrets
  are never returned by reads, so their placeholders match anything);
* ``state``: a live event or streaming endpoint the plan starts is running;
* ``paths``: for every streaming locator the plan keeps, ``listPaths`` answers paths under
  the v2 locator's GUID (``/<guid>/...``), so players and CDNs keep their URLs (the host
  changes in a new account; the report says so).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterator

from migrator.executor import action_resource_id, body_differences, source_account, target_account
from migrator.plan import Change
from migrator.v3.ids import AccountRef, ResourceType, resource_id

# Actions whose resource must exist after apply (ignore/unsupported/manual create nothing).
_EXPECTED_CHANGES = frozenset({Change.CREATE, Change.MODIFY, Change.NO_CHANGE})
_LOCATOR_TYPE = "Microsoft.Media/mediaServices/streamingLocators"
_KEY_POLICY_TYPE = "Microsoft.Media/mediaServices/contentKeyPolicies"
_V2_LOCATOR_ID = re.compile(r"^nb:lid:UUID:([0-9a-fA-F-]{36})$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RUNNING_STATES = frozenset({"running", "starting"})


class CheckStatus(str, Enum):
    OK = "ok"
    MISSING = "missing"
    DIFFERENT = "different"


@dataclass(frozen=True)
class ResourceCheck:
    address: str
    kind: str  # body, state or paths
    status: CheckStatus
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "kind": self.kind, "status": self.status.value, "details": list(self.details)}


@dataclass(frozen=True)
class VerifyReport:
    checks: tuple[ResourceCheck, ...]

    @property
    def problems(self) -> tuple[ResourceCheck, ...]:
        return tuple(c for c in self.checks if c.status is not CheckStatus.OK)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        counted = {status.value: 0 for status in CheckStatus}
        for check in self.checks:
            counted[check.status.value] += 1
        counted["paths_kept"] = sum(1 for c in self.checks if c.kind == "paths" and c.status is CheckStatus.OK)
        return counted

    def closing_line(self) -> str:
        c = self.counts()
        verdict = "Verify passed" if self.ok else "Verify FAILED"
        return (
            f"{verdict}: {c['ok']} ok, {c['missing']} missing, {c['different']} different; "
            f"{c['paths_kept']} streaming locator path(s) kept."
        )

    def lines(self, *, show_ok: bool = False) -> Iterator[str]:
        for check in self.checks:
            if check.status is CheckStatus.OK and not show_ok:
                continue
            detail = f": {'; '.join(check.details)}" if check.details else ""
            yield f"  {check.status.value.upper():<9} {check.kind:<5} {check.address}{detail}"
        yield self.closing_line()

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "summary": self.counts(), "checks": [c.to_dict() for c in self.checks]}


def verify_plan(plan, client, *, parallel: int = 4) -> VerifyReport:
    """Read the target for every resource the plan expects and compare; never writes."""
    accounts = (target_account(plan), source_account(plan))
    expected = [a for a in plan.actions if _is_checked(a)]
    with ThreadPoolExecutor(max_workers=max(parallel, 1), thread_name_prefix="verify") as pool:
        nested = pool.map(lambda action: _check_action(client, accounts, action), expected)
        checks = [check for group in nested for check in group]
    return VerifyReport(tuple(checks))


_KNOWN_TYPES = frozenset(t.value for t in ResourceType)


def _is_checked(action) -> bool:
    return action.change in _EXPECTED_CHANGES and action.resource_type in _KNOWN_TYPES


def _check_action(client, accounts: tuple[AccountRef, AccountRef], action) -> list[ResourceCheck]:
    rid = action_resource_id(accounts[0], action)
    current = client.get(rid)
    if current is None:
        return [ResourceCheck(action.address, "body", CheckStatus.MISSING)]
    if action.operation.startswith("post:"):
        return [_state_check(action, current)]
    if action.resource_type == _KEY_POLICY_TYPE:
        current = _with_policy_secrets(client, rid, current)
    checks = [_body_check(action, current)]
    if action.resource_type == _LOCATOR_TYPE:
        checks.append(_paths_check(client, action, rid, current, accounts[1]))
    return checks


def _with_policy_secrets(client, rid, current: dict) -> dict:
    """A content key policy as ``getPolicyPropertiesWithSecrets`` shows it.

    A plain GET blanks key material (token keys, and X.509 bodies in the sandbox), so the planned
    values of those fields could never match. The client registers every value this answer holds
    with the log scrubber, and the comparison reports field paths, never values.
    """
    return {**current, "properties": client.post(rid, "getPolicyPropertiesWithSecrets")}


def _body_check(action, current: dict) -> ResourceCheck:
    planned = action.body if action.body is not None else action.current
    differences = body_differences(planned or {}, current)
    if differences:
        return ResourceCheck(action.address, "body", CheckStatus.DIFFERENT, tuple(differences))
    return ResourceCheck(action.address, "body", CheckStatus.OK)


def _state_check(action, current: dict) -> ResourceCheck:
    state = str((current.get("properties") or {}).get("resourceState", "unknown"))
    if action.operation == "post:start" and state.lower() not in _RUNNING_STATES:
        return ResourceCheck(action.address, "state", CheckStatus.DIFFERENT, (f"resourceState is {state}, not Running",))
    return ResourceCheck(action.address, "state", CheckStatus.OK)


def expected_locator_guid(action) -> str | None:
    """The GUID a kept locator's paths must start with: the v2 locator's, else the planned id."""
    for source in action.sources:
        match = _V2_LOCATOR_ID.match(source)
        if match:
            return match.group(1).lower()
    planned = ((action.body or action.current or {}).get("properties") or {}).get("streamingLocatorId")
    if planned:
        return str(planned).lower()
    leaf = action.name.rsplit("/", 1)[-1]
    return leaf.lower() if _GUID.match(leaf) else None


def _paths_check(client, action, rid: str, current: dict, source: AccountRef) -> ResourceCheck:
    guid = expected_locator_guid(action)
    paths = _streaming_paths(client.post(rid, "listPaths"))
    if guid is None:
        locator_id = str((current.get("properties") or {}).get("streamingLocatorId", ""))
        return ResourceCheck(action.address, "paths", CheckStatus.OK, (f"no v2 path to keep; locator id {locator_id}",))
    moved = [p for p in paths if not p.lower().startswith(f"/{guid}/")]
    if moved:
        return ResourceCheck(action.address, "paths", CheckStatus.DIFFERENT, (f"path {moved[0]} is not under /{guid}/",))
    if paths:
        return ResourceCheck(action.address, "paths", CheckStatus.OK)
    return _no_paths_check(client, action, guid, source)


def _no_paths_check(client, action, guid: str, source: AccountRef) -> ResourceCheck:
    """No path on the target is right only if the v2 locator had none either (nothing streamable)."""
    source_locator = resource_id(source, ResourceType.STREAMING_LOCATOR, guid).id
    had = _streaming_paths(client.post(source_locator, "listPaths")) if client.get(source_locator) is not None else None
    if had == []:
        return ResourceCheck(action.address, "paths", CheckStatus.OK, ("no streamable content, as in v2",))
    what = "the v2 locator is not readable in the source" if had is None else f"the v2 locator has {len(had)}"
    return ResourceCheck(
        action.address, "paths", CheckStatus.DIFFERENT, (f"listPaths returned no path under /{guid}/ and {what} (content copied?)",)
    )


def _streaming_paths(answer: dict | None) -> list[str]:
    answer = answer or {}
    paths = [p for entry in answer.get("streamingPaths") or () for p in entry.get("paths") or ()]
    return paths + list(answer.get("downloadPaths") or ())
