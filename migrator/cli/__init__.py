"""The ``migrator`` command: a thin layer that parses options, calls a command function,
formats its result and turns errors into one line and an exit status.

Every subcommand lives in its own module beside this one and registers itself on ``cli``;
the work itself is done by plain functions elsewhere that tests call directly.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from migrator import __version__, exceptions as exc
from migrator.console import configure_logging
from migrator.redact import SECRETS
from migrator.status import ExitStatus

log = logging.getLogger("migrator.cli")

# Credentials every command may read from the environment; registered once, before any command
# runs, so no log line or error message of any command can echo them.
SECRET_ENVIRONMENT = (
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "MIGRATOR_ARM_TOKEN",
    "MIGRATOR_V2_TOKEN",
)

# One table from error class to exit status; the most specific class wins.
EXIT_STATUS_BY_ERROR: list[tuple[type[exc.MigratorError], ExitStatus]] = [
    (exc.StalePlanError, ExitStatus.STALE_PLAN),
    (exc.VerifyError, ExitStatus.VERIFY_FAILED),
    (exc.LockedError, ExitStatus.LOCKED),
    (exc.AbortedError, ExitStatus.ABORTED),
    (exc.AuthError, ExitStatus.AUTH),
    (exc.NotFoundError, ExitStatus.NOT_FOUND),
    (exc.ConflictError, ExitStatus.CONFLICT),
    (exc.ThrottledError, ExitStatus.THROTTLED),
    (exc.RemoteError, ExitStatus.REMOTE),
    (exc.UnreachableError, ExitStatus.UNREACHABLE),
    (exc.InputError, ExitStatus.INPUT),
    (exc.ConfigError, ExitStatus.USAGE),
    (exc.MigratorError, ExitStatus.ERROR),
]


def exit_status_for(error: exc.MigratorError) -> ExitStatus:
    for cls, status in EXIT_STATUS_BY_ERROR:
        if isinstance(error, cls):
            return status
    return ExitStatus.ERROR


class MigratorGroup(click.Group):
    """Runs a subcommand and maps its failures to one stderr line and an ``ExitStatus``."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        debug = "--debug" in (sys.argv[1:] if args is None else list(args))
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as stop:
            sys.exit(stop.exit_code)
        except click.UsageError as error:
            # click uses 2 for usage errors; 2 belongs to --detailed-exitcode here.
            error.show()
            sys.exit(ExitStatus.USAGE)
        except click.Abort as error:
            # click turns Ctrl-C into Abort; keep it apart from a declined confirmation.
            if isinstance(error.__cause__, KeyboardInterrupt):
                click.echo("Interrupted.", err=True)
                sys.exit(ExitStatus.INTERRUPTED)
            click.echo("Aborted.", err=True)
            sys.exit(ExitStatus.ABORTED)
        except click.ClickException as error:
            error.show()
            sys.exit(ExitStatus.ERROR)
        except exc.MigratorError as error:
            if debug:
                raise
            click.echo(f"Error: {SECRETS.scrub(str(error))}", err=True)
            sys.exit(exit_status_for(error))
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(ExitStatus.INTERRUPTED)
        sys.exit(int(rv or 0))


@click.group(cls=MigratorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrator")
@click.option("-v", "--verbose", count=True, help="More log detail on stderr (-vv for debug).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, debug: bool) -> None:
    """Plan, audit and run the move of an Azure Media Services account from v2 to v3."""
    configure_logging(verbose + (2 if debug else 0))
    for name in SECRET_ENVIRONMENT:
        SECRETS.add(os.environ.get(name))
    ctx.obj = {"debug": debug}


def main() -> None:
    cli.main(prog_name="migrator")


def _register_commands() -> None:
    # Each subcommand module decorates itself onto ``cli`` on import.
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"migrator.cli.{name}")


COMMAND_MODULES: list[str] = ["inventory", "plan", "apply", "verify", "sandbox", "report", "demo"]

_register_commands()
