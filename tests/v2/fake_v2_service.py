"""A v2 account behind ``responses``: the documented paging, headers and errors, nothing more.

Entities come from the model's wire fixture builder (tests/v2/conftest.py), so they carry every
property of their set in the chosen wire format. The service pages at ``page_cap`` entities
(the documented 1000) ordered by key, answers ``$skip``/``$top``, and sends next links only
when asked to (the reference does not confirm it ever does). Faults can be queued per path.
"""

from __future__ import annotations

import importlib.util
import json
import re
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, unquote, urlsplit

import responses

from migrator.auth import StaticTokenProvider
from migrator.http import RetrySettings, build_session
from migrator.v2 import schema
from migrator.v2.reader import READ_RETRY, ReaderSettings, read_inventory


def _load_wire_fixtures():
    # Loaded by path under its own name: several test directories have a conftest module.
    path = Path(__file__).with_name("conftest.py")
    spec = importlib.util.spec_from_file_location("v2_wire_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


WIRE = _load_wire_fixtures()
ROOT = WIRE.SERVICE_ROOT  # https://myaccount.restv2.westus.media.azure.net/api/
_NAV_PATH = re.compile(r"^(?P<set>\w+)\((?P<key>.+)\)/(?P<nav>\w+)$")


def key_for(entity_set: str, index: int) -> str:
    """A key in the set's documented id form, unique per index."""
    info = schema.ENTITY_SET_INFO[entity_set]
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{entity_set}/{index}"))
    if entity_set == "AssetFilters":
        return f"{key_for('Assets', index)}__###__filter{index}"
    if info.key_property == "AccountId":
        return guid
    if info.id_prefix is None:
        return f"{entity_set.lower()}{index:07d}"
    return f"{info.id_prefix}{guid}"


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass
class FakeV2Service:
    fmt: str = "verbose"
    next_links: bool = False
    page_cap: int = 1000
    root: str = ROOT
    sets: dict[str, list[dict]] = field(default_factory=dict)
    navigation: dict[tuple[str, str, str], list[dict]] = field(default_factory=dict)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    requests: list = field(default_factory=list)
    # Called with each request before it is answered; may return a Fault to answer instead.
    before: Callable | None = None
    # Pages after the first start this many entities early, as when entities were created
    # ahead of the read position between two $skip requests (skip paging is not snapshot-isolated).
    overlap: int = 0

    # -- content ---------------------------------------------------------------------------

    def entity(self, entity_set: str, key: str) -> dict:
        info = schema.ENTITY_SET_INFO[entity_set]
        return WIRE.build_wire_entity(entity_set, self.fmt, **{info.key_property: key})

    def add(self, entity_set: str, count: int, *, start: int = 0) -> list[str]:
        keys = [key_for(entity_set, i) for i in range(start, start + count)]
        objects = self.sets.setdefault(entity_set, [])
        objects.extend(self.entity(entity_set, k) for k in keys)
        key_property = schema.ENTITY_SET_INFO[entity_set].key_property
        objects.sort(key=lambda o: o[key_property])
        return keys

    def link(self, entity_set: str, key: str, nav: str, target_set: str, target_keys: list[str]) -> None:
        self.navigation[(entity_set, key, nav)] = [self.entity(target_set, k) for k in target_keys]

    def fail(self, path: str, *faults: Fault) -> None:
        """Answer the next requests to ``path`` (e.g. ``Assets`` or ``Assets?$skip=1000``) with faults."""
        self.faults[path].extend(faults)

    # -- HTTP --------------------------------------------------------------------------------

    def install(self, rsps: responses.RequestsMock) -> None:
        host = urlsplit(self.root)
        pattern = re.compile(re.escape(f"{host.scheme}://{host.netloc}") + r"/.*")
        rsps.add_callback(responses.GET, pattern, callback=self.answer)

    def answer(self, request):
        self.requests.append(request)
        parts = urlsplit(request.url)
        root_path = urlsplit(self.root).path
        path = unquote(parts.path[len(root_path):]) if parts.path.startswith(root_path) else None
        query = dict(parse_qsl(parts.query))
        fault = self._fault_for(path, query) or (self.before(request) if self.before else None)
        if fault is not None:
            return fault.status, fault.headers, fault.body
        if path is None:
            return 404, {}, ""
        if path == "":
            return 200, {"Content-Type": "application/json"}, json.dumps({"d": {"EntitySets": list(self.sets)}})
        if path == "$metadata":
            return 200, {"Content-Type": "application/xml"}, "<edmx:Edmx Version='1.0'/>"
        return self._collection(path, query)

    def _fault_for(self, path: str | None, query: dict) -> Fault | None:
        skip = query.get("$skip", "0")
        for name in (f"{path}?$skip={skip}", path):
            if name in self.faults and self.faults[name]:
                return self.faults[name].popleft()
        return None

    def _collection(self, path: str, query: dict):
        nav = _NAV_PATH.match(path)
        if nav:
            key = nav["key"].strip("'").replace("''", "'")
            objects = self.navigation.get((nav["set"], key, nav["nav"]))
            if objects is None:
                exists = any(
                    o[schema.ENTITY_SET_INFO[nav["set"]].key_property] == key for o in self.sets.get(nav["set"], [])
                )
                if not exists:
                    return 404, {"x-ms-request-id": "rid-404"}, _error("Resource not found")
                objects = []
            listing = f"{nav['set']}('{key}')/{nav['nav']}"
        elif path in schema.ENTITY_SET_INFO:
            objects = self.sets.get(path, [])
            listing = path
        else:
            return 404, {"x-ms-request-id": "rid-404"}, _error("Resource not found for the segment")
        top = min(int(query.get("$top", self.page_cap)), self.page_cap)
        skip = int(query.get("$skip", "0"))
        skip = max(skip - self.overlap, 0) if skip else 0
        chunk = objects[skip : skip + top]
        next_link = None
        if self.next_links and skip + top < len(objects):
            next_link = f"{self.root}{listing}?$top={top}&$skip={skip + top}"
        page = WIRE.build_wire_page(path.split("(")[0], self.fmt, chunk, next_link=next_link)
        return 200, {"Content-Type": "application/json", "x-ms-request-id": "rid-ok"}, json.dumps(page)

    # -- inspection --------------------------------------------------------------------------

    def listing_requests(self, path: str) -> list:
        """Requests for ``path`` below the root (``Assets``, or ``Assets('id')/ContentKeys``)."""
        wanted = urlsplit(self.root).path + path
        return [r for r in self.requests if unquote(urlsplit(r.url).path) == wanted]


FAST_RETRY = RetrySettings(total=3, backoff_factor=0, backoff_jitter=0, statuses=READ_RETRY.statuses, methods=READ_RETRY.methods)
TOKEN = "opaque-test-token-value"


def read(
    service: FakeV2Service,
    out: Path,
    *,
    entity_sets: list[str] | None,
    provider=None,
    resume: bool = False,
    retry: RetrySettings = FAST_RETRY,
    **settings,
):
    """Run the reader against the service; returns the summary."""
    settings.setdefault("parallel", 4)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        service.install(rsps)
        return read_inventory(
            out,
            ReaderSettings(service.root, **settings),
            provider=provider or StaticTokenProvider(TOKEN, api="v2"),
            session=build_session(retry),
            entity_sets=entity_sets,
            resume=resume,
        )


def _error(text: str) -> str:
    return json.dumps({"error": {"code": "", "message": {"lang": "en-US", "value": text}}})
