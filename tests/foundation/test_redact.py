"""Secret values are redacted from bodies and scrubbed from every log line."""

from __future__ import annotations

import logging

from migrator.console import configure_logging
from migrator.redact import REDACTED, SecretRegistry, ScrubbingFilter, redact_body


def test_redact_body_replaces_secret_fields_at_any_depth():
    body = {
        "properties": {
            "options": [
                {"restriction": {"primaryVerificationKey": {"keyValue": "c2VjcmV0LWtleQ=="}}},
                {"configuration": {"ask": "AAAA", "fairPlayPfxPassword": "pw-123456", "fairPlayPfx": "MIIB"}},
            ]
        }
    }
    redacted = redact_body(body)
    text = repr(redacted)
    for secret in ("c2VjcmV0LWtleQ==", "AAAA", "pw-123456", "MIIB"):
        assert secret not in text
    assert redacted["properties"]["options"][0]["restriction"]["primaryVerificationKey"]["keyValue"] == REDACTED


def test_redact_body_keeps_non_secret_fields_and_leaves_the_input_untouched():
    body = {"properties": {"description": "x", "keyValue": "k" * 10}}
    redact_body(body)
    assert body["properties"]["keyValue"] == "k" * 10
    assert redact_body(body)["properties"]["description"] == "x"


def test_registry_scrubs_registered_values_bearer_tokens_and_sas_signatures():
    registry = SecretRegistry()
    registry.add("content-key-value-123")
    text = registry.scrub(
        "key content-key-value-123 header Bearer eyJ0eXAi.abc.def url https://a.blob/c?sv=1&sig=abc%2Fdef&se=2"
    )
    assert "content-key-value-123" not in text
    assert "eyJ0eXAi" not in text
    assert "abc%2Fdef" not in text
    assert "sv=1" in text


def test_registry_ignores_values_too_short_to_scrub_safely():
    registry = SecretRegistry()
    registry.add("ab")
    assert registry.scrub("abc") == "abc"


def test_logging_filter_scrubs_formatted_messages(capsys):
    from migrator.redact import SECRETS

    SECRETS.add("log-secret-987654")
    configure_logging(1)
    logging.getLogger("migrator.test").info("fetched %s", "log-secret-987654")
    err = capsys.readouterr().err
    assert "log-secret-987654" not in err
    assert REDACTED in err


def test_scrubbing_filter_passes_clean_records_unchanged():
    record = logging.LogRecord("migrator", logging.INFO, __file__, 1, "plain %s", ("text",), None)
    assert ScrubbingFilter(SecretRegistry()).filter(record)
    assert record.getMessage() == "plain text"
