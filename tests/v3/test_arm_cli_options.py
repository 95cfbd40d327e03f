"""The shared ARM options read flags and environment variables and build the client and account."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from migrator.cli.options import account_ref_from_options, arm_client_from_options, arm_options, cloud_option
from migrator.exceptions import ConfigError
from migrator.redact import SECRETS
from migrator.v3.ids import AccountRef


def run_with(args, env):
    seen = {}

    @click.command()
    @cloud_option
    @arm_options
    def command(**options):
        seen.update(options)
        seen["client"] = arm_client_from_options(cloud=options["cloud"], arm_endpoint=options["arm_endpoint"], arm_token=options["arm_token"])
        seen["account"] = account_ref_from_options(
            subscription_id=options["subscription_id"], resource_group=options["resource_group"], account_name=options["account_name"]
        )

    result = CliRunner().invoke(command, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return seen


def test_flags_and_environment_variables_name_the_endpoint_token_and_account():
    seen = run_with(
        ["--resource-group", "contosorg", "--account-name", "contosomedia", "--cloud", "AzureChinaCloud"],
        {"MIGRATOR_ARM_ENDPOINT": "http://127.0.0.1:9000", "MIGRATOR_ARM_TOKEN": "env-static-token-123", "AZURE_SUBSCRIPTION_ID": "sub-1"},
    )
    assert seen["client"].endpoint == "http://127.0.0.1:9000"
    assert seen["account"] == AccountRef("sub-1", "contosorg", "contosomedia")
    assert SECRETS.scrub("env-static-token-123") == "***"


def test_without_an_endpoint_the_clouds_arm_endpoint_is_used():
    seen = run_with(
        ["--arm-token", "flag-static-token-456", "--subscription-id", "s", "--resource-group", "r", "--account-name", "a", "--cloud", "AzureUSGovernment"],
        {"MIGRATOR_ARM_ENDPOINT": "", "AZURE_SUBSCRIPTION_ID": ""},
    )
    assert seen["client"].endpoint == "https://management.usgovcloudapi.net"


def test_a_missing_account_coordinate_is_a_config_error_naming_all_missing_flags():
    with pytest.raises(ConfigError) as caught:
        account_ref_from_options(subscription_id="s", resource_group=None, account_name="")
    assert caught.value.message == "missing --resource-group, --account-name"
