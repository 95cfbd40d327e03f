"""Bearer tokens for both APIs: MSAL client credentials or a static token.

One ``TokenProvider`` per API scope, asked for a token before every request: MSAL's cache
answers until the token nears expiry and then refreshes it, so a run that outlives one token
never sends an expired one. A static token cannot be refreshed; its expiry (read from the JWT
``exp`` claim without verifying it) lets us stop with a clear message instead of a bare 401.
Token strings never enter log records or exception messages.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Mapping, Protocol

import requests

from migrator.clouds import Cloud
from migrator.exceptions import AuthError, ConfigError, TokenExpiredError

# A static token this close to expiry is treated as expired: a request may take that long.
EXPIRY_MARGIN_SECONDS = 60


class TokenProvider(Protocol):
    def token(self) -> str:
        """Return a bearer token valid for at least the next request."""

    def describe(self) -> str:
        """A short, secret-free description for logs and errors."""


@dataclass(frozen=True)
class ClientCredentials:
    tenant_id: str
    client_id: str
    client_secret: str | None = None
    certificate_path: str | None = None
    certificate_password: str | None = None

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        kind = "secret" if self.client_secret else "certificate"
        return f"ClientCredentials(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, {kind}=***)"


def credentials_from_env(env: Mapping[str, str] | None = None) -> ClientCredentials | None:
    """Read the azure-identity EnvironmentCredential variables; None when none are set."""
    env = os.environ if env is None else env
    tenant, client = env.get("AZURE_TENANT_ID"), env.get("AZURE_CLIENT_ID")
    secret, cert = env.get("AZURE_CLIENT_SECRET"), env.get("AZURE_CLIENT_CERTIFICATE_PATH")
    if not (tenant or client or secret or cert):
        return None
    missing = [n for n, v in (("AZURE_TENANT_ID", tenant), ("AZURE_CLIENT_ID", client)) if not v]
    if not (secret or cert):
        missing.append("AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH")
    if missing:
        raise ConfigError(
            "incomplete service principal settings: missing " + ", ".join(missing),
            hint="set all of them, or pass a static token instead",
        )
    return ClientCredentials(
        tenant_id=tenant,  # type: ignore[arg-type]
        client_id=client,  # type: ignore[arg-type]
        client_secret=secret or None,
        certificate_path=None if secret else cert,
        certificate_password=env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
    )


class StaticTokenProvider:
    """A token the user obtained elsewhere, e.g. ``az account get-access-token``."""

    def __init__(self, token: str, *, api: str, clock=time.time) -> None:
        self._token = token.strip()
        if self._token.lower().startswith("bearer "):
            self._token = self._token[7:].strip()
        self._api = api
        self._clock = clock
        self.expires_on = jwt_expiry(self._token)

    def token(self) -> str:
        if self.expires_on is not None and self._clock() > self.expires_on - EXPIRY_MARGIN_SECONDS:
            raise self.expired_error()
        return self._token

    def expired_error(self) -> TokenExpiredError:
        return TokenExpiredError(
            f"the static {self._api} token has expired",
            hint="get a new one, or use AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET so tokens refresh",
            api=self._api,
        )

    def describe(self) -> str:
        return f"static {self._api} token"


class MsalTokenProvider:
    """Client-credentials flow; ``acquire_token_for_client`` serves from MSAL's cache until expiry."""

    def __init__(self, credentials: ClientCredentials, *, cloud: Cloud, scope: str, api: str, app=None) -> None:
        self._credentials = credentials
        self._scope = scope
        self._api = api
        self._lock = threading.Lock()
        self._app = app or _confidential_app(credentials, cloud)

    def token(self) -> str:
        with self._lock:
            result = self._app.acquire_token_for_client(scopes=[self._scope])
        if not result or "access_token" not in result:
            error = (result or {}).get("error", "unknown_error")
            raise AuthError(
                f"could not get a {self._api} token for client {self._credentials.client_id} ({error})",
                hint=_hint_for_aad_error(error),
                api=self._api,
                aad_error=error,
            )
        return result["access_token"]

    def describe(self) -> str:
        return f"service principal {self._credentials.client_id} ({self._api})"


def _confidential_app(credentials: ClientCredentials, cloud: Cloud):
    import msal

    if credentials.client_secret:
        credential: object = credentials.client_secret
    else:
        credential = _certificate_credential(credentials)
    try:
        return msal.ConfidentialClientApplication(
            credentials.client_id,
            authority=cloud.authority(credentials.tenant_id),
            client_credential=credential,
        )
    except ValueError as exc:  # MSAL validates the authority and the credential eagerly
        raise AuthError(
            f"could not set up sign-in for client {credentials.client_id}: {type(exc).__name__}",
            hint="check AZURE_TENANT_ID and the certificate or secret",
        ) from None


def _certificate_credential(credentials: ClientCredentials) -> dict:
    path = credentials.certificate_path or ""
    try:
        with open(path, "rb") as fh:
            pem = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read AZURE_CLIENT_CERTIFICATE_PATH {path}: {exc.strerror}") from None
    credential: dict = {"private_key": pem.decode("ascii", "replace"), "thumbprint": None}
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        cert = x509.load_pem_x509_certificate(pem)
        credential["thumbprint"] = cert.fingerprint(hashes.SHA1()).hex()  # noqa: S303 - AAD's x5t is SHA-1
        credential["public_certificate"] = pem.decode("ascii", "replace")
    except Exception:  # noqa: BLE001 - any failure here is a malformed certificate file
        raise ConfigError(f"AZURE_CLIENT_CERTIFICATE_PATH {path} holds no PEM certificate and key") from None
    if credentials.certificate_password:
        credential["passphrase"] = credentials.certificate_password
    return credential


def _hint_for_aad_error(error: str) -> str:
    return {
        "invalid_client": "the client secret or certificate is wrong or expired",
        "unauthorized_client": "the application is not known in this tenant",
        "invalid_request": "check AZURE_TENANT_ID and the cloud (--cloud)",
        "invalid_resource": "the API is not available in this tenant or cloud",
    }.get(error, "check the service principal and the cloud (--cloud)")


def jwt_expiry(token: str) -> float | None:
    """The unverified ``exp`` claim of a JWT, or None for anything that is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
        return float(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None


class BearerAuth(requests.auth.AuthBase):
    """Asks the provider for a token on every request, so refreshes happen in flight."""

    def __init__(self, provider: TokenProvider) -> None:
        self.provider = provider

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.provider.token()}"
        return request


def token_provider(
    *, static_token: str | None, cloud: Cloud, scope: str, api: str, env: Mapping[str, str] | None = None
) -> TokenProvider:
    """A static token wins over service principal settings; one of the two is required."""
    if static_token:
        return StaticTokenProvider(static_token, api=api)
    credentials = credentials_from_env(env)
    if credentials is None:
        raise ConfigError(
            f"no credentials for the {api} API",
            hint="set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or pass a static token",
        )
    return MsalTokenProvider(credentials, cloud=cloud, scope=scope, api=api)
