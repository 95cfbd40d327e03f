"""What a report says, computed once from a plan; every format renders this same model.

A few linear passes over the actions build every section, so a plan of hundreds of thousands
of actions is summarised in seconds. Sections keep their full rows (JSON and CSV write them all); the
HTML and Markdown pages show summaries and the first ``top_n`` rows of each long table.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from migrator.plan import Change, Phase

_V2_LOCATOR_ID = re.compile(r"^nb:lid:UUID:([0-9a-fA-F-]{36})$")
_KEPT = frozenset({Change.CREATE, Change.MODIFY, Change.NO_CHANGE})
_CHANGE_ORDER = ("create", "modify", "no-change", "ignore", "unsupported", "manual")
_SEVERITY_ORDER = {"blocker": 0, "warning": 1, "info": 2}
_TYPE_PREFIX = "Microsoft.Media/mediaServices/"

PHASE_TEXT = {
    Phase.PREPARE: ("Preparation", "safe ahead of time, days before the window"),
    Phase.CONTENT_COPY: ("Content copy", "ahead of time: blobs copied with azcopy; the operator confirms before locators are created"),
    Phase.PUBLISH: ("Publishing", "locators and policies; streaming URLs become live on the target"),
    Phase.CUTOVER: ("Cutover", "in the downtime window: stop v2 channels, start live events and outputs"),
    Phase.POST: ("After the cutover", "notifications and clean-up"),
}


@dataclass(frozen=True)
class Limit:
    """A documented v3 quota (reference v3-api.md section 7); ``per`` is None for account-wide."""

    label: str
    resource_type: str
    limit: int
    per: str | None = None


LIMITS = (
    Limit("Assets per account", "assets", 1_000_000),
    Limit("Streaming policies per account", "streamingPolicies", 100),
    Limit("Transforms per account", "transforms", 100),
    Limit("Live events per account", "liveEvents", 5),
    Limit("Streaming endpoints per account", "streamingEndpoints", 2),
    Limit("Account filters per account", "accountFilters", 100),
    Limit("Jobs per account", "transforms/jobs", 500_000),
    Limit("Asset filters per asset", "assets/assetFilters", 100, per="asset"),
    Limit("Streaming locators per asset", "streamingLocators", 100, per="asset"),
    Limit("Live outputs per live event", "liveEvents/liveOutputs", 3, per="live event"),
    Limit("Options per content key policy", "contentKeyPolicies", 30, per="policy (options)"),
    Limit("Outputs per transform", "transforms", 20, per="transform (outputs)"),
)


@dataclass(frozen=True)
class FindingRow:
    address: str
    code: str
    severity: str
    message: str
    remediation: str


@dataclass(frozen=True)
class FindingGroup:
    code: str
    severity: str
    count: int
    message: str
    remediation: str
    addresses: tuple[str, ...]  # the first top_n


@dataclass(frozen=True)
class ManualStep:
    address: str
    phase: str
    what: str
    remediation: str
    downtime: bool
    irreversible: bool


@dataclass(frozen=True)
class UrlRow:
    v2_locator_id: str
    v2_path: str  # the locator's full v2 Path (with host) when the inventory is given, else /<guid>/
    v3_locator: str
    v3_path: str
    host: str
    path_kept: bool
    change: str


@dataclass(frozen=True)
class QuotaRow:
    label: str
    limit: int
    used: int
    scope: str
    worst: str  # the asset/policy/... at ``used`` for per-parent limits, "" for account-wide

    @property
    def over(self) -> bool:
        return self.used > self.limit

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.limit)) if self.limit else 0


@dataclass(frozen=True)
class RunbookStep:
    address: str
    operation: str
    change: str
    irreversible: bool
    downtime: bool
    note: str


@dataclass(frozen=True)
class RunbookPhase:
    phase: str
    title: str
    when: str
    step_count: int
    families: tuple[tuple[str, int], ...]
    irreversible: int
    downtime: int
    steps: tuple[RunbookStep, ...]  # manual, irreversible and downtime steps first, then the rest


@dataclass(frozen=True)
class LiveWindow:
    """A live event (or a v2 channel step) of the cutover window and what waits for it."""

    address: str
    change: str
    channels: tuple[str, ...]  # the v2 channel ids it accounts for
    what: str  # its findings (running channel, downtime), or the change
    follows: tuple[str, ...]  # live outputs, starts and steps that depend on it


@dataclass(frozen=True)
class Neighbourhood:
    address: str
    blockers: tuple[str, ...]
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    mode: str
    tool_version: str
    format_version: str
    refreshed: bool
    target: str
    target_endpoint: str
    source: str | None
    inventory: Mapping[str, Any]
    change_counts: Mapping[str, int]
    families: tuple[tuple[str, Mapping[str, int]], ...]
    coverage: tuple[tuple[str, int, int], ...]
    finding_groups: tuple[FindingGroup, ...]
    findings: tuple[FindingRow, ...]
    manual_steps: tuple[ManualStep, ...]
    urls: tuple[UrlRow, ...]
    quotas: tuple[QuotaRow, ...]
    runbook: tuple[RunbookPhase, ...]
    live_windows: tuple[LiveWindow, ...]
    neighbourhoods: tuple[Neighbourhood, ...]
    action_count: int
    top_n: int
    actions: tuple = field(default=(), repr=False)  # the plan's actions, for the CSV

    @property
    def fully_covered(self) -> bool:
        return all(accounted == total for _, total, accounted in self.coverage)

    @property
    def blocker_count(self) -> int:
        return sum(g.count for g in self.finding_groups if g.severity == "blocker")


def build_report(plan, *, top_n: int = 50, v2_paths: Mapping[str, str] | None = None) -> Report:
    """Every section of the report, from linear passes over the plan's actions.

    ``v2_paths`` maps v2 locator ids to their ``Path`` (``https://<host>/<guid>/``, from the
    inventory): the URL table then shows the full old URL instead of the path alone.
    """
    families: dict[str, Counter] = defaultdict(Counter)
    change_counts: Counter = Counter()
    findings = [FindingRow("(plan)", f.code, f.severity.value, f.message, f.remediation) for f in plan.findings]
    manual: list[ManualStep] = []
    urls: list[UrlRow] = []
    quota_counter = _QuotaCounter()
    by_phase: dict[Phase, list] = defaultdict(list)
    blocker_actions: dict[str, tuple[str, ...]] = {}
    hosts = _target_hosts(plan)
    for action in plan.actions:
        change = action.change.value
        change_counts[change] += 1
        families[action.family][change] += 1
        by_phase[action.phase].append(action)
        for f in action.findings:
            findings.append(FindingRow(action.address, f.code, f.severity.value, f.message, f.remediation))
        blockers = tuple(sorted({f.code for f in action.findings if f.severity.value == "blocker"}))
        if blockers:
            blocker_actions[action.address] = blockers
        if action.operation == "confirm" or action.change is Change.MANUAL:
            manual.append(_manual_step(action))
        if action.resource_type == _TYPE_PREFIX + "streamingLocators" and action.change in _KEPT:
            urls.append(_url_row(action, plan.mode, hosts, v2_paths or {}))
        if action.change in _KEPT and not action.operation.startswith("post:"):
            quota_counter.add(action)
    findings.sort(key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), r.code, r.address))
    return Report(
        mode=plan.mode,
        tool_version=plan.tool_version,
        format_version=plan.format_version,
        refreshed=plan.refreshed,
        target=_account_text(plan.target),
        target_endpoint=plan.target.arm_endpoint,
        source=None if plan.source is None else _account_text(plan.source),
        inventory={
            "fingerprint": plan.inventory.fingerprint,
            "endpoint": plan.inventory.endpoint,
            "read_at": plan.inventory.read_at,
            "counts": dict(plan.inventory.counts),
        },
        change_counts={c: change_counts.get(c, 0) for c in _CHANGE_ORDER},
        families=tuple((name, {c: counts.get(c, 0) for c in _CHANGE_ORDER}) for name, counts in sorted(families.items())),
        coverage=tuple((name, int(c["total"]), int(c["accounted"])) for name, c in sorted(plan.coverage.items())),
        finding_groups=_group_findings(findings, top_n),
        findings=tuple(findings),
        manual_steps=tuple(manual),
        urls=tuple(urls),
        quotas=quota_counter.rows(),
        runbook=tuple(_runbook_phase(phase, by_phase.get(phase, []), top_n) for phase in Phase),
        live_windows=_live_windows(plan.actions),
        neighbourhoods=_neighbourhoods(plan.actions, blocker_actions, top_n),
        action_count=len(plan.actions),
        top_n=top_n,
        actions=tuple(plan.actions),
    )


def _account_text(account) -> str:
    return f"{account.account_name} (subscription {account.subscription_id}, resource group {account.resource_group})"


def _manual_step(action) -> ManualStep:
    first = action.findings[0] if action.findings else None
    return ManualStep(
        address=action.address,
        phase=action.phase.value,
        what=first.message if first else f"{action.resource_type or 'manual'} {action.name}",
        remediation=first.remediation if first else "",
        downtime=action.downtime,
        irreversible=action.irreversible,
    )


def _target_hosts(plan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(host names, custom host names) the plan gives the target's streaming endpoints."""
    hosts: list[str] = []
    custom: list[str] = []
    for action in plan.actions:
        if action.resource_type == _TYPE_PREFIX + "streamingEndpoints" and action.change in _KEPT:
            properties = (action.body or action.current or {}).get("properties") or {}
            hosts += [properties["hostName"]] if properties.get("hostName") else []
            custom += [h for h in properties.get("customHostNames") or () if h]
    return tuple(dict.fromkeys(hosts)), tuple(dict.fromkeys(custom))


def _url_row(action, mode: str, hosts: tuple[tuple[str, ...], tuple[str, ...]], v2_paths: Mapping[str, str]) -> UrlRow:
    v2_id = next((s for s in action.sources if _V2_LOCATOR_ID.match(s)), "")
    v2_guid = _V2_LOCATOR_ID.match(v2_id).group(1).lower() if v2_id else ""
    properties = (action.body or action.current or {}).get("properties") or {}
    v3_guid = str(properties.get("streamingLocatorId") or action.name).lower()
    return UrlRow(
        v2_locator_id=v2_id,
        v2_path=v2_paths.get(v2_id) or (f"/{v2_guid}/" if v2_guid else ""),
        v3_locator=action.name,
        v3_path=f"/{v3_guid}/",
        host=_host_text(mode, *hosts),
        path_kept=bool(v2_guid) and v2_guid == v3_guid,
        change=action.change.value,
    )


def _host_text(mode: str, hosts: tuple[str, ...], custom: tuple[str, ...]) -> str:
    if mode == "same-account":
        return "unchanged (same account and streaming endpoints)"
    text = "changes to " + ", ".join(hosts) if hosts else "changes to the new account's streaming endpoint host"
    if custom:
        text += "; custom host names carried over (re-point their DNS): " + ", ".join(custom)
    return text


class _QuotaCounter:
    """Counts the resources that exist after apply, account-wide and per parent."""

    def __init__(self) -> None:
        self.account: Counter = Counter()
        self.per_parent: dict[str, Counter] = defaultdict(Counter)
        self.largest: dict[str, tuple[int, str]] = {}

    def add(self, action) -> None:
        resource_type = (action.resource_type or "").removeprefix(_TYPE_PREFIX)
        if not resource_type or resource_type.startswith(("v2:", "copy:")) or action.name.startswith("Predefined_"):
            return
        self.account[resource_type] += 1
        properties = (action.body or action.current or {}).get("properties") or {}
        if resource_type in ("assets/assetFilters", "liveEvents/liveOutputs"):
            self.per_parent[resource_type][action.name.split("/", 1)[0]] += 1
        elif resource_type == "streamingLocators" and properties.get("assetName"):
            self.per_parent[resource_type][properties["assetName"]] += 1
        elif resource_type == "contentKeyPolicies":
            self._keep_largest("contentKeyPolicies", len(properties.get("options") or ()), action.name)
        elif resource_type == "transforms":
            self._keep_largest("transforms", len(properties.get("outputs") or ()), action.name)

    def _keep_largest(self, key: str, size: int, name: str) -> None:
        if size > self.largest.get(key, (-1, ""))[0]:
            self.largest[key] = (size, name)

    def rows(self) -> tuple[QuotaRow, ...]:
        rows = []
        for limit in LIMITS:
            if limit.per is None:
                rows.append(QuotaRow(limit.label, limit.limit, self.account.get(limit.resource_type, 0), "account", ""))
            elif limit.per.endswith("(options)") or limit.per.endswith("(outputs)"):
                size, name = self.largest.get(limit.resource_type, (0, ""))
                rows.append(QuotaRow(limit.label, limit.limit, size, f"largest {limit.per.split(' ')[0]}", name))
            else:
                counts = self.per_parent.get(limit.resource_type) or Counter()
                name, used = max(counts.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0))
                rows.append(QuotaRow(limit.label, limit.limit, used, f"busiest {limit.per}", name))
        return tuple(rows)


def _group_findings(findings: list[FindingRow], top_n: int) -> tuple[FindingGroup, ...]:
    groups: dict[str, list[FindingRow]] = defaultdict(list)
    for row in findings:
        groups[row.code].append(row)
    result = [
        FindingGroup(
            code, rows[0].severity, len(rows), rows[0].message, rows[0].remediation, tuple(r.address for r in rows[:top_n])
        )
        for code, rows in groups.items()
    ]
    return tuple(sorted(result, key=lambda g: (_SEVERITY_ORDER.get(g.severity, 3), -g.count, g.code)))


def _runbook_phase(phase: Phase, actions: list, top_n: int) -> RunbookPhase:
    title, when = PHASE_TEXT[phase]
    work = [a for a in actions if a.operation != "none"]
    flagged = [a for a in work if a.operation == "confirm" or a.irreversible or a.downtime]
    rest = [a for a in work if not (a.operation == "confirm" or a.irreversible or a.downtime)]
    steps = tuple(_runbook_step(a) for a in (flagged + rest)[:top_n])
    return RunbookPhase(
        phase=phase.value,
        title=title,
        when=when,
        step_count=len(work),
        families=tuple(sorted(Counter(a.family for a in work).items())),
        irreversible=sum(1 for a in work if a.irreversible),
        downtime=sum(1 for a in work if a.downtime),
        steps=steps,
    )


def _runbook_step(action) -> RunbookStep:
    kind = (action.resource_type or "").removeprefix(_TYPE_PREFIX)
    if action.operation == "confirm":
        note = action.findings[0].message if action.findings else "manual step: the operator confirms it is done"
    elif action.operation == "content-copy":
        note = "copy the asset's blobs (azcopy script written at apply time)"
    elif action.operation.startswith("post:"):
        note = f"{action.operation[5:]} {kind} {action.name}"
    else:
        note = f"{action.change.value} {kind}".strip()
    return RunbookStep(action.address, action.operation, action.change.value, action.irreversible, action.downtime, note)


def _live_windows(actions) -> tuple[LiveWindow, ...]:
    watched = {
        a.address: a
        for a in actions
        if a.resource_type == "v2:Channels"
        or (a.resource_type == _TYPE_PREFIX + "liveEvents" and not a.operation.startswith("post:"))
    }
    if not watched:
        return ()
    follows: dict[str, list[str]] = defaultdict(list)
    for action in actions:
        for dependency in action.depends_on:
            if dependency in watched:
                follows[dependency].append(action.address)
    return tuple(
        LiveWindow(
            address=address,
            change=action.change.value,
            channels=tuple(s for s in action.sources if s.startswith("nb:chid:")),
            what="; ".join(f.message for f in action.findings) or f"{action.change.value} in the {action.phase.value} phase",
            follows=tuple(sorted(follows.get(address, ()))),
        )
        for address, action in sorted(watched.items())
    )


def _neighbourhoods(actions, blocker_actions: Mapping[str, tuple[str, ...]], top_n: int) -> tuple[Neighbourhood, ...]:
    chosen = sorted(blocker_actions)[: min(top_n, 12)]
    if not chosen:
        return ()
    wanted = set(chosen)
    upstream: dict[str, tuple[str, ...]] = {}
    downstream: dict[str, list[str]] = defaultdict(list)
    for action in actions:
        if action.address in wanted:
            upstream[action.address] = tuple(action.depends_on)
        for dependency in action.depends_on:
            if dependency in wanted:
                downstream[dependency].append(action.address)
    return tuple(
        Neighbourhood(a, blocker_actions[a], upstream.get(a, ()), tuple(sorted(downstream.get(a, ())))) for a in chosen
    )
