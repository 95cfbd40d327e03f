"""ARM error answers become typed exceptions with one line, a hint and the service's ids."""

from __future__ import annotations

import logging

import pytest

from v3_fakes import ACCOUNT, METADATA, STATIC_TOKEN
from migrator.exceptions import (
    AuthError,
    ConflictError,
    NotFoundError,
    QuotaExceededError,
    RemoteError,
    TokenExpiredError,
    ValidationError,
)
from migrator.redact import SECRETS
from migrator.v3 import models

IDS = {"x-ms-request-id": "req-42", "x-ms-correlation-request-id": "corr-42"}
LOCATOR_URL = f"{METADATA}/streamingLocators/loc1"
LOCATOR = models.StreamingLocator(asset_name="a1", streaming_policy_name="Predefined_ClearStreamingOnly")


def arm_error(code, message, target=None):
    return {"error": {"code": code, "message": message, "target": target, "details": [{"code": "Inner", "message": "x"}]}}


@pytest.mark.parametrize(
    "status, code, error_class",
    [
        (400, "BadRequest", ValidationError),
        (404, "ResourceNotFound", NotFoundError),
        (409, "Conflict", ConflictError),
        (400, "QuotaExceeded", QuotaExceededError),
        (409, "StreamingPolicyLimitExceeded", QuotaExceededError),
        (500, "InternalError", RemoteError),
    ],
)
def test_error_answers_map_to_typed_errors_keeping_the_service_ids(client, rsps, status, code, error_class):
    rsps.put(LOCATOR_URL, status=status, json=arm_error(code, "line one\nline two", target="properties.assetName"), headers=IDS)
    with pytest.raises(error_class) as caught:
        client.streaming_locators.create_or_update(ACCOUNT, "loc1", resource=LOCATOR)
    error = caught.value
    assert type(error) is error_class
    assert error.message == f"PUT streamingLocators/loc1: HTTP {status} {code}: line one line two"
    assert (error.request_id, error.correlation_id, error.service_code, error.target) == ("req-42", "corr-42", code, "properties.assetName")
    assert error.to_dict()["details"] == ["Inner"]


def test_get_of_a_missing_resource_is_none_but_an_action_on_it_raises_not_found(client, rsps):
    rsps.get(LOCATOR_URL, status=404, json=arm_error("ResourceNotFound", "no such locator"))
    rsps.post(f"{LOCATOR_URL}/listPaths", status=404, json=arm_error("ResourceNotFound", "no such locator"))
    assert client.streaming_locators.get(ACCOUNT, "loc1") is None
    with pytest.raises(NotFoundError):
        client.streaming_locators.list_paths(ACCOUNT, "loc1")


def test_deleting_something_already_gone_is_not_an_error(client, rsps):
    rsps.delete(LOCATOR_URL, status=404, json=arm_error("ResourceNotFound", "gone"))
    client.streaming_locators.delete(ACCOUNT, "loc1")


def test_403_is_an_auth_error_with_a_role_hint_and_the_ids(client, rsps):
    rsps.get(LOCATOR_URL, status=403, json=arm_error("AuthorizationFailed", "does not have authorization"), headers=IDS)
    with pytest.raises(AuthError) as caught:
        client.streaming_locators.get(ACCOUNT, "loc1")
    assert not isinstance(caught.value, TokenExpiredError)
    assert "Contributor" in caught.value.hint and "Reader" in caught.value.hint
    assert caught.value.to_dict()["request_id"] == "req-42"


def test_401_expired_static_token_says_so_and_never_shows_the_token(client, rsps):
    rsps.get(LOCATOR_URL, status=401, json=arm_error("ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time."), headers=IDS)
    with pytest.raises(TokenExpiredError) as caught:
        client.streaming_locators.get(ACCOUNT, "loc1")
    assert "static ARM token has expired" in str(caught.value)
    assert STATIC_TOKEN not in str(caught.value) and STATIC_TOKEN not in repr(caught.value.to_dict())
    assert caught.value.to_dict()["correlation_id"] == "corr-42"


def test_other_401s_are_plain_auth_errors(client, rsps):
    rsps.get(LOCATOR_URL, status=401, json=arm_error("InvalidAuthenticationToken", "bad audience"))
    with pytest.raises(AuthError) as caught:
        client.streaming_locators.get(ACCOUNT, "loc1")
    assert not isinstance(caught.value, TokenExpiredError)


def test_a_non_json_error_body_still_gives_one_line(client, rsps):
    rsps.get(LOCATOR_URL, status=502, body="<html>\n<body>Bad Gateway</body>\n</html>", headers={"Retry-After": "0"})
    with pytest.raises(RemoteError) as caught:
        client.streaming_locators.get(ACCOUNT, "loc1")
    assert caught.value.message == "GET streamingLocators/loc1: HTTP 502 Bad Gateway"


def test_service_messages_echoing_a_known_secret_are_scrubbed(client, rsps, caplog):
    secret = "c2VjcmV0LWtleS12YWx1ZS0xMjM0NTY="
    SECRETS.add(secret)
    rsps.put(LOCATOR_URL, status=400, json=arm_error("BadRequest", f"key {secret} is invalid"))
    with caplog.at_level(logging.DEBUG, logger="migrator"), pytest.raises(ValidationError) as caught:
        client.streaming_locators.create_or_update(ACCOUNT, "loc1", resource=LOCATOR)
    assert secret not in str(caught.value)
    assert secret not in caplog.text


def test_get_in_an_unknown_resource_group_raises_instead_of_answering_absent(client, rsps):
    rsps.get(LOCATOR_URL, status=404, json=arm_error("ResourceGroupNotFound", "Resource group 'contosorg' could not be found."))
    with pytest.raises(NotFoundError) as caught:
        client.streaming_locators.get(ACCOUNT, "loc1")
    assert caught.value.service_code == "ResourceGroupNotFound"
