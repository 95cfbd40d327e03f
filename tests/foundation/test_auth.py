"""Token providers: static tokens expire loudly, MSAL is asked per request, secrets stay hidden."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from migrator.auth import (
    BearerAuth,
    ClientCredentials,
    MsalTokenProvider,
    StaticTokenProvider,
    credentials_from_env,
    jwt_expiry,
    token_provider,
)
from migrator.clouds import CLOUDS, get_cloud
from migrator.exceptions import AuthError, ConfigError, TokenExpiredError


def make_jwt(exp: float) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'exp': exp, 'aud': 'https://rest.media.azure.net'})}.sig"


class FakeMsalApp:
    def __init__(self, results):
        self.results = list(results)
        self.calls = 0

    def acquire_token_for_client(self, scopes):
        self.calls += 1
        self.scopes = scopes
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


def test_static_token_is_served_until_shortly_before_its_exp_claim():
    token = make_jwt(exp=10_000)
    provider = StaticTokenProvider(token, api="v2", clock=lambda: 9_000)
    assert provider.token() == token


def test_static_token_past_expiry_raises_token_expired_without_the_token_text():
    token = make_jwt(exp=10_000)
    provider = StaticTokenProvider(token, api="v2", clock=lambda: 9_990)
    with pytest.raises(TokenExpiredError) as info:
        provider.token()
    assert token not in str(info.value)
    assert "expired" in str(info.value)


def test_static_token_accepts_a_pasted_bearer_prefix():
    provider = StaticTokenProvider("Bearer opaque-token-value", api="ARM")
    assert provider.token() == "opaque-token-value"


def test_opaque_static_token_has_no_known_expiry():
    assert jwt_expiry("not-a-jwt") is None
    assert jwt_expiry("a.b.c") is None


def test_msal_provider_asks_msal_on_every_request_so_its_cache_can_refresh():
    app = FakeMsalApp([{"access_token": "first"}, {"access_token": "second"}])
    creds = ClientCredentials("tenant", "client", client_secret="s3cr3t-value")
    provider = MsalTokenProvider(creds, cloud=CLOUDS["AzureCloud"], scope="https://x/.default", api="v2", app=app)
    assert [provider.token(), provider.token()] == ["first", "second"]
    assert app.calls == 2
    assert app.scopes == ["https://x/.default"]


def test_msal_failure_becomes_auth_error_with_hint_and_no_secret():
    app = FakeMsalApp([{"error": "invalid_client", "error_description": "AADSTS7000215 s3cr3t-value"}])
    creds = ClientCredentials("tenant", "client", client_secret="s3cr3t-value")
    provider = MsalTokenProvider(creds, cloud=CLOUDS["AzureCloud"], scope="s", api="ARM", app=app)
    with pytest.raises(AuthError) as info:
        provider.token()
    assert "s3cr3t-value" not in str(info.value)
    assert "secret or certificate" in str(info.value)


def test_client_credentials_repr_hides_the_secret():
    creds = ClientCredentials("tenant", "client", client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(creds)


def test_credentials_from_env_reads_the_azure_cli_names():
    creds = credentials_from_env(
        {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s3cr3t-value"}
    )
    assert (creds.tenant_id, creds.client_id, creds.client_secret) == ("t", "c", "s3cr3t-value")


def test_credentials_from_env_prefers_certificate_when_no_secret():
    creds = credentials_from_env(
        {
            "AZURE_TENANT_ID": "t",
            "AZURE_CLIENT_ID": "c",
            "AZURE_CLIENT_CERTIFICATE_PATH": "/tmp/cert.pem",
            "AZURE_CLIENT_CERTIFICATE_PASSWORD": "pw",
        }
    )
    assert creds.certificate_path == "/tmp/cert.pem" and creds.certificate_password == "pw"


def test_incomplete_service_principal_settings_name_what_is_missing():
    with pytest.raises(ConfigError, match="AZURE_TENANT_ID"):
        credentials_from_env({"AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "x"})


def test_no_credentials_at_all_is_a_config_error():
    with pytest.raises(ConfigError, match="no credentials"):
        token_provider(static_token=None, cloud=CLOUDS["AzureCloud"], scope="s", api="v2", env={})


def test_static_token_wins_over_service_principal():
    provider = token_provider(
        static_token="opaque",
        cloud=CLOUDS["AzureCloud"],
        scope="s",
        api="v2",
        env={"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "x"},
    )
    assert isinstance(provider, StaticTokenProvider)


def test_bearer_auth_sets_the_header_from_the_provider():
    request = requests.Request("GET", "https://example.invalid/").prepare()
    BearerAuth(StaticTokenProvider("abc", api="v2"))(request)
    assert request.headers["Authorization"] == "Bearer abc"


@pytest.mark.parametrize(
    "name, authority, v2_scope, arm",
    [
        ("AzureCloud", "https://login.microsoftonline.com/t", "https://rest.media.azure.net/.default", "https://management.azure.com"),
        ("AzureChinaCloud", "https://login.chinacloudapi.cn/t", "https://rest.media.chinacloudapi.cn/.default", "https://management.chinacloudapi.cn"),
        ("AzureUSGovernment", "https://login.microsoftonline.us/t", "https://rest.media.usgovcloudapi.net/.default", "https://management.usgovcloudapi.net"),
    ],
)
def test_each_cloud_has_its_own_authority_scopes_and_arm_endpoint(name, authority, v2_scope, arm):
    cloud = get_cloud(name)
    assert cloud.authority("t") == authority
    assert cloud.v2_scope == v2_scope
    assert cloud.arm_endpoint == arm
    assert cloud.arm_scope == arm + "/.default"


def test_unknown_cloud_is_a_config_error_listing_the_choices():
    with pytest.raises(ConfigError, match="AzureChinaCloud"):
        get_cloud("AzureGermanCloud")
