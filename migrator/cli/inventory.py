"""``migrator inventory``: read the whole v2 account into one snapshot file."""

from __future__ import annotations

import json
from pathlib import Path

import click

from migrator.auth import token_provider
from migrator.cli import cli
from migrator.cli.options import cloud_option, output_option, parallel_option
from migrator.clouds import get_cloud
from migrator.console import TerminalReporter
from migrator.http import build_session
from migrator.redact import SECRETS
from migrator.v2.reader import (
    READ_RETRY,
    InventorySummary,
    PageOrder,
    ReaderSettings,
    WireFormat,
    read_inventory,
)

# Secret values the environment may hold; registered so the log scrubber removes them anywhere.


@cli.command("inventory")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The inventory file to write (SQLite, mode 0600); replaced atomically when the read completes.",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted read (FILE.partial) without re-reading finished sets.")
@click.option(
    "--entity-sets",
    default=None,
    metavar="A,B,...",
    help="Read only these entity sets (comma-separated, e.g. Assets,Locators). Default: all 25.",
)
@parallel_option(8)
@output_option
@click.option(
    "--v2-endpoint",
    envvar="MIGRATOR_V2_ENDPOINT",
    required=True,
    help="The account's v2 API root: https://<account>.restv2.<region>.media.azure.net/api/ (env MIGRATOR_V2_ENDPOINT).",
)
@click.option(
    "--v2-token",
    envvar="MIGRATOR_V2_TOKEN",
    default=None,
    help="A bearer token for the v2 API (az account get-access-token --resource https://rest.media.azure.net); "
    "env MIGRATOR_V2_TOKEN. Default: a service principal from AZURE_* variables.",
)
@click.option(
    "--v2-format",
    type=click.Choice([f.value for f in WireFormat]),
    default=WireFormat.VERBOSE.value,
    show_default=True,
    help="Response format to ask for: verbose (odata=verbose) or minimal (odata=minimalmetadata).",
)
@click.option(
    "--v2-order",
    type=click.Choice([o.value for o in PageOrder]),
    default=PageOrder.KEY.value,
    show_default=True,
    help="$orderby for paging: key, created (Created then key), or none if the service rejects $orderby.",
)
@cloud_option
def inventory_command(
    out: Path,
    resume: bool,
    entity_sets: str | None,
    parallel: int,
    output: str,
    v2_endpoint: str,
    v2_token: str | None,
    v2_format: str,
    v2_order: str,
    cloud: str,
) -> int:
    """Read every entity set of the v2 account into one snapshot file."""
    SECRETS.add(v2_token)
    provider = token_provider(
        static_token=v2_token, cloud=get_cloud(cloud), scope=get_cloud(cloud).v2_scope, api="v2"
    )
    settings = ReaderSettings(
        endpoint=v2_endpoint, parallel=parallel, wire_format=WireFormat(v2_format), order=PageOrder(v2_order)
    )
    summary = read_inventory(
        out,
        settings,
        provider=provider,
        session=build_session(READ_RETRY, pool_size=parallel),
        entity_sets=None if entity_sets is None else entity_sets.split(","),
        resume=resume,
        reporter=TerminalReporter(),
    )
    if output == "json":
        click.echo(json.dumps(summary.to_json(), indent=2))
    else:
        click.echo(format_table(summary))
    return 0


def format_table(summary: InventorySummary) -> str:
    width = max([len(n) for n in summary.counts] + [len(n) for n in summary.link_counts] + [len("Entity set")])
    lines = [f"{'Entity set':<{width}}  {'Count':>8}"]
    lines += [f"{name:<{width}}  {count:>8}" for name, count in summary.counts.items()]
    if summary.link_counts:
        lines += ["", f"{'Relation':<{width}}  {'Links':>8}"]
        lines += [f"{name:<{width}}  {count:>8}" for name, count in summary.link_counts.items()]
    if summary.unavailable:
        lines += ["", "Not listed by the service: " + ", ".join(summary.unavailable)]
    lines += ["", f"Fingerprint: {summary.fingerprint}", f"Written to:  {summary.path}"]
    return "\n".join(lines)
