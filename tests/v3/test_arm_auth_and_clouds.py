"""Tokens: MSAL is asked before every request (so refreshes happen in flight), static tokens
stop with a clear message when expired, and each sovereign cloud gets its own endpoint and scope."""

from __future__ import annotations

import base64
import json

import pytest
import requests
import responses

from v3_fakes import ACCOUNT, FakeTime, make_client
from migrator import auth
from migrator.auth import ClientCredentials, MsalTokenProvider, StaticTokenProvider
from migrator.clouds import CLOUDS
from migrator.exceptions import AuthError, TokenExpiredError
from migrator.v3.client import connect
from migrator.v3.ids import ResourceType, resource_id

ASSET = resource_id(ACCOUNT, ResourceType.ASSET, "a1")
SECRET = "client-secret-value-never-shown"


class FakeMsalApp:
    """Serves one token until its expiry on the shared clock, then a new one, as MSAL's cache does."""

    def __init__(self, fake_time: FakeTime, lifetime: float) -> None:
        self.fake_time = fake_time
        self.lifetime = lifetime
        self.issued: list[tuple[str, float]] = []
        self.scopes: list[list[str]] = []

    def acquire_token_for_client(self, scopes):
        self.scopes.append(scopes)
        now = self.fake_time.clock()
        if not self.issued or now >= self.issued[-1][1]:
            self.issued.append((f"msal-token-{len(self.issued) + 1}", now + self.lifetime))
        return {"access_token": self.issued[-1][0], "token_type": "Bearer", "expires_in": int(self.lifetime)}


class FailingMsalApp:
    def acquire_token_for_client(self, scopes):
        return {"error": "invalid_client", "error_description": f"AADSTS7000215: Invalid client secret {SECRET}"}


def credentials() -> ClientCredentials:
    return ClientCredentials(tenant_id="tenant-1", client_id="client-1", client_secret=SECRET)


def jwt_expiring_at(exp: float) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': exp, 'aud': 'https://management.azure.com'})}.signature"


def test_msal_is_asked_per_request_so_a_run_outliving_a_token_switches_to_a_new_one(fake_time, rsps):
    app = FakeMsalApp(fake_time, lifetime=3600)
    provider = MsalTokenProvider(credentials(), cloud=CLOUDS["AzureCloud"], scope=CLOUDS["AzureCloud"].arm_scope, api="ARM", app=app)
    client = make_client(fake_time, provider)
    rsps.get(f"https://management.azure.com{ASSET.path}", json={"name": "a1"})
    client.get(ASSET)
    fake_time.sleep(1800)
    client.get(ASSET)
    fake_time.sleep(1900)  # past the first token's expiry
    client.get(ASSET)
    tokens = [c.request.headers["Authorization"] for c in rsps.calls]
    assert tokens == ["Bearer msal-token-1", "Bearer msal-token-1", "Bearer msal-token-2"]
    assert app.scopes == [["https://management.azure.com/.default"]] * 3


def test_an_msal_error_result_becomes_an_auth_error_without_the_secret(fake_time, rsps):
    provider = MsalTokenProvider(credentials(), cloud=CLOUDS["AzureCloud"], scope=CLOUDS["AzureCloud"].arm_scope, api="ARM", app=FailingMsalApp())
    client = make_client(fake_time, provider)
    with pytest.raises(AuthError) as caught:
        client.get(ASSET)
    assert "invalid_client" in str(caught.value) and SECRET not in str(caught.value)
    assert len(rsps.calls) == 0


def test_an_expired_static_token_stops_before_any_request_with_a_clear_message(fake_time, rsps):
    token = jwt_expiring_at(fake_time.clock() - 10)
    provider = StaticTokenProvider(token, api="ARM", clock=fake_time.clock)
    client = make_client(fake_time, provider)
    with pytest.raises(TokenExpiredError) as caught:
        client.get(ASSET)
    assert str(caught.value).startswith("the static ARM token has expired")
    assert token not in str(caught.value)
    assert len(rsps.calls) == 0


def test_a_static_token_that_expires_mid_run_stops_the_next_request(fake_time, rsps):
    provider = StaticTokenProvider(jwt_expiring_at(fake_time.clock() + 600), api="ARM", clock=fake_time.clock)
    client = make_client(fake_time, provider)
    rsps.get(f"https://management.azure.com{ASSET.path}", json={"name": "a1"})
    client.get(ASSET)
    fake_time.sleep(600)
    with pytest.raises(TokenExpiredError):
        client.get(ASSET)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    "cloud_name, host",
    [
        ("AzureCloud", "management.azure.com"),
        ("AzureChinaCloud", "management.chinacloudapi.cn"),
        ("AzureUSGovernment", "management.usgovcloudapi.net"),
    ],
)
def test_each_cloud_talks_to_its_own_arm_endpoint(cloud_name, host):
    client = connect(cloud=CLOUDS[cloud_name], static_token="static-token-abcdef")
    with responses.RequestsMock() as rsps:
        rsps.get(f"https://{host}{ASSET.path}", json={"name": "a1"})
        assert client.get(ASSET) == {"name": "a1"}


@pytest.mark.parametrize("cloud_name", sorted(CLOUDS))
def test_service_principals_sign_in_at_the_clouds_authority_for_its_arm_scope(monkeypatch, cloud_name):
    built = {}

    def fake_app(creds, cloud):
        built["authority"] = cloud.authority(creds.tenant_id)
        return FakeMsalApp(FakeTime(), 3600)

    monkeypatch.setattr(auth, "_confidential_app", fake_app)
    env = {"AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1", "AZURE_CLIENT_SECRET": SECRET}
    client = connect(cloud=CLOUDS[cloud_name], env=env)
    cloud = CLOUDS[cloud_name]
    with responses.RequestsMock() as rsps:
        rsps.get(f"{cloud.arm_endpoint}{ASSET.path}", json={})
        client.get(ASSET)
    assert built["authority"] == f"{cloud.authority_host}/tenant-1"
    assert client._pipeline.token_provider._scope == f"{cloud.arm_resource}/.default"


def test_a_custom_arm_endpoint_replaces_the_clouds(rsps):
    client = connect(cloud=CLOUDS["AzureCloud"], endpoint="http://127.0.0.1:8443/", static_token="static-token-abcdef")
    rsps.get(f"http://127.0.0.1:8443{ASSET.path}", json={"name": "a1"})
    assert client.get(ASSET) == {"name": "a1"}


def test_sessions_built_for_the_client_do_not_retry_underneath_it():
    from migrator.v3.client import arm_session

    session = arm_session()
    adapter = session.get_adapter("https://management.azure.com")
    assert adapter.max_retries.total == 0
    assert isinstance(session, requests.Session)
