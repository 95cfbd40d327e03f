"""``migrator verify PLAN``: audit the target against the plan after apply."""

from __future__ import annotations

import json
from pathlib import Path

import click

from migrator.cli import cli
from migrator.cli.options import arm_client_from_options, arm_endpoint_option, arm_token_option, cloud_option, output_option, parallel_option
from migrator.exceptions import VerifyError
from migrator.plan import load
from migrator.status import ExitStatus
from migrator.verify import verify_plan



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
    plan = load(plan_path)
    endpoint = arm_endpoint or plan.target.arm_endpoint
    client = arm_client_from_options(cloud=cloud, arm_endpoint=endpoint, arm_token=arm_token, parallel=parallel)
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
