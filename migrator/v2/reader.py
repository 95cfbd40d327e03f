"""Read a whole v2 account into an inventory file: paged, parallel, retried, resumable.

The service caps a page at 1000 entities and documents ``$top``/``$skip`` paging; whether it
ever sends ``__next``/``odata.nextLink`` is unconfirmed (reference protocol.md section 5), so
a set is paged with ``$skip`` unless its first page carries a next link, in which case the
links are followed instead. ``$skip`` pages of one set are fetched ahead speculatively, so a
large set does not wait one round trip per page: the window past the last full page doubles
from one page up to ``parallel`` (``2 * parallel`` once large pages are parsed in worker
processes, see below), and the set ends at the first short page past every full one. ``$skip``
paging is not snapshot-isolated, so entities are de-duplicated by key in the store.

Navigation collections no foreign key carries (``schema.NAVIGATION_TO_READ``) are read per
entity (``Assets('nb%3Acid...')/ContentKeys``), paged the same way. ``$expand`` is not
supported by the service and is never sent.

Worker threads only fetch and parse; the calling thread owns the SQLite writer, so memory
holds at most ``2 * parallel`` pages whatever the size of the account. A set whose first page
is full and large has its large pages parsed by a ``ParsePool`` of worker processes (one a
core), off this process's GIL; a one-page-at-a-time read (``parallel=1``), small sets and
navigation reads never start one.
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable, Mapping, Protocol, Sequence
from urllib.parse import quote, urljoin, urlsplit

import requests

from migrator.auth import BearerAuth, StaticTokenProvider, TokenProvider
from migrator.console import Reporter, SilentReporter
from migrator.exceptions import (
    AuthError,
    ConfigError,
    MalformedPageError,
    NotFoundError,
    RemoteError,
    ThrottledError,
    TokenExpiredError,
)
from migrator.http import RetrySettings, new_request_id, service_request_id, unreachable
from migrator.redact import SECRETS
from migrator.v2 import schema, wire
from migrator.v2.parsepool import OFFLOAD_MIN_BYTES, ParsePool, parse_processes
from migrator.v2.store import InventoryWriter, Unit, UnitKind, UnitState, partial_path

log = logging.getLogger("migrator.v2.reader")

API_VERSION = "2.19"
DATA_SERVICE_VERSION = "3.0"
PAGE_SIZE = 1000  # the service's cap per query (protocol.md section 5)
METADATA_DOCUMENT = "$metadata"
BODY_READ_SIZE = 1 << 20  # a full page of the larger sets is about 1 MB

# The SDK's policy (protocol.md section 7): 408/429/503 always, 500/502/504 for idempotent
# reads. Every request this module sends is a GET.
READ_RETRY = RetrySettings(statuses=frozenset({408, 429, 500, 502, 503, 504}), methods=frozenset({"GET"}))

# Listing every Operation is not documented (v2-entities.json, Operations notes), and the SDK
# never lists TaskTemplates at the top level (v2-entities.json: "reach via
# JobTemplates('id')/TaskTemplates if top-level GET fails"). If the service refuses either
# listing, the set is recorded as unavailable instead of failing the whole read, and a set with
# a fallback navigation collects its entities from there.
OPTIONAL_LISTINGS = frozenset({"Operations", "TaskTemplates"})
LISTING_FALLBACKS = {"TaskTemplates": ("JobTemplates", "TaskTemplates")}  # set -> (from set, navigation)
_REFUSED_LISTING_STATUSES = frozenset({400, 404, 405, 501})

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_ENDPOINT_HINT = "check --v2-endpoint; it looks like https://<account>.restv2.<region>.media.azure.net/api/"
_AUTH_HINT = (
    "check the tenant (AZURE_TENANT_ID), that the token is for the Media Services resource of this cloud "
    "(--cloud), and that the principal has Contributor or Owner on the account"
)


class WireFormat(str, Enum):
    VERBOSE = "verbose"
    MINIMAL = "minimal"

    @property
    def accept(self) -> str:
        return "application/json;odata=verbose" if self is WireFormat.VERBOSE else "application/json;odata=minimalmetadata"


class PageOrder(str, Enum):
    """The ``$orderby`` sent with every page. Support for it is inferred (SDK LINQ), not documented."""

    KEY = "key"  # $orderby=<key property>: exists on every set
    CREATED = "created"  # $orderby=Created,<key> where the set has Created: new entities land last
    NONE = "none"  # no $orderby: for a service that rejects it; paging is then only as stable as the service


@dataclass(frozen=True)
class ReaderSettings:
    endpoint: str
    parallel: int = 8
    page_size: int = PAGE_SIZE
    wire_format: WireFormat = WireFormat.VERBOSE
    order: PageOrder = PageOrder.KEY
    timeout: float = 60.0
    archive_metadata: bool = True

    def __post_init__(self) -> None:
        # Accept the plain strings the CLI and config files carry.
        object.__setattr__(self, "wire_format", WireFormat(self.wire_format))
        object.__setattr__(self, "order", PageOrder(self.order))
        _check_endpoint(self.endpoint)
        if self.parallel < 1:
            raise ConfigError("--parallel must be at least 1")
        if not 1 <= self.page_size <= PAGE_SIZE:
            raise ConfigError(f"page size must be between 1 and {PAGE_SIZE}, the service's cap")

    @property
    def root(self) -> str:
        return self.endpoint if self.endpoint.endswith("/") else self.endpoint + "/"


def _check_endpoint(endpoint: str) -> None:
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"--v2-endpoint {endpoint!r} is not an http(s) URL", hint=_ENDPOINT_HINT)
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        # The token would cross the network in clear text; only the local sandbox speaks http.
        raise ConfigError(
            f"refusing to send a bearer token over plain http to {parts.hostname}", hint="use the https endpoint"
        )


@dataclass(frozen=True)
class InventorySummary:
    path: Path
    counts: Mapping[str, int]
    link_counts: Mapping[str, int]
    fingerprint: str
    duplicates: int = 0
    unavailable: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"entity_sets": dict(self.counts), "fingerprint": self.fingerprint}


# -- addressing -----------------------------------------------------------------------------


def key_literal(entity_set: str, key: str) -> str:
    """The key segment as the service writes it: quoted, ``'`` doubled, then %-encoded (``%3A``)."""
    info = schema.ENTITY_SET_INFO[entity_set]
    prop = info.property_named(info.key_property)
    if prop is not None and prop.edm_type == "Edm.Guid":
        return f"guid'{key}'"
    return "'" + quote(key.replace("'", "''"), safe="") + "'"


def order_clause(entity_set: str, order: PageOrder) -> str | None:
    info = schema.ENTITY_SET_INFO[entity_set]
    if order is PageOrder.NONE:
        return None
    if order is PageOrder.CREATED and info.property_named("Created") is not None:
        return f"Created,{info.key_property}"
    return info.key_property


def page_query(top: int, skip: int, orderby: str | None) -> str:
    # Written out by hand: requests' params would encode '$' as %24, which OData servers
    # accept but which the documented examples never show.
    query = f"$top={top}&$skip={skip}"
    return query if orderby is None else query + "&$orderby=" + quote(orderby, safe=",")


# -- HTTP -----------------------------------------------------------------------------------


class V2Client:
    """GETs against one account root with the documented headers; classifies every failure."""

    def __init__(self, session: requests.Session, settings: ReaderSettings, provider: TokenProvider) -> None:
        self._session = session
        self._settings = settings
        self._provider = provider
        self._auth = BearerAuth(_RegisteredTokens(provider))
        self.root = settings.root

    def headers(self, accept: str | None = None) -> dict[str, str]:
        return {
            "x-ms-version": API_VERSION,
            "DataServiceVersion": DATA_SERVICE_VERSION,
            "MaxDataServiceVersion": DATA_SERVICE_VERSION,
            "Accept": accept or self._settings.wire_format.accept,
            "x-ms-client-request-id": new_request_id(),
        }

    def resolve_root(self) -> str:
        """Probe the root once; a 301 names the account's API root (protocol.md section 1)."""
        response = self._send(self.root, what="the service root")
        if response.status_code in (301, 302, 307, 308) and response.headers.get("Location"):
            redirected = _with_slash(urljoin(self.root, response.headers["Location"]))
            if urlsplit(self.root).scheme == "https" and urlsplit(redirected).scheme != "https":
                raise RemoteError(
                    f"the service root redirected to a non-https address ({urlsplit(redirected).netloc})",
                    hint=_ENDPOINT_HINT,
                )
            log.info("the service redirected %s to %s; using the latter", self.root, redirected)
            self.root = redirected
            response = self._send(self.root, what="the service root")
        self._raise_for_status(response, what="the service root", listing=None)
        return self.root

    def metadata_document(self) -> str | None:
        """The service's CSDL, archived as the only authoritative schema; None if refused."""
        url = self.root + METADATA_DOCUMENT
        response = self._send(url, what="$metadata", accept="application/xml")
        if response.status_code != 200:
            log.warning(
                "the service did not return $metadata (%s, request-id %s); continuing without it",
                response.status_code,
                service_request_id(response),
            )
            return None
        return response.text

    def get_body(self, url: str, *, what: str, listing: str | None) -> bytes:
        """The body of a 200 answer; the page parser decodes it and reports it if malformed."""
        response = self._send(url, what=what, stream=True)
        try:
            # requests reads a body in 10 kB chunks, about a hundred Python-level reads per page
            body = b"".join(response.iter_content(BODY_READ_SIZE)) if response.status_code == 200 else response.content
        except requests.RequestException as exc:
            raise unreachable(exc, url) from None
        self._raise_for_status(response, what=what, listing=listing)
        return body

    def _send(self, url: str, *, what: str, accept: str | None = None, stream: bool = False) -> requests.Response:
        headers = self.headers(accept)
        try:
            response = self._session.get(
                url,
                headers=headers,
                auth=self._auth,
                allow_redirects=False,
                timeout=self._settings.timeout,
                stream=stream,
            )
        except requests.RequestException as exc:
            raise unreachable(exc, url) from None
        log.debug(
            "GET %s -> %s (client-request-id %s, request-id %s)",
            _path_of(url),
            response.status_code,
            headers["x-ms-client-request-id"],
            service_request_id(response),
        )
        return response

    def _raise_for_status(self, response: requests.Response, *, what: str, listing: str | None) -> None:
        status = response.status_code
        if status == 200:
            return
        request_id = service_request_id(response)
        suffix = f" [request-id {request_id}]" if request_id else ""
        log.warning("HTTP %s reading %s (request-id %s)", status, what, request_id)
        if status == 401:
            raise self._unauthorized(what, suffix)
        if status == 403:
            raise AuthError(
                f"the v2 API denied access (403) reading {what}{suffix}",
                hint="the principal needs Contributor or Owner on the Media Services account; the account may be disabled",
                status=status,
                request_id=request_id,
            )
        if status == 404:
            raise NotFoundError(
                f"{what} was not found (404) at {self.root}{suffix}",
                hint=_ENDPOINT_HINT,
                status=status,
                request_id=request_id,
                target=listing,
            )
        if status in (301, 302, 307, 308):
            raise RemoteError(
                f"unexpected redirect ({status}) reading {what}{suffix}",
                hint=_ENDPOINT_HINT,
                status=status,
                request_id=request_id,
            )
        if status in (429, 503):
            raise ThrottledError(
                f"the v2 API kept throttling ({status}) reading {what}; retries exhausted{suffix}",
                hint="retry later, or lower --parallel",
                status=status,
                request_id=request_id,
            )
        raise RemoteError(
            f"the v2 API answered {status} reading {what}: {_service_message(response)}{suffix}",
            hint="a transient service fault if 5xx (retry later); otherwise check the endpoint and api version",
            status=status,
            request_id=request_id,
            target=listing,
        )

    def _unauthorized(self, what: str, suffix: str) -> AuthError:
        provider = self._provider
        if isinstance(provider, StaticTokenProvider):
            try:
                provider.token()  # raises once the token's own expiry has passed
            except TokenExpiredError as expired:
                return expired
            return AuthError(
                f"the v2 API refused the static token (401) reading {what}{suffix}",
                hint="it may have expired, or be for another tenant or resource, or the principal lacks "
                "Contributor or Owner on the account; get a new one with "
                "az account get-access-token --resource https://rest.media.azure.net",
                status=401,
            )
        return AuthError(f"the v2 API refused the token (401) reading {what}{suffix}", hint=_AUTH_HINT, status=401)


class _RegisteredTokens:
    """Registers every token it hands out, so the log scrubber removes it wherever it appears."""

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider

    def token(self) -> str:
        token = self._provider.token()
        SECRETS.add(token)
        return token

    def describe(self) -> str:
        return self._provider.describe()


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _service_message(response: requests.Response) -> str:
    """The OData error's message (verbose ``error`` or JSON light ``odata.error``), one line."""
    try:
        body = response.json()
        error = body.get("error") or body.get("odata.error") or {}
        message = error.get("message")
        text = message.get("value") if isinstance(message, dict) else message
    except (ValueError, AttributeError):
        text = None
    text = " ".join(str(text or response.reason or "no message").split())
    return text[:300]


# -- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """One GET: page ``page`` (0-based) of a set, or of one entity's navigation collection."""

    unit: Unit
    url: str
    page: int
    skip: int | None  # None when following a service-sent next link
    from_key: str | None = None
    collect: bool = False  # keep the navigation's target entities, not only their keys

    @property
    def listing(self) -> str:
        return self.unit.entity_set if self.from_key is None else self.unit.target_set  # type: ignore[return-value]

    def describe(self) -> str:
        if self.from_key is None:
            return f"{self.unit.entity_set} page {self.page + 1}"
        return f"{self.unit.entity_set}('{self.from_key}')/{self.unit.nav} page {self.page + 1}"


Rows = tuple[tuple[str, str], ...]  # (key, canonical record JSON); records are "" for navigation pages


@dataclass(frozen=True)
class PageResult:
    request: PageRequest
    rows: Rows
    raw_count: int
    next_link: str | None
    body_size: int = 0


@dataclass(frozen=True)
class FetchedPage:
    """A page's body on its way to the parse stage (see ``_Coordinator``)."""

    request: PageRequest
    body: bytes


def fetch_page(client: V2Client, request: PageRequest, parser: ParsePool | None = None) -> PageResult | FetchedPage:
    """Runs on a fetching thread: GET one page, and parse it unless ``parser``'s workers take it."""
    body = client.get_body(request.url, what=request.describe(), listing=request.listing)
    if parser is not None and parser.takes(body):
        return FetchedPage(request, body)
    return parse_fetched(request, body)


def parse_fetched(request: PageRequest, body: bytes, parser: ParsePool | None = None) -> PageResult:
    """The page's rows (parsed by ``parser``'s workers when given and running, else here)."""
    keys_only = request.from_key is not None and not request.collect
    try:
        parsed = None if parser is None else parser.page_rows(request.listing, body, request.page + 1)
        if parsed is None:  # the CPU-heavy part, here when no worker took the page
            parsed = wire.parse_page_rows(request.listing, body, page=request.page + 1)
    except MalformedPageError as exc:
        if not keys_only:
            raise
        raise MalformedPageError(  # name the entity whose collection it was
            f"{request.describe()}: {exc.message}", hint=exc.hint, entity_set=request.unit.name, page=request.page + 1
        ) from None
    rows = tuple((key, "") for key, _ in parsed.rows) if keys_only else parsed.rows
    return PageResult(request, rows, len(rows), parsed.next_link, len(body))


class _Cursor(Protocol):
    unit: Unit
    duplicates: int

    def next_request(self) -> PageRequest | None: ...

    def accept(self, result: PageResult) -> None: ...

    @property
    def finished(self) -> bool: ...


class _Links:
    """Follows service-sent next links, refusing any that would carry our token to another host."""

    def __init__(self, root: str) -> None:
        self._root = urlsplit(root)
        self._seen: set[str] = set()

    def resolve(self, link: str, what: str) -> str:
        url = urljoin(self._root.geturl(), link)
        target = urlsplit(url)
        if (target.scheme, target.netloc) != (self._root.scheme, self._root.netloc):
            raise MalformedPageError(
                f"{what}: next link points outside the account endpoint ({target.netloc})",
                hint="refusing to send the token to another host",
            )
        if url in self._seen:
            raise MalformedPageError(f"{what}: next link repeats an earlier page", hint="the service paging loops")
        self._seen.add(url)
        return url


class EntitySetCursor:
    """Pages one entity set: ``$skip`` windows, or service next links when the first page has one."""

    def __init__(self, unit: Unit, client: V2Client, writer: InventoryWriter, settings: ReaderSettings) -> None:
        self.unit = unit
        self._writer = writer
        self._top = settings.page_size
        self.window = max(settings.parallel, 1)  # the coordinator widens it while pages are parsed elsewhere
        self._base = client.root + unit.entity_set
        self._orderby = order_clause(unit.entity_set, settings.order)
        self._links = _Links(client.root)
        self._mode: str | None = None  # "skip" or "link", decided by the first page
        self._next_page = 0
        self._in_flight = 0
        self._max_full = -1
        self._full_pages = 0
        self._short_pages: set[int] = set()
        self._pending_link: str | None = None
        self._link_ended = False
        self.duplicates = 0

    def _skip_request(self, page: int) -> PageRequest:
        url = f"{self._base}?{page_query(self._top, page * self._top, self._orderby)}"
        return PageRequest(self.unit, url, page, page * self._top)

    def next_request(self) -> PageRequest | None:
        request = None
        if self._next_page == 0:
            request = self._skip_request(0)
        elif self._mode == "skip" and self._end() is None and self._next_page <= self._max_full + self._lead():
            request = self._skip_request(self._next_page)
        elif self._mode == "link" and self._pending_link is not None:
            request = PageRequest(self.unit, self._pending_link, self._next_page, None)
            self._pending_link = None
        if request is not None:
            self._next_page += 1
            self._in_flight += 1
        return request

    def accept(self, result: PageResult) -> None:
        self._in_flight -= 1
        inserted = self._writer.add_entities(self.unit.entity_set, result.rows)
        self.duplicates += len(result.rows) - inserted
        request = result.request
        if self._mode is None:
            self._mode = "link" if result.next_link else "skip"
        if self._mode == "link":
            self._accept_link_page(result)
        elif result.raw_count >= self._top:
            self._max_full = max(self._max_full, request.page)
            self._full_pages += 1
        else:
            self._short_pages.add(request.page)

    def _accept_link_page(self, result: PageResult) -> None:
        if result.next_link:
            self._pending_link = self._links.resolve(result.next_link, result.request.describe())
        else:
            self._link_ended = True

    def _lead(self) -> int:
        # Grow the speculative window 1, 2, 4, ... up to ``parallel`` pages: a set of just over
        # 1000 entities costs one extra request, a large set soon has every worker busy.
        return min(self.window, 2 ** max(self._full_pages - 1, 0))

    def _end(self) -> int | None:
        """The first short page past every full one: where the set ends, once known."""
        return min((p for p in self._short_pages if p > self._max_full), default=None)

    @property
    def finished(self) -> bool:
        if self._in_flight:
            return False
        if self._mode == "skip":
            return self._end() is not None
        return self._mode == "link" and self._link_ended and self._pending_link is None


class NavigationCursor:
    """Reads one navigation collection for every entity of a set already stored."""

    KEY_BATCH = 500

    def __init__(
        self,
        unit: Unit,
        client: V2Client,
        writer: InventoryWriter,
        settings: ReaderSettings,
        *,
        collect_targets: bool = False,
    ) -> None:
        self.unit = unit
        self.collect_targets = collect_targets
        self._writer = writer
        self._root = client.root
        self._top = settings.page_size
        self._orderby = order_clause(unit.target_set, settings.order)  # type: ignore[arg-type]
        self._links = _Links(client.root)
        self._keys: deque[str] = deque()
        self._last_key: str | None = None
        self._keys_exhausted = False
        self._follow_ups: deque[PageRequest] = deque()
        self._in_flight = 0
        self.missing = 0
        self.duplicates = 0  # links are sets: a repeated link is simply stored once

    def _request(self, from_key: str, page: int) -> PageRequest:
        base = f"{self._root}{self.unit.entity_set}({key_literal(self.unit.entity_set, from_key)})/{self.unit.nav}"
        url = f"{base}?{page_query(self._top, page * self._top, self._orderby)}"
        return PageRequest(self.unit, url, page, page * self._top, from_key, self.collect_targets)

    def next_request(self) -> PageRequest | None:
        if self._follow_ups:
            request = self._follow_ups.popleft()
        else:
            key = self._next_key()
            if key is None:
                return None
            request = self._request(key, 0)
        self._in_flight += 1
        return request

    def _next_key(self) -> str | None:
        if not self._keys and not self._keys_exhausted:
            batch = self._writer.keys_after(self.unit.entity_set, self._last_key, self.KEY_BATCH)
            self._keys.extend(batch)
            self._keys_exhausted = len(batch) < self.KEY_BATCH
            if batch:
                self._last_key = batch[-1]
        return self._keys.popleft() if self._keys else None

    def accept(self, result: PageResult) -> None:
        self._in_flight -= 1
        request = result.request
        assert request.from_key is not None
        if self.collect_targets:
            self._writer.add_entities(self.unit.target_set, result.rows)  # type: ignore[arg-type]
        self._writer.add_links(self.unit.entity_set, self.unit.nav, request.from_key, (k for k, _ in result.rows))  # type: ignore[arg-type]
        if result.next_link:
            url = self._links.resolve(result.next_link, request.describe())
            self._follow_ups.append(
                PageRequest(self.unit, url, request.page + 1, None, request.from_key, self.collect_targets)
            )
        elif request.skip is not None and result.raw_count >= self._top:
            self._follow_ups.append(self._request(request.from_key, request.page + 1))

    def skip_missing(self, request: PageRequest) -> None:
        # The entity was deleted after its set was read: nothing links from it any more.
        self._in_flight -= 1
        self.missing += 1
        log.warning("%s: the entity no longer exists; skipping it", request.describe())

    @property
    def finished(self) -> bool:
        return self._keys_exhausted and not self._keys and not self._follow_ups and self._in_flight == 0


# -- orchestration --------------------------------------------------------------------------


def plan_units(entity_sets: Sequence[str]) -> list[Unit]:
    """Entity sets in reference order, then the navigation reads whose source set is selected."""
    selected = set(entity_sets)
    units = [Unit(UnitKind.ENTITY_SET, s) for s in schema.ENTITY_SETS if s in selected]
    units += [
        Unit(UnitKind.NAVIGATION, nav.from_set, nav.navigation, nav.to_set)
        for nav in schema.NAVIGATION_TO_READ
        if nav.from_set in selected
    ]
    return units


def select_entity_sets(names: Iterable[str] | None) -> list[str]:
    if names is None:
        return list(schema.ENTITY_SETS)
    wanted = [n.strip() for n in names if n.strip()]
    by_folded = {s.lower(): s for s in schema.ENTITY_SETS}
    unknown = [n for n in wanted if n.lower() not in by_folded]
    if unknown:
        raise ConfigError(
            f"unknown entity set(s): {', '.join(unknown)}", hint="choose from: " + ", ".join(schema.ENTITY_SETS)
        )
    if not wanted:
        raise ConfigError("--entity-sets is empty", hint="name at least one set, or leave the option out")
    return [by_folded[n.lower()] for n in wanted]


class _Coordinator:
    """Keeps up to ``parallel`` GETs in flight across every unit; the only writer of the file.

    Pages go through two stages. Fetching threads (``parallel`` of them) GET a page and, as
    always, parse it themselves, unless the parse pool runs and the page is large: then the
    body goes to a parse thread (one per pool worker) and the fetching thread is free for the
    next GET. While the pool runs, up to ``parallel`` more pages may be parsing, and a set's
    ``$skip`` window is as much wider, so the parse does not hold back the requests; never more
    than ``parallel`` GETs are in flight.
    """

    def __init__(
        self, client: V2Client, writer: InventoryWriter, settings: ReaderSettings, reporter: Reporter
    ) -> None:
        self._client = client
        self._writer = writer
        self._settings = settings
        self._reporter = reporter
        self.duplicates = 0
        self.unavailable: set[str] = set()
        self._selected_sets: set[str] = set()
        self._parser = ParsePool(parse_processes(settings.parallel))
        self._fetches: set[Future] = set()  # the GETs in flight, a subset of the pages in flight

    def run(self, units: Sequence[Unit]) -> None:
        self._selected_sets = {u.entity_set for u in units if u.kind is UnitKind.ENTITY_SET}
        states = self._writer.unit_states()
        pending = [u for u in units if states.get(u.name) is UnitState.PENDING]
        done_sets = {u.entity_set for u in units if u.kind is UnitKind.ENTITY_SET and u not in pending}
        if len(pending) < len(units):
            log.info("resuming: %d of %d units already read", len(units) - len(pending), len(units))
        try:
            self._read(pending, done_sets)
        finally:
            self._parser.close()  # after the fetching threads have stopped

    def _read(self, pending: list[Unit], done_sets: set[str]) -> None:
        waiting = deque(pending)
        active: list[_Cursor] = []
        in_flight: dict[Future, tuple[_Cursor, PageRequest]] = {}
        label = f"Reading {len(pending)} entity sets and relations"
        parse_threads = max(self._parser.processes, 1)  # one per worker; used only once the pool runs
        with self._reporter.progress(label, len(pending)) as progress, ThreadPoolExecutor(
            max_workers=self._settings.parallel, thread_name_prefix="v2-read"
        ) as pool, ThreadPoolExecutor(max_workers=parse_threads, thread_name_prefix="v2-parse") as parsing:
            try:
                while waiting or active:
                    self._activate(waiting, active, done_sets)
                    self._fill(pool, active, in_flight)
                    finished = [c for c in active if c.finished]
                    for cursor in finished:
                        active.remove(cursor)
                        self._complete(cursor, done_sets)
                        progress.advance()
                    if finished:
                        continue  # a finished set may release its navigation reads
                    if not in_flight:
                        raise AssertionError("the reader stalled: units left but no request in flight")
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        cursor, request = in_flight.pop(future)
                        self._fetches.discard(future)
                        fetched = self._settle(cursor, request, future, active)
                        if fetched is not None:
                            parse = parsing.submit(parse_fetched, request, fetched.body, self._parser)
                            in_flight[parse] = (cursor, request)
            except BaseException:
                for future in in_flight:
                    future.cancel()
                raise

    def _activate(self, waiting: deque[Unit], active: list[_Cursor], done_sets: set[str]) -> None:
        # Navigation reads need every key of their source set, so they wait for it; a fallback
        # navigation also waits for its target set, to learn whether that set was listed.
        for unit in list(waiting):
            if unit.kind is UnitKind.NAVIGATION and not {unit.entity_set, *self._fallback_target(unit)} <= done_sets:
                continue
            waiting.remove(unit)
            self._writer.begin_unit(unit)
            if unit.kind is UnitKind.ENTITY_SET:
                cursor = EntitySetCursor(unit, self._client, self._writer, self._settings)
                cursor.window = self._pages_in_flight_limit()
                active.append(cursor)
                continue
            collect = any(
                self._writer.unit_states().get(target) is UnitState.UNAVAILABLE for target in self._fallback_target(unit)
            )
            if collect:
                log.info("collecting %s through %s instead", unit.target_set, unit.name)
            active.append(NavigationCursor(unit, self._client, self._writer, self._settings, collect_targets=collect))

    def _fallback_target(self, unit: Unit) -> tuple[str, ...]:
        """The selected set this navigation stands in for when its listing is refused, if any."""
        target = unit.target_set
        if target in self._selected_sets and LISTING_FALLBACKS.get(target or "") == (unit.entity_set, unit.nav):
            return (target,)  # type: ignore[return-value]
        return ()

    def _pages_in_flight_limit(self) -> int:
        # As many pages may be waiting for a parse worker as are being fetched: pages arrive in
        # bursts of up to ``parallel``, which the workers take a few at a time.
        return self._settings.parallel * (2 if self._parser.started else 1)

    def _fill(self, pool: ThreadPoolExecutor, active: list[_Cursor], in_flight: dict) -> None:
        # Round-robin: a cursor that was served goes to the back of the line, so many small
        # sets and one large set all make progress even with a single worker.
        limit = self._pages_in_flight_limit()
        progressed = True
        while progressed and len(in_flight) < limit and len(self._fetches) < self._settings.parallel:
            progressed = False
            for cursor in list(active):
                if len(in_flight) >= limit or len(self._fetches) >= self._settings.parallel:
                    break
                request = cursor.next_request()
                if request is not None:
                    future = pool.submit(fetch_page, self._client, request, self._parser)
                    in_flight[future] = (cursor, request)
                    self._fetches.add(future)
                    active.remove(cursor)
                    active.append(cursor)
                    progressed = True

    def _settle(
        self, cursor: _Cursor, request: PageRequest, future: Future, active: list[_Cursor]
    ) -> FetchedPage | None:
        """Hand a finished page to its cursor; a fetched page still to parse is returned instead."""
        try:
            result = future.result()
        except RemoteError as exc:
            if isinstance(exc, NotFoundError) and isinstance(cursor, NavigationCursor):
                cursor.skip_missing(request)
                return None
            if isinstance(cursor, EntitySetCursor) and self._refused_optional_listing(request, exc.status):
                cursor.accept(PageResult(request, (), 0, None))  # an empty set, recorded as unavailable
                self.unavailable.add(request.unit.name)
                return None
            raise
        if isinstance(result, FetchedPage):
            return result
        cursor.accept(result)
        if self._starts_a_large_set(cursor, result):
            self._parser.start()
            for other in active:
                if isinstance(other, EntitySetCursor):
                    other.window = self._pages_in_flight_limit()
        return None

    def _starts_a_large_set(self, cursor: _Cursor, result: PageResult) -> bool:
        # A full, large first page: many more like it follow, worth parsing in other processes.
        return (
            isinstance(cursor, EntitySetCursor)
            and result.request.page == 0
            and result.raw_count >= self._settings.page_size
            and result.body_size >= OFFLOAD_MIN_BYTES
        )

    def _refused_optional_listing(self, request: PageRequest, status: int | None) -> bool:
        if request.unit.entity_set not in OPTIONAL_LISTINGS or request.page != 0:
            return False
        if status not in _REFUSED_LISTING_STATUSES:
            return False
        log.warning("the service does not list %s (HTTP %s); recording the set as unavailable", request.unit.name, status)
        return True

    def _complete(self, cursor: _Cursor, done_sets: set[str]) -> None:
        unit = cursor.unit
        state = UnitState.UNAVAILABLE if unit.name in self.unavailable else UnitState.COMPLETE
        count = self._writer.complete_unit(unit, state)
        duplicates = cursor.duplicates
        self.duplicates += duplicates
        if unit.kind is UnitKind.ENTITY_SET:
            done_sets.add(unit.entity_set)
        elif isinstance(cursor, NavigationCursor) and cursor.collect_targets:
            target = Unit(UnitKind.ENTITY_SET, unit.target_set)  # type: ignore[arg-type]
            self._writer.complete_unit(target, UnitState.UNAVAILABLE)  # its count now includes what was collected
        if duplicates:
            log.info("%s: %d duplicate entities across pages ignored", unit.name, duplicates)
        self._reporter.event("unit_read", unit=unit.name, count=count, state=state.value)


def read_inventory(
    out: Path,
    settings: ReaderSettings,
    *,
    provider: TokenProvider,
    session: requests.Session,
    entity_sets: Iterable[str] | None = None,
    resume: bool = False,
    reporter: Reporter | None = None,
) -> InventorySummary:
    """Read the account into ``out`` (atomically); ``resume`` continues an interrupted read."""
    out = Path(out)
    if not out.parent.is_dir():
        raise ConfigError(f"cannot write {out}: directory {out.parent} does not exist")
    units = plan_units(select_entity_sets(entity_sets))
    client = V2Client(session, settings, provider)
    client.resolve_root()  # before any file exists: a wrong endpoint leaves nothing behind
    partial = partial_path(out)
    if resume:
        writer = InventoryWriter.resume(partial, endpoint=settings.root, units=units)
    else:
        writer = InventoryWriter.create(
            partial,
            endpoint=settings.root,
            api_version=API_VERSION,
            wire_format=settings.wire_format.value,
            units=units,
        )
    coordinator = _Coordinator(client, writer, settings, reporter or SilentReporter())
    try:
        if settings.archive_metadata and not writer.has_document(METADATA_DOCUMENT):
            document = client.metadata_document()
            if document is not None:
                writer.add_document(METADATA_DOCUMENT, "application/xml", document)
        coordinator.run(units)
        meta = writer.finish()
    except BaseException:
        writer.close()
        log.warning("the read stopped; %s keeps what was read: continue with --resume", partial)
        raise
    writer.publish(out)
    log.info("wrote %s (%s)", out, meta.fingerprint)
    return InventorySummary(
        path=out,
        counts=meta.counts,
        link_counts=meta.link_counts,
        fingerprint=meta.fingerprint,
        duplicates=coordinator.duplicates,
        unavailable=meta.unavailable,
    )
