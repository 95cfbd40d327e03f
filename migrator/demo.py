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
from dataclasses import dataclass, field, replace
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
_SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal", ".lock", ".partial")
# New-account first: its apply reads the source account, which the same-account apply then
# changes (in a real cutover these are alternatives; the demo shows both).
MODES = (Mode.NEW_ACCOUNT, Mode.SAME_ACCOUNT)
_CONFIRM_LABELS = {
    "manual": "manual v2 steps",
    "content-copy": "content-copy boundaries",
    "irreversible": "steps that cannot be undone",
    "downtime": "downtime-window steps",
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
        asked = ", ".join(f"{_CONFIRM_LABELS.get(kind, kind)}: {n}" for kind, n in sorted(self.confirmations.items()))
        yield f"In the demo, the operator is the demo: it gave the confirmations an operator gives with --yes ({asked or 'none asked'})."
        yield "The sandbox serves the source blobs to the target, so the azcopy script was not run."
        yield f"v2 write attempts: {self.v2_write_attempts} (the migrator only reads the v2 side)."
        yield f"{len(self.artifacts)} files in {self.out_dir}"
        yield f"HTML report: {self.html_report}"


@dataclass
class _DemoOperator:
    """The ``confirm`` callback of the demo's applies: says yes, as ``--yes`` would, and counts."""

    asked: Counter = field(default_factory=Counter)

    def __call__(self, request: ConfirmRequest) -> bool:
        self.asked[request.kind] += 1
        log.info("confirmed by the demo, the operator of this run (%s): %s", request.kind, request.message)
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
    out = prepare_out_dir(Path(out_dir).resolve())
    stages = _Stages(reporter)
    try:
        result = _run_stages(out, stages, seed, assets, reporter, parallel, dict(sandbox_options or {}))
    except MigratorError as error:
        _write_failure_summary(out, stages, error)
        raise
    return _with_summary_file(result)


def _run_stages(out: Path, stages: "_Stages", seed: int, assets: int, reporter: Reporter, parallel: int, sandbox_options: dict) -> DemoResult:
    sandbox = Sandbox(seed=seed, assets=assets, **sandbox_options)
    stages.run("sandbox", sandbox.start)
    try:
        run = _DemoRun(sandbox.describe(), out, parallel, reporter, stages)
        summary = stages.run("inventory", run.read_inventory)
        plans = [run.plan(mode) for mode in MODES]
        for planned in plans:
            run.dry_run(planned)
        for planned in plans:
            run.apply(planned)
        outcomes = tuple(run.verify(planned) for planned in plans)
        v2_writes = sandbox.v2_face.write_attempts
    finally:
        sandbox.stop()
    return DemoResult(
        out_dir=out,
        seed=seed,
        assets=assets,
        inventory_path=run.inventory_path,
        inventory_counts=dict(summary.counts),
        plans=outcomes,
        confirmations=dict(run.operator.asked),
        v2_write_attempts=v2_writes,
        timings=tuple(stages.timings),
    )


@dataclass
class _Planned:
    """One mode's way through the stages; filled in as they run."""

    mode: Mode
    plan: Plan
    path: Path
    checksum: str
    reports: list[Path]
    dry_run: tuple[Path, DryRunResult] | None = None
    applied: ApplyResult | None = None

    @property
    def journal_path(self) -> Path:
        # The name ``migrator apply PLAN`` uses by default, so the CLI can resume a demo's apply.
        return self.path.with_name(self.path.name + ".journal")


class _DemoRun:
    """The stages of one demo against one running sandbox, as the commands would run them."""

    def __init__(self, description: SandboxDescription, out: Path, parallel: int, reporter: Reporter, stages: "_Stages") -> None:
        SECRETS.add(description.token)
        self.description = description
        self.out = out
        self.parallel = parallel
        self.reporter = reporter
        self.stages = stages
        self.operator = _DemoOperator()
        self.inventory_path = out / INVENTORY_FILE
        self.client = self._client(arm_session(pool_size=parallel * 2))

    def _client(self, session) -> ArmClient:
        return ArmClient(session, self.description.arm_endpoint, StaticTokenProvider(self.description.token, api="ARM"))

    def _settings(self, planned: _Planned) -> ApplySettings:
        return ApplySettings(journal_path=planned.journal_path, parallel=self.parallel, inventory_path=self.inventory_path, script_dir=self.out)

    def read_inventory(self) -> InventorySummary:
        return read_inventory(
            self.inventory_path,
            ReaderSettings(endpoint=self.description.v2_endpoint, parallel=self.parallel),
            provider=StaticTokenProvider(self.description.token, api="v2"),
            session=build_session(READ_RETRY, pool_size=self.parallel),
            reporter=self.reporter,
        )

    def plan(self, mode: Mode) -> _Planned:
        def make() -> Plan:
            with InventoryStore.open(self.inventory_path) as store:
                return make_plan(store, plan_request(self.description, mode), self.client, self.reporter)

        plan = self.stages.run(f"plan {mode.value}", make)
        path = self.out / f"plan-{mode.value}.json"
        checksum = save(plan, path)
        reports = self.stages.run(f"report {mode.value}", lambda: _reports(plan, self.out / f"report-{mode.value}"))
        return _Planned(mode, plan, path, checksum, reports)

    def dry_run(self, planned: _Planned) -> None:
        """The recorded requests of a dry run that reads the real target, as ``apply --dry-run`` does."""

        def record() -> DryRunResult:
            session = arm_session(pool_size=self.parallel * 2)
            recording = record_session(session, reads_through=True)
            client = self._client(session)
            return dry_run_plan(
                planned.plan,
                planned.checksum,
                client,
                recording,
                self._settings(planned),
                reporter=self.reporter,
                target_fingerprint=lambda current: target_state_fingerprint(client, current),
            )

        outcome = self.stages.run(f"dry run {planned.mode.value}", record)
        path = self.out / f"dry-run-{planned.mode.value}.json"
        _write_json(path, dry_run_document(outcome))
        planned.dry_run = (path, outcome)

    def apply(self, planned: _Planned) -> None:
        def run() -> ApplyResult:
            log.warning("applying the %s plan: the demo confirms every step an operator would confirm with --yes", planned.mode.value)
            return apply_plan(
                planned.plan,
                planned.checksum,
                self.client,
                self._settings(planned),
                reporter=self.reporter,
                confirm=self.operator,
                target_fingerprint=lambda current: target_state_fingerprint(self.client, current),
            )

        result = self.stages.run(f"apply {planned.mode.value}", lambda: _complete_or_raise(run(), planned))
        planned.applied = result

    def verify(self, planned: _Planned) -> PlanOutcome:
        path = self.out / f"verify-{planned.mode.value}.json"

        def audit() -> VerifyReport:
            report = verify_plan(planned.plan, self.client, parallel=self.parallel)
            _write_json(path, report.to_json())
            if not report.ok:
                first = report.problems[0]
                raise VerifyError(
                    f"verify of the {planned.mode.value} plan found {len(report.problems)} problem(s); "
                    f"first: {first.status.value} {first.kind} {first.address}",
                    hint=f"the audit is in {path}",
                )
            return report

        report = self.stages.run(f"verify {planned.mode.value}", audit)
        return PlanOutcome(
            mode=planned.mode.value,
            plan_path=planned.path,
            plan_line=summary_line(planned.plan.actions),
            reports=tuple(planned.reports),
            dry_run_path=planned.dry_run[0],
            dry_run_line=planned.dry_run[1].closing_line(),
            journal_path=planned.journal_path,
            apply_line=planned.applied.closing_line(),
            scripts=tuple(Path(s) for s in planned.applied.scripts),
            verify_path=path,
            verify_line=report.closing_line(),
            fully_covered=planned.plan.fully_covered,
        )


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
    # SQLite's WAL and shared-memory files, the journal lock and a partial read may sit beside a listed file.
    side_files = [p.with_name(p.name + suffix) for p in inside for suffix in _SIDE_FILE_SUFFIXES]
    return sorted({p for p in inside + side_files if p.is_file()})


def _files_in(out: Path) -> set[Path]:
    return {p for p in out.iterdir() if p.is_file()}


def _write_failure_summary(out: Path, stages: "_Stages", error: MigratorError) -> None:
    """Even a failed demo lists what it wrote, so the next demo into ``out`` may replace it."""
    summary = out / SUMMARY_FILE
    document = {
        "ok": False,
        "failed_stage": stages.failed,
        "error": {"code": error.code, "message": SECRETS.scrub(str(error))},
        "timings": {t.stage: round(t.seconds, 3) for t in stages.timings},
        "artifacts": [str(p) for p in sorted(_files_in(out) | {summary})],
    }
    _write_json(summary, document)


def _with_summary_file(result: DemoResult) -> DemoResult:
    summary = result.out_dir / SUMMARY_FILE
    complete = replace(result, artifacts=tuple(sorted(_files_in(result.out_dir) | {summary})))
    _write_json(summary, complete.to_json())
    return complete


# -- stages ----------------------------------------------------------------------------------


class _Stages:
    """Times each stage, reports it, and names the stage that failed before its error goes on."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.timings: list[StageTiming] = []
        self.failed: str | None = None

    def run(self, stage: str, work: Callable[[], T]) -> T:
        self.reporter.event("demo.stage", stage=stage, state="started")
        started = time.monotonic()
        try:
            value = work()
        except MigratorError as error:
            self.failed = stage
            log.error("demo stopped at stage %r: %s", stage, error.message)
            self.reporter.event("demo.stage", stage=stage, state="failed", code=error.code)
            raise
        elapsed = time.monotonic() - started
        self.timings.append(StageTiming(stage, elapsed))
        self.reporter.event("demo.stage", stage=stage, state="done", seconds=f"{elapsed:.2f}")
        return value


def plan_request(description: SandboxDescription, mode: Mode) -> PlanRequest:
    """same-account plans the source account onto itself; new-account moves it into the empty target."""
    source = _coordinates(description, description.source.resource_group, description.source.account_name)
    if mode is Mode.SAME_ACCOUNT:
        return PlanRequest(mode=mode, target=source)
    target = _coordinates(description, description.target.resource_group, description.target.account_name)
    return PlanRequest(mode=mode, target=target, source=source)


def _coordinates(description: SandboxDescription, resource_group: str, account_name: str) -> AccountCoordinates:
    return AccountCoordinates(description.arm_endpoint, description.subscription_id, resource_group, account_name)


def _reports(plan: Plan, stem: Path) -> list[Path]:
    """The report in every format: ``<stem>.html``, ``.md``, ``.json``, ``.csv`` (and the csv's siblings)."""
    written: list[Path] = []
    for fmt in FORMATS:
        written += render_report(plan, fmt, stem.with_name(f"{stem.name}.{fmt}"))
    return written


def dry_run_document(outcome: DryRunResult) -> dict[str, Any]:
    """The dry run's file: every recorded request, the confirmations it would ask for, its closing line."""
    return {
        "requests": [r.to_dict() for r in outcome.requests],
        "confirmations": [{"kind": c.kind, "address": c.address, "message": c.message} for c in outcome.confirmations],
        "summary": outcome.closing_line(),
    }


def _complete_or_raise(result: ApplyResult, planned: _Planned) -> ApplyResult:
    if result.ok:
        return result
    first = result.failed[0] if result.failed else None
    detail = f"; first: {first.address}: {first.code}: {first.message}" if first else ""
    raise MigratorError(
        f"apply of the {planned.mode.value} plan left {len(result.failed)} failed and {len(result.not_run)} not-run action(s){detail}",
        hint=f"the journal {planned.journal_path} lists every action's state",
    )


def _write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
