"""Options several commands share, spelled once so their names and env vars never drift."""

from __future__ import annotations

import click

from migrator.clouds import CLOUDS


def cloud_option(f):
    return click.option(
        "--cloud",
        type=click.Choice(sorted(CLOUDS)),
        default="AzureCloud",
        show_default=True,
        envvar="MIGRATOR_CLOUD",
        help="Azure cloud: sets the sign-in authority, API scopes and ARM endpoint.",
    )(f)


def output_option(f):
    return click.option(
        "-o",
        "--output",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help="json prints a machine-readable document on stdout; logs stay on stderr.",
    )(f)


def parallel_option(default: int):
    return click.option(
        "--parallel",
        type=click.IntRange(1, 64),
        default=default,
        show_default=True,
        help="Concurrent requests.",
    )
