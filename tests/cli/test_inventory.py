"""``migrator inventory`` through click's runner: clean stdout, logs on stderr, exit codes."""

from __future__ import annotations

import importlib.util
import json
import os
import stat
import sys
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from migrator.cli import cli
from migrator.status import ExitStatus


def _load_fake_service():
    # The fake v2 account lives with the reader tests; load it by path (no tests package).
    path = Path(__file__).parents[1] / "v2" / "fake_v2_service.py"
    spec = importlib.util.spec_from_file_location("fake_v2_service_for_cli", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


fake = _load_fake_service()
STATIC_TOKEN = "static-token-VALUE-from-the-command-line"


@pytest.fixture(name="service")
def service_fixture():
    service = fake.FakeV2Service()
    service.add("Assets", 2)
    service.add("Locators", 1001)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        service.install(rsps)
        service.mock = rsps  # tests that sign in add the identity platform's answers to it
        yield service


@pytest.fixture(name="env")
def env_fixture(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("AZURE_", "MIGRATOR_")):
            monkeypatch.delenv(name)
    return {"MIGRATOR_V2_ENDPOINT": fake.ROOT, "MIGRATOR_V2_TOKEN": STATIC_TOKEN}


def _invoke(args, env):
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_json_output_is_the_only_thing_on_stdout(tmp_path, service, env):
    out = tmp_path / "inv.db"
    result = _invoke(["-v", "inventory", "--out", str(out), "--entity-sets", "Assets,Locators", "-o", "json"], env)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"entity_sets", "fingerprint"}
    assert document["entity_sets"] == {"Assets": 2, "Locators": 1001}
    assert document["fingerprint"].startswith("sha256:")
    assert "migrator.v2.reader" in result.stderr  # -v logs went to stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_the_default_output_is_a_readable_table(tmp_path, service, env):
    result = _invoke(["inventory", "--out", str(tmp_path / "inv.db"), "--entity-sets", "locators"], env)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Entity", "set", "Count"]
    assert lines[1].split() == ["Locators", "1001"]
    assert any(line.startswith("Fingerprint: sha256:") for line in lines)


def test_options_override_the_environment(tmp_path, service, env):
    env = env | {"MIGRATOR_V2_ENDPOINT": "https://wrong.restv2.westus.media.azure.net/api/"}
    result = _invoke(
        ["inventory", "--out", str(tmp_path / "inv.db"), "--entity-sets", "Assets", "--v2-endpoint", fake.ROOT,
         "--parallel", "2", "-o", "json"],
        env,
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["entity_sets"] == {"Assets": 2}


def test_resume_flag_continues_an_interrupted_read(tmp_path, service, env):
    service.fail("Locators?$skip=1000", fake.Fault(200, {}, "garbage"))
    args = ["inventory", "--out", str(tmp_path / "inv.db"), "--entity-sets", "Assets,Locators", "-o", "json"]
    first = _invoke(args, env)
    assert first.exit_code == ExitStatus.INPUT
    assert first.stdout == ""
    assert "Locators page 2" in first.stderr
    second = _invoke(args + ["--resume"], env)
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout)["entity_sets"] == {"Assets": 2, "Locators": 1001}


@pytest.mark.parametrize(
    ("status", "exit_status"),
    [(401, ExitStatus.AUTH), (403, ExitStatus.AUTH), (404, ExitStatus.NOT_FOUND), (503, ExitStatus.THROTTLED)],
)
def test_service_errors_are_one_line_with_their_exit_status_and_no_secret(tmp_path, service, env, status, exit_status):
    service.fail("", *[fake.Fault(status, {"x-ms-request-id": "rid-cli"})] * 10)
    result = CliRunner().invoke(cli, ["inventory", "--out", str(tmp_path / "inv.db")], env=env)
    assert result.exit_code == exit_status
    assert result.stdout == ""
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1 and "rid-cli" in error_lines[0]
    assert "Traceback" not in result.stderr
    assert STATIC_TOKEN not in result.stderr


def test_unknown_entity_sets_are_a_usage_error(tmp_path, service, env):
    result = CliRunner().invoke(cli, ["inventory", "--out", str(tmp_path / "inv.db"), "--entity-sets", "Asets"], env=env)
    assert result.exit_code == ExitStatus.USAGE
    assert "unknown entity set(s): Asets" in result.stderr


def test_missing_credentials_are_a_usage_error_naming_both_options(tmp_path, service, env):
    env = env | {"MIGRATOR_V2_TOKEN": ""}
    result = CliRunner().invoke(cli, ["inventory", "--out", str(tmp_path / "inv.db")], env=env)
    assert result.exit_code == ExitStatus.USAGE
    assert "AZURE_CLIENT_SECRET" in result.stderr


def test_a_service_principal_secret_never_reaches_the_output(tmp_path, service, env):
    secret = "sp-client-secret-VALUE-42"
    token_endpoint = "https://login.microsoftonline.com/tenant-guid/oauth2/v2.0/token"
    service_env = {k: v for k, v in env.items() if k != "MIGRATOR_V2_TOKEN"} | {
        "AZURE_TENANT_ID": "tenant-guid",
        "AZURE_CLIENT_ID": "client-guid",
        "AZURE_CLIENT_SECRET": secret,
    }
    # MSAL's own HTTP goes through requests too, so the fake answers the sign-in as well
    service.mock.add(
        responses.GET,
        "https://login.microsoftonline.com/tenant-guid/v2.0/.well-known/openid-configuration",
        json={
            "token_endpoint": token_endpoint,
            "authorization_endpoint": "https://login.microsoftonline.com/tenant-guid/oauth2/v2.0/authorize",
            "issuer": "https://login.microsoftonline.com/tenant-guid/v2.0",
        },
    )
    service.mock.add(
        responses.GET,
        "https://login.microsoftonline.com/common/discovery/instance",
        json={"tenant_discovery_endpoint": "https://login.microsoftonline.com/tenant-guid/v2.0/.well-known/openid-configuration"},
    )
    service.mock.add(
        responses.POST,
        token_endpoint,
        json={"access_token": "msal-issued-ACCESS-token", "token_type": "Bearer", "expires_in": 3600},
    )
    result = CliRunner().invoke(
        cli, ["-vv", "inventory", "--out", str(tmp_path / "inv.db"), "--entity-sets", "Assets", "-o", "json"],
        env=service_env,
    )
    assert result.exit_code == 0, result.stderr
    assert service.requests[0].headers["Authorization"] == "Bearer msal-issued-ACCESS-token"
    for value in (secret, "msal-issued-ACCESS-token"):
        assert value not in result.stdout + result.stderr


def test_an_interrupted_read_keeps_the_partial_file_for_resume(tmp_path, service, env):
    calls = []

    def interrupt_on_second_page(request):
        calls.append(request.url)
        if "$skip=1000" in request.url:
            raise KeyboardInterrupt
        return None

    service.before = interrupt_on_second_page
    args = ["inventory", "--out", str(tmp_path / "inv.db"), "--entity-sets", "Assets,Locators", "-o", "json"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == ExitStatus.INTERRUPTED
    assert result.stdout == ""
    assert not (tmp_path / "inv.db").exists() and (tmp_path / "inv.db.partial").exists()
    service.before = None
    resumed = _invoke(args + ["--resume"], env)
    assert resumed.exit_code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["entity_sets"] == {"Assets": 2, "Locators": 1001}
