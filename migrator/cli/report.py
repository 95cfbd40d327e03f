"""``migrator report PLAN``: the planning report a team reads, in HTML, Markdown, JSON or CSV."""

from __future__ import annotations

from pathlib import Path

import click

from migrator.cli import cli
from migrator.plan import load
from migrator.reports.render import FORMATS, render_report
from migrator.status import ExitStatus


@cli.command("report")
@click.argument("plan_path", metavar="PLAN", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="html: one self-contained page; md: for pull requests and wikis; json: every row; "
    "csv: the actions, with -urls.csv and -findings.csv beside it.",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The file to write.")
@click.option(
    "--inventory",
    "inventory_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The plan's inventory file: the URL table then shows each v2 locator's full URL (host included).",
)
@click.option(
    "--top",
    "top_n",
    type=click.IntRange(1, 100_000),
    default=50,
    show_default=True,
    help="Rows shown per long table in html and md (json and csv hold every row).",
)
def report_command(plan_path: Path, fmt: str, out: Path, inventory_path: Path | None, top_n: int) -> int:
    """Write the planning report of a saved plan."""
    written = render_report(load(plan_path), fmt, out, top_n=top_n, inventory=inventory_path)
    for path in written:
        click.echo(f"Report written to {path}")
    return ExitStatus.SUCCESS
