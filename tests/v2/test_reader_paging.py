"""Paging, navigation reads, headers and concurrency of the v2 reader against a fake service."""

from __future__ import annotations

import json
import logging
import threading
import time
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from fake_v2_service import WIRE, FakeV2Service, Fault, key_for, read
from migrator.exceptions import MalformedPageError
from migrator.v2 import schema, wire
from migrator.v2.reader import key_literal
from migrator.v2.store import InventoryStore


def _query(request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


@pytest.mark.parametrize("count", [0, 999, 1000, 1001, 2500])
@pytest.mark.parametrize("next_links", [False, True], ids=["skip-paging", "next-links"])
def test_every_entity_is_read_once_at_page_boundaries(tmp_path, count, next_links):
    service = FakeV2Service(next_links=next_links)
    keys = service.add("Locators", count)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"], parallel=4)
    assert summary.counts == {"Locators": count}
    with InventoryStore.open(tmp_path / "inv.db") as store:
        assert [e.key for e in store.entities("Locators")] == sorted(keys)


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (999, 1), (1000, 2), (1001, 2), (2500, 3)])
def test_sequential_skip_paging_stops_at_the_first_short_page(tmp_path, count, pages):
    service = FakeV2Service()
    service.add("Locators", count)
    read(service, tmp_path / "inv.db", entity_sets=["Locators"], parallel=1)
    skips = [_query(r)["$skip"] for r in service.listing_requests("Locators")]
    assert skips == [str(1000 * n) for n in range(pages)]


# A full last page without a link cannot be told from a service that never sends links, so
# exactly 1000 entities cost one probe of the next page.
@pytest.mark.parametrize(("count", "pages"), [(0, 1), (999, 1), (1000, 2), (1001, 2), (2500, 3)])
def test_service_next_links_are_followed_and_end_the_set(tmp_path, count, pages):
    service = FakeV2Service(next_links=True)
    service.add("Locators", count)
    read(service, tmp_path / "inv.db", entity_sets=["Locators"], parallel=4)
    requests = service.listing_requests("Locators")
    assert len(requests) == pages
    # after the first page, the reader requests exactly the links the service sent
    assert [_query(r)["$skip"] for r in requests] == [str(1000 * n) for n in range(pages)]


def test_minimal_metadata_next_links_are_followed(tmp_path):
    service = FakeV2Service(fmt="minimal", next_links=True)
    service.add("Assets", 1500)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Assets"], parallel=8, wire_format="minimal")
    assert summary.counts == {"Assets": 1500}


def test_entities_repeated_across_skip_pages_are_stored_once(tmp_path):
    service = FakeV2Service(overlap=1)
    keys = service.add("Locators", 2500)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"], parallel=1)
    assert summary.counts == {"Locators": 2500}
    assert summary.duplicates == 1  # page 2 began with the last entity of page 1
    with InventoryStore.open(tmp_path / "inv.db") as store:
        assert [e.key for e in store.entities("Locators")] == sorted(keys)


def test_pages_ask_for_1000_with_a_stable_order_and_never_expand(tmp_path):
    service = FakeV2Service()
    service.add("Locators", 1001)
    service.add("Assets", 2)
    read(service, tmp_path / "inv.db", entity_sets=["Locators", "Assets"])
    listing = service.listing_requests("Locators") + service.listing_requests("Assets")
    for request in listing:
        query = _query(request)
        assert query["$top"] == "1000"
        assert int(query["$skip"]) % 1000 == 0
        assert query["$orderby"] == "Id"
    assert not any("$expand" in r.url or "%24expand" in r.url for r in service.requests)


@pytest.mark.parametrize(
    ("order", "expected"),
    [("created", {"Assets": "Created,Id", "Locators": "Id"}), ("none", {"Assets": None, "Locators": None})],
)
def test_page_order_option_sets_orderby(tmp_path, order, expected):
    service = FakeV2Service()
    service.add("Assets", 1)
    service.add("Locators", 1)
    read(service, tmp_path / "inv.db", entity_sets=["Assets", "Locators"], order=order)
    for entity_set, orderby in expected.items():
        (request,) = service.listing_requests(entity_set)
        assert _query(request).get("$orderby") == orderby


def test_requests_carry_the_documented_headers_and_a_fresh_client_request_id(tmp_path):
    service = FakeV2Service()
    service.add("Locators", 1)
    read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    for request in service.requests:
        assert request.headers["x-ms-version"] == "2.19"
        assert request.headers["DataServiceVersion"] == "3.0"
        assert request.headers["MaxDataServiceVersion"] == "3.0"
        assert request.headers["Authorization"].startswith("Bearer ")
    listing = service.listing_requests("Locators")
    assert listing[0].headers["Accept"] == "application/json;odata=verbose"
    ids = [r.headers["x-ms-client-request-id"] for r in service.requests]
    assert len(ids) == len(set(ids)) >= 3  # root probe, $metadata, the page


def test_minimal_format_is_asked_for_with_its_accept_header(tmp_path):
    service = FakeV2Service(fmt="minimal")
    service.add("Locators", 3)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"], wire_format="minimal")
    assert summary.counts == {"Locators": 3}
    assert service.listing_requests("Locators")[0].headers["Accept"] == "application/json;odata=minimalmetadata"


@pytest.mark.parametrize("fmt", ["verbose", "minimal"])
@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_every_entity_set_is_read_in_both_wire_formats(tmp_path, entity_set, fmt):
    service = FakeV2Service(fmt=fmt)
    keys = service.add(entity_set, 3)
    summary = read(service, tmp_path / "inv.db", entity_sets=[entity_set], wire_format=fmt)
    assert summary.counts == {entity_set: 3}
    with InventoryStore.open(tmp_path / "inv.db") as store:
        for key in keys:
            wire_object = service.entity(entity_set, key)
            assert store.get(entity_set, key) == wire.parse_entity(entity_set, wire_object)


def test_the_same_account_in_either_wire_format_has_the_same_fingerprint(tmp_path):
    fingerprints = set()
    for fmt in ("verbose", "minimal"):
        service = FakeV2Service(fmt=fmt)
        service.add("Locators", 5)
        service.add("ContentKeys", 5)
        fingerprints.add(read(service, tmp_path / f"{fmt}.db", entity_sets=["Locators", "ContentKeys"]).fingerprint)
    assert len(fingerprints) == 1


def test_navigation_collections_are_read_per_entity_with_encoded_keys(tmp_path):
    service = FakeV2Service()
    assets = service.add("Assets", 2)
    content_keys = service.add("ContentKeys", 2)
    policies = service.add("AssetDeliveryPolicies", 1)
    service.link("Assets", assets[0], "ContentKeys", "ContentKeys", content_keys)
    service.link("Assets", assets[1], "DeliveryPolicies", "AssetDeliveryPolicies", policies)
    service.link("Assets", assets[1], "ParentAssets", "Assets", [assets[0]])
    summary = read(service, tmp_path / "inv.db", entity_sets=["Assets", "ContentKeys", "AssetDeliveryPolicies"])
    assert summary.link_counts == {"Assets/ContentKeys": 2, "Assets/ParentAssets": 1, "Assets/DeliveryPolicies": 1}
    with InventoryStore.open(tmp_path / "inv.db") as store:
        assert list(store.links("Assets", "ContentKeys")) == [(assets[0], k) for k in sorted(content_keys)]
        assert list(store.links("Assets", "ParentAssets")) == [(assets[1], assets[0])]
    raw_paths = {urlsplit(r.url).path for r in service.requests}
    encoded = assets[0].replace(":", "%3A")
    assert f"/api/Assets('{encoded}')/ContentKeys" in raw_paths


def test_key_literals_are_quoted_and_percent_encoded_as_the_service_writes_them():
    assert key_literal("Assets", "nb:cid:UUID:1") == "'nb%3Acid%3AUUID%3A1'"
    assert key_literal("AssetFilters", "nb:cid:UUID:1__###__f") == "'nb%3Acid%3AUUID%3A1__%23%23%23__f'"
    assert key_literal("Filters", "it's") == "'it%27%27s'"
    assert key_literal("EncodingReservedUnitTypes", "8bc0e7b4-1aa0-4b40-a5ac-01c4e8bb8a5f").startswith("guid'")


def test_a_navigation_collection_over_1000_is_paged(tmp_path):
    service = FakeV2Service()
    (job,) = service.add("Jobs", 1)
    assets = service.add("Assets", 1001)
    service.link("Jobs", job, "InputMediaAssets", "Assets", assets)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Jobs"])
    assert summary.link_counts["Jobs/InputMediaAssets"] == 1001


def test_navigation_of_an_entity_deleted_mid_read_is_skipped(tmp_path, caplog):
    service = FakeV2Service()
    assets = service.add("Assets", 2)
    path = f"Assets('{assets[0]}')/ContentKeys"
    service.fail(path, Fault(404, {"x-ms-request-id": "rid-gone"}))
    summary = read(service, tmp_path / "inv.db", entity_sets=["Assets"])
    assert summary.counts == {"Assets": 2}
    assert "no longer exists" in caplog.text


def test_navigation_is_read_only_for_selected_sets(tmp_path):
    service = FakeV2Service()
    service.add("Locators", 1)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    assert summary.link_counts == {}
    assert not any(")/" in r.url for r in service.requests)


def test_pages_of_one_large_set_are_fetched_concurrently(tmp_path):
    active, peak, lock = [0], [0], threading.Lock()

    def slow_page(request):
        if "Locators" in request.url:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.02)
            with lock:
                active[0] -= 1
        return None

    service = FakeV2Service(before=slow_page)
    service.add("Locators", 6000)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"], parallel=4)
    assert summary.counts == {"Locators": 6000}
    assert 1 < peak[0] <= 4


def test_a_next_link_to_another_host_is_refused(tmp_path):
    # the first page of Locators carries a next link to another host
    evil = FakeV2Service(next_links=True, root="https://attacker.example/api/")
    evil.add("Locators", 1500)
    service = FakeV2Service(before=lambda r: Fault(200, {}, _page_with_foreign_link(evil)) if "Locators" in r.url else None)
    with pytest.raises(MalformedPageError, match="outside the account endpoint"):
        read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    assert not (tmp_path / "inv.db").exists()


def _page_with_foreign_link(evil: FakeV2Service) -> str:
    status, headers, body = evil._collection("Locators", {"$top": "1000", "$skip": "0"})
    return body


def test_the_service_metadata_document_is_archived(tmp_path):
    service = FakeV2Service()
    service.add("Locators", 1)
    read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    with InventoryStore.open(tmp_path / "inv.db") as store:
        assert store.document("$metadata") == "<edmx:Edmx Version='1.0'/>"


@pytest.mark.parametrize(
    ("example", "fmt"), [("assets_verbose_page", "verbose"), ("assets_minimalmetadata_page", "minimal")]
)
def test_the_reference_example_pages_are_read_and_their_next_link_followed(tmp_path, example, fmt):
    page = WIRE.load_response_examples()[example]
    asset_id = "nb:cid:UUID:7e712f7e-d35f-4629-a9b1-47b35b2b576b"
    service = FakeV2Service(fmt=fmt)
    service.sets["Assets"] = [service.entity("Assets", asset_id)]  # answers the navigation reads
    first_page = json.dumps(page)
    service.before = lambda r: Fault(200, {}, first_page) if "$skip=0" in r.url and "/Assets?" in r.url else None
    summary = read(service, tmp_path / "inv.db", entity_sets=["Assets"], wire_format=fmt)
    assert summary.counts == {"Assets": 1}
    followed = [r for r in service.listing_requests("Assets") if "$skip=1000" in unquote(r.url)]
    assert len(followed) == 1 and "$top" not in unquote(followed[0].url)  # the link exactly as sent
    with InventoryStore.open(tmp_path / "inv.db") as store:
        asset = store.get("Assets", asset_id)
    assert asset.name == "example-input" and asset.storage_account_name == "mystorage"


def test_task_templates_are_collected_through_job_templates_when_not_listed(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="migrator")
    service = FakeV2Service()
    job_templates = service.add("JobTemplates", 2)
    task_templates = [key_for("TaskTemplates", i) for i in range(3)]
    service.link("JobTemplates", job_templates[0], "TaskTemplates", "TaskTemplates", task_templates[:2])
    service.link("JobTemplates", job_templates[1], "TaskTemplates", "TaskTemplates", task_templates[2:])
    service.fail("TaskTemplates", Fault(404, {}, ""))
    summary = read(service, tmp_path / "inv.db", entity_sets=["JobTemplates", "TaskTemplates"])
    assert summary.unavailable == ("TaskTemplates",)
    assert summary.counts == {"JobTemplates": 2, "TaskTemplates": 3}
    with InventoryStore.open(tmp_path / "inv.db") as store:
        assert [t.key for t in store.entities("TaskTemplates")] == sorted(task_templates)
        assert len(list(store.links("JobTemplates", "TaskTemplates"))) == 3
    assert "collecting TaskTemplates through JobTemplates/TaskTemplates" in caplog.text


def test_listed_task_templates_are_not_collected_twice(tmp_path):
    service = FakeV2Service()
    (job_template,) = service.add("JobTemplates", 1)
    task_templates = service.add("TaskTemplates", 2)
    service.link("JobTemplates", job_template, "TaskTemplates", "TaskTemplates", task_templates[:1])
    summary = read(service, tmp_path / "inv.db", entity_sets=["JobTemplates", "TaskTemplates"])
    assert summary.unavailable == ()
    assert summary.counts == {"JobTemplates": 1, "TaskTemplates": 2}
    assert summary.link_counts == {"JobTemplates/TaskTemplates": 1}
