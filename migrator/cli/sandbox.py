"""``migrator sandbox serve``: run the emulated Media Services accounts on loopback."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from migrator.cli import cli
from migrator.cli.options import output_option
from migrator.exceptions import ConfigError
from migrator.sandbox.app import Sandbox, SandboxDescription
from migrator.sandbox.throttle import ThrottleSettings
from migrator.sandbox.visibility import LocatorEndTime, VisibilityAssumptions


class ThrottleParam(click.ParamType):
    name = "reads=N,writes=N"

    def convert(self, value, param, ctx):
        if isinstance(value, ThrottleSettings):
            return value
        try:
            return ThrottleSettings.parse(value)
        except ConfigError as error:
            self.fail(error.message, param, ctx)


@cli.group("sandbox")
def sandbox() -> None:
    """The embedded sandbox: an emulated account with its v2 and v3 faces on loopback."""


@sandbox.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; keep loopback unless you know why.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated source account.")
@click.option("--assets", type=click.IntRange(0), default=100, show_default=True, help="Assets in the generated source account.")
@click.option(
    "--inventory",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Load the source account from an inventory snapshot instead of generating it.",
)
@click.option(
    "--latency-ms", type=click.IntRange(0), default=0, show_default=True, help="Delay added to every request of both faces."
)
@click.option(
    "--throttle",
    type=ThrottleParam(),
    default=None,
    help="ARM throttling per subscription, e.g. reads=100,writes=20[,window=3600]. Off by default.",
)
@click.option("--page-size", type=click.IntRange(1), default=10, show_default=True, help="Items per v3 list page.")
@click.option(
    "--lro-polls",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="Status polls that answer InProgress before a v3 long-running operation succeeds.",
)
@click.option(
    "--assume-filters-visible/--assume-filters-hidden",
    default=False,
    show_default=True,
    help="Whether v2 account/asset filters appear as v3 filters (undocumented).",
)
@click.option(
    "--assume-sas-locators-visible/--assume-sas-locators-hidden",
    default=False,
    show_default=True,
    help="Whether v2 SAS locators appear as v3 streaming locators (undocumented).",
)
@click.option(
    "--assume-v2-counts-toward-quotas/--assume-v2-outside-quotas",
    default=False,
    show_default=True,
    help="Whether v2 policies, locators and filters seen through v3 count toward the v3 quotas (undocumented).",
)
@click.option(
    "--assume-locator-end-time",
    type=click.Choice([choice.value for choice in LocatorEndTime]),
    default=LocatorEndTime.EXPIRATION.value,
    show_default=True,
    help="How a v2 locator's expiry becomes v3 endTime: its ExpirationDateTime, "
    "or StartTime + AccessPolicy duration (undocumented).",
)
@click.option(
    "--assume-drm-configurations-typed/--assume-drm-configurations-unknown",
    default=True,
    show_default=True,
    help="Whether v2 PlayReady/FairPlay key options appear as typed v3 configurations, "
    "or as ContentKeyPolicyUnknownConfiguration (undocumented).",
)
@output_option
def serve(
    host: str,
    port: int,
    seed: int,
    assets: int,
    inventory: Path | None,
    latency_ms: int,
    throttle: ThrottleSettings | None,
    page_size: int,
    lro_polls: int,
    assume_filters_visible: bool,
    assume_sas_locators_visible: bool,
    assume_locator_end_time: str,
    assume_v2_counts_toward_quotas: bool,
    assume_drm_configurations_typed: bool,
    output: str,
) -> None:
    """Serve a source account (v2 + v3 faces) and an empty target account until Ctrl-C."""
    options = dict(
        host=host,
        port=port,
        latency_ms=latency_ms,
        throttle=throttle,
        page_size=page_size,
        lro_polls=lro_polls,
        assumptions=VisibilityAssumptions(
            filters_visible=assume_filters_visible,
            sas_locators_visible=assume_sas_locators_visible,
            locator_end_time=LocatorEndTime(assume_locator_end_time),
            v2_counts_toward_quotas=assume_v2_counts_toward_quotas,
            drm_configurations_typed=assume_drm_configurations_typed,
        ),
    )
    running = Sandbox.from_inventory(inventory, **options) if inventory else Sandbox(seed=seed, assets=assets, **options)
    running.start()
    try:
        click.echo(render(running.describe(), output))
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("Sandbox stopped.", err=True)
    finally:
        running.stop()


def render(description: SandboxDescription, output: str) -> str:
    if output == "json":
        return json.dumps(description.to_dict(), indent=2)
    rows = [
        ("v2 endpoint", description.v2_endpoint),
        ("ARM endpoint", description.arm_endpoint),
        ("subscription", description.subscription_id),
        ("source resource group", description.source.resource_group),
        ("source account", description.source.account_name),
        ("target resource group", description.target.resource_group),
        ("target account", description.target.account_name),
        ("token", description.token),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label.ljust(width)}  {value}" for label, value in rows)
