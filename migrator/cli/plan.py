"""``migrator plan``: map an inventory onto a v3 account and save the plan."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Iterable

import click

from migrator.cli import cli
from migrator.cli.options import (
    account_ref_from_options,
    arm_client_from_options,
    arm_options,
    cloud_option,
    output_option,
)
from migrator.clouds import get_cloud
from migrator.console import TerminalReporter
from migrator.exceptions import ConfigError, MigratorError
from migrator.mappings.base import Mode
from migrator.plan import AccountCoordinates, dumps, render_lines, save
from migrator.planner import PlanRequest, make_plan
from migrator.status import ExitStatus
from migrator.v2.store import InventoryStore

_ECHO_BATCH = 4096


@cli.command("plan")
@click.option("--inventory", "inventory_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Inventory file written by migrator inventory.")
@arm_options
@click.option("--mode", required=True, type=click.Choice([m.value for m in Mode]), help="same-account: v3 already sees v2 publishing data; new-account: recreate everything in another account.")
@click.option("--source-account-name", default=None, help="new-account: the account the inventory was read from (read, never written).")
@click.option("--source-resource-group", default=None, help="new-account: its resource group. Default: --resource-group.")
@click.option("--source-subscription-id", default=None, help="new-account: its subscription. Default: --subscription-id.")
@click.option("--location", default=None, help="Azure region for live events and streaming endpoints. Default: the target account's (read on refresh).")
@click.option("--no-refresh", is_flag=True, help="Plan offline: do not read the target; every resource is assumed absent (the plan says so).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Where to write the plan file.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when there is nothing to do, 2 when changes are pending, 1 on error.")
@click.option("--show-unchanged/--hide-unchanged", default=True, help="List no-change resources too (default) or only what changes.")
@output_option
@cloud_option
def plan_command(**options) -> int:
    """Map the inventory onto the target account and write the plan (like terraform plan -out).

    With --detailed-exitcode: 0 nothing to do, 2 changes pending, 1 any error (click's usage
    errors keep their own status, 64, so they are never read as "changes pending").
    """
    try:
        return _plan(**options)
    except MigratorError as error:
        if not options["detailed_exitcode"] or type(error) is MigratorError:
            raise
        # Terraform's contract: every failure is 1, whatever its kind.
        raise MigratorError(error.message, hint=error.hint) from error


def _plan(
    inventory_path: Path,
    arm_endpoint: str | None,
    arm_token: str | None,
    subscription_id: str | None,
    resource_group: str | None,
    account_name: str | None,
    mode: str,
    source_account_name: str | None,
    source_resource_group: str | None,
    source_subscription_id: str | None,
    location: str | None,
    no_refresh: bool,
    out: Path,
    detailed_exitcode: bool,
    show_unchanged: bool,
    output: str,
    cloud: str,
) -> int:
    target_ref = account_ref_from_options(subscription_id=subscription_id, resource_group=resource_group, account_name=account_name)
    endpoint = arm_endpoint or get_cloud(cloud).arm_endpoint
    target = AccountCoordinates(endpoint, target_ref.subscription_id, target_ref.resource_group, target_ref.account_name)
    source = _source(Mode(mode), target, source_account_name, source_resource_group, source_subscription_id)
    request = PlanRequest(mode=Mode(mode), target=target, source=source, refresh=not no_refresh, location=location)
    reader = None if no_refresh else arm_client_from_options(cloud=cloud, arm_endpoint=arm_endpoint, arm_token=arm_token)
    with InventoryStore.open(inventory_path) as store:
        plan = make_plan(store, request, reader, TerminalReporter())
    save(plan, out)
    if output == "json":
        click.echo(dumps(plan), nl=False)
    else:
        _echo_lines(render_lines(plan, show_unchanged=show_unchanged))
        click.echo(f"Saved the plan to {out}; apply it with: migrator apply {out}", err=True)
    if detailed_exitcode and plan.has_pending_changes:
        return ExitStatus.CHANGES_PRESENT
    return ExitStatus.SUCCESS


def _echo_lines(lines: Iterable[str]) -> None:
    """Echo lines a batch at a time: a million-resource plan has millions of lines, and one
    ``click.echo`` each cost more than writing the plan file."""
    lines = iter(lines)
    while batch := list(islice(lines, _ECHO_BATCH)):
        click.echo("\n".join(batch))


def _source(mode: Mode, target: AccountCoordinates, account: str | None, group: str | None, subscription: str | None) -> AccountCoordinates | None:
    """new-account needs the source account; it defaults to the target's subscription and group."""
    if mode is Mode.SAME_ACCOUNT:
        if account or group or subscription:
            raise ConfigError("--source-* options apply to --mode new-account only", hint="drop them, or use --mode new-account")
        return None
    if not account:
        raise ConfigError("--mode new-account needs --source-account-name", hint="name the account the inventory was read from")
    return AccountCoordinates(target.arm_endpoint, subscription or target.subscription_id, group or target.resource_group, account)
