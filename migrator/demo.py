"""``run_demo``: the whole cutover, end to end, on the embedded sandbox.

Starts the sandbox in-process on loopback (a seeded source account and an empty target
account), then runs every stage the way an operator would run the commands one after the
other: inventory (the v2 face) -> plan in both modes (same-account against the source
account; new-account from the source into the empty target) -> report (html, md, json and
csv of each plan) -> dry run of each plan (the recorded requests) -> apply of the
new-account plan, then of the same-account plan -> verify of both. Every artifact lands in
one directory.

The demo calls the same plain functions the commands call; it has no engine of its own. The
confirmations an operator gives with ``--yes`` (manual v2 steps, the content-copy boundary,
irreversible and downtime steps) are given by the demo itself, and the result says so. The
first stage that fails stops the demo with that stage's own error.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, TypeVar

from migrator.auth import StaticTokenProvider
from migrator.console import Reporter, SilentReporter
from migrator.exceptions import ConfigError, MigratorError, VerifyError
from migrator.executor import (
    ApplyResult,
    ApplySettings,
    ConfirmRequest,
    DryRunResult,
    apply_plan,
    dry_run_plan,
    target_state_fingerprint,
)
from migrator.http import build_session
from migrator.mappings.base import Mode
from migrator.plan import AccountCoordinates, Plan, save, summary_line
from migrator.planner import PlanRequest, make_plan
from migrator.redact import SECRETS
from migrator.reports.render import FORMATS, render_report
from migrator.sandbox.app import Sandbox, SandboxDescription
from migrator.transport import record_session
from migrator.v2.reader import READ_RETRY, InventorySummary, ReaderSettings, read_inventory
from migrator.v2.store import InventoryStore
from migrator.v3.client import ArmClient, arm_session
from migrator.verify import VerifyReport, verify_plan

log = logging.getLogger("migrator.demo")

DEFAULT_SEED = 1
# Large enough to hold every hard case of the seeded generator several times over (one
# period is 32 assets), small enough that the whole demo takes seconds on two cores.
DEFAULT_ASSETS = 200
INVENTORY_FILE = "inventory.db"
# The file the demo writes last; a later demo into the same directory removes only the
# files it lists, so the demo never deletes anything it did not write.
SUMMARY_FILE = "demo-summary.json"
# New-account first: its apply reads the source account, which the same-account apply then
# changes (in a real cutover these are alternatives; the demo shows both).
MODES = (Mode.NEW_ACCOUNT, Mode.SAME_ACCOUNT)
_CONFIRM_LABELS = {
    "manual": "manual v2 step",
    "content-copy": "content copy",
    "irreversible": "step that cannot be undone",
    "downtime": "downtime-window step",
}

T = TypeVar("T")


@dataclass(frozen=True)
class StageTiming:
    stage: str
    seconds: float


@dataclass(frozen=True)
class PlanOutcome:
    """Everything one plan went through, with the files it left behind."""

    mode: str
    plan_path: Path
    plan_line: str
    reports: tuple[Path, ...]
    dry_run_path: Path
    dry_run_line: str
    journal_path: Path
    apply_line: str
    scripts: tuple[Path, ...]
    verify_path: Path
    verify_line: str
    fully_covered: bool

    @property
    def html_report(self) -> Path:
        return next(p for p in self.reports if p.suffix == ".html")

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "plan": str(self.plan_path),
            "plan_summary": self.plan_line,
            "fully_covered": self.fully_covered,
            "reports": [str(p) for p in self.reports],
            "dry_run": str(self.dry_run_path),
            "dry_run_summary": self.dry_run_line,
            "journal": str(self.journal_path),
            "apply_summary": self.apply_line,
            "azcopy_scripts": [str(p) for p in self.scripts],
            "verify": str(self.verify_path),
            "verify_summary": self.verify_line,
        }


@dataclass(frozen=True)
class DemoResult:
    out_dir: Path
    seed: int
    assets: int
    inventory_path: Path
    inventory_counts: Mapping[str, int]
    plans: tuple[PlanOutcome, ...]
    confirmations: Mapping[str, int]
    v2_write_attempts: int
    timings: tuple[StageTiming, ...]
    artifacts: tuple[Path, ...] = ()

    @property
    def html_report(self) -> Path:
        """The report to open first: the new-account plan's (the fuller migration)."""
        return self.plans[0].html_report

    @property
    def seconds(self) -> float:
        return sum(t.seconds for t in self.timings)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "out_dir": str(self.out_dir),
            "seed": self.seed,
            "assets": self.assets,
            "inventory": str(self.inventory_path),
            "inventory_counts": dict(self.inventory_counts),
            "plans": [p.to_json() for p in self.plans],
            "confirmed_by_the_demo": dict(self.confirmations),
            "v2_write_attempts": self.v2_write_attempts,
            "html_report": str(self.html_report),
            "timings": {t.stage: round(t.seconds, 3) for t in self.timings},
            "seconds": round(self.seconds, 3),
            "artifacts": [str(p) for p in self.artifacts],
        }

    def lines(self) -> Iterator[str]:
        total = sum(self.inventory_counts.values())
        yield f"Demo complete in {self.seconds:.1f} s (sandbox seed {self.seed}, {self.assets} assets)."
        yield f"Inventory: {total} v2 entities in {len(self.inventory_counts)} entity sets -> {self.inventory_path}"
        for plan in self.plans:
            yield ""
            yield f"{plan.mode}:"
            yield f"  plan     {plan.plan_line} -> {plan.plan_path}"
            yield f"  dry run  {plan.dry_run_line} -> {plan.dry_run_path}"
            yield f"  apply    {plan.apply_line} (journal {plan.journal_path})"
            for script in plan.scripts:
                yield f"  azcopy   {script}"
            yield f"  verify   {plan.verify_line} -> {plan.verify_path}"
        yield ""
        asked = ", ".join(f"{n} {_CONFIRM_LABELS.get(kind, kind)}(s)" for kind, n in sorted(self.confirmations.items()))
        yield (
            "In the demo, the operator is the demo: it confirmed "
            + (asked or "nothing")
            + " as an operator would with --yes (the sandbox holds the blobs, so no azcopy run was needed)."
        )
        yield f"v2 write attempts: {self.v2_write_attempts} (the migrator only reads the v2 side)."
        yield f"{len(self.artifacts)} files in {self.out_dir}"
        yield f"HTML report: {self.html_report}"


@dataclass
class _DemoOperator:
    """The ``confirm`` callback of the demo's applies: says yes, as ``--yes`` would, and counts."""

    asked: Counter = field(default_factory=Counter)

    def __call__(self, request: ConfirmRequest) -> bool:
        self.asked[request.kind] += 1
        log.info("%s confirmed by the demo (the demo is the operator): %s", _CONFIRM_LABELS.get(request.kind, request.kind), request.message)
        return True


def run_demo(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    assets: int = DEFAULT_ASSETS,
    reporter: Reporter | None = None,
    parallel: int = 4,
    sandbox_options: Mapping[str, Any] | None = None,
) -> DemoResult:
    """Run the whole cutover on a fresh sandbox and write every artifact into ``out_dir``.

    Raises the failing stage's own ``MigratorError`` (a ``VerifyError`` when verify finds a
    mismatch); ``sandbox_options`` go to ``Sandbox`` (latency, throttling, assumptions).
    """
    reporter = reporter or SilentReporter()
    out = prepare_out_dir(Path(out_dir))
    stages = _Stages(reporter)
    operator = _DemoOperator()
    sandbox = Sandbox(seed=seed, assets=assets, **dict(sandbox_options or {}))
    with stages.run("sandbox", sandbox.start):
        description = sandbox.describe()
        SECRETS.add(description.token)
        inventory_path = out / INVENTORY_FILE
        summary = stages.run("inventory", lambda: _read_inventory(description, inventory_path, parallel, reporter))
        client = ArmClient(arm_session(pool_size=parallel * 2), description.arm_endpoint, StaticTokenProvider(description.token, api="ARM"))
        plans = {mode: stages.run(f"plan {mode.value}", lambda mode=mode: _plan(inventory_path, description, mode, client, reporter)) for mode in MODES}
        paths = {mode: out / f"plan-{mode.value}.json" for mode in MODES}
        checksums = {mode: save(plans[mode], paths[mode]) for mode in MODES}
        reports = {mode: stages.run(f"report {mode.value}", lambda mode=mode: _reports(plans[mode], out, mode)) for mode in MODES}
        dry_runs = {
            mode: stages.run(
                f"dry run {mode.value}",
                lambda mode=mode: _dry_run(plans[mode], checksums[mode], description, _settings(out, paths[mode], inventory_path, parallel), reporter),
            )
            for mode in MODES
        }
        applied = {
            mode: stages.run(
                f"apply {mode.value}",
                lambda mode=mode: _apply(plans[mode], checksums[mode], client, _settings(out, paths[mode], inventory_path, parallel), reporter, operator),
            )
            for mode in MODES
        }
        audits = {mode: stages.run(f"verify {mode.value}", lambda mode=mode: _verify(plans[mode], client, out, mode, parallel)) for mode in MODES}
        v2_writes = sandbox.v2_face.write_attempts
    outcomes = tuple(
        PlanOutcome(
            mode=mode.value,
            plan_path=paths[mode],
            plan_line=summary_line(plans[mode].actions),
            reports=tuple(reports[mode]),
            dry_run_path=dry_runs[mode][0],
            dry_run_line=dry_runs[mode][1].closing_line(),
            journal_path=_journal_path(paths[mode]),
            apply_line=applied[mode].closing_line(),
            scripts=tuple(Path(s) for s in applied[mode].scripts),
            verify_path=audits[mode][0],
            verify_line=audits[mode][1].closing_line(),
            fully_covered=plans[mode].fully_covered,
        )
        for mode in MODES
    )
    result = DemoResult(
        out_dir=out,
        seed=seed,
        assets=assets,
        inventory_path=inventory_path,
        inventory_counts=dict(summary.counts),
        plans=outcomes,
        confirmations=dict(operator.asked),
        v2_write_attempts=v2_writes,
        timings=tuple(stages.timings),
    )
    return _with_summary_file(result)


# -- the output directory -------------------------------------------------------------------


def prepare_out_dir(out: Path) -> Path:
    """Create ``out``, or empty it of a previous demo's files; refuse a directory holding anything else."""
    out.mkdir(parents=True, exist_ok=True)
    previous = _previous_artifacts(out)
    for path in previous:
        path.unlink(missing_ok=True)
    others = sorted(p.name for p in out.iterdir())
    if others:
        raise ConfigError(
            f"{out} already holds files the demo did not write ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''})",
            hint="choose an empty or new directory with --out",
        )
    return out


def _previous_artifacts(out: Path) -> list[Path]:
    summary = out / SUMMARY_FILE
    if not summary.is_file():
        return []
    try:
        listed = json.loads(summary.read_text(encoding="utf-8")).get("artifacts", [])
    except (OSError, ValueError, AttributeError):
        return []
    inside = [out / Path(str(name)).name for name in listed]
    # Side files of SQLite (WAL, shared memory) and the journal lock may outlive the listing.
    side_files = [p for p in out.iterdir() if any(p.name.startswith(q.name) for q in inside)]
    return sorted({p for p in inside + side_files if p.is_file()})


def _with_summary_file(result: DemoResult) -> DemoResult:
    summary = result.out_dir / SUMMARY_FILE
    artifacts = tuple(sorted({p for p in result.out_dir.iterdir() if p.is_file()} | {summary}))
    complete = DemoResult(**{**result.__dict__, "artifacts": artifacts})
    summary.write_text(json.dumps(complete.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return complete


# -- stages ----------------------------------------------------------------------------------


class _Stages:
    """Times each stage, reports it, and names the stage that failed before its error goes on."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.timings: list[StageTiming] = []

    def run(self, stage: str, work: Callable[[], T]) -> T:
        self.reporter.event("demo.stage", stage=stage, state="started")
        started = time.monotonic()
        try:
            value = work()
        except MigratorError as error:
            log.error("demo stopped at stage %r: %s", stage, error.message)
            self.reporter.event("demo.stage", stage=stage, state="failed", code=error.code)
            raise
        elapsed = time.monotonic() - started
        self.timings.append(StageTiming(stage, elapsed))
        self.reporter.event("demo.stage", stage=stage, state="done", seconds=f"{elapsed:.2f}")
        return value


def _read_inventory(description: SandboxDescription, path: Path, parallel: int, reporter: Reporter) -> InventorySummary:
    return read_inventory(
        path,
        ReaderSettings(endpoint=description.v2_endpoint, parallel=parallel),
        provider=StaticTokenProvider(description.token, api="v2"),
        session=build_session(READ_RETRY, pool_size=parallel),
        reporter=reporter,
    )


def plan_request(description: SandboxDescription, mode: Mode) -> PlanRequest:
    """same-account plans the source account onto itself; new-account moves it into the empty target."""
    source = _coordinates(description, description.source.resource_group, description.source.account_name)
    if mode is Mode.SAME_ACCOUNT:
        return PlanRequest(mode=mode, target=source)
    target = _coordinates(description, description.target.resource_group, description.target.account_name)
    return PlanRequest(mode=mode, target=target, source=source)


def _coordinates(description: SandboxDescription, resource_group: str, account_name: str) -> AccountCoordinates:
    return AccountCoordinates(description.arm_endpoint, description.subscription_id, resource_group, account_name)


def _plan(inventory_path: Path, description: SandboxDescription, mode: Mode, client: ArmClient, reporter: Reporter) -> Plan:
    with InventoryStore.open(inventory_path) as store:
        return make_plan(store, plan_request(description, mode), client, reporter)


def _reports(plan: Plan, out: Path, mode: Mode) -> list[Path]:
    written: list[Path] = []
    for fmt in FORMATS:
        written += render_report(plan, fmt, out / f"report-{mode.value}.{fmt}")
    return written


def _journal_path(plan_path: Path) -> Path:
    # The name ``migrator apply PLAN`` uses by default, so the CLI can resume a demo's apply.
    return plan_path.with_name(plan_path.name + ".journal")


def _settings(out: Path, plan_path: Path, inventory_path: Path, parallel: int) -> ApplySettings:
    return ApplySettings(journal_path=_journal_path(plan_path), parallel=parallel, inventory_path=inventory_path, script_dir=out)


def _dry_run(plan: Plan, checksum: str, description: SandboxDescription, settings: ApplySettings, reporter: Reporter) -> tuple[Path, DryRunResult]:
    """The recorded requests of a dry run that reads the real target, as ``apply --dry-run`` does."""
    session = arm_session(pool_size=settings.parallel * 2)
    recording = record_session(session, reads_through=True)
    client = ArmClient(session, description.arm_endpoint, StaticTokenProvider(description.token, api="ARM"))
    outcome = dry_run_plan(
        plan,
        checksum,
        client,
        recording,
        settings,
        reporter=reporter,
        target_fingerprint=lambda current: target_state_fingerprint(client, current),
    )
    path = settings.journal_path.with_name(f"dry-run-{plan.mode}.json")
    document = {
        "requests": [r.to_dict() for r in outcome.requests],
        "confirmations": [{"kind": c.kind, "address": c.address, "message": c.message} for c in outcome.confirmations],
        "summary": outcome.closing_line(),
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path, outcome


def _apply(plan: Plan, checksum: str, client: ArmClient, settings: ApplySettings, reporter: Reporter, operator: _DemoOperator) -> ApplyResult:
    log.warning("applying the %s plan: the demo confirms every step an operator would confirm with --yes", plan.mode)
    result = apply_plan(
        plan,
        checksum,
        client,
        settings,
        reporter=reporter,
        confirm=operator,
        target_fingerprint=lambda current: target_state_fingerprint(client, current),
    )
    if not result.ok:
        first = result.failed[0] if result.failed else None
        detail = f"; first: {first.address}: {first.code}: {first.message}" if first else ""
        raise MigratorError(
            f"apply of the {plan.mode} plan left {len(result.failed)} failed and {len(result.not_run)} not-run action(s){detail}",
            hint=f"the journal {settings.journal_path} lists every action's state",
        )
    return result


def _verify(plan: Plan, client: ArmClient, out: Path, mode: Mode, parallel: int) -> tuple[Path, VerifyReport]:
    report = verify_plan(plan, client, parallel=parallel)
    path = out / f"verify-{mode.value}.json"
    path.write_text(json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if not report.ok:
        first = report.problems[0]
        raise VerifyError(
            f"verify of the {mode.value} plan found {len(report.problems)} problem(s); first: {first.status.value} {first.kind} {first.address}",
            hint=f"the audit is in {path}",
        )
    return path, report
