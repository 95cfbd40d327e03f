"""Shared helpers of the v3-face tests (no tests here): a loopback server over bare accounts,
and a tiny ARM caller that picks each family's newest api-version."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Any, Iterator

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.media import AzureMediaServices

from migrator.sandbox.arm import NEWEST_VERSION, Family
from migrator.sandbox.server import SandboxServer
from migrator.sandbox.throttle import Throttle
from migrator.sandbox.v3face import AccountInfo, V3Account, V3Face, V3Settings
from migrator.sandbox.web import Response

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
GROUP = "contosorg"
ACCOUNT = "contosomedia"
STORAGE = "storage0"


class StubV2Face:
    """Stands in for the v2 face where only routing matters."""

    def handle(self, request) -> Response:
        return Response.json(200, {"face": "v2", "path": request.path})


class FakeCredential:
    """A TokenCredential for Microsoft's client: the sandbox accepts any bearer token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("sandbox-test-token", int(time.time()) + 3600)


def family_of(relative: str) -> Family:
    head = relative.strip("/").split("/", 1)[0].lower()
    if head in ("transforms",):
        return Family.ENCODING
    if head in ("liveevents", "streamingendpoints", "liveeventoperations", "liveoutputoperations", "streamingendpointoperations"):
        return Family.STREAMING
    if head == "providers":
        return Family.EVENT_GRID
    if head == "":
        return Family.ACCOUNTS
    return Family.METADATA


class Arm:
    """requests against one account's ARM prefix; ``version=None`` leaves api-version out."""

    def __init__(self, base_url: str, account: V3Account, token: str = "sandbox-test-token") -> None:
        self.base_url = base_url
        self.prefix = account.id
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, relative: str) -> str:
        return f"{self.base_url}{self.prefix}/{relative.lstrip('/')}" if relative else f"{self.base_url}{self.prefix}"

    def call(self, method: str, relative: str, body: Any = None, version: str | None = "newest", **params: Any) -> requests.Response:
        if version == "newest":
            version = NEWEST_VERSION[family_of(relative)]
        if version is not None:
            params["api-version"] = version
        return self.session.request(method, self.url(relative), json=body, params=params, timeout=10)

    def get(self, relative: str, **kw: Any) -> requests.Response:
        return self.call("GET", relative, **kw)

    def put(self, relative: str, body: Any, **kw: Any) -> requests.Response:
        return self.call("PUT", relative, body, **kw)

    def patch(self, relative: str, body: Any, **kw: Any) -> requests.Response:
        return self.call("PATCH", relative, body, **kw)

    def post(self, relative: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.call("POST", relative, body, **kw)

    def delete(self, relative: str, **kw: Any) -> requests.Response:
        return self.call("DELETE", relative, **kw)


def account(name: str = ACCOUNT, projection=None) -> V3Account:
    return V3Account(AccountInfo(SUBSCRIPTION, GROUP, name, "westus2", (STORAGE,)), projection)


@contextmanager
def serving(*accounts: V3Account, throttle: Throttle | None = None, **settings: Any) -> Iterator[tuple[SandboxServer, V3Face]]:
    accounts = accounts or (account(),)
    face = V3Face(list(accounts), settings=V3Settings(**{"retry_after": 0, **settings}), throttle=throttle)
    with SandboxServer(StubV2Face(), face) as server:
        yield server, face


class CredentialPolicy(SansIOHTTPPolicy):
    """The SDK's bearer policy without its https-only check (the sandbox is plain http on loopback)."""

    def __init__(self, credential: FakeCredential) -> None:
        self.credential = credential

    def on_request(self, request) -> None:
        token = self.credential.get_token("https://management.azure.com/.default")
        request.http_request.headers["Authorization"] = f"Bearer {token.token}"


def media_client(base_url: str) -> AzureMediaServices:
    credential = FakeCredential()
    return AzureMediaServices(
        credential, SUBSCRIPTION, base_url=base_url, polling_interval=0, authentication_policy=CredentialPolicy(credential)
    )


ASSET_BODY = {"properties": {"description": "A documentary", "storageAccountName": STORAGE}}
CLEAR_POLICY = {"properties": {"noEncryption": {"enabledProtocols": {"download": False, "dash": True, "hls": True, "smoothStreaming": True}}}}
