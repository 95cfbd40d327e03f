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


# --- ARM (v3) target: endpoint, credentials and the account's coordinates -------------------


def arm_endpoint_option(f):
    return click.option(
        "--arm-endpoint",
        envvar="MIGRATOR_ARM_ENDPOINT",
        default=None,
        metavar="URL",
        help="ARM endpoint instead of the cloud's (the sandbox, Azure Stack). Env MIGRATOR_ARM_ENDPOINT.",
    )(f)


def arm_token_option(f):
    return click.option(
        "--arm-token",
        envvar="MIGRATOR_ARM_TOKEN",
        default=None,
        metavar="TOKEN",
        help="Static ARM bearer token (az account get-access-token); cannot be refreshed. "
        "Env MIGRATOR_ARM_TOKEN. Default: service principal from AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET.",
    )(f)


def subscription_id_option(f):
    return click.option(
        "--subscription-id", envvar="AZURE_SUBSCRIPTION_ID", default=None, help="Subscription of the Media Services account. Env AZURE_SUBSCRIPTION_ID."
    )(f)


def resource_group_option(f):
    return click.option("--resource-group", default=None, help="Resource group of the Media Services account.")(f)


def account_name_option(f):
    return click.option("--account-name", default=None, help="Name of the Media Services account.")(f)


def arm_options(f):
    """All five: --arm-endpoint, --arm-token, --subscription-id, --resource-group, --account-name."""
    for option in (account_name_option, resource_group_option, subscription_id_option, arm_token_option, arm_endpoint_option):
        f = option(f)
    return f


def arm_client_from_options(*, cloud: str, arm_endpoint: str | None, arm_token: str | None, parallel: int = 8):
    """The ``ArmClient`` these options describe; the static token is registered as a secret first."""
    from migrator.clouds import get_cloud
    from migrator.redact import SECRETS
    from migrator.v3.client import connect

    SECRETS.add(arm_token)
    return connect(cloud=get_cloud(cloud), endpoint=arm_endpoint, static_token=arm_token, parallel=parallel)


def account_ref_from_options(*, subscription_id: str | None, resource_group: str | None, account_name: str | None):
    """The ``AccountRef`` these options name; a ConfigError lists every one that is missing."""
    from migrator.exceptions import ConfigError
    from migrator.v3.ids import AccountRef

    given = {"--subscription-id": subscription_id, "--resource-group": resource_group, "--account-name": account_name}
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise ConfigError("missing " + ", ".join(missing), hint="name the Media Services account (AZURE_SUBSCRIPTION_ID is read too)")
    return AccountRef(subscription_id, resource_group, account_name)  # type: ignore[arg-type]
