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
    ArmError,
    Family,
    ODataFilter,
    Operation,
    OperationBook,
    OrderBy,
    Page,
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
from migrator.sandbox.v3store import AccountView, V3Store, blank_policy_secrets
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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STREAMING_NAME = NameRule(256, _ALNUM_HYPHEN, STREAMING_NAME)
KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind(
            "assets", "assets", Family.METADATA, "asset",
            actions=_words("listcontainersas getencryptionkey liststreaminglocators"), children=_words("assetfilters"),
        ),
        Kind("assetfilters", "assetFilters", Family.METADATA, "asset filter", parent="assets", quota=100),
        Kind("accountfilters", "accountFilters", Family.METADATA, "account filter", quota=100),
        Kind(
            "contentkeypolicies", "contentKeyPolicies", Family.METADATA, "content key policy",
            actions=_words("getpolicypropertieswithsecrets"),
        ),
        Kind(
            "streamingpolicies", "streamingPolicies", Family.METADATA, "streaming policy",
            quota=100, create_only=True, patchable=False,
        ),
        Kind(
            "streaminglocators", "streamingLocators", Family.METADATA, "streaming locator",
            create_only=True, patchable=False, actions=_words("listpaths listcontentkeys"),
        ),
        Kind("transforms", "transforms", Family.ENCODING, "transform", quota=100, children=_words("jobs")),
        Kind("jobs", "jobs", Family.ENCODING, "job", parent="transforms", create_only=True, actions=_words("canceljob")),
        Kind(
            "liveevents", "liveEvents", Family.STREAMING, "live event", quota=5, long_running=True, tracked=True,
            names=NameRule(32, _ALNUM_HYPHEN, STREAMING_NAME),
            actions=_words("start stop allocate reset"), children=_words("liveoutputs"),
        ),
        Kind(
            "liveoutputs", "liveOutputs", Family.STREAMING, "live output", parent="liveevents", quota=3,
            patchable=False, long_running=True, names=_STREAMING_NAME,
        ),
        Kind(
            "streamingendpoints", "streamingEndpoints", Family.STREAMING, "streaming endpoint", quota=2,
            long_running=True, tracked=True, names=NameRule(24, _ALNUM_HYPHEN, STREAMING_NAME),
            actions=_words("start stop scale"),
        ),
        Kind(
            "eventsubscriptions", "eventSubscriptions", Family.EVENT_GRID, "event subscription", long_running=True,
            names=NameRule(64, _EVENT_SUBSCRIPTION_NAME, "3 to 64 letters, digits or hyphens"),
        ),
    )
}
# Account-level collections of async operation status, by the kind whose operations they hold.
OPERATION_SEGMENTS = {
    "liveevents": "liveEventOperations",
    "liveoutputs": "liveOutputOperations",
    "streamingendpoints": "streamingEndpointOperations",
}
OPERATION_COLLECTIONS = {segment.lower(): kind for kind, segment in OPERATION_SEGMENTS.items()}
MUTATING_ACTIONS = _words("start stop allocate reset scale canceljob")


def _protocols(*enabled: str) -> dict[str, dict[str, bool]]:
    return {"enabledProtocols": {name: name in enabled for name in ("download", "dash", "hls", "smoothStreaming")}}


PREDEFINED_POLICIES: Mapping[str, dict] = {
    "Predefined_DownloadOnly": {"noEncryption": _protocols("download")},
    "Predefined_ClearStreamingOnly": {"noEncryption": _protocols("dash", "hls", "smoothStreaming")},
    "Predefined_DownloadAndClearStreaming": {"noEncryption": _protocols("download", "dash", "hls", "smoothStreaming")},
    "Predefined_ClearKey": {"envelopeEncryption": _protocols("dash", "hls", "smoothStreaming")},
    "Predefined_MultiDrmCencStreaming": {"commonEncryptionCenc": _protocols("dash", "smoothStreaming")},
    "Predefined_MultiDrmStreaming": {
        "commonEncryptionCenc": _protocols("dash", "smoothStreaming"),
        "commonEncryptionCbcs": _protocols("hls"),
    },
}
SCHEME_KEY_TYPES = {
    "envelopeEncryption": ("EnvelopeEncryption", "EnvelopeEncryption"),
    "commonEncryptionCenc": ("CommonEncryptionCenc", "CommonEncryptionCenc"),
    "commonEncryptionCbcs": ("CommonEncryptionCbcs", "CommonEncryptionCbcs"),
    "noEncryption": (None, "NoEncryption"),
}
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
        group = f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
        return f"{group}/providers/Microsoft.Media/mediaservices/{self.name}"


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
        self.updates: dict[str, Any] = {}  # account PATCHes: top-level "tags" and "properties" fields

    @property
    def id(self) -> str:
        return self.info.id

    def body(self) -> dict:
        storage = [
            {
                "id": f"{self.info.id.split('/providers/')[0]}/providers/Microsoft.Storage/storageAccounts/{name}",
                "type": "Primary" if index == 0 else "Secondary",
            }
            for index, name in enumerate(self.info.storage_accounts)
        ]
        properties = {
            "mediaServiceId": self.media_service_id,
            "storageAccounts": storage,
            "storageAuthentication": "System",
            "encryption": {"type": "SystemKey"},
            "keyDelivery": {"accessControl": {"defaultAction": "Allow", "ipAllowList": []}},
            "publicNetworkAccess": "Enabled",
            "provisioningState": "Succeeded",
            "privateEndpointConnections": [],
            "minimumTlsVersion": "Tls12",
            **self.updates.get("properties", {}),
        }
        body = {"id": self.id, "name": self.info.name, "type": ACCOUNT_TYPE, "location": self.info.location}
        return {**body, "tags": self.updates.get("tags", {}), "properties": properties}

    def update(self, patch: dict) -> None:
        """Applies a PATCH: only the fields an account update may change."""
        properties = {k: v for k, v in (patch.get("properties") or {}).items() if k in ACCOUNT_UPDATABLE}
        self.updates.setdefault("properties", {}).update(copy.deepcopy(properties))
        if "tags" in patch:
            self.updates["tags"] = dict(patch["tags"] or {})


# MediaServiceUpdate properties the sandbox keeps (storage, identity and encryption changes are
# accepted by validation but not emulated: docs/sandbox.md).
ACCOUNT_UPDATABLE = frozenset({"keyDelivery", "publicNetworkAccess", "minimumTlsVersion"})


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


def _starts(parts: list[str], *literals: str | None, exact: bool = False) -> bool:
    """``parts`` begins with these segments (None matches any); ``exact``: and has no more."""
    if len(parts) < len(literals) or (exact and len(parts) != len(literals)):
        return False
    return all(literal is None or _eq(part, literal) for part, literal in zip(parts, literals))


def _unknown_type(segment: str) -> ArmError:
    message = f"The resource type '{segment}' could not be found in the namespace 'Microsoft.Media'."
    return ArmError(400, "InvalidResourceType", message)


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
        token = token.strip()
        if not header:
            raise ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common"'},
            )
        wrong = self.settings.token is not None and token != self.settings.token
        if scheme.lower() != "bearer" or not token or wrong:
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge)

    @staticmethod
    def _subscription_of(path: str) -> str:
        parts = [p for p in path.split("/") if p]
        return parts[1] if _starts(parts, "subscriptions", None) else "-"

    def _route(self, path: str) -> Route:
        parts = [p for p in path.split("/") if p]
        if _starts(parts, "providers", "Microsoft.Media", "operations", exact=True):
            return Route("operations", Family.ACCOUNTS, "-")
        if not _starts(parts, "subscriptions", None):
            raise ArmError(404, "NotFound", f"No route matches '{path}'.")
        subscription, rest = parts[1], parts[2:]
        if not any(_eq(a.info.subscription_id, subscription) for a in self.accounts):
            raise ArmError(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be found.")
        if _starts(rest, "providers", "Microsoft.Media", "mediaservices", exact=True):
            return Route("accounts", Family.ACCOUNTS, subscription)
        if _starts(rest, "providers", "Microsoft.EventGrid", "locations", None, None, None, exact=True):
            target = {"operationsstatus": "status", "operationresults": "location"}.get(rest[4].lower())
            if target:
                return Route(target, Family.EVENT_GRID, subscription, operation_id=rest[5])
        if _starts(rest, "providers", "Microsoft.Media", "locations", None, None, None, exact=True):
            target = {"mediaservicesoperationstatuses": "status", "mediaservicesoperationresults": "location"}.get(rest[4].lower())
            if target:
                return Route(target, Family.ACCOUNTS, subscription, operation_id=rest[5])
        if _starts(rest, "resourceGroups", None, "providers", "Microsoft.Media", "mediaservices"):
            group = rest[1]
            if not any(_eq(a.info.resource_group, group) for a in self.accounts):
                raise ArmError(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")
            if len(rest) == 5:
                return Route("accounts", Family.ACCOUNTS, subscription, resource_group=group)
            return self._account_route(self._account(subscription, group, rest[5]), rest[6:])
        raise ArmError(404, "NotFound", f"No route matches '{path}'.")

    def _account(self, subscription: str, group: str, name: str) -> V3Account:
        for account in self.accounts:
            info = account.info
            if _eq(info.subscription_id, subscription) and _eq(info.resource_group, group) and _eq(info.name, name):
                return account
        message = f"The Resource '{ACCOUNT_TYPE}/{name}' under resource group '{group}' was not found."
        raise ArmError(404, "ResourceNotFound", message)

    def _account_route(self, account: V3Account, rest: list[str]) -> Route:
        sub = account.info.subscription_id
        if not rest:
            return Route("account", Family.ACCOUNTS, sub, account)
        if _starts(rest, "providers", "Microsoft.EventGrid", "eventSubscriptions") and len(rest) <= 4:
            kind = KINDS["eventsubscriptions"]
            if len(rest) == 4:
                return Route("item", kind.family, sub, account, kind, rest[3])
            return Route("collection", kind.family, sub, account, kind)
        head = rest[0].lower()
        if head in OPERATION_COLLECTIONS and len(rest) == 2:
            return Route("status", KINDS[OPERATION_COLLECTIONS[head]].family, sub, account, operation_id=rest[1])
        kind = KINDS.get(head)
        if kind is None or kind.parent is not None or kind.key == "eventsubscriptions":
            raise _unknown_type(rest[0])
        return self._resource_route(account, kind, rest[1:], None)

    def _resource_route(self, account: V3Account, kind: Kind, rest: list[str], parent: tuple[str, str] | None) -> Route:
        sub = account.info.subscription_id
        if not rest:
            return Route("collection", kind.family, sub, account, kind, parent=parent)
        name = rest[0]
        if len(rest) == 1:
            return Route("item", kind.family, sub, account, kind, name, parent)
        second = rest[1].lower()
        is_skus = second == "skus" and kind.key == "streamingendpoints"
        if len(rest) == 2 and (second in kind.actions or is_skus):
            return Route("action", kind.family, sub, account, kind, name, parent, action=second)
        if len(rest) == 3 and second == "operationlocations" and kind.long_running:
            return Route("location", kind.family, sub, account, kind, name, parent, operation_id=rest[2])
        if second in kind.children:
            return self._resource_route(account, KINDS[second], rest[2:], (kind.key, name))
        raise _unknown_type("/".join(rest[1:]))

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
            if method == "PATCH":
                return self._update_account(route, request, api_version)
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
        in_group = lambda a: route.resource_group is None or _eq(a.info.resource_group, route.resource_group)
        return [a.body() for a in self.accounts if _eq(a.info.subscription_id, route.subscription) and in_group(a)]

    @staticmethod
    def _body(request: Request) -> Any:
        try:
            return request.json()
        except (ValueError, UnicodeDecodeError):
            message = "The request content was invalid and could not be deserialized."
            raise ArmError(400, "InvalidRequestContent", message) from None

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
            location = f"{request.base_url}{request.raw_path}?api-version={api_version}"
            return Response.empty(202, {"Location": location, "Retry-After": str(self.settings.retry_after)})
        result = operation.result()
        return Response.json(200, result) if result is not None else Response.empty(204)

    def start_operation(
        self, context: "Context", name: str, finish: Callable[[], None], result: Callable[[], dict | None]
    ) -> dict[str, str]:
        """Registers an operation and returns the headers that announce it."""
        operation = self.operations.start(name, finish, result)
        return self._operation_headers(context, operation)

    def _update_account(self, route: Route, request: Request, api_version: str) -> Response:
        """Mediaservices_Update: 202 and a long-running operation (Accounts.json)."""
        body = self._body(request)
        self._validate("PATCH", request.path, body)
        account = route.account
        account.update(body or {})
        account.updates["properties"]["provisioningState"] = "InProgress"
        settle = lambda: account.updates["properties"].__setitem__("provisioningState", "Succeeded")
        operation = self.operations.start("account-patch", settle, account.body)
        info = account.info
        prefix = f"{request.base_url}/subscriptions/{info.subscription_id}/providers/Microsoft.Media/locations/{info.location}"
        status = f"{prefix}/mediaServicesOperationStatuses/{operation.id}?api-version={api_version}"
        location = f"{prefix}/mediaServicesOperationResults/{operation.id}?api-version={api_version}"
        return Response.json(202, account.body(), lro_headers(status, location, self.settings.retry_after))

    def _operation_headers(self, context: "Context", operation: Operation) -> dict[str, str]:
        base = context.request.base_url
        version = context.api_version
        kind = context.kind
        account = context.account
        if kind.key == "eventsubscriptions":
            info = account.info
            prefix = f"{base}/subscriptions/{info.subscription_id}/providers/Microsoft.EventGrid/locations/{info.location}"
            status, location = f"{prefix}/operationsStatus/{operation.id}", f"{prefix}/operationResults/{operation.id}"
        else:
            collection = OPERATION_SEGMENTS[kind.key]
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
    {
        "name": f"Microsoft.Media/mediaservices/{kind.segment}/{verb}",
        "display": {"provider": "Microsoft Media Services", "resource": kind.label, "operation": verb},
    }
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
            message = f"Can not perform requested operation on nested resource. Parent resource '{parent_name}' not found."
            raise ArmError(404, "ParentResourceNotFound", message)

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
        query = self.request.query
        row_filter, order = _query_options(self.kind, query)
        offset = skiptoken_offset(query)
        size = self.face.settings.page_size
        if query.get("$top", "").isdigit():
            size = max(1, min(size, int(query["$top"])))
        if order is not None:
            page = self._sorted_page(row_filter, order, offset, size)
        elif row_filter is not None:
            page = self._filtered_page(row_filter, offset, size)
        else:
            page = self.view.page(self.kind.key, offset, size, self.route.parent)
        kept = {k: query[k] for k in ("$top", "$filter", "$orderby") if k in query}
        link = lambda next_offset: page_link(self.request.base_url, self.request.path, self.api_version, next_offset, kept)
        return Response.json(200, list_body(page, link))

    def _filtered_page(self, row_filter: ODataFilter, offset: int, size: int) -> Page:
        """Matches from raw position ``offset`` on; scans at most FILTER_SCAN_BUDGET resources
        per answer, so a page may come back short (or empty) with a next link."""
        matches: list[dict] = []
        position: int | None = offset
        while position is not None and len(matches) < size and position - offset < FILTER_SCAN_BUDGET:
            page = self.view.page(self.kind.key, position, size - len(matches), self.route.parent)
            matches.extend(item for item in page.items if row_filter.matches(item))
            position = page.next_offset
        return Page(matches, position)

    def _sorted_page(self, row_filter: ODataFilter | None, order: OrderBy, offset: int, size: int) -> Page:
        total = self.view.count(self.kind.key, self.route.parent)
        if total > SORT_LIMIT:
            message = f"The sandbox sorts at most {SORT_LIMIT} resources; this collection has {total}."
            raise bad_request(message, "NotSupportedBySandbox")
        everything: list[dict] = []
        position: int | None = 0
        while position is not None:
            page = self.view.page(self.kind.key, position, SORT_LIMIT, self.route.parent)
            everything.extend(page.items)
            position = page.next_offset
        chosen = sorted(
            (item for item in everything if row_filter is None or row_filter.matches(item)),
            key=order.key,
            reverse=order.descending,
        )
        return Page(chosen[offset : offset + size], offset + size if offset + size < len(chosen) else None)

    def get(self) -> Response:
        self.require_parent()
        return Response.json(200, self.require_current())

    def put(self) -> Response:
        self.require_parent()
        problem = self.kind.names.problem(self.name)
        if problem:
            raise bad_request(f"The {self.kind.label} name '{self.name}' is invalid: {problem}.", "InvalidResourceName")
        existing = self.current()
        self._refuse_v2_owned("changed", existing)
        if existing is None:
            self._check_quota()
        elif self.kind.create_only:
            label = self.kind.label
            raise ArmError(409, "Conflict", f"A {label} named '{self.name}' already exists; {label}s cannot be updated.")
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
        self._refuse_v2_owned("changed", existing)
        patch: dict[str, Any] = {"properties": self.properties_in()}
        if isinstance(self.body, dict) and "tags" in self.body:
            patch["tags"] = self.body["tags"]
        merged = _merge(copy.deepcopy(existing), patch)
        if "lastModified" in existing.get("properties", {}):
            merged["properties"]["lastModified"] = self.now
        self._protect_read_only(existing, merged)
        self.view.put(self.kind.key, self.name, merged, self.route.parent)
        if self.kind.long_running:
            merged["properties"]["provisioningState"] = "InProgress"
            succeed = lambda: merged["properties"].__setitem__("provisioningState", "Succeeded")
            headers = self.face.start_operation(self, f"{self.kind.key}-patch", succeed, self.current)
            return self.answer(202, merged, headers)
        return self.answer(200, merged)

    def delete(self) -> Response:
        self.require_parent()
        existing = self.current()
        if existing is None:
            return Response.empty(204)
        if not self._deletable_v2(existing):
            self._refuse_v2_owned("deleted", existing)
        if self.kind.long_running:
            state = existing.get("properties", {})
            if "resourceState" in state:
                state["resourceState"] = "Deleting"
            name, parent = self.name, self.route.parent
            remove = lambda: self._remove(name, parent)
            headers = self.face.start_operation(self, f"{self.kind.key}-delete", remove, lambda: None)
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
        if self.kind.key == "streamingendpoints" or _v2_counts(self.account):
            count = self.view.count(self.kind.key, self.route.parent)
        else:
            count = len(self.view.native(self.kind.key, self.route.parent))
        if count >= quota:
            scope = f"per {KINDS[self.route.parent[0]].label}" if self.route.parent else "per account"
            message = f"The maximum number of {self.kind.label}s ({quota} {scope}) has been reached."
            raise ArmError(409, "QuotaExceeded", message)

    def _refuse_v2_owned(self, verb: str, existing: dict | None) -> None:
        if existing is None or self.kind.key in ("assets", "streamingendpoints"):
            return
        if self.route.parent is None and self.view.is_projected(self.kind.key, self.name):
            raise ArmError(
                400,
                "BadRequest",
                f"The {self.kind.label} '{self.name}' was created with the v2 API and cannot be {verb} through v3.",
            )

    def _deletable_v2(self, existing: dict) -> bool:
        # Microsoft documents that v3 can delete a v2 locator (migration-guidance a.1).
        always = self.kind.key in ("assets", "streamingendpoints", "streaminglocators")
        return always or not self.view.is_projected(self.kind.key, self.name)

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
            for locator in _native_locators_of(self.view, name):
                self.view.delete("streaminglocators", locator["name"])
                _forget_locator(self.account, locator)
        if self.kind.key == "contentkeypolicies":
            self.account.policy_secrets.pop(name.lower(), None)


def _native_locators_of(view: AccountView, asset_name: str) -> list[dict]:
    wanted = asset_name.lower()
    return [l for l in view.native("streaminglocators") if l["properties"].get("assetName", "").lower() == wanted]


# What each list documents for $filter and $orderby (v3-api.md §5, DOC-ODATA).
_ALL_OPS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_RANGE_OPS = frozenset({"gt", "ge", "lt", "le"})
FILTERABLE: Mapping[str, Mapping[str, frozenset[str]]] = {
    "assets": {
        "name": frozenset({"eq", "gt", "lt", "ge", "le"}),
        "properties/alternateId": frozenset({"eq"}),
        "properties/assetId": frozenset({"eq"}),
        "properties/created": frozenset({"eq", "gt", "lt"}),
    },
    "contentkeypolicies": {
        "name": _ALL_OPS,
        "properties/created": _ALL_OPS,
        "properties/lastModified": _ALL_OPS,
        "properties/description": _ALL_OPS,
        "properties/policyId": frozenset({"eq", "ne"}),
    },
    "streaminglocators": {"name": _ALL_OPS, "properties/created": _ALL_OPS, "properties/endTime": _ALL_OPS},
    "streamingpolicies": {"name": _ALL_OPS, "properties/created": _ALL_OPS},
    "jobs": {
        "name": frozenset({"eq"}),
        "properties/state": frozenset({"eq", "ne"}),
        "properties/created": _RANGE_OPS,
        "properties/lastModified": _RANGE_OPS,
    },
    "transforms": {"name": frozenset({"eq"}), "properties/created": _RANGE_OPS, "properties/lastModified": _RANGE_OPS},
}
ORDERABLE: Mapping[str, frozenset[str]] = {
    "assets": frozenset({"name", "properties/created"}),
    "contentkeypolicies": frozenset({"name", "properties/created", "properties/lastModified"}),
    "streaminglocators": frozenset({"name", "properties/created", "properties/endTime"}),
    "streamingpolicies": frozenset({"name", "properties/created"}),
    "jobs": frozenset({"name", "properties/created", "properties/lastModified"}),
    "transforms": frozenset({"name", "properties/created", "properties/lastModified"}),
}
FILTER_SCAN_BUDGET = 10_000
SORT_LIMIT = 10_000


def _query_options(kind: Kind, query: Mapping[str, str]) -> tuple[ODataFilter | None, OrderBy | None]:
    row_filter = ODataFilter.parse(query["$filter"]) if query.get("$filter") else None
    order = OrderBy.parse(query["$orderby"]) if query.get("$orderby") else None
    allowed = FILTERABLE.get(kind.key, {})
    for comparison in row_filter.comparisons() if row_filter else ():
        if comparison.op not in allowed.get(comparison.path, ()):
            message = f"Filtering {kind.label}s by '{comparison.path} {comparison.op}' is not supported."
            raise bad_request(message, "InvalidFilter")
    if order is not None and order.path not in ORDERABLE.get(kind.key, ()):
        raise bad_request(f"Ordering {kind.label}s by '{order.path}' is not supported.", "InvalidOrderBy")
    return row_filter, order


def _v2_counts(account: V3Account) -> bool:
    return account.projection is not None and account.projection.assumptions.v2_counts_toward_quotas


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
        placement = {k: existing["properties"].get(k) for k in ("container", "storageAccountName")}
        properties = {**kept, **placement, **incoming, "lastModified": ctx.now}
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
    return ctx.envelope(blank_policy_secrets(properties)), None


def build_streaming_policy(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = ctx.properties_in()
    incoming.pop("created", None)
    default_policy = incoming.get("defaultContentKeyPolicyName")
    if default_policy and ctx.view.get("contentkeypolicies", default_policy) is None:
        raise bad_request(f"The content key policy '{default_policy}' was not found.")
    if not any(scheme in incoming for scheme in SCHEME_KEY_TYPES):
        raise bad_request(f"A streaming policy needs one of {', '.join(SCHEME_KEY_TYPES)}.")
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
    key_policy = default_policy or _policy_default_key_policy(ctx, policy_name)
    keys = _locator_keys(ctx, incoming.get("contentKeys") or [], schemes, key_policy)
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
        on_asset = ctx.view.get("assetfilters", filter_name, ("assets", asset_name))
        if on_asset is None and ctx.view.get("accountfilters", filter_name) is None:
            raise bad_request(f"The filter '{filter_name}' was not found on the asset or the account.")


def _check_locators_per_asset(ctx: Context, asset_name: str) -> None:
    native = len(_native_locators_of(ctx.view, asset_name))
    projected = len(ctx.account.projection.asset_locators(asset_name)) if _v2_counts(ctx.account) else 0
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
        mappings = content_keys.get("keyToTrackMappings") or []
        labels = [(content_keys.get("defaultKey") or {}).get("label"), *(m.get("label") for m in mappings)]
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
    properties = {
        **_writable(ctx.properties_in(), "transforms"),
        "created": previous.get("created") or ctx.now,
        "lastModified": ctx.now,
    }
    return ctx.envelope(properties), None


def build_job(ctx: Context, existing: dict | None) -> tuple[dict, None]:
    incoming = _writable(ctx.properties_in(), "jobs")
    for asset_name in _job_asset_names(incoming):
        if ctx.view.get("assets", asset_name) is None:
            raise bad_request(f"The asset '{asset_name}' was not found.", "AssetNotFound")
    outputs = [{**output, "state": "Queued", "progress": 0} for output in incoming.get("outputs") or []]
    stamps = {"created": ctx.now, "lastModified": ctx.now, "state": "Queued"}
    properties = {"priority": "Normal", **incoming, "outputs": outputs, **stamps}
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
    stamps = {"created": ctx.now, "lastModified": ctx.now, "provisioningState": "InProgress", "resourceState": "Creating"}
    properties = {**incoming, **stamps}

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

Action = Callable[[Context, dict], Response]


SAS_PERMISSIONS = {"Read": "rl", "ReadWrite": "racwl", "ReadWriteDelete": "racwdl"}


def list_container_sas(ctx: Context, asset: dict) -> Response:
    body = ctx.body or {}
    expiry = body.get("expiryTime")
    if expiry and _parse_time(expiry) - utc_now().timestamp() > 24 * 3600:
        raise bad_request("The expiry time must be less than 24 hours from the current time.")
    properties = asset["properties"]
    storage, container = properties.get("storageAccountName"), properties.get("container")
    permissions = SAS_PERMISSIONS.get(body.get("permissions", "Read"), "rl")
    expiry_text = expiry or iso(utc_now())
    urls = [
        f"https://{storage}.blob.core.windows.net/{container}"
        f"?sv=2017-04-17&sr=c&sig=sandbox-fake-signature-{index}&se={expiry_text}&sp={permissions}"
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


LOCATOR_SUMMARY = (
    "assetName",
    "created",
    "startTime",
    "endTime",
    "streamingLocatorId",
    "streamingPolicyName",
    "defaultContentKeyPolicyName",
)


def _picked(properties: dict, fields: tuple[str, ...]) -> dict:
    return {f: properties[f] for f in fields if f in properties}


def list_streaming_locators(ctx: Context, asset: dict) -> Response:
    native = _native_locators_of(ctx.view, asset["name"])
    v2_locators = ctx.account.projection.asset_locators(asset["name"]) if ctx.account.projection else []
    projected = [l for l in v2_locators if ctx.view.get("streaminglocators", l["name"]) is not None]
    summaries = [{"name": l["name"], **_picked(l["properties"], LOCATOR_SUMMARY)} for l in projected + native]
    return Response.json(200, {"streamingLocators": summaries})


def list_content_keys(ctx: Context, locator: dict) -> Response:
    keys = ctx.account.key_values.get(locator["name"].lower())
    if keys is None and ctx.account.projection is not None:
        keys = ctx.account.projection.content_keys(locator["name"], with_values=True)
    return Response.json(200, {"contentKeys": keys or []})


MANIFEST_SUFFIXES = (".ism", ".ismc")
STREAMING_FORMATS = (
    ("Hls", "hls", ("(format=m3u8-aapl)", "(format=m3u8-cmaf)")),
    ("Dash", "dash", ("(format=mpd-time-csf)", "(format=mpd-time-cmaf)")),
    ("SmoothStreaming", "smoothStreaming", ("",)),
)


def list_paths(ctx: Context, locator: dict) -> Response:
    properties = locator["properties"]
    asset = ctx.view.get("assets", properties.get("assetName", ""))
    files = ctx.face.asset_files(ctx.account, asset) if asset else AssetFiles(None)
    locator_id = properties["streamingLocatorId"]
    streaming, download = [], []
    for scheme, protocols in served_protocols(ctx, locator).items():
        encryption = SCHEME_KEY_TYPES[scheme][1]
        for protocol, flag, formats in STREAMING_FORMATS:
            if protocols.get(flag):
                paths = [f"/{locator_id}/{files.manifest}.ism/manifest{fmt}" for fmt in formats] if files.manifest else []
                streaming.append({"streamingProtocol": protocol, "encryptionScheme": encryption, "paths": paths})
        if protocols.get("download"):
            download.extend(f"/{locator_id}/{name}" for name in files.files if not name.lower().endswith(MANIFEST_SUFFIXES))
    return Response.json(200, {"streamingPaths": streaming, "downloadPaths": download})


def served_protocols(ctx: Context, locator: dict) -> dict[str, dict]:
    """Encryption scheme -> enabled protocols the locator streams, across every policy it serves."""
    projection = ctx.account.projection
    served = projection.served_policies(locator["name"]) if projection else None
    names = served or [locator["properties"].get("streamingPolicyName", "")]
    merged: dict[str, dict] = {}
    for name in names:
        for scheme, block in policy_schemes(ctx, name).items():
            enabled = merged.setdefault(scheme, {})
            for flag, on in (block.get("enabledProtocols") or {}).items():
                enabled[flag] = enabled.get(flag, False) or bool(on)
    return merged


def policy_with_secrets(ctx: Context, policy: dict) -> Response:
    secrets = ctx.account.policy_secrets.get(policy["name"].lower())
    if secrets is None:
        # Only projected policies were not PUT here; v3 cannot change them, so the v2 data holds them.
        secrets = ctx.account.projection.policy_properties_with_secrets(policy["name"])
    return Response.json(200, secrets)


def cancel_job(ctx: Context, job: dict) -> Response:
    properties = job["properties"]
    if properties.get("state") not in ("Finished", "Error", "Canceled"):
        properties["state"] = "Canceled"
        for output in properties.get("outputs") or []:
            output["state"] = "Canceled"
    return Response.empty(200)


def _state_change(transitional: str | None, final: str, *, needs: tuple[str, ...] = ()) -> Action:
    def act(ctx: Context, resource: dict) -> Response:
        properties = resource["properties"]
        if needs and properties.get("resourceState") not in needs:
            state = properties.get("resourceState")
            needed = " or ".join(needs)
            raise bad_request(f"The {ctx.kind.label} '{resource['name']}' is {state}; the operation needs {needed}.")
        if transitional:
            properties["resourceState"] = transitional
        stopping_event = ctx.route.action == "stop" and ctx.kind.key == "liveevents"
        remove_outputs = stopping_event and bool((ctx.body or {}).get("removeOutputsOnStop"))

        def finish() -> None:
            properties["resourceState"] = final
            if remove_outputs:
                for output in ctx.view.native("liveoutputs", ("liveevents", resource["name"])):
                    ctx.view.delete("liveoutputs", output["name"], ("liveevents", resource["name"]))

        result = lambda: ctx.view.get(ctx.kind.key, resource["name"])
        headers = ctx.face.start_operation(ctx, f"{ctx.kind.key}-{ctx.route.action}", finish, result)
        return Response.empty(202, headers)

    return act


def scale_endpoint(ctx: Context, endpoint: dict) -> Response:
    properties = endpoint["properties"]
    previous = properties.get("resourceState")
    properties["resourceState"] = "Scaling"
    units = (ctx.body or {}).get("scaleUnit", properties.get("scaleUnits"))

    def finish() -> None:
        properties.update(scaleUnits=units, resourceState=previous)

    result = lambda: ctx.view.get("streamingendpoints", endpoint["name"])
    headers = ctx.face.start_operation(ctx, "streamingendpoints-scale", finish, result)
    return Response.empty(202, headers)


def endpoint_skus(ctx: Context, endpoint: dict) -> Response:
    return Response.json(
        200,
        {
            "value": [
                {
                    "resourceType": "Microsoft.Media/mediaservices/streamingEndpoints",
                    "sku": {"name": "Premium"},
                    "capacity": {"default": 1, "minimum": 1, "maximum": 10, "scaleType": "Automatic"},
                }
            ]
        },
    )


ACTIONS: Mapping[tuple[str, str], Action] = {
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

