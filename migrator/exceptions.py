"""Every error the tool raises on purpose.

MigratorError
 +-- ConfigError            bad or missing options, environment or files
 |    +-- InvalidNameError  a name the v3 API will refuse
 +-- InputError             malformed input: a v2 page, an XML template, a plan, an inventory
 |    +-- MalformedPageError
 |    +-- UnsafeXmlError
 |    +-- PlanFormatError
 |    +-- InventoryFormatError
 +-- AuthError              token could not be acquired, or was refused (401/403)
 |    +-- TokenExpiredError
 +-- RemoteError            the service answered with an error
 |    +-- NotFoundError
 |    +-- ConflictError
 |    |    +-- QuotaExceededError
 |    +-- ValidationError   the service rejected a body (400)
 |    +-- ThrottledError    retries exhausted on 429/503
 |    +-- OperationFailedError   a long-running operation ended Failed/Canceled
 |    +-- OperationTimeoutError
 +-- UnreachableError       DNS, TLS, refused connection, timeout
 +-- StalePlanError         the plan no longer matches its inventory, target or itself
 +-- VerifyError            verify found mismatches
 +-- LockedError            another writer holds the journal
 +-- AbortedError           the operator declined a confirmation

Each class has a stable ``code`` (shown to users and in JSON output) and the CLI maps
classes to exit codes in one place. Messages must never contain secret values: pass
identifiers, never tokens, keys or template bodies.
"""

from __future__ import annotations

from typing import Any


class MigratorError(Exception):
    """Base class: ``message`` is one line for the user, ``hint`` the likely cause or fix."""

    code = "MIGRATOR_ERROR"

    def __init__(self, message: str, *, hint: str | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.fields = fields

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            data["hint"] = self.hint
        data.update({k: v for k, v in self.fields.items() if v is not None})
        return data


class ConfigError(MigratorError):
    """Options, environment variables or local files are missing or inconsistent."""

    code = "CONFIG"


class InvalidNameError(ConfigError):
    """A resource name breaks the v3 naming rules."""

    code = "INVALID_NAME"


class InputError(MigratorError):
    """Input that the tool reads is malformed."""

    code = "INPUT"


class MalformedPageError(InputError):
    """A v2 response page could not be parsed; carries ``entity_set`` and ``page``."""

    code = "MALFORMED_PAGE"


class UnsafeXmlError(InputError):
    """An XML document uses DTDs, entities or external references."""

    code = "UNSAFE_XML"


class PlanFormatError(InputError):
    """A plan file is unreadable or of an unknown format version."""

    code = "PLAN_FORMAT"


class InventoryFormatError(InputError):
    """An inventory file is unreadable, incomplete or of an unknown format version."""

    code = "INVENTORY_FORMAT"


class AuthError(MigratorError):
    """A token could not be acquired, or the service refused it."""

    code = "AUTH"


class TokenExpiredError(AuthError):
    """A static token has expired; a new one must be supplied."""

    code = "TOKEN_EXPIRED"


class RemoteError(MigratorError):
    """The service answered with an error. Carries ``status``, ``request_id``, ``correlation_id``."""

    code = "REMOTE"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        service_code: str | None = None,
        request_id: str | None = None,
        correlation_id: str | None = None,
        target: str | None = None,
        hint: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(
            message,
            hint=hint,
            status=status,
            service_code=service_code,
            request_id=request_id,
            correlation_id=correlation_id,
            target=target,
            **fields,
        )
        self.status = status
        self.service_code = service_code
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.target = target


class NotFoundError(RemoteError):
    code = "NOT_FOUND"


class ConflictError(RemoteError):
    code = "CONFLICT"


class QuotaExceededError(ConflictError):
    code = "QUOTA_EXCEEDED"


class ValidationError(RemoteError):
    code = "VALIDATION"


class ThrottledError(RemoteError):
    code = "THROTTLED"


class OperationFailedError(RemoteError):
    code = "OPERATION_FAILED"


class OperationTimeoutError(RemoteError):
    code = "OPERATION_TIMEOUT"


class UnreachableError(MigratorError):
    """The host could not be reached (DNS, refused connection, TLS, timeout)."""

    code = "UNREACHABLE"


class StalePlanError(MigratorError):
    """The plan does not match its inventory, its target, or its own checksum."""

    code = "STALE_PLAN"


class VerifyError(MigratorError):
    """Verification found resources missing or different from the plan."""

    code = "VERIFY_FAILED"


class LockedError(MigratorError):
    """Another process holds the journal lock."""

    code = "LOCKED"


class AbortedError(MigratorError):
    """The operator declined a confirmation."""

    code = "ABORTED"
