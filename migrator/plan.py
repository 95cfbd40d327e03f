"""The plan document: what apply will do, action by action, as reviewable data.

A plan is written once (``save``) and read back exactly (``load``); the format is in
docs/plan-format.md. Writing is byte-deterministic: the same plan gives the same bytes, and a
``checksum`` over the canonical form lets ``load`` refuse a file edited after it was written.

The actions array is written one compact action per line (everything else with a two-space
indent): a million-action plan is then written by the C JSON encoder in seconds, and a diff of
two plans shows one line per changed resource.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

from migrator.canonical import canonical_json
from migrator.exceptions import PlanFormatError, StalePlanError

FORMAT_VERSION = "1.0"
SUPPORTED_MAJOR = 1


class Change(str, Enum):
    """ARM what-if change types, as the plan spells them."""

    CREATE = "create"
    MODIFY = "modify"
    NO_CHANGE = "no-change"
    IGNORE = "ignore"
    UNSUPPORTED = "unsupported"
    MANUAL = "manual"

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]


_SYMBOLS = {
    Change.CREATE: "+",
    Change.MODIFY: "~",
    Change.NO_CHANGE: "=",
    Change.IGNORE: "*",
    Change.UNSUPPORTED: "!",
    Change.MANUAL: "?",
}

# Changes that leave work for apply or the operator (--detailed-exitcode 2).
PENDING_CHANGES = frozenset({Change.CREATE, Change.MODIFY, Change.MANUAL})


class Phase(str, Enum):
    PREPARE = "prepare"
    CONTENT_COPY = "content-copy"
    PUBLISH = "publish"
    CUTOVER = "cutover"
    POST = "post"


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    BLOCKER = "blocker"


class Operation(str, Enum):
    PUT = "put"
    CONTENT_COPY = "content-copy"
    CONFIRM = "confirm"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    remediation: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "remediation": self.remediation,
        }


@dataclass(frozen=True, slots=True)
class SecretRef:
    """Where apply fetches a secret the body holds as ``"{secret}"``: ``source`` is the kind
    (``source-content-key``, ``source-policy-secret``), ``details`` its coordinates."""

    path: str
    source: str
    details: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "from": self.source, **dict(self.details)}


@dataclass(frozen=True, slots=True)
class Action:
    """One resource (or manual step) of the plan. ``body`` and ``current`` are JSON values,
    treated as immutable once the action exists."""

    address: str
    change: Change
    resource_type: str | None
    name: str
    operation: str
    phase: Phase
    sources: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    body: Mapping[str, Any] | None = None
    secret_refs: tuple[SecretRef, ...] = ()
    findings: tuple[Finding, ...] = ()
    irreversible: bool = False
    downtime: bool = False
    current: Mapping[str, Any] | None = None

    @property
    def family(self) -> str:
        return self.address.split("/", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "change": self.change.value,
            "resource_type": self.resource_type,
            "name": self.name,
            "operation": self.operation,
            "phase": self.phase.value,
            "irreversible": self.irreversible,
            "downtime": self.downtime,
            "sources": list(self.sources),
            "depends_on": list(self.depends_on),
            "body": self.body,
            "secret_refs": [r.to_dict() for r in self.secret_refs],
            "findings": [f.to_dict() for f in self.findings],
            "current": self.current,
        }


@dataclass(frozen=True)
class InventoryInfo:
    fingerprint: str
    endpoint: str
    read_at: str
    counts: Mapping[str, int]


@dataclass(frozen=True)
class AccountCoordinates:
    """An ARM account; ``state_fingerprint`` only for the target (None when not refreshed)."""

    arm_endpoint: str
    subscription_id: str
    resource_group: str
    account_name: str
    state_fingerprint: str | None = None

    def to_dict(self, *, with_state: bool) -> dict[str, Any]:
        data = {
            "arm_endpoint": self.arm_endpoint,
            "subscription_id": self.subscription_id,
            "resource_group": self.resource_group,
            "account_name": self.account_name,
        }
        if with_state:
            data["state_fingerprint"] = self.state_fingerprint
        return data


@dataclass(frozen=True)
class Plan:
    tool_version: str
    mode: str
    refreshed: bool
    inventory: InventoryInfo
    target: AccountCoordinates
    source: AccountCoordinates | None
    actions: tuple[Action, ...]
    coverage: Mapping[str, Mapping[str, int]]
    findings: tuple[Finding, ...] = ()
    format_version: str = FORMAT_VERSION

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.actions)

    @property
    def has_pending_changes(self) -> bool:
        return any(a.change in PENDING_CHANGES for a in self.actions)

    @property
    def fully_covered(self) -> bool:
        return all(c["accounted"] == c["total"] for c in self.coverage.values())

    def action(self, address: str) -> Action | None:
        return next((a for a in self.actions if a.address == address), None)


# -- ordering, summary, coverage ------------------------------------------------------------


def order_actions(actions: Iterable[Action]) -> tuple[Action, ...]:
    """Actions sorted by (depth in the ``depends_on`` graph, address): every action after
    what it depends on, ties by address. Raises PlanFormatError on unknown addresses or rings."""
    by_address: dict[str, Action] = {}
    for action in actions:
        if action.address in by_address:
            raise PlanFormatError(f"two plan actions share the address {action.address}")
        by_address[action.address] = action
    depth: dict[str, int] = {}
    levels: list[list[Action]] = []
    for address, action in by_address.items():
        level = depth.get(address)
        if level is None:
            _resolve_depth(address, by_address, depth)
            level = depth[address]
        while len(levels) <= level:
            levels.append([])
        levels[level].append(action)
    # Depths are a handful of small numbers: sorting each level by address alone is the
    # (depth, address) order without a key tuple per action.
    by_name = attrgetter("address")
    return tuple(action for level in levels for action in sorted(level, key=by_name))


def _resolve_depth(start: str, by_address: Mapping[str, Action], depth: dict[str, int]) -> None:
    # Iterative: dependency chains are short, but a recursive walk over a million actions
    # must not depend on the interpreter's recursion limit.
    if start in depth:
        return
    needs = by_address[start].depends_on
    if not needs:
        depth[start] = 0  # most actions: nothing to walk
        return
    stack = [(start, iter(by_address[start].depends_on))]
    on_path = {start}
    while stack:
        address, deps = stack[-1]
        for dep in deps:
            if dep in depth:
                continue
            if dep not in by_address:
                raise PlanFormatError(f"plan action {address} depends on {dep}, which the plan lacks")
            if dep in on_path:
                raise PlanFormatError(f"plan actions depend on each other in a ring through {dep}")
            on_path.add(dep)
            stack.append((dep, iter(by_address[dep].depends_on)))
            break
        else:
            stack.pop()
            on_path.discard(address)
            depth[address] = 1 + max((depth[d] for d in by_address[address].depends_on), default=-1)


def summarize(actions: Iterable[Action]) -> dict[str, Any]:
    tally = Counter((a.address.split("/", 1)[0], a.change) for a in actions)
    changes = {c.value: 0 for c in Change}
    families: dict[str, dict[str, int]] = {}
    for (family, change), count in tally.items():
        changes[change.value] += count
        families.setdefault(family, {c.value: 0 for c in Change})[change.value] += count
    return {"changes": changes, "families": dict(sorted(families.items()))}


def coverage_of(counts: Mapping[str, int], accounted: Mapping[str, int]) -> dict[str, dict[str, int]]:
    return {s: {"total": counts[s], "accounted": accounted.get(s, 0)} for s in sorted(counts)}


# -- the document -----------------------------------------------------------------------------


def to_document(plan: Plan, *, with_actions: bool = True) -> dict[str, Any]:
    """The plan as its JSON document (without ``checksum``)."""
    document = {
        "format_version": plan.format_version,
        "tool_version": plan.tool_version,
        "mode": plan.mode,
        "refreshed": plan.refreshed,
        "inventory": {
            "fingerprint": plan.inventory.fingerprint,
            "endpoint": plan.inventory.endpoint,
            "read_at": plan.inventory.read_at,
            "counts": dict(sorted(plan.inventory.counts.items())),
        },
        "target": plan.target.to_dict(with_state=True),
        "source": None if plan.source is None else plan.source.to_dict(with_state=False),
        "coverage": {k: dict(v) for k, v in plan.coverage.items()},
        "findings": [f.to_dict() for f in plan.findings],
        "summary": plan.summary,
    }
    if with_actions:
        document["actions"] = [a.to_dict() for a in plan.actions]
    return document


_compact = canonical_json


def _indented(value: Any, level: int) -> str:
    text = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level)


def _checksum(document: Mapping[str, Any]) -> str:
    """sha256 over the canonical (sorted, compact) JSON of the document without ``checksum``."""
    digest = hashlib.sha256()
    keys = sorted(k for k in document if k != "checksum")
    digest.update(b"{")
    for i, key in enumerate(keys):
        if i:
            digest.update(b",")
        digest.update(_compact(key).encode() + b":")
        if key == "actions":
            # One action at a time: a loaded million-action plan is not encoded twice over.
            digest.update(b"[")
            for j, action in enumerate(document[key]):
                digest.update((("," if j else "") + _compact(action)).encode())
            digest.update(b"]")
        else:
            digest.update(_compact(document[key]).encode())
    digest.update(b"}")
    return "sha256:" + digest.hexdigest()


def dumps(plan: Plan) -> str:
    """The exact text ``save`` writes."""
    out = io.BytesIO()
    write(plan, out)
    return out.getvalue().decode("utf-8")


def save(plan: Plan, path: str | os.PathLike) -> str:
    """Write the plan atomically; returns its checksum."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        checksum = write(plan, out)
    os.replace(partial, path)
    return checksum


_WRITE_BATCH = 1024  # actions encoded, hashed and written together


def write(plan: Plan, out: BinaryIO) -> str:
    """Stream the plan document (UTF-8) to ``out``; returns its checksum.

    Actions are encoded a batch at a time and hashed as they are written: the canonical form
    puts ``actions`` first and the checksum only needs the (small) rest of the document after
    them, so neither the document nor its text is ever held whole. A batch is encoded once:
    an action's compact JSON never holds a raw newline (the encoder escapes it), so the lines
    joined by newlines become the hashed form (``,`` between actions) and the written form
    (``,`` and an indented new line) by replacing that newline.
    """
    rest = to_document(plan, with_actions=False)
    digest = hashlib.sha256(b'{"actions":[')
    out.write(b'{\n  "actions": [')
    actions = iter(plan.actions)
    separator = b""
    while batch := [action_json(a) for a in islice(actions, _WRITE_BATCH)]:
        lines = "\n".join(batch).encode()
        digest.update((b"," if separator else b"") + lines.replace(b"\n", b","))
        out.write((separator or b"\n    ") + lines.replace(b"\n", b",\n    "))
        separator = b",\n    "
    out.write(b"\n  ]" if plan.actions else b"]")
    digest.update(b"]")
    for key in sorted(rest):
        digest.update(("," + _compact(key) + ":" + _compact(rest[key])).encode())
    digest.update(b"}")
    rest["checksum"] = "sha256:" + digest.hexdigest()
    for key in sorted(rest):
        out.write(f",\n  {_compact(key)}: {_indented(rest[key], 1)}".encode())
    out.write(b"\n}\n")
    return rest["checksum"]


_encode_string = json.encoder.encode_basestring  # the C encoder, as json.dumps(ensure_ascii=False) uses
_ENCODED_SEVERITIES = {s: _encode_string(s.value) for s in Severity}
_ENCODED_CHANGES = {c: _encode_string(c.value) for c in Change}
_ENCODED_PHASES = {p: _encode_string(p.value) for p in Phase}


def action_json(action: Action) -> str:
    """``_compact(action.to_dict())``, byte for byte, built without the intermediate dict.

    Equal to the generic encoding by construction (keys in sorted order, same separators, the
    same C string encoder); a test holds the two together. At millions of actions this is most
    of the cost of writing a plan.
    """
    return "".join(
        (
            '{"address":', _encode_string(action.address),
            ',"body":', "null" if action.body is None else _compact(action.body),
            ',"change":', _ENCODED_CHANGES[action.change],
            ',"current":', "null" if action.current is None else _compact(action.current),
            ',"depends_on":', _string_list(action.depends_on),
            ',"downtime":', "true" if action.downtime else "false",
            ',"findings":[', ",".join(_finding_json(f) for f in action.findings),
            '],"irreversible":', "true" if action.irreversible else "false",
            ',"name":', _encode_string(action.name),
            ',"operation":', _encode_string(action.operation),
            ',"phase":', _ENCODED_PHASES[action.phase],
            ',"resource_type":', "null" if action.resource_type is None else _encode_string(action.resource_type),
            ',"secret_refs":', _compact([r.to_dict() for r in action.secret_refs]) if action.secret_refs else "[]",
            ',"sources":', _string_list(action.sources),
            "}",
        )
    )


def _string_list(values: tuple[str, ...]) -> str:
    return "[" + ",".join(map(_encode_string, values)) + "]"


def _finding_json(f: Finding) -> str:
    # Built by hand in sorted key order: most findings carry a message of their own, so a cache
    # of encoded findings only grew by one entry per action (millions, held to the end).
    return "".join(
        (
            '{"code":', _encode_string(f.code),
            ',"message":', _encode_string(f.message),
            ',"remediation":', _encode_string(f.remediation),
            ',"severity":', _ENCODED_SEVERITIES[f.severity],
            "}",
        )
    )


def load(path: str | os.PathLike) -> Plan:
    """Read a plan file, refusing an unknown major version or a file edited after writing."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanFormatError(
            f"cannot read plan file {path}: {type(error).__name__}", hint="write a new one with: migrator plan --out PLAN"
        ) from None
    return from_document(document, path=str(path))


def from_document(document: Any, *, path: str = "<plan>") -> Plan:
    if not isinstance(document, dict):
        raise PlanFormatError(f"{path} is not a plan document")
    _check_version(document.get("format_version"), path)
    if document.get("checksum") != _checksum(document):
        raise StalePlanError(
            f"plan {path} was edited after it was written (checksum mismatch)",
            hint="plan again with: migrator plan --out PLAN",
        )
    try:
        return _plan_from(document)
    except (KeyError, TypeError, ValueError) as error:
        raise PlanFormatError(f"{path} is not a valid plan: {type(error).__name__} {error}") from None


def _check_version(version: Any, path: str) -> None:
    try:
        major = int(str(version).split(".")[0])
    except ValueError:
        raise PlanFormatError(f"{path} has no readable format_version") from None
    if major != SUPPORTED_MAJOR:
        raise PlanFormatError(
            f"{path} has plan format {version}; this version reads {SUPPORTED_MAJOR}.x",
            hint="use the ams-migrator version that wrote the plan, or plan again",
        )


def _plan_from(doc: Mapping[str, Any]) -> Plan:
    source = doc.get("source")
    return Plan(
        format_version=doc["format_version"],
        tool_version=doc["tool_version"],
        mode=doc["mode"],
        refreshed=bool(doc["refreshed"]),
        inventory=InventoryInfo(**doc["inventory"]),
        target=AccountCoordinates(**doc["target"]),
        source=None if source is None else AccountCoordinates(**source),
        actions=tuple(_action_from(a) for a in doc["actions"]),
        coverage=doc["coverage"],
        findings=tuple(_finding_from(f) for f in doc.get("findings", ())),
    )


def _finding_from(f: Mapping[str, Any]) -> Finding:
    return Finding(f["code"], Severity(f["severity"]), f["message"], f["remediation"])


def _action_from(a: Mapping[str, Any]) -> Action:
    return Action(
        address=a["address"],
        change=Change(a["change"]),
        resource_type=a["resource_type"],
        name=a["name"],
        operation=a["operation"],
        phase=Phase(a["phase"]),
        sources=tuple(a["sources"]),
        depends_on=tuple(a["depends_on"]),
        body=a["body"],
        secret_refs=tuple(
            SecretRef(
                r["path"], r["from"], tuple((k, v) for k, v in sorted(r.items()) if k not in ("path", "from"))
            )
            for r in a["secret_refs"]
        ),
        findings=tuple(_finding_from(f) for f in a["findings"]),
        irreversible=bool(a["irreversible"]),
        downtime=bool(a["downtime"]),
        current=a["current"],
    )


# -- human rendering ---------------------------------------------------------------------------

LEGEND = (
    "Resource actions are indicated with the following symbols:",
    "  + create",
    "  ~ modify",
    "  = no change",
    "  * ignore",
    "  ! unsupported",
    "  ? manual",
)


def summary_line(actions: Iterable[Action]) -> str:
    counts = summarize(actions)["changes"]
    return (
        f"Plan: {counts['create']} to create, {counts['modify']} to modify, {counts['no-change']} unchanged, "
        f"{counts['unsupported']} unsupported, {counts['manual']} manual, {counts['ignore']} ignored."
    )


def render_lines(plan: Plan, *, show_unchanged: bool = True) -> Iterator[str]:
    """The what-if style listing: legend, one line per resource with its findings, summary."""
    yield from LEGEND
    yield ""
    if not plan.refreshed:
        yield "Note: planned with --no-refresh; the target was not read, every resource is assumed absent."
        yield ""
    for action in plan.actions:
        if action.change is Change.NO_CHANGE and not show_unchanged:
            continue
        kind = f" ({action.resource_type})" if action.resource_type else ""
        yield f"  {action.change.symbol} {action.change.value:<11} {action.address}{kind}"
        for finding in action.findings:
            yield f"      {finding.severity.value}: {finding.code}: {finding.message}"
    for finding in plan.findings:
        yield f"{finding.severity.value}: {finding.code}: {finding.message}"
    yield ""
    yield summary_line(plan.actions)
