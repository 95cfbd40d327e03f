"""Where humans see the tool: logs and progress on stderr, never stdout.

The engine modules report through callbacks (``Reporter``) and ``logging``; only this module
and the CLI decide how that looks. Progress bars appear only on a terminal.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from typing import IO, Iterator, Protocol

import click

from migrator.redact import ScrubbingFilter

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(verbosity: int = 0, *, stream: IO[str] | None = None) -> None:
    """0 = warnings, 1 = info, 2+ = debug. Every record passes the secret scrubber."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(ScrubbingFilter())
    root = logging.getLogger("migrator")
    root.handlers[:] = [handler]
    root.setLevel(level)


class Progress(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Reporter(Protocol):
    """The engine's only channel to the user besides logging."""

    def progress(self, label: str, total: int | None) -> "ProgressContext": ...

    def event(self, kind: str, **fields) -> None: ...


class ProgressContext(Protocol):
    def __enter__(self) -> Progress: ...

    def __exit__(self, *exc) -> None: ...


class _NullProgress:
    def advance(self, n: int = 1) -> None:
        pass

    def __enter__(self) -> "_NullProgress":
        return self

    def __exit__(self, *exc) -> None:
        pass


class SilentReporter:
    """For tests and library use: swallows progress, records events."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []

    def progress(self, label: str, total: int | None) -> _NullProgress:
        return _NullProgress()

    def event(self, kind: str, **fields) -> None:
        self.events.append((kind, fields))


class _ClickProgress:
    def __init__(self, bar) -> None:
        self._bar = bar

    def advance(self, n: int = 1) -> None:
        self._bar.update(n)


class TerminalReporter:
    """Progress bars on stderr when it is a terminal; events become log lines."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.log = logging.getLogger("migrator.progress")

    @contextmanager
    def progress(self, label: str, total: int | None) -> Iterator[Progress]:
        if not _is_tty(self.stream):
            yield _NullProgress()
            return
        with click.progressbar(length=total, label=label, file=self.stream, show_pos=True) as bar:
            yield _ClickProgress(bar)

    def event(self, kind: str, **fields) -> None:
        details = " ".join(f"{k}={v}" for k, v in fields.items())
        self.log.info("%s %s", kind, details)


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
