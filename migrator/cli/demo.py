"""``migrator demo``: the whole cutover on the embedded sandbox, every artifact in one directory."""

from __future__ import annotations

import json
from pathlib import Path

import click

from migrator.cli import cli
from migrator.cli.options import output_option, parallel_option
from migrator.console import TerminalReporter
from migrator.demo import DEFAULT_ASSETS, DEFAULT_SEED, run_demo
from migrator.status import ExitStatus


@cli.command("demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-out"),
    show_default=True,
    help="Directory for every artifact; created if missing. A previous demo's files in it are replaced; anything else there is refused.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the generated source account.")
@click.option("--assets", type=click.IntRange(1, 100_000), default=DEFAULT_ASSETS, show_default=True, help="Assets in the generated source account.")
@parallel_option(4)
@output_option
def demo_command(out_dir: Path, seed: int, assets: int, parallel: int, output: str) -> int:
    """Run inventory, plan (both modes), report, dry run, apply and verify on the embedded sandbox.

    The sandbox runs in this process on 127.0.0.1; nothing leaves the machine. Every step that
    an operator confirms with --yes (manual v2 steps, the content copy, irreversible and
    downtime steps) is confirmed by the demo itself, and the summary says so.
    """
    result = run_demo(out_dir, seed=seed, assets=assets, reporter=TerminalReporter(), parallel=parallel)
    if output == "json":
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        for line in result.lines():
            click.echo(line)
    return ExitStatus.SUCCESS
