"""``migrator verify PLAN``: audit the target against the plan after apply."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from migrator.cli import cli
from migrator.cli.options import arm_endpoint_option, arm_token_option, cloud_option, output_option, parallel_option
from migrator.clouds import get_cloud
from migrator.exceptions import VerifyError
from migrator.plan import load
from migrator.redact import SECRETS
from migrator.status import ExitStatus
from migrator.v3.client import connect
from migrator.verify import verify_plan

SECRET_ENVIRONMENT = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "MIGRATOR_ARM_TOKEN")


@cli.command("verify")
@click.argument("plan_path", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option
@parallel_option(4)
@click.option("--show-ok", is_flag=True, help="List the checks that passed too, not only the problems.")
@arm_endpoint_option
@arm_token_option
@cloud_option
def verify_command(
    plan_path: Path,
    output: str,
    parallel: int,
    show_ok: bool,
    arm_endpoint: str | None,
    arm_token: str | None,
    cloud: str,
) -> int:
    """Check that every planned resource exists on the target as planned and locator paths are kept."""
    for name in SECRET_ENVIRONMENT:
        SECRETS.add(os.environ.get(name))
    SECRETS.add(arm_token)
    plan = load(plan_path)
    endpoint = arm_endpoint or plan.target.arm_endpoint
    client = connect(cloud=get_cloud(cloud), endpoint=endpoint, static_token=arm_token, parallel=parallel)
    report = verify_plan(plan, client, parallel=parallel)
    if output == "json":
        click.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        for line in report.lines(show_ok=show_ok):
            click.echo(line)
    if not report.ok:
        raise VerifyError(
            f"verify found {len(report.problems)} problem(s) on the target",
            hint="see the audit above; re-run apply with the same --journal, or plan again",
        )
    return ExitStatus.SUCCESS
