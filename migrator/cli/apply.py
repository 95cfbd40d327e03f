"""``migrator apply PLAN``: run a saved plan against the v3 target, or show what it would send."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from migrator.auth import StaticTokenProvider, token_provider
from migrator.cli import cli
from migrator.cli.options import arm_client_from_options, arm_endpoint_option, arm_token_option, cloud_option, parallel_option
from migrator.clouds import get_cloud
from migrator.console import TerminalReporter
from migrator.executor import (
    ApplySettings,
    ConfirmRequest,
    DryRunResult,
    apply_plan,
    dry_run_plan,
    target_state_fingerprint,
)
from migrator.plan import Phase, load
from migrator.redact import SECRETS
from migrator.status import ExitStatus
from migrator.transport import record_session
from migrator.v3.client import ArmClient, arm_session

log = logging.getLogger("migrator.cli.apply")

_CONFIRM_LABELS = {
    "manual": "Manual step",
    "content-copy": "Content copy",
    "irreversible": "Cannot be undone",
    "downtime": "Downtime window",
}


@cli.command("apply")
@click.argument("plan_path", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Run the executor against a recording transport: print the requests it would send; send none that change anything.",
)
@click.option(
    "--dry-run-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the dry run's requests as JSON to this file.",
)
@click.option(
    "--dry-run-reads",
    type=click.Choice(["target", "none"]),
    default="target",
    show_default=True,
    help="target: the dry run reads the real target (read-only) to reconcile; none: no network, every read answers 404.",
)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The apply journal (SQLite). Default: PLAN.journal beside the plan.",
)
@parallel_option(4)
@click.option(
    "--phase",
    "phases",
    multiple=True,
    type=click.Choice([p.value for p in Phase]),
    help="Run only this phase (repeatable); the phases it depends on must be applied already.",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Confirm every step that needs it (irreversible, downtime, manual v2 steps, content copy) without asking.",
)
@click.option(
    "--inventory",
    "inventory_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The inventory file the plan was made from: refuse the plan if it differs.",
)
@arm_endpoint_option
@arm_token_option
@cloud_option
def apply_command(
    plan_path: Path,
    dry_run: bool,
    dry_run_out: Path | None,
    dry_run_reads: str,
    journal_path: Path | None,
    parallel: int,
    phases: tuple[str, ...],
    yes: bool,
    inventory_path: Path | None,
    arm_endpoint: str | None,
    arm_token: str | None,
    cloud: str,
) -> int:
    """Apply a saved plan to the v3 target, in dependency order, resumable after a crash."""
    plan = load(plan_path)
    checksum = _recorded_checksum(plan_path)
    journal_path = journal_path or plan_path.with_name(plan_path.name + ".journal")
    settings = ApplySettings(
        journal_path=journal_path,
        parallel=parallel,
        phases=phases,
        inventory_path=inventory_path,
        script_dir=journal_path.parent,
    )
    endpoint = arm_endpoint or plan.target.arm_endpoint
    reporter = TerminalReporter()
    if dry_run:
        outcome = _dry_run(plan, checksum, settings, endpoint, arm_token, cloud, dry_run_reads == "target", reporter)
        _show_dry_run(outcome, dry_run_out)
        return ExitStatus.SUCCESS
    client = arm_client_from_options(cloud=cloud, arm_endpoint=endpoint, arm_token=arm_token, parallel=parallel)
    source_endpoint = plan.source.arm_endpoint if plan.source is not None and not arm_endpoint else endpoint
    source_client = client
    if source_endpoint.rstrip("/") != endpoint.rstrip("/"):
        source_client = arm_client_from_options(cloud=cloud, arm_endpoint=source_endpoint, arm_token=arm_token, parallel=parallel)
    result = apply_plan(
        plan,
        checksum,
        client,
        settings,
        reporter=reporter,
        confirm=terminal_confirm(yes),
        target_fingerprint=lambda current_plan: target_state_fingerprint(client, current_plan),
        source_client=source_client,
    )
    for script in result.scripts:
        click.echo(
            f"azcopy script written to {script}: run it before confirming, "
            "then delete it (it holds SAS URLs valid for 23 hours)."
        )
    for failure in result.failed:
        click.echo(f"failed: {failure.address}: {failure.code}: {failure.message}", err=True)
    click.echo(result.closing_line())
    return ExitStatus.SUCCESS if result.ok else ExitStatus.ERROR


def _recorded_checksum(plan_path: Path) -> str:
    """The checksum the plan file carries (``load`` has verified it), naming the plan in the journal."""
    return json.loads(plan_path.read_text(encoding="utf-8"))["checksum"]


def terminal_confirm(assume_yes: bool):
    """The operator's answer: ``--yes``, else a prompt on stderr when stdin is a terminal, else no."""

    def confirm(request: ConfirmRequest) -> bool:
        label = _CONFIRM_LABELS.get(request.kind, request.kind)
        if assume_yes:
            log.warning("%s, confirmed by --yes: %s", label, request.message)
            return True
        if not sys.stdin.isatty():
            log.error("%s needs confirmation: %s (no terminal to ask; pass --yes)", label, request.message)
            return False
        return click.confirm(f"{label}: {request.message}. Continue?", default=False, err=True)

    return confirm


def _dry_run(plan, checksum, settings, endpoint, arm_token, cloud, reads_through, reporter) -> DryRunResult:
    session = arm_session(pool_size=settings.parallel * 2)
    recording = record_session(session, reads_through=reads_through)
    if reads_through:
        SECRETS.add(arm_token)
        cloud_settings = get_cloud(cloud)
        provider = token_provider(
            static_token=arm_token, cloud=cloud_settings, scope=cloud_settings.arm_scope, api="ARM"
        )
    else:
        provider = StaticTokenProvider("dry-run-without-network", api="ARM")
    client = ArmClient(session, endpoint, provider)
    return dry_run_plan(
        plan,
        checksum,
        client,
        recording,
        settings,
        reporter=reporter,
        reads_through=reads_through,
        target_fingerprint=lambda current_plan: target_state_fingerprint(client, current_plan),
    )


def _show_dry_run(outcome: DryRunResult, out: Path | None) -> None:
    for request in outcome.mutating:
        click.echo(f"{request.method} {request.url}")
        if request.body is not None:
            click.echo("  " + json.dumps(request.body, indent=2, sort_keys=True).replace("\n", "\n  "))
    for request in outcome.confirmations:
        click.echo(f"(would ask the operator) {_CONFIRM_LABELS.get(request.kind, request.kind)}: {request.message}")
    if out is not None:
        document = {
            "requests": [r.to_dict() for r in outcome.requests],
            "confirmations": [
                {"kind": c.kind, "address": c.address, "message": c.message} for c in outcome.confirmations
            ],
            "summary": outcome.closing_line(),
        }
        out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    click.echo(outcome.closing_line())
