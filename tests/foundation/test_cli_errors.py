"""The CLI turns errors into one stderr line and a documented exit status, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from migrator import exceptions as exc
from migrator.cli import cli, exit_status_for
from migrator.status import ExitStatus


@pytest.mark.parametrize(
    "error, status",
    [
        (exc.StalePlanError("x"), ExitStatus.STALE_PLAN),
        (exc.TokenExpiredError("x"), ExitStatus.AUTH),
        (exc.QuotaExceededError("x"), ExitStatus.CONFLICT),
        (exc.NotFoundError("x"), ExitStatus.NOT_FOUND),
        (exc.ThrottledError("x"), ExitStatus.THROTTLED),
        (exc.ValidationError("x"), ExitStatus.REMOTE),
        (exc.MalformedPageError("x"), ExitStatus.INPUT),
        (exc.UnsafeXmlError("x"), ExitStatus.INPUT),
        (exc.InvalidNameError("x"), ExitStatus.USAGE),
        (exc.UnreachableError("x"), ExitStatus.UNREACHABLE),
        (exc.LockedError("x"), ExitStatus.LOCKED),
        (exc.MigratorError("x"), ExitStatus.ERROR),
    ],
)
def test_each_error_class_maps_to_its_documented_exit_status(error, status):
    assert exit_status_for(error) == status


def test_remote_errors_carry_request_and_correlation_ids():
    error = exc.NotFoundError("asset a1 not found", status=404, request_id="r-1", correlation_id="c-1")
    assert error.to_dict()["request_id"] == "r-1"
    assert error.to_dict()["correlation_id"] == "c-1"
    assert error.code == "NOT_FOUND"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migrator", *args], capture_output=True, text=True)


def test_usage_errors_exit_64_not_2_so_detailed_exitcode_stays_unambiguous():
    result = run_cli("no-such-command")
    assert result.returncode == ExitStatus.USAGE
    assert "No such command" in result.stderr
    assert result.stdout == ""


def test_version_prints_on_stdout_and_exits_zero():
    result = run_cli("--version")
    assert result.returncode == 0
    assert "migrator, version" in result.stdout


@pytest.fixture
def failing_command():
    @cli.command("_fail_for_test", hidden=True)
    def fail():
        raise exc.AuthError("could not get a v2 token for client c", hint="check the secret")

    yield
    cli.commands.pop("_fail_for_test")


def test_migrator_errors_print_one_line_without_traceback(failing_command, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["_fail_for_test"], prog_name="migrator")
    assert stop.value.code == ExitStatus.AUTH
    err = capsys.readouterr().err
    assert err.strip() == "Error: could not get a v2 token for client c (check the secret)"
    assert "Traceback" not in err


def test_debug_flag_lets_the_traceback_through(failing_command):
    with pytest.raises(exc.AuthError):
        cli.main(["--debug", "_fail_for_test"], prog_name="migrator")


@pytest.fixture
def interrupted_command():
    @cli.command("_interrupt_for_test", hidden=True)
    def interrupt():
        raise KeyboardInterrupt

    @cli.command("_decline_for_test", hidden=True)
    def decline():
        click.confirm("go on?", abort=True)

    yield
    cli.commands.pop("_interrupt_for_test")
    cli.commands.pop("_decline_for_test")


def test_ctrl_c_exits_130_not_the_aborted_status(interrupted_command, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["_interrupt_for_test"], prog_name="migrator")
    assert stop.value.code == ExitStatus.INTERRUPTED
    assert "Interrupted." in capsys.readouterr().err


def test_a_declined_confirmation_exits_with_the_aborted_status(interrupted_command, monkeypatch):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    with pytest.raises(SystemExit) as stop:
        cli.main(["_decline_for_test"], prog_name="migrator")
    assert stop.value.code == ExitStatus.ABORTED


def test_credentials_in_the_environment_are_scrubbed_from_every_command_output(monkeypatch, capsys):
    secret = "env-client-secret-424242"
    monkeypatch.setenv("AZURE_CLIENT_SECRET", secret)

    @cli.command("_leak_for_test", hidden=True)
    def leak():
        import logging

        logging.getLogger("migrator.test").warning("sending %s", secret)
        raise exc.AuthError(f"refused {secret}")

    try:
        with pytest.raises(SystemExit):
            cli.main(["_leak_for_test"], prog_name="migrator")
    finally:
        cli.commands.pop("_leak_for_test")
    err = capsys.readouterr().err
    assert "sending" in err and "refused" in err
    assert secret not in err
