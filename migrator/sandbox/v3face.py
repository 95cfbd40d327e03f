"""The v3 (Azure Resource Manager, ``Microsoft.Media``) face of the sandbox.

Addressing, status codes and long-running behaviour follow the official swagger files in
``migrator/openapi/specification`` operation by operation; request bodies are validated by
``migrator.openapi.validator`` (lenient, as ARM ignored read-only input); the service rules
the swagger cannot express (quotas, create-only resources, unique locator and key ids,
references between resources, naming) are enforced here with the errors listed in
docs/sandbox.md. Each face instance serves any number of accounts; an account may show its
own v2 data through a ``visibility.V2Projection``.
"""

from __future__ import annotations

import base64
import copy
import logging
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from migrator.openapi import validator
from migrator.sandbox.arm import (
    ACCOUNT_TYPE,
    Family,
    ArmError,
    Operation,
    OperationBook,
    bad_request,
    error_response,
    iso,
    list_body,
    lro_headers,
    not_found,
    operation_status_body,
    page_link,
    require_api_version,
    skiptoken_offset,
    standard_headers,
    utc_now,
)
from migrator.sandbox.throttle import Throttle
from migrator.sandbox.v3store import AccountView, V3Store
from migrator.sandbox.visibility import V2Projection
from migrator.sandbox.web import Request, Response

log = logging.getLogger("migrator.sandbox.v3")

# ---------------------------------------------------------------- resource kinds

# Media Services naming rule for resource names (AMS docs "Naming conventions"): at most 260
# characters, none of < > % & : \ ? / * + . ' and no control characters.
_AMS_FORBIDDEN = re.compile(r"[<>%&:\\?/*+.'\x00-\x1f\x7f]")
_ALNUM_HYPHEN = re.compile(r"^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$")  # swagger patterns of streaming names
_EVENT_SUBSCRIPTION_NAME = re.compile(r"^[a-zA-Z0-9-]{3,64}$")  # Event Grid's documented rule


@dataclass(frozen=True)
class NameRule:
    max_length: int = 260
    pattern: re.Pattern[str] | None = None
    description: str = "names may not contain < > % & : \\ ? / * + . ' or control characters"

    def problem(self, name: str) -> str | None:
        if not name or len(name) > self.max_length:
            return f"must be 1 to {self.max_length} characters long"
        if self.pattern is not None:
            return None if self.pattern.match(name) else self.description
        return self.description if _AMS_FORBIDDEN.search(name) else None


AMS_NAMES = NameRule()
STREAMING_NAME = "only letters, digits and inner hyphens are allowed"


@dataclass(frozen=True)
class Kind:
    key: str  # lower-cased path segment
    segment: str  # spelling in ids and types
    family: Family
    label: str
    parent: str | None = None
    quota: int | None = None
    create_only: bool = False  # PUT answers 201 only; no PATCH; an existing name is a conflict
    patchable: bool = True
    long_running: bool = False
    tracked: bool = False  # TrackedResource: location and tags
    names: NameRule = AMS_NAMES
    actions: frozenset[str] = frozenset()
    children: frozenset[str] = frozenset()


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("assets", "assets", Family.METADATA, "asset", actions=frozenset({"listcontainersas", "getencryptionkey", "liststreaminglocators"}), children=frozenset({"assetfilters"})),
        Kind("assetfilters", "assetFilters", Family.METADATA, "asset filter", parent="assets", quota=100),
        Kind("accountfilters", "accountFilters", Family.METADATA, "account filter", quota=100),
        Kind("contentkeypolicies", "contentKeyPolicies", Family.METADATA, "content key policy", actions=frozenset({"getpolicypropertieswithsecrets"})),
        Kind("streamingpolicies", "streamingPolicies", Family.METADATA, "streaming policy", quota=100, create_only=True, patchable=False),
        Kind("streaminglocators", "streamingLocators", Family.METADATA, "streaming locator", create_only=True, patchable=False, actions=frozenset({"listpaths", "listcontentkeys"})),
        Kind("transforms", "transforms", Family.ENCODING, "transform", quota=100, children=frozenset({"jobs"})),
        Kind("jobs", "jobs", Family.ENCODING, "job", parent="transforms", create_only=True, actions=frozenset({"canceljob"})),
        Kind(
            "liveevents", "liveEvents", Family.STREAMING, "live event", quota=5, long_running=True, tracked=True,
            names=NameRule(32, _ALNUM_HYPHEN, STREAMING_NAME),
            actions=frozenset({"start", "stop", "allocate", "reset"}), children=frozenset({"liveoutputs"}),
        ),
        Kind(
            "liveoutputs", "liveOutputs", Family.STREAMING, "live output", parent="liveevents", quota=3, patchable=False,
            long_running=True, names=NameRule(256, _ALNUM_HYPHEN, STREAMING_NAME),
        ),
        Kind(
            "streamingendpoints", "streamingEndpoints", Family.STREAMING, "streaming endpoint", quota=2, long_running=True,
            tracked=True, names=NameRule(24, _ALNUM_HYPHEN, STREAMING_NAME), actions=frozenset({"start", "stop", "scale"}),
        ),
        Kind(
            "eventsubscriptions", "eventSubscriptions", Family.EVENT_GRID, "event subscription", long_running=True,
            names=NameRule(64, _EVENT_SUBSCRIPTION_NAME, "3 to 64 letters, digits or hyphens"),
        ),
    )
}
OPERATION_COLLECTIONS = {"liveeventoperations": "liveevents", "liveoutputoperations": "liveoutputs", "streamingendpointoperations": "streamingendpoints"}
MUTATING_ACTIONS = frozenset({"start", "stop", "allocate", "reset", "scale", "canceljob"})

PREDEFINED_POLICIES: Mapping[str, dict] = {
    "Predefined_DownloadOnly": {"noEncryption": {"enabledProtocols": {"download": True, "dash": False, "hls": False, "smoothStreaming": False}}},
    "Predefined_ClearStreamingOnly": {"noEncryption": {"enabledProtocols": {"download": False, "dash": True, "hls": True, "smoothStreaming": True}}},
    "Predefined_DownloadAndClearStreaming": {"noEncryption": {"enabledProtocols": {"download": True, "dash": True, "hls": True, "smoothStreaming": True}}},
    "Predefined_ClearKey": {"envelopeEncryption": {"enabledProtocols": {"download": False, "dash": True, "hls": True, "smoothStreaming": True}}},
    "Predefined_MultiDrmCencStreaming": {"commonEncryptionCenc": {"enabledProtocols": {"download": False, "dash": True, "hls": False, "smoothStreaming": True}}},
    "Predefined_MultiDrmStreaming": {
        "commonEncryptionCenc": {"enabledProtocols": {"download": False, "dash": True, "hls": False, "smoothStreaming": True}},
        "commonEncryptionCbcs": {"enabledProtocols": {"download": False, "dash": False, "hls": True, "smoothStreaming": False}},
    },
}
SCHEME_KEY_TYPES = {
    "envelopeEncryption": ("EnvelopeEncryption", "EnvelopeEncryption"),
    "commonEncryptionCenc": ("CommonEncryptionCenc", "CommonEncryptionCenc"),
    "commonEncryptionCbcs": ("CommonEncryptionCbcs", "CommonEncryptionCbcs"),
    "noEncryption": (None, "NoEncryption"),
}
SECRET_KEY_FIELDS = ("keyValue", "rawBody", "exponent", "modulus", "ask", "fairPlayPfx", "fairPlayPfxPassword")
LOCATOR_END_OF_TIME = "9999-12-31T23:59:59.9999999Z"
MAX_KEY_POLICY_OPTIONS = 30


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class AccountInfo:
    subscription_id: str
    resource_group: str
    name: str
    location: str = "westus2"
    storage_accounts: tuple[str, ...] = ("sandboxstorage",)

    @property
    def id(self) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}/providers/Microsoft.Media/mediaservices/{self.name}"


@dataclass(frozen=True)
class AssetFiles:
    """What the sandbox knows of an asset's blobs: the ``.ism`` base name and file names."""

    manifest: str | None
    files: tuple[str, ...] = ()


class V3Account:
    """One emulated Media Services account: native v3 resources over an optional v2 projection."""

    def __init__(self, info: AccountInfo, projection: V2Projection | None = None) -> None:
        self.info = info
        self.projection = projection
        self.view = AccountView(V3Store(), projection)
        self.media_service_id = str(uuid.uuid5(uuid.NAMESPACE_URL, info.id.lower()))
        self.locator_ids: dict[str, str] = {}  # streamingLocatorId -> locator name
        self.key_ids: dict[str, str] = {}  # content key id -> locator name
        self.key_values: dict[str, list[dict]] = {}  # locator name (lower) -> keys with values
        self.policy_secrets: dict[str, dict] = {}  # content key policy name (lower) -> properties

    @property
    def id(self) -> str:
        return self.info.id

    def body(self) -> dict:
        storage = [
            {
                "id": f"/subscriptions/{self.info.subscription_id}/resourceGroups/{self.info.resource_group}/providers/Microsoft.Storage/storageAccounts/{name}",
                "type": "Primary" if index == 0 else "Secondary",
            }
            for index, name in enumerate(self.info.storage_accounts)
        ]
        return {
            "id": self.id,
            "name": self.info.name,
            "type": ACCOUNT_TYPE,
            "location": self.info.location,
            "tags": {},
            "properties": {
                "mediaServiceId": self.media_service_id,
                "storageAccounts": storage,
                "storageAuthentication": "System",
                "encryption": {"type": "SystemKey"},
                "keyDelivery": {"accessControl": {"defaultAction": "Allow", "ipAllowList": []}},
                "publicNetworkAccess": "Enabled",
                "provisioningState": "Succeeded",
                "privateEndpointConnections": [],
                "minimumTlsVersion": "Tls12",
            },
        }


@dataclass(frozen=True)
class V3Settings:
    page_size: int = 10
    lro_polls: int = 1  # status reads that answer InProgress before an operation succeeds
    retry_after: int = 1  # seconds, in Retry-After of long-running answers
    token: str | None = None  # None: any non-empty bearer token is accepted


# ---------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    target: str  # accounts | account | operations | collection | item | action | status | location | eg-status
    family: Family
    subscription: str
    account: V3Account | None = None
    kind: Kind | None = None
    name: str | None = None
    parent: tuple[str, str] | None = None
    action: str | None = None
    operation_id: str | None = None
    resource_group: str | None = None


def _eq(segment: str, literal: str) -> bool:
    return segment.lower() == literal.lower()


class V3Face:
    """``handle(request) -> Response`` for every ARM path of the sandbox's accounts."""

    def __init__(
        self,
        accounts: list[V3Account],
        *,
        settings: V3Settings = V3Settings(),
        throttle: Throttle | None = None,
        latency_ms: int = 0,
        asset_files: Callable[[V3Account, dict], AssetFiles] | None = None,
    ) -> None:
        self.accounts = accounts
        self.settings = settings
        self.throttle = throttle or Throttle()
        self.latency_ms = latency_ms
        self.asset_files = asset_files or default_asset_files
        self.operations = OperationBook(settings.lro_polls)
        self.lock = threading.RLock()

    # ------------------------------------------------------------ entry point

    def handle(self, request: Request) -> Response:
        headers = standard_headers(request.headers)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        try:
            self._authenticate(request)
            decision = self.throttle.check(self._subscription_of(request.path), request.method)
            headers[decision.header] = str(decision.remaining)
            if not decision.allowed:
                raise ArmError(
                    429,
                    "TooManyRequests",
                    "The subscription has exceeded its request limit; retry after the number of seconds in Retry-After.",
                    {"Retry-After": str(decision.retry_after)},
                )
            route = self._route(request.path)
            api_version = require_api_version(request.query, route.family)
            with self.lock:
                response = self._dispatch(route, request, api_version)
        except ArmError as error:
            response = error_response(error)
        return Response(response.status, response.body, {**response.headers, **headers})

    def mutates(self, request: Request) -> bool:
        if request.method in ("PUT", "PATCH", "DELETE"):
            return True
        last = request.path.rstrip("/").rsplit("/", 1)[-1].lower()
        return request.method == "POST" and last in MUTATING_ACTIONS

    def _authenticate(self, request: Request) -> None:
        header = request.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if not header:
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.", {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common"'})
        if scheme.lower() != "bearer" or not token.strip() or (self.settings.token is not None and token.strip() != self.settings.token):
            raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", {"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @staticmethod
    def _subscription_of(path: str) -> str:
        parts = [p for p in path.split("/") if p]
        return parts[1] if len(parts) > 1 and _eq(parts[0], "subscriptions") else "-"

    def _route(self, path: str) -> Route:
        parts = [p for p in path.split("/") if p]
        if len(parts) == 3 and _eq(parts[0], "providers") and _eq(parts[1], "Microsoft.Media") and _eq(parts[2], "operations"):
            return Route("operations", Family.ACCOUNTS, "-")
        if len(parts) < 2 or not _eq(parts[0], "subscriptions"):
            raise ArmError(404, "NotFound", f"No route matches '{path}'.")
        subscription = parts[1]
        if not any(_eq(a.info.subscription_id, subscription) for a in self.accounts):
            raise ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")
        rest = parts[2:]
        if len(rest) == 3 and _eq(rest[0], "providers") and _eq(rest[1], "Microsoft.Media") and _eq(rest[2], "mediaservices"):
            return Route("accounts", Family.ACCOUNTS, subscription)
        if len(rest) == 6 and _eq(rest[0], "providers") and _eq(rest[1], "Microsoft.EventGrid") and _eq(rest[2], "locations") and rest[4].lower() in ("operationsstatus", "operationresults"):
            return Route("status" if _eq(rest[4], "operationsStatus") else "location", Family.EVENT_GRID, subscription, operation_id=rest[5])
        if len(rest) >= 5 and _eq(rest[0], "resourceGroups") and _eq(rest[2], "providers") and _eq(rest[3], "Microsoft.Media") and _eq(rest[4], "mediaservices"):
            group = rest[1]
            if not any(_eq(a.info.resource_group, group) for a in self.accounts):
                raise ArmError(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")
            if len(rest) == 5:
                return Route("accounts", Family.ACCOUNTS, subscription, resource_group=group)
            account = self._account(subscription, group, rest[5])
            return self._account_route(account, rest[6:])
        raise ArmError(404, "NotFound", f"No route matches '{path}'.")

    def _account(self, subscription: str, group: str, name: str) -> V3Account:
        for account in self.accounts:
            info = account.info
            if _eq(info.subscription_id, subscription) and _eq(info.resource_group, group) and _eq(info.name, name):
                return account
        raise ArmError(404, "ResourceNotFound", f"The Resource '{ACCOUNT_TYPE}/{name}' under resource group '{group}' was not found.")

    def _account_route(self, account: V3Account, rest: list[str]) -> Route:
        sub = account.info.subscription_id
        if not rest:
            return Route("account", Family.ACCOUNTS, sub, account)
        if len(rest) >= 3 and _eq(rest[0], "providers") and _eq(rest[1], "Microsoft.EventGrid") and _eq(rest[2], "eventSubscriptions") and len(rest) <= 4:
            kind = KINDS["eventsubscriptions"]
            return Route("item" if len(rest) == 4 else "collection", kind.family, sub, account, kind, rest[3] if len(rest) == 4 else None)
        head = rest[0].lower()
        if head in OPERATION_COLLECTIONS and len(rest) == 2:
            return Route("status", KINDS[OPERATION_COLLECTIONS[head]].family, sub, account, operation_id=rest[1])
        kind = KINDS.get(head)
        if kind is None or kind.parent is not None or kind.key == "eventsubscriptions":
            raise self._unknown_type(rest[0])
        return self._resource_route(account, kind, rest[1:], None)

    def _resource_route(self, account: V3Account, kind: Kind, rest: list[str], parent: tuple[str, str] | None) -> Route:
        sub = account.info.subscription_id
        if not rest:
            return Route("collection", kind.family, sub, account, kind, parent=parent)
        name = rest[0]
        if len(rest) == 1:
            return Route("item", kind.family, sub, account, kind, name, parent)
        second = rest[1].lower()
        if len(rest) == 2 and second in kind.actions:
            return Route("action", kind.family, sub, account, kind, name, parent, action=second)
        if len(rest) == 2 and second == "skus" and kind.key == "streamingendpoints":
            return Route("action", kind.family, sub, account, kind, name, parent, action="skus")
        if len(rest) == 3 and second == "operationlocations" and kind.long_running:
            return Route("location", kind.family, sub, account, kind, name, parent, operation_id=rest[2])
        if second in kind.children:
            return self._resource_route(account, KINDS[second], rest[2:], (kind.key, name))
        raise self._unknown_type("/".join(rest[1:]))

    @staticmethod
    def _unknown_type(segment: str) -> ArmError:
        return ArmError(400, "InvalidResourceType", f"The resource type '{segment}' could not be found in the namespace 'Microsoft.Media'.")

    # ------------------------------------------------------------ dispatch

    def _dispatch(self, route: Route, request: Request, api_version: str) -> Response:
        method = request.method
        if route.target in ("status", "location"):
            return self._poll(route, request, api_version)
        if route.target == "operations":
            return self._only(method, "GET", lambda: Response.json(200, {"value": PROVIDER_OPERATIONS}))
        if route.target == "accounts":
            return self._only(method, "GET", lambda: Response.json(200, {"value": self._accounts_in(route)}))
        if route.target == "account":
            return self._only(method, "GET", lambda: Response.json(200, route.account.body()))
        context = Context(self, route, request, api_version, None)
        if route.target == "collection":
            handlers = {"GET": context.list}
        elif route.target == "action":
            handlers = {"GET" if route.action == "skus" else "POST": context.action}
        else:
            handlers = {"GET": context.get, "PUT": context.put, "DELETE": context.delete}
            if route.kind.patchable:
                handlers["PATCH"] = context.patch
        handler = handlers.get(method)
        if handler is None:
            raise _method_not_allowed(method)
        context.body = self._body(request)
        if method in ("PUT", "PATCH", "POST"):
            self._validate(method, request.path, context.body)
        return handler()

    @staticmethod
    def _only(method: str, allowed: str, produce: Callable[[], Response]) -> Response:
        if method != allowed:
            raise _method_not_allowed(method)
        return produce()

    def _accounts_in(self, route: Route) -> list[dict]:
        return [
            a.body()
            for a in self.accounts
            if _eq(a.info.subscription_id, route.subscription) and (route.resource_group is None or _eq(a.info.resource_group, route.resource_group))
        ]

    @staticmethod
    def _body(request: Request) -> Any:
        try:
            return request.json()
        except (ValueError, UnicodeDecodeError):
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.") from None

    @staticmethod
    def _validate(method: str, path: str, body: Any) -> None:
        errors = validator.validate_request(method, path, body, strict=False)
        if errors:
            shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
            raise bad_request(f"The request body is invalid: {shown}")

    def _poll(self, route: Route, request: Request, api_version: str) -> Response:
        if request.method != "GET":
            raise _method_not_allowed(request.method)
        operation = self.operations.poll(route.operation_id)
        if route.target == "status":
            return Response.json(200, operation_status_body(operation))
        if not operation.done:
            return Response.empty(202, {"Location": f"{request.base_url}{request.raw_path}?api-version={api_version}", "Retry-After": str(self.settings.retry_after)})
        result = operation.result()
        return Response.json(200, result) if result is not None else Response.empty(204)

    def start_operation(self, context: "Context", name: str, finish: Callable[[], None], result: Callable[[], dict | None]) -> dict[str, str]:
        """Registers an operation and returns the headers that announce it."""
        operation = self.operations.start(name, finish, result)
        return self._operation_headers(context, operation)

    def _operation_headers(self, context: "Context", operation: Operation) -> dict[str, str]:
        base = context.request.base_url
        version = context.api_version
        kind = context.kind
        account = context.account
        if kind.key == "eventsubscriptions":
            prefix = f"{base}/subscriptions/{account.info.subscription_id}/providers/Microsoft.EventGrid/locations/{account.info.location}"
            status, location = f"{prefix}/operationsStatus/{operation.id}", f"{prefix}/operationResults/{operation.id}"
        else:
            collection = {"liveevents": "liveEventOperations", "liveoutputs": "liveOutputOperations", "streamingendpoints": "streamingEndpointOperations"}[kind.key]
            status = f"{base}{account.id}/{collection}/{operation.id}"
            location = f"{base}{context.resource_id()}/operationLocations/{operation.id}"
        return lro_headers(f"{status}?api-version={version}", f"{location}?api-version={version}", self.settings.retry_after)


def _method_not_allowed(method: str) -> ArmError:
    return ArmError(405, "MethodNotAllowed", f"The requested resource does not support http method '{method}'.")


def default_asset_files(account: V3Account, asset: dict) -> AssetFiles:
    """The v2 files behind an asset when the account's own v2 data knows them."""
    projection = account.projection
    if projection is None:
        return AssetFiles(None)
    return AssetFiles(projection.manifest_name(asset["name"]))


PROVIDER_OPERATIONS = [
    {"name": f"Microsoft.Media/mediaservices/{kind.segment}/{verb}", "display": {"provider": "Microsoft Media Services", "resource": kind.label, "operation": verb}}
    for kind in KINDS.values()
    if kind.family is not Family.EVENT_GRID
    for verb in ("read", "write", "delete")
]


# ---------------------------------------------------------------- one request


@dataclass
class Context:
    face: V3Face
    route: Route
    request: Request
    api_version: str
    body: Any
    now: str = field(default_factory=lambda: iso(utc_now()))

    @property
    def account(self) -> V3Account:
        return self.route.account

    @property
    def kind(self) -> Kind:
        return self.route.kind

    @property
    def view(self) -> AccountView:
        return self.account.view

    @property
    def name(self) -> str:
        return self.route.name

    def resource_id(self, name: str | None = None) -> str:
        name = name or self.name
        if self.kind.key == "eventsubscriptions":
            return f"{self.account.id}/providers/Microsoft.EventGrid/eventSubscriptions/{name}"
        prefix = self.account.id
        if self.route.parent:
            parent_kind, parent_name = self.route.parent
            prefix = f"{prefix}/{KINDS[parent_kind].segment}/{parent_name}"
        return f"{prefix}/{self.kind.segment}/{name}"

    def resource_type(self) -> str:
        if self.kind.key == "eventsubscriptions":
            return "Microsoft.EventGrid/eventSubscriptions"
        if self.route.parent:
            return f"{ACCOUNT_TYPE}/{KINDS[self.route.parent[0]].segment}/{self.kind.segment}"
        return f"{ACCOUNT_TYPE}/{self.kind.segment}"

    def envelope(self, properties: dict, existing: dict | None = None) -> dict:
        resource = {"id": self.resource_id(), "name": self.name, "type": self.resource_type()}
        if self.kind.tracked:
            body = self.body or {}
            resource["location"] = body.get("location") or (existing or {}).get("location") or self.account.info.location
            resource["tags"] = body.get("tags", (existing or {}).get("tags", {}))
        resource["properties"] = properties
        return resource

    def current(self, name: str | None = None) -> dict | None:
        return self.view.get(self.kind.key, name or self.name, self.route.parent)

    def require_current(self) -> dict:
        found = self.current()
        if found is None:
            raise not_found(self.kind.label, self.name)
        return found

    def require_parent(self) -> None:
        if self.route.parent is None:
            return
        parent_kind, parent_name = self.route.parent
        if self.view.get(parent_kind, parent_name) is None:
            raise ArmError(404, "ParentResourceNotFound", f"Can not perform requested operation on nested resource. Parent resource '{parent_name}' not found.")

    def properties_in(self) -> dict:
        body = self.body if isinstance(self.body, dict) else {}
        return copy.deepcopy(body.get("properties") or {})

    def answer(self, status: int, resource: dict | None, headers: Mapping[str, str] | None = None) -> Response:
        if resource is None:
            return Response.empty(status, headers)
        return Response.json(status, resource, headers)

    # ------------------------------------------------------------ verbs

    def list(self) -> Response:
        self.require_parent()
        if "$filter" in self.request.query or "$orderby" in self.request.query:
            raise bad_request("The sandbox does not evaluate $filter or $orderby; list without them.", "NotSupportedBySandbox")
        offset = skiptoken_offset(self.request.query)
        size = self.face.settings.page_size
        if "$top" in self.request.query and self.request.query["$top"].isdigit():
            size = max(1, min(size, int(self.request.query["$top"])))
        page = self.view.page(self.kind.key, offset, size, self.route.parent)
        extra = {"$top": self.request.query["$top"]} if "$top" in self.request.query else None
        link = lambda next_offset: page_link(self.request.base_url, self.request.path, self.api_version, next_offset, extra)
        return Response.json(200, list_body(page, link))

    def get(self) -> Response:
        self.require_parent()
        return Response.json(200, self.require_current())

    def put(self) -> Response:
        self.require_parent()
        problem = self.kind.names.problem(self.name)
        if problem:
            raise bad_request(f"The {self.kind.label} name '{self.name}' is invalid: {problem}.", "InvalidResourceName")
        existing = self.current()
        self._refuse_v2_owned("create or update", existing)
        if existing is None:
            self._check_quota()
        elif self.kind.create_only:
            raise ArmError(409, "Conflict", f"A {self.kind.label} named '{self.name}' already exists; {self.kind.label}s cannot be updated.")
        builder = RESOURCE_BUILDERS[self.kind.key]
        resource, finish = builder(self, existing)
        if finish is None:
            self.view.put(self.kind.key, self.name, resource, self.route.parent)
            return self.answer(201 if existing is None else 200, resource)
        self.view.put(self.kind.key, self.name, resource, self.route.parent)
        headers = self.face.start_operation(self, f"{self.kind.key}-put", finish, lambda: self.current())
        return self.answer(201 if existing is None else 200, resource, headers)

    def patch(self) -> Response:
        self.require_parent()
        existing = self.require_current()
        self._refuse_v2_owned("update", existing)
        merged = _merge(copy.deepcopy(existing), {"properties": self.properties_in(), **({"tags": self.body["tags"]} if isinstance(self.body, dict) and "tags" in self.body else {})})
        if "lastModified" in existing.get("properties", {}):
            merged["properties"]["lastModified"] = self.now
        self._protect_read_only(existing, merged)
        self.view.put(self.kind.key, self.name, merged, self.route.parent)
        if self.kind.long_running:
            merged["properties"]["provisioningState"] = "InProgress"
            headers = self.face.start_operation(self, f"{self.kind.key}-patch", lambda: merged["properties"].__setitem__("provisioningState", "Succeeded"), lambda: self.current())
            return self.answer(202, merged, headers)
        return self.answer(200, merged)

    def delete(self) -> Response:
        self.require_parent()
        existing = self.current()
        if existing is None:
            return Response.empty(204)
        if not self._deletable_v2(existing):
            self._refuse_v2_owned("delete", existing)
        if self.kind.long_running:
            state = existing.get("properties", {})
            if "resourceState" in state:
                state["resourceState"] = "Deleting"
            name, parent = self.name, self.route.parent
            headers = self.face.start_operation(self, f"{self.kind.key}-delete", lambda: self._remove(name, parent), lambda: None)
            return Response.empty(202, headers)
        self._remove(self.name, self.route.parent)
        return Response.empty(200)

    def action(self) -> Response:
        self.require_parent()
        existing = self.require_current()
        handler = ACTIONS[(self.kind.key, self.route.action)]
        if self.route.action in MUTATING_ACTIONS and self.view.is_projected(self.kind.key, self.name, self.route.parent):
            # Projected bodies are computed afresh on every read; pin this one so the change sticks.
            existing = copy.deepcopy(existing)
            self.view.put(self.kind.key, self.name, existing, self.route.parent)
        return handler(self, existing)

    # ------------------------------------------------------------ rules

    def _check_quota(self) -> None:
        quota = self.kind.quota
        if quota is None:
            return
        count = self.view.count(self.kind.key, self.route.parent)
        if count >= quota:
            scope = f"per {KINDS[self.route.parent[0]].label}" if self.route.parent else "per account"
            raise ArmError(409, "QuotaExceeded", f"The maximum number of {self.kind.label}s ({quota} {scope}) has been reached.")

    def _refuse_v2_owned(self, verb: str, existing: dict | None) -> None:
        if existing is None or self.kind.key in ("assets", "streamingendpoints"):
            return
        if self.route.parent is None and self.view.is_projected(self.kind.key, self.name):
            raise ArmError(
                400,
                "BadRequest",
                f"The {self.kind.label} '{self.name}' was created with the v2 API and cannot be {'deleted' if verb == 'delete' else 'changed'} through v3.",
            )

    def _deletable_v2(self, existing: dict) -> bool:
        # Microsoft documents that v3 can delete a v2 locator (migration-guidance a.1).
        return self.kind.key in ("assets", "streamingendpoints", "streaminglocators") or not self.view.is_projected(self.kind.key, self.name)

    def _protect_read_only(self, existing: dict, merged: dict) -> None:
        for field_name in READ_ONLY.get(self.kind.key, ()):
            if field_name in existing.get("properties", {}):
                merged["properties"][field_name] = existing["properties"][field_name]
            else:
                merged["properties"].pop(field_name, None)

    def _remove(self, name: str, parent: tuple[str, str] | None) -> None:
        resource = self.view.get(self.kind.key, name, parent)
        self.view.delete(self.kind.key, name, parent)
        if self.kind.key == "streaminglocators" and resource is not None:
            _forget_locator(self.account, resource)
        if self.kind.key == "assets":
            for locator in [l for l in self.view.native("streaminglocators") if l["properties"].get("assetName", "").lower() == name.lower()]:
                self.view.delete("streaminglocators", locator["name"])
                _forget_locator(self.account, locator)
        if self.kind.key == "contentkeypolicies":
            self.account.policy_secrets.pop(name.lower(), None)


def _merge(target: dict, patch: dict) -> dict:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value
    return target


READ_ONLY: Mapping[str, tuple[str, ...]] = {
    "assets": ("assetId", "created", "lastModified", "storageEncryptionFormat"),
    "contentkeypolicies": ("policyId", "created", "lastModified"),
    "transforms": ("created", "lastModified"),
    "jobs": ("created", "lastModified", "state", "startTime", "endTime"),
    "liveevents": ("created", "lastModified", "provisioningState", "resourceState"),
    "streamingendpoints": ("created", "lastModified", "provisioningState", "resourceState", "hostName", "freeTrialEndTime"),
}


def _forget_locator(account: V3Account, locator: dict) -> None:
    properties = locator.get("properties", {})
    account.locator_ids.pop(str(properties.get("streamingLocatorId", "")).lower(), None)
    for key in account.key_values.pop(locator["name"].lower(), []):
        account.key_ids.pop(key["id"].lower(), None)


# ---------------------------------------------------------------- resource builders
# Each returns (resource body, finish) where finish is None for synchronous kinds and the
# completion step of the long-running operation otherwise.

Builder = Callable[[Context, "dict | None"], "tuple[dict, Callable[[], None] | None]"]


def _writable(properties: dict, kind: str) -> dict:
    return {k: v for k, v in properties.items() if k not in READ_ONLY.get(kind, ()) and k != "provisioningState"}


def build_asset(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = _writable(ctx.properties_in(), "assets")
    storage = incoming.get("storageAccountName")
    attached = [s.lower() for s in ctx.account.info.storage_accounts]
    if storage and storage.lower() not in attached:
        raise bad_request(f"The storage account '{storage}' is not attached to the Media Services account.")
    if existing is None:
        asset_id = str(uuid.uuid4())
        properties = {
            "assetId": asset_id,
            "created": ctx.now,
            "lastModified": ctx.now,
            "container": f"asset-{asset_id}",
            "storageAccountName": ctx.account.info.storage_accounts[0],
            "storageEncryptionFormat": "None",
            **incoming,
        }
    else:
        kept = {k: existing["properties"][k] for k in READ_ONLY["assets"] if k in existing["properties"]}
        properties = {**kept, "container": existing["properties"].get("container"), "storageAccountName": existing["properties"].get("storageAccountName"), **incoming, "lastModified": ctx.now}
    return ctx.envelope(properties), None


def build_filter(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    return ctx.envelope(ctx.properties_in()), None


def build_content_key_policy(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = _writable(ctx.properties_in(), "contentkeypolicies")
    options = incoming.get("options") or []
    if len(options) > MAX_KEY_POLICY_OPTIONS:
        raise bad_request(f"A content key policy may have at most {MAX_KEY_POLICY_OPTIONS} options.")
    for option in options:
        option["policyOptionId"] = str(uuid.uuid4())
    previous = (existing or {}).get("properties", {})
    properties = {
        "policyId": previous.get("policyId") or str(uuid.uuid4()),
        "created": previous.get("created") or ctx.now,
        "lastModified": ctx.now,
        **incoming,
    }
    ctx.account.policy_secrets[ctx.name.lower()] = copy.deepcopy(properties)
    return ctx.envelope(_blank_secrets(properties)), None


def _blank_secrets(value: Any) -> Any:
    """A plain GET never returns key material: the service answers those fields with ''."""
    if isinstance(value, dict):
        return {k: ("" if k in SECRET_KEY_FIELDS and v is not None else _blank_secrets(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_secrets(v) for v in value]
    return value


def build_streaming_policy(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = ctx.properties_in()
    incoming.pop("created", None)
    default_policy = incoming.get("defaultContentKeyPolicyName")
    if default_policy and ctx.view.get("contentkeypolicies", default_policy) is None:
        raise bad_request(f"The content key policy '{default_policy}' was not found.")
    if not any(scheme in incoming for scheme in SCHEME_KEY_TYPES):
        raise bad_request("A streaming policy needs one of noEncryption, envelopeEncryption, commonEncryptionCenc or commonEncryptionCbcs.")
    return ctx.envelope({"created": ctx.now, **incoming}), None


def policy_schemes(ctx: Context, policy_name: str) -> dict:
    """The encryption blocks of a predefined or stored streaming policy."""
    for name, schemes in PREDEFINED_POLICIES.items():
        if name.lower() == policy_name.lower():
            return schemes
    stored = ctx.view.get("streamingpolicies", policy_name)
    if stored is None:
        return {}
    return {k: v for k, v in stored["properties"].items() if k in SCHEME_KEY_TYPES}


def build_streaming_locator(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = ctx.properties_in()
    for read_only in ("created",):
        incoming.pop(read_only, None)
    asset_name = incoming.get("assetName", "")
    if ctx.view.get("assets", asset_name) is None:
        raise bad_request(f"The asset '{asset_name}' was not found.", "AssetNotFound")
    policy_name = incoming.get("streamingPolicyName", "")
    schemes = policy_schemes(ctx, policy_name)
    if not schemes:
        raise bad_request(f"The streaming policy '{policy_name}' was not found.", "StreamingPolicyNotFound")
    default_policy = incoming.get("defaultContentKeyPolicyName")
    if default_policy and ctx.view.get("contentkeypolicies", default_policy) is None:
        raise bad_request(f"The content key policy '{default_policy}' was not found.")
    _check_filters(ctx, asset_name, incoming.get("filters") or [])
    _check_locators_per_asset(ctx, asset_name)
    locator_id = str(incoming.get("streamingLocatorId") or uuid.uuid4()).lower()
    if locator_id in ctx.account.locator_ids or _v2_holds(ctx, "locator", locator_id):
        raise ArmError(409, "Conflict", f"Streaming locator id '{locator_id}' already exists.")
    keys = _locator_keys(ctx, incoming.get("contentKeys") or [], schemes, default_policy or _policy_default_key_policy(ctx, policy_name))
    ctx.account.locator_ids[locator_id] = ctx.name
    for key in keys:
        ctx.account.key_ids[key["id"].lower()] = ctx.name
    ctx.account.key_values[ctx.name.lower()] = keys
    properties = {
        **incoming,
        "created": ctx.now,
        "endTime": incoming.get("endTime") or LOCATOR_END_OF_TIME,
        "streamingLocatorId": locator_id,
        "contentKeys": [{k: v for k, v in key.items() if k != "value"} for key in keys],
    }
    return ctx.envelope(properties), None


def _v2_holds(ctx: Context, what: str, identifier: str) -> bool:
    projection = ctx.account.projection
    if projection is None:
        return False
    return projection.holds_locator_id(identifier) if what == "locator" else projection.holds_content_key(identifier)


def _check_filters(ctx: Context, asset_name: str, filters: list[str]) -> None:
    for filter_name in filters:
        if ctx.view.get("assetfilters", filter_name, ("assets", asset_name)) is None and ctx.view.get("accountfilters", filter_name) is None:
            raise bad_request(f"The filter '{filter_name}' was not found on the asset or the account.")


def _check_locators_per_asset(ctx: Context, asset_name: str) -> None:
    native = sum(1 for l in ctx.view.native("streaminglocators") if l["properties"].get("assetName", "").lower() == asset_name.lower())
    projected = len(ctx.account.projection.asset_locators(asset_name)) if ctx.account.projection else 0
    if native + projected >= 100:
        raise ArmError(409, "QuotaExceeded", f"The asset '{asset_name}' already has the maximum of 100 streaming locators.")


def _policy_default_key_policy(ctx: Context, policy_name: str) -> str | None:
    stored = ctx.view.get("streamingpolicies", policy_name)
    return stored["properties"].get("defaultContentKeyPolicyName") if stored else None


def _locator_keys(ctx: Context, given: list[dict], schemes: dict, key_policy: str | None) -> list[dict]:
    """The locator's content keys: the ones sent, else one generated key per encryption scheme."""
    encrypted = [(scheme, block) for scheme, block in schemes.items() if SCHEME_KEY_TYPES[scheme][0]]
    keys = []
    if given:
        for key in given:
            key_id = str(key["id"]).lower()
            if key_id in ctx.account.key_ids or _v2_holds(ctx, "key", key_id) or any(k["id"] == key_id for k in keys):
                raise ArmError(409, "Conflict", f"Content key id '{key_id}' already exists.")
            scheme = _scheme_for_label(encrypted, key.get("labelReferenceInStreamingPolicy"))
            keys.append(_key_entry(key_id, scheme, key.get("labelReferenceInStreamingPolicy"), key.get("value"), key_policy))
        return keys
    for scheme, block in encrypted:
        label = ((block.get("contentKeys") or {}).get("defaultKey") or {}).get("label")
        keys.append(_key_entry(str(uuid.uuid4()), scheme, label, None, key_policy))
    return keys


def _scheme_for_label(encrypted: list[tuple[str, dict]], label: str | None) -> str | None:
    for scheme, block in encrypted:
        content_keys = block.get("contentKeys") or {}
        labels = [(content_keys.get("defaultKey") or {}).get("label")] + [m.get("label") for m in content_keys.get("keyToTrackMappings") or []]
        if label is not None and label in labels:
            return scheme
    return encrypted[0][0] if encrypted else None


def _key_entry(key_id: str, scheme: str | None, label: str | None, value: str | None, key_policy: str | None) -> dict:
    entry: dict[str, Any] = {"id": key_id, "type": SCHEME_KEY_TYPES[scheme][0] if scheme else "EnvelopeEncryption"}
    if label is not None:
        entry["labelReferenceInStreamingPolicy"] = label
    entry["value"] = value or base64.b64encode(os.urandom(16)).decode()
    if key_policy:
        entry["policyName"] = key_policy
    entry["tracks"] = []
    return entry


def build_transform(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    previous = (existing or {}).get("properties", {})
    properties = {**_writable(ctx.properties_in(), "transforms"), "created": previous.get("created") or ctx.now, "lastModified": ctx.now}
    return ctx.envelope(properties), None


def build_job(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = _writable(ctx.properties_in(), "jobs")
    for asset_name in _job_asset_names(incoming):
        if ctx.view.get("assets", asset_name) is None:
            raise bad_request(f"The asset '{asset_name}' was not found.", "AssetNotFound")
    outputs = [{**output, "state": "Queued", "progress": 0} for output in incoming.get("outputs") or []]
    properties = {"priority": "Normal", **incoming, "outputs": outputs, "created": ctx.now, "lastModified": ctx.now, "state": "Queued"}
    return ctx.envelope(properties), None


def _job_asset_names(properties: dict) -> list[str]:
    names = []
    inputs = [properties.get("input") or {}]
    while inputs:
        current = inputs.pop()
        if current.get("assetName"):
            names.append(current["assetName"])
        inputs.extend(current.get("inputs") or [])
    names.extend(o["assetName"] for o in properties.get("outputs") or [] if o.get("assetName"))
    return names


def build_live_event(ctx: Context, existing: dict | None) -> tuple[dict, Callable[[], None]]:
    incoming = _writable(ctx.properties_in(), "liveevents")
    auto_start = str(ctx.request.query.get("autoStart", "false")).lower() == "true"
    previous = (existing or {}).get("properties", {})
    properties = {
        **incoming,
        "created": previous.get("created") or ctx.now,
        "lastModified": ctx.now,
        "provisioningState": "InProgress",
        "resourceState": previous.get("resourceState") or ("Starting" if auto_start else "Stopped"),
    }
    resource = ctx.envelope(properties, existing)

    def finish() -> None:
        properties["provisioningState"] = "Succeeded"
        if properties["resourceState"] == "Starting":
            properties["resourceState"] = "Running"

    return resource, finish


def build_live_output(ctx: Context, existing: dict | None) -> tuple[dict, Callable[[], None]]:
    incoming = ctx.properties_in()
    asset_name = incoming.get("assetName", "")
    if ctx.view.get("assets", asset_name) is None:
        raise bad_request(f"The asset '{asset_name}' was not found.", "AssetNotFound")
    for read_only in ("created", "lastModified", "provisioningState", "resourceState"):
        incoming.pop(read_only, None)
    properties = {**incoming, "created": ctx.now, "lastModified": ctx.now, "provisioningState": "InProgress", "resourceState": "Creating"}

    def finish() -> None:
        properties.update(provisioningState="Succeeded", resourceState="Running")

    return ctx.envelope(properties), finish


def build_streaming_endpoint(ctx: Context, existing: dict | None) -> tuple[dict, Callable[[], None]]:
    incoming = _writable(ctx.properties_in(), "streamingendpoints")
    auto_start = str(ctx.request.query.get("autoStart", "false")).lower() == "true"
    previous = (existing or {}).get("properties", {})
    info = ctx.account.info
    properties = {
        **incoming,
        "hostName": previous.get("hostName") or f"{ctx.name}-{info.name}-{info.location}.streaming.media.azure.net".lower(),
        "created": previous.get("created") or ctx.now,
        "lastModified": ctx.now,
        "provisioningState": "InProgress",
        "resourceState": previous.get("resourceState") or ("Starting" if auto_start else "Stopped"),
    }

    def finish() -> None:
        properties["provisioningState"] = "Succeeded"
        if properties["resourceState"] == "Starting":
            properties["resourceState"] = "Running"

    return ctx.envelope(properties, existing), finish


def build_event_subscription(ctx: Context, existing: dict | None) -> tuple[dict, Callable[[], None]]:
    incoming = ctx.properties_in()
    for read_only in ("topic", "provisioningState"):
        incoming.pop(read_only, None)
    properties = {**incoming, "topic": ctx.account.id, "provisioningState": "Creating" if existing is None else "Updating"}
    return ctx.envelope(properties), lambda: properties.__setitem__("provisioningState", "Succeeded")


RESOURCE_BUILDERS: Mapping[str, Builder] = {
    "assets": build_asset,
    "assetfilters": build_filter,
    "accountfilters": build_filter,
    "contentkeypolicies": build_content_key_policy,
    "streamingpolicies": build_streaming_policy,
    "streaminglocators": build_streaming_locator,
    "transforms": build_transform,
    "jobs": build_job,
    "liveevents": build_live_event,
    "liveoutputs": build_live_output,
    "streamingendpoints": build_streaming_endpoint,
    "eventsubscriptions": build_event_subscription,
}


# ---------------------------------------------------------------- actions


def list_container_sas(ctx: Context, asset: dict) -> Response:
    body = ctx.body or {}
    expiry = body.get("expiryTime")
    if expiry and _parse_time(expiry) - utc_now().timestamp() > 24 * 3600:
        raise bad_request("The expiry time must be less than 24 hours from the current time.")
    properties = asset["properties"]
    storage, container = properties.get("storageAccountName"), properties.get("container")
    permissions = {"Read": "rl", "ReadWrite": "racwl", "ReadWriteDelete": "racwdl"}.get(body.get("permissions", "Read"), "rl")
    expiry_text = expiry or iso(utc_now())
    urls = [
        f"https://{storage}.blob.core.windows.net/{container}?sv=2017-04-17&sr=c&sig=sandbox-fake-signature-{index}&se={expiry_text}&sp={permissions}"
        for index in (1, 2)
    ]
    return Response.json(200, {"assetContainerSasUrls": urls})


def _parse_time(text: str) -> float:
    from datetime import datetime

    cleaned = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00").replace("z", "+00:00"))
    try:
        return datetime.fromisoformat(cleaned).timestamp()
    except ValueError:
        raise bad_request(f"The expiry time '{text}' is not a valid date-time.") from None


def get_encryption_key(ctx: Context, asset: dict) -> Response:
    projection = ctx.account.projection
    data = projection.encryption_key(asset["name"]) if projection else None
    if data is None or asset["properties"].get("storageEncryptionFormat") != "MediaStorageClientEncryption":
        raise bad_request(f"The asset '{asset['name']}' is not storage encrypted.")
    return Response.json(200, data)


def list_streaming_locators(ctx: Context, asset: dict) -> Response:
    name = asset["name"].lower()
    native = [l for l in ctx.view.native("streaminglocators") if l["properties"].get("assetName", "").lower() == name]
    projected = [l for l in (ctx.account.projection.asset_locators(asset["name"]) if ctx.account.projection else []) if ctx.view.get("streaminglocators", l["name"]) is not None]
    fields = ("assetName", "created", "startTime", "endTime", "streamingLocatorId", "streamingPolicyName", "defaultContentKeyPolicyName")
    return Response.json(
        200,
        {"streamingLocators": [{"name": l["name"], **{f: l["properties"][f] for f in fields if f in l["properties"]}} for l in projected + native]},
    )


def list_content_keys(ctx: Context, locator: dict) -> Response:
    keys = ctx.account.key_values.get(locator["name"].lower())
    if keys is None and ctx.account.projection is not None:
        keys = ctx.account.projection.content_keys(locator["name"], with_values=True)
    return Response.json(200, {"contentKeys": keys or []})


MANIFEST_SUFFIXES = (".ism", ".ismc")
HLS_FORMATS = ("(format=m3u8-aapl)", "(format=m3u8-cmaf)")
DASH_FORMATS = ("(format=mpd-time-csf)", "(format=mpd-time-cmaf)")


def list_paths(ctx: Context, locator: dict) -> Response:
    properties = locator["properties"]
    asset = ctx.view.get("assets", properties.get("assetName", ""))
    files = ctx.face.asset_files(ctx.account, asset) if asset else AssetFiles(None)
    locator_id = properties["streamingLocatorId"]
    streaming, download = [], []
    for scheme, block in policy_schemes(ctx, properties.get("streamingPolicyName", "")).items():
        protocols = block.get("enabledProtocols") or {}
        encryption = SCHEME_KEY_TYPES[scheme][1]
        for protocol, flag, formats in (("Hls", "hls", HLS_FORMATS), ("Dash", "dash", DASH_FORMATS), ("SmoothStreaming", "smoothStreaming", ("",))):
            if protocols.get(flag):
                paths = [f"/{locator_id}/{files.manifest}.ism/manifest{fmt}" for fmt in formats] if files.manifest else []
                streaming.append({"streamingProtocol": protocol, "encryptionScheme": encryption, "paths": paths})
        if protocols.get("download"):
            download.extend(f"/{locator_id}/{name}" for name in files.files if not name.lower().endswith(MANIFEST_SUFFIXES))
    return Response.json(200, {"streamingPaths": streaming, "downloadPaths": download})


def policy_with_secrets(ctx: Context, policy: dict) -> Response:
    secrets = ctx.account.policy_secrets.get(policy["name"].lower())
    return Response.json(200, secrets if secrets is not None else policy["properties"])


def cancel_job(ctx: Context, job: dict) -> Response:
    properties = job["properties"]
    if properties.get("state") not in ("Finished", "Error", "Canceled"):
        properties["state"] = "Canceled"
        for output in properties.get("outputs") or []:
            output["state"] = "Canceled"
    return Response.empty(200)


def _state_change(transitional: str | None, final: str, *, needs: tuple[str, ...] = ()) -> Callable[[Context, dict], Response]:
    def act(ctx: Context, resource: dict) -> Response:
        properties = resource["properties"]
        if needs and properties.get("resourceState") not in needs:
            raise bad_request(f"The {ctx.kind.label} '{resource['name']}' is {properties.get('resourceState')}; the operation needs {' or '.join(needs)}.")
        if transitional:
            properties["resourceState"] = transitional
        remove_outputs = ctx.route.action == "stop" and ctx.kind.key == "liveevents" and bool((ctx.body or {}).get("removeOutputsOnStop"))

        def finish() -> None:
            properties["resourceState"] = final
            if remove_outputs:
                for output in ctx.view.native("liveoutputs", ("liveevents", resource["name"])):
                    ctx.view.delete("liveoutputs", output["name"], ("liveevents", resource["name"]))

        headers = ctx.face.start_operation(ctx, f"{ctx.kind.key}-{ctx.route.action}", finish, lambda: ctx.view.get(ctx.kind.key, resource["name"]))
        return Response.empty(202, headers)

    return act


def scale_endpoint(ctx: Context, endpoint: dict) -> Response:
    properties = endpoint["properties"]
    previous = properties.get("resourceState")
    properties["resourceState"] = "Scaling"
    units = (ctx.body or {}).get("scaleUnit", properties.get("scaleUnits"))

    def finish() -> None:
        properties.update(scaleUnits=units, resourceState=previous)

    headers = ctx.face.start_operation(ctx, "streamingendpoints-scale", finish, lambda: ctx.view.get("streamingendpoints", endpoint["name"]))
    return Response.empty(202, headers)


def endpoint_skus(ctx: Context, endpoint: dict) -> Response:
    return Response.json(
        200,
        {"value": [{"resourceType": "Microsoft.Media/mediaservices/streamingEndpoints", "sku": {"name": "Premium"}, "capacity": {"default": 1, "minimum": 1, "maximum": 10, "scaleType": "Automatic"}}]},
    )


ACTIONS: Mapping[tuple[str, str], Callable[[Context, dict], Response]] = {
    ("assets", "listcontainersas"): list_container_sas,
    ("assets", "getencryptionkey"): get_encryption_key,
    ("assets", "liststreaminglocators"): list_streaming_locators,
    ("contentkeypolicies", "getpolicypropertieswithsecrets"): policy_with_secrets,
    ("streaminglocators", "listpaths"): list_paths,
    ("streaminglocators", "listcontentkeys"): list_content_keys,
    ("jobs", "canceljob"): cancel_job,
    ("liveevents", "start"): _state_change("Starting", "Running", needs=("Stopped", "StandBy")),
    ("liveevents", "stop"): _state_change("Stopping", "Stopped", needs=("Running", "StandBy")),
    ("liveevents", "allocate"): _state_change("Allocating", "StandBy", needs=("Stopped",)),
    ("liveevents", "reset"): _state_change(None, "Running", needs=("Running",)),
    ("streamingendpoints", "start"): _state_change("Starting", "Running"),
    ("streamingendpoints", "stop"): _state_change("Stopping", "Stopped"),
    ("streamingendpoints", "scale"): scale_endpoint,
    ("streamingendpoints", "skus"): endpoint_skus,
}

