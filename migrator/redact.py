"""Keep secret values out of everything the tool writes.

Two complementary guards: bodies are redacted by field name before they are stored or shown,
and every secret value the tool handles at run time is registered so the log filter can scrub
it from any line that slips through.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

REDACTED = "***"

# Field names (case-insensitive) whose values are secret wherever they appear in v2 templates
# and v3 bodies. Names that are secret only in one place (``value`` of a listContentKeys
# answer, ``key`` of getEncryptionKey) are redacted by the code that handles that answer.
SECRET_FIELDS = frozenset(
    name.lower()
    for name in (
        "keyValue",
        "password",
        "pfxPassword",
        "pfx",
        "ask",
        "fairPlayPfx",
        "fairPlayPfxPassword",
        "FairPlayPfx",
        "EncryptedContentKey",
        "client_secret",
        "access_token",
        "refresh_token",
        "Authorization",
        "assetContainerSasUrls",
    )
)

_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-_.~+/=]+")
_SAS_SIG = re.compile(r"(?i)(sig=)[^&\s\"']+")


def redact_body(obj: Any, secret_fields: frozenset[str] = SECRET_FIELDS) -> Any:
    """A copy of a JSON-like value with every secret field's value replaced."""
    if isinstance(obj, dict):
        return {
            k: (REDACTED if k.lower() in secret_fields and v not in (None, "") else redact_body(v, secret_fields))
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [redact_body(v, secret_fields) for v in obj]
    return obj


class SecretRegistry:
    """Secret values seen at run time; ``scrub`` removes them from any text."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        if value and len(value) >= 6:  # short values would scrub innocent text
            with self._lock:
                self._values.add(value)

    def scrub(self, text: str) -> str:
        text = _SAS_SIG.sub(r"\1" + REDACTED, _BEARER.sub(r"\1" + REDACTED, text))
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            if value in text:
                text = text.replace(value, REDACTED)
        return text


SECRETS = SecretRegistry()


class ScrubbingFilter(logging.Filter):
    """Applies the registry to the fully formatted message of every record."""

    def __init__(self, registry: SecretRegistry = SECRETS) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.registry.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True
