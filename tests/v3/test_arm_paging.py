"""Collections are generators that follow @odata.nextLink exactly as the service gave it."""

from __future__ import annotations

import pytest
from responses import matchers

from v3_fakes import ACCOUNT, METADATA
from migrator.exceptions import RemoteError
from migrator.v3 import models

ASSETS_URL = f"{METADATA}/assets"
# The shape of a next link per reference v3-api.md section 5: absolute, api-version, $skiptoken.
PAGE_2 = f"{ASSETS_URL}?api-version=2023-01-01&$skiptoken=Asset+517"
PAGE_3 = f"{ASSETS_URL}?api-version=2023-01-01&$skiptoken=Asset+1034"


def page(names, next_link=None):
    body = {"value": [{"name": n, "properties": {"assetId": f"id-{n}"}} for n in names]}
    if next_link:
        body["@odata.nextLink"] = next_link
    return body


def register_three_pages(rsps):
    rsps.get(ASSETS_URL, json=page(["a1", "a2"], PAGE_2), match=[matchers.query_string_matcher("api-version=2023-01-01")])
    rsps.get(ASSETS_URL, json=page(["a3", "a4"], PAGE_3), match=[matchers.query_string_matcher("api-version=2023-01-01&$skiptoken=Asset+517")])
    rsps.get(ASSETS_URL, json=page(["a5"]), match=[matchers.query_string_matcher("api-version=2023-01-01&$skiptoken=Asset+1034")])


def test_listing_walks_every_page_in_order(client, rsps):
    register_three_pages(rsps)
    assets = list(client.assets.list(ACCOUNT))
    assert [a.name for a in assets] == ["a1", "a2", "a3", "a4", "a5"]
    assert all(isinstance(a, models.Asset) for a in assets)
    assert rsps.calls[1].request.url == PAGE_2 and rsps.calls[2].request.url == PAGE_3


def test_pages_are_fetched_only_as_the_caller_consumes_them(client, rsps):
    register_three_pages(rsps)
    items = client.list(ACCOUNT.id() + "/assets")
    assert len(rsps.calls) == 0
    assert [next(items)["name"], next(items)["name"]] == ["a1", "a2"]
    assert len(rsps.calls) == 1
    next(items)
    assert len(rsps.calls) == 2


def test_odata_query_options_are_sent_on_the_first_page_only(client, rsps):
    rsps.get(ASSETS_URL, json=page(["a1"], PAGE_2))
    rsps.get(ASSETS_URL, json=page([]), match=[matchers.query_string_matcher("api-version=2023-01-01&$skiptoken=Asset+517")])
    list(client.assets.list(ACCOUNT, filter="properties/alternateId eq 'x'", top=2, orderby="name"))
    first = rsps.calls[0].request
    assert first.params == {"api-version": "2023-01-01", "$filter": "properties/alternateId eq 'x'", "$top": "2", "$orderby": "name"}
    assert rsps.calls[1].request.url == PAGE_2


def test_child_collections_are_listed_under_their_parent(client, rsps):
    rsps.get(f"{METADATA}/assets/a1/assetFilters", json={"value": [{"name": "f1", "properties": {"firstQuality": {"bitrate": 128000}}}]})
    (only,) = client.asset_filters.list(ACCOUNT, "a1")
    assert only.first_quality == models.FirstQuality(bitrate=128000)


def test_an_empty_collection_yields_nothing(client, rsps):
    rsps.get(f"{METADATA}/transforms", json={"value": []})
    assert list(client.transforms.list(ACCOUNT)) == []


def test_a_next_link_to_another_host_is_refused(client, rsps):
    rsps.get(ASSETS_URL, json=page(["a1"], "https://elsewhere.example/assets?$skiptoken=1"))
    items = client.list(ACCOUNT.id() + "/assets")
    assert next(items)["name"] == "a1"
    with pytest.raises(RemoteError, match="another host"):
        next(items)
