"""Tokens during a read: refresh across expiry, expired static tokens, and no secret anywhere."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time

import pytest

from fake_v2_service import WIRE, FakeV2Service, Fault, read
from migrator.auth import ClientCredentials, MsalTokenProvider, StaticTokenProvider
from migrator.clouds import CLOUDS
from migrator.exceptions import AuthError, MalformedPageError, TokenExpiredError
from migrator.redact import SECRETS
from migrator.v2.store import partial_path

CLIENT_SECRET = "client-secret-VALUE-never-logged"


def _jwt(exp: float) -> str:
    def part(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp), 'aud': 'https://rest.media.azure.net'})}.c2lnbmF0dXJl"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class FakeMsalApp:
    """MSAL's client-credentials cache in miniature: one token until 5 minutes before it expires."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.issued: list[tuple[str, float]] = []
        self.scopes: list[str] | None = None
        self._lock = threading.Lock()

    def acquire_token_for_client(self, scopes):
        with self._lock:
            self.scopes = scopes
            if not self.issued or self.issued[-1][1] - self.clock() < 300:
                self.issued.append((f"msal-access-token-{len(self.issued)}", self.clock() + 3600))
            token, expires = self.issued[-1]
        return {"access_token": token, "token_type": "Bearer", "expires_in": int(expires - self.clock())}

    def expiry_of(self, token: str) -> float:
        return dict(self.issued)[token]


def test_msal_tokens_are_refreshed_before_they_expire_during_a_long_read(tmp_path):
    clock = Clock(1_000_000.0)
    app = FakeMsalApp(clock)
    seen: list[str] = []

    def service_checks_tokens(request):
        token = request.headers["Authorization"].removeprefix("Bearer ")
        seen.append(token)
        expired = app.expiry_of(token) <= clock()
        clock.advance(1000)  # each page takes a long time in this account
        return Fault(401, {}, "") if expired else None

    service = FakeV2Service(before=service_checks_tokens)
    service.add("Locators", 4500)
    credentials = ClientCredentials("tenant-id", "client-id", client_secret=CLIENT_SECRET)
    provider = MsalTokenProvider(credentials, cloud=CLOUDS["AzureCloud"], scope=CLOUDS["AzureCloud"].v2_scope, api="v2", app=app)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"], provider=provider, parallel=1)
    assert summary.counts == {"Locators": 4500}
    assert app.scopes == ["https://rest.media.azure.net/.default"]
    assert len(set(seen)) >= 2  # the read outlived the first token and used its successor


def test_an_expired_static_token_stops_before_any_request(tmp_path):
    service = FakeV2Service()
    provider = StaticTokenProvider(_jwt(time.time() - 10), api="v2")
    with pytest.raises(TokenExpiredError, match="the static v2 token has expired") as caught:
        read(service, tmp_path / "inv.db", entity_sets=["Assets"], provider=provider)
    assert "az account get-access-token" in caught.value.hint or "AZURE_CLIENT_SECRET" in caught.value.hint
    assert service.requests == []


def test_a_static_token_that_expires_mid_read_gives_a_clear_expiry_error(tmp_path):
    clock = Clock(time.time())
    token = _jwt(clock() + 3600)
    pages = []

    def expire_after_two_pages(request):
        pages.append(request.url)
        if len(pages) > 3:  # root, $metadata, page 1 passed; the token then ran out
            clock.advance(3600)
            return Fault(401, {"x-ms-request-id": "rid-401"}, "")
        return None

    service = FakeV2Service(before=expire_after_two_pages)
    service.add("Locators", 2500)
    provider = StaticTokenProvider(token, api="v2", clock=clock)
    with pytest.raises(TokenExpiredError, match="has expired"):
        read(service, tmp_path / "inv.db", entity_sets=["Locators"], provider=provider, parallel=1)
    assert partial_path(tmp_path / "inv.db").exists()  # what was read is kept for --resume


def test_a_refused_static_token_that_has_not_expired_explains_the_likely_causes(tmp_path):
    service = FakeV2Service(before=lambda r: Fault(401, {}, ""))
    with pytest.raises(AuthError) as caught:
        read(service, tmp_path / "inv.db", entity_sets=["Assets"], provider=StaticTokenProvider("not-a-jwt-token", api="v2"))
    assert not isinstance(caught.value, TokenExpiredError)
    assert "tenant" in caught.value.hint and "Contributor or Owner" in caught.value.hint


def test_no_token_client_secret_or_entity_secret_reaches_logs_or_errors(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="migrator")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    clock = Clock(time.time())
    app = FakeMsalApp(clock)
    credentials = ClientCredentials("tenant-id", "client-id", client_secret=CLIENT_SECRET)
    provider = MsalTokenProvider(credentials, cloud=CLOUDS["AzureCloud"], scope=CLOUDS["AzureCloud"].v2_scope, api="v2", app=app)
    service = FakeV2Service()
    keys = service.add("ContentKeys", 3)
    broken = service.entity("ContentKeys", keys[0]) | {"Created": "yesterday"}
    service.fail("ContentKeys", Fault(200, {}, json.dumps(WIRE.build_wire_page("ContentKeys", "verbose", [broken]))))
    with pytest.raises(MalformedPageError) as caught:
        read(service, tmp_path / "inv.db", entity_sets=["ContentKeys"], provider=provider)
    text = caplog.text + str(caught.value) + repr(credentials)
    secrets = [CLIENT_SECRET, WIRE.CONTENT_KEY_SECRET, *(token for token, _ in app.issued)]
    assert app.issued
    for secret in secrets:
        assert secret not in text
    # every issued token is registered, so a stray log line with it would be scrubbed too
    assert SECRETS.scrub(f"header {app.issued[0][0]}") == "header ***"
