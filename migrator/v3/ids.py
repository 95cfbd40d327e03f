"""ARM addressing for Microsoft.Media: the one place resource ids are built, parsed and escaped.

A resource id is kept in ARM's own raw form (the ``id`` field of a response, names unescaped);
``arm_path`` turns it into a URL path by percent-escaping each segment, so a name holding a space
or ``#`` can never change the meaning of the URL. The api-version of a request follows from the
path: each resource family of the provider is versioned separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote

from migrator.exceptions import ConfigError, InvalidNameError

# Latest stable api-version of each spec folder (reference v3-api.md section 1).
ACCOUNTS_API_VERSION = "2023-01-01"
METADATA_API_VERSION = "2023-01-01"
ENCODING_API_VERSION = "2022-07-01"
STREAMING_API_VERSION = "2022-11-01"
# Event Grid is not in the reference; 2022-06-15 is its current stable GA version and the
# one migrator/openapi/eventgrid.py validates against.
EVENT_GRID_API_VERSION = "2022-06-15"

_MEDIA_PROVIDER = "Microsoft.Media"
_EVENT_GRID_PROVIDER = "Microsoft.EventGrid"


class ApiFamily(Enum):
    """A spec folder of the provider; ``media_services_spelling`` is how its paths write the account type."""

    ACCOUNTS = (ACCOUNTS_API_VERSION, "mediaservices")
    METADATA = (METADATA_API_VERSION, "mediaServices")
    ENCODING = (ENCODING_API_VERSION, "mediaServices")
    STREAMING = (STREAMING_API_VERSION, "mediaservices")
    EVENT_GRID = (EVENT_GRID_API_VERSION, "mediaServices")

    @property
    def api_version(self) -> str:
        return self.value[0]

    @property
    def media_services_spelling(self) -> str:
        return self.value[1]


# First collection segment below the account -> family. Operation-status collections of the
# streaming family are included because LRO and status paths start with them.
_FAMILY_BY_COLLECTION = {
    "assets": ApiFamily.METADATA,
    "accountfilters": ApiFamily.METADATA,
    "contentkeypolicies": ApiFamily.METADATA,
    "streamingpolicies": ApiFamily.METADATA,
    "streaminglocators": ApiFamily.METADATA,
    "transforms": ApiFamily.ENCODING,
    "liveevents": ApiFamily.STREAMING,
    "liveeventoperations": ApiFamily.STREAMING,
    "liveoutputoperations": ApiFamily.STREAMING,
    "streamingendpoints": ApiFamily.STREAMING,
    "streamingendpointoperations": ApiFamily.STREAMING,
}


class ResourceType(Enum):
    """The ARM types a migration reads or writes (values as plans record them)."""

    ACCOUNT = "Microsoft.Media/mediaServices"
    ASSET = "Microsoft.Media/mediaServices/assets"
    ASSET_FILTER = "Microsoft.Media/mediaServices/assets/assetFilters"
    ACCOUNT_FILTER = "Microsoft.Media/mediaServices/accountFilters"
    CONTENT_KEY_POLICY = "Microsoft.Media/mediaServices/contentKeyPolicies"
    STREAMING_POLICY = "Microsoft.Media/mediaServices/streamingPolicies"
    STREAMING_LOCATOR = "Microsoft.Media/mediaServices/streamingLocators"
    TRANSFORM = "Microsoft.Media/mediaServices/transforms"
    JOB = "Microsoft.Media/mediaServices/transforms/jobs"
    LIVE_EVENT = "Microsoft.Media/mediaServices/liveEvents"
    LIVE_OUTPUT = "Microsoft.Media/mediaServices/liveEvents/liveOutputs"
    STREAMING_ENDPOINT = "Microsoft.Media/mediaServices/streamingEndpoints"
    EVENT_SUBSCRIPTION = "Microsoft.EventGrid/eventSubscriptions"

    @classmethod
    def _missing_(cls, value: object) -> "ResourceType | None":
        # ARM types are case-insensitive; answers spell "Microsoft.Media/mediaservices/...".
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.lower():
                    return member
        return None

    @property
    def collections(self) -> tuple[str, ...]:
        """Collection segments below the account scope, outermost first."""
        if self is ResourceType.EVENT_SUBSCRIPTION:
            return ("eventSubscriptions",)
        return tuple(self.value.split("/")[2:])

    @property
    def family(self) -> ApiFamily:
        if self is ResourceType.EVENT_SUBSCRIPTION:
            return ApiFamily.EVENT_GRID
        if self is ResourceType.ACCOUNT:
            return ApiFamily.ACCOUNTS
        return _FAMILY_BY_COLLECTION[self.collections[0].lower()]

    @property
    def api_version(self) -> str:
        return self.family.api_version

    @property
    def depth(self) -> int:
        """How many names address one resource below the account (asset filter: 2)."""
        return len(self.collections)


_TYPE_BY_COLLECTIONS = {
    tuple(c.lower() for c in t.collections): t
    for t in ResourceType
    if t not in (ResourceType.ACCOUNT, ResourceType.EVENT_SUBSCRIPTION)
}


@dataclass(frozen=True)
class AccountRef:
    """Where the Media Services account lives in ARM."""

    subscription_id: str
    resource_group: str
    account_name: str

    def __post_init__(self) -> None:
        for label, value in (
            ("subscription id", self.subscription_id),
            ("resource group", self.resource_group),
            ("account name", self.account_name),
        ):
            _require_segment(label, value)

    def id(self, family: ApiFamily = ApiFamily.METADATA) -> str:
        """The account's resource id, spelling the type as ``family``'s spec paths do."""
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/{_MEDIA_PROVIDER}/{family.media_services_spelling}/{self.account_name}"
        )


@dataclass(frozen=True)
class ResourceId:
    """One resource below an account: its type and its names, outermost first."""

    account: AccountRef
    type: ResourceType
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.names) != self.type.depth:
            raise ConfigError(
                f"{self.type.value} needs {self.type.depth} name(s), got {len(self.names)}",
                hint="pass the parent names first, e.g. asset then filter",
            )
        for name in self.names:
            _require_segment("resource name", name)

    @property
    def id(self) -> str:
        """The raw ARM id (names unescaped), as ARM writes it in ``id``."""
        if self.type is ResourceType.ACCOUNT:
            return self.account.id(ApiFamily.ACCOUNTS)
        scope = self.account.id(self.type.family)
        if self.type is ResourceType.EVENT_SUBSCRIPTION:
            return f"{scope}/providers/{_EVENT_GRID_PROVIDER}/eventSubscriptions/{self.names[0]}"
        pairs = "".join(f"/{c}/{n}" for c, n in zip(self.type.collections, self.names))
        return scope + pairs

    @property
    def name(self) -> str:
        """The name path relative to the account, as ARM templates and plans write it."""
        return "/".join(self.names)

    @property
    def path(self) -> str:
        """The URL path, each segment percent-escaped."""
        return arm_path(self.id)

    def __str__(self) -> str:
        return self.id


def resource_id(account: AccountRef, resource_type: ResourceType, *names: str) -> ResourceId:
    """``resource_id(account, ResourceType.ASSET_FILTER, "asset1", "hd-only")``."""
    return ResourceId(account, resource_type, tuple(names))


def collection_id(account: AccountRef, resource_type: ResourceType, *parent_names: str) -> str:
    """The raw id of the collection that lists ``resource_type`` (parents' names first)."""
    if len(parent_names) != resource_type.depth - 1:
        raise ConfigError(
            f"listing {resource_type.value} needs {resource_type.depth - 1} parent name(s)",
            hint="pass the parent names, e.g. the asset name for asset filters",
        )
    for name in parent_names:
        _require_segment("resource name", name)
    scope = account.id(resource_type.family)
    if resource_type is ResourceType.EVENT_SUBSCRIPTION:
        return f"{scope}/providers/{_EVENT_GRID_PROVIDER}/eventSubscriptions"
    pairs = "".join(f"/{c}/{n}" for c, n in zip(resource_type.collections, parent_names))
    return f"{scope}{pairs}/{resource_type.collections[-1]}"


_ACCOUNT_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.Media/mediaServices/(?P<account>[^/]+)(?P<rest>(/[^/]+)*)$",
    re.IGNORECASE,
)


def parse_resource_id(raw_id: str) -> ResourceId:
    """The inverse of ``ResourceId.id``; case-insensitive like ARM. Raises ConfigError."""
    match = _ACCOUNT_ID.match(raw_id.rstrip("/"))
    if not match:
        raise ConfigError(f"not a Media Services resource id: {raw_id}", hint="expected /subscriptions/.../mediaServices/<account>/...")
    account = AccountRef(match["sub"], match["rg"], match["account"])
    rest = [s for s in match["rest"].split("/") if s]
    if not rest:
        return ResourceId(account, ResourceType.ACCOUNT, ())
    if len(rest) == 4 and rest[0].lower() == "providers" and rest[1].lower() == _EVENT_GRID_PROVIDER.lower():
        if rest[2].lower() == "eventsubscriptions":
            return ResourceId(account, ResourceType.EVENT_SUBSCRIPTION, (rest[3],))
    if len(rest) % 2 == 0:
        collections, names = tuple(s.lower() for s in rest[0::2]), tuple(rest[1::2])
        resource_type = _TYPE_BY_COLLECTIONS.get(collections)
        if resource_type is not None:
            return ResourceId(account, resource_type, names)
    raise ConfigError(f"unknown Media Services resource type in id: {raw_id}")


def arm_path(raw_id: str) -> str:
    """A raw ARM id or collection id as a URL path: every segment percent-escaped."""
    return "/".join(quote(segment, safe="") for segment in raw_id.split("/"))


def family_of_path(path: str) -> ApiFamily:
    """Which api-version family serves a raw ARM path (resource, collection or action)."""
    lowered = [s.lower() for s in path.split("?")[0].split("/") if s]
    providers = [i for i in range(len(lowered) - 1) if lowered[i] == "providers"]
    if not providers:
        raise ConfigError(f"no api-version is known for {path}", hint="only Microsoft.Media and Event Grid paths are supported")
    namespace = lowered[providers[-1] + 1]
    if namespace == _EVENT_GRID_PROVIDER.lower():
        return ApiFamily.EVENT_GRID
    if namespace != _MEDIA_PROVIDER.lower():
        raise ConfigError(f"no api-version is known for {path}", hint="only Microsoft.Media and Event Grid paths are supported")
    below_provider = lowered[providers[-1] + 2 :]
    if below_provider[:1] == ["mediaservices"]:
        below_account = below_provider[2:]
        if below_account and below_account[0] in _FAMILY_BY_COLLECTION:
            return _FAMILY_BY_COLLECTION[below_account[0]]
    return ApiFamily.ACCOUNTS  # the account itself, its actions, locations/..., operations


def _require_segment(label: str, value: str) -> None:
    if not value or "/" in value:
        raise InvalidNameError(f"{label} {value!r} cannot be empty or contain '/'", hint="ARM ids use '/' as separator")


# --- naming rules -----------------------------------------------------------------------

# Media Services v3 naming conventions (MicrosoftDocs azure-docs,
# media-services-apis-overview.md "Naming conventions"): these characters and control
# characters are refused, everything else is allowed, up to 260 characters.
_MEDIA_FORBIDDEN = set("<>%&:\\?/*+.'")
_MEDIA_MAX_LENGTH = 260


@dataclass(frozen=True)
class NameRule:
    min_length: int
    max_length: int
    pattern: re.Pattern[str] | None
    describe: str


_GENERAL_RULE = NameRule(1, _MEDIA_MAX_LENGTH, None, "1-260 characters, none of < > % & : \\ ? / * + . ' or control characters")
# Patterns and lengths from the path parameters of streamingservice.json (2022-11-01).
_LIVE_NAME = re.compile(r"^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$")
_LIVE_OUTPUT_NAME = re.compile(r"^([a-zA-Z0-9])+(-*[a-zA-Z0-9])*$")
_NAME_RULES: dict[ResourceType, NameRule] = {
    ResourceType.LIVE_EVENT: NameRule(1, 32, _LIVE_NAME, "1-32 letters, digits and inner hyphens"),
    ResourceType.LIVE_OUTPUT: NameRule(1, 256, _LIVE_OUTPUT_NAME, "1-256 letters, digits and inner hyphens"),
    ResourceType.STREAMING_ENDPOINT: NameRule(1, 24, _LIVE_NAME, "1-24 letters, digits and inner hyphens"),
    # ARM naming rules (resource-name-rules, Microsoft.EventGrid): 3-64 alphanumerics and hyphens.
    ResourceType.EVENT_SUBSCRIPTION: NameRule(3, 64, re.compile(r"^[A-Za-z0-9-]+$"), "3-64 letters, digits and hyphens"),
    # ARM naming rules (Microsoft.Media): 3-24 lowercase letters and numbers.
    ResourceType.ACCOUNT: NameRule(3, 24, re.compile(r"^[a-z0-9]+$"), "3-24 lowercase letters and digits"),
}


def name_rule(resource_type: ResourceType) -> NameRule:
    return _NAME_RULES.get(resource_type, _GENERAL_RULE)


def validate_name(resource_type: ResourceType, name: str) -> str:
    """Return ``name`` if v3 accepts it for ``resource_type``; raise InvalidNameError otherwise."""
    rule = name_rule(resource_type)
    problem = _name_problem(rule, name)
    if problem:
        kind = resource_type.value.rsplit("/", 1)[-1]
        raise InvalidNameError(
            f"{kind} name {name!r} is not valid: {problem}",
            hint=f"use {rule.describe}",
            resource_type=resource_type.value,
            name=name,
        )
    return name


def _name_problem(rule: NameRule, name: str) -> str | None:
    if not rule.min_length <= len(name) <= rule.max_length:
        return f"length {len(name)} is outside {rule.min_length}-{rule.max_length}"
    if rule.pattern is not None:
        return None if rule.pattern.match(name) else "it does not match the allowed pattern"
    bad = sorted({c for c in name if c in _MEDIA_FORBIDDEN or ord(c) < 32 or ord(c) == 127})
    if bad:
        return "it contains " + " ".join(repr(c) for c in bad)
    return None
