"""Program exit status codes: the only place they are defined (documented in the README)."""

from __future__ import annotations

from enum import IntEnum, unique


@unique
class ExitStatus(IntEnum):
    SUCCESS = 0
    ERROR = 1
    # 2 is deliberately click's usage-error code and --detailed-exitcode's "changes present";
    # usage errors are remapped to USAGE so the two can never be confused.
    CHANGES_PRESENT = 2
    USAGE = 64
    INPUT = 65  # malformed input: a page, a template, a plan or inventory file
    AUTH = 66
    NOT_FOUND = 67
    UNREACHABLE = 68
    THROTTLED = 69
    REMOTE = 70  # the service answered with an error we cannot work around
    CONFLICT = 71  # quota, naming or state conflict on the target
    STALE_PLAN = 72
    VERIFY_FAILED = 73
    LOCKED = 74
    ABORTED = 75  # the operator declined a confirmation
    INTERRUPTED = 130
