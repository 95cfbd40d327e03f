"""The v2 face's protocol: auth, versions, paging, keys, navigation, errors, writes, throttling."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest

from migrator.sandbox.seed import FULL_COVERAGE_ASSETS, SeededV2Data
from migrator.sandbox.v2data import InMemoryV2Data
from migrator.sandbox.v2face import V2Face
from migrator.sandbox.web import Request
from v2_sandbox_helpers import BASE_URL, ENTITY_SETS, MINIMAL, REFERENCE, TOKEN, VERBOSE, body, get, headers, key_segment, results

T0 = datetime(2020, 1, 1, tzinfo=timezone.utc)


def _access_policies(count: int) -> InMemoryV2Data:
    rows = [
        {"Id": f"nb:pid:UUID:{i:08x}-0000-4000-8000-000000000000", "Created": T0, "LastModified": T0, "Name": f"p{i}", "DurationInMinutes": 60.0, "Permissions": 1}
        for i in range(count)
    ]
    return InMemoryV2Data({"AccessPolicies": rows})


@pytest.fixture(scope="module")
def data() -> SeededV2Data:
    return SeededV2Data(3, FULL_COVERAGE_ASSETS)


@pytest.fixture()
def face(data) -> V2Face:
    return V2Face(data, token=TOKEN)


def _send(face: V2Face, method: str, target: str, request_headers: dict[str, str]) -> object:
    return face.handle(Request.build(method, target, request_headers, b"", BASE_URL))


# -- auth and version -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "],
    ids=["missing", "wrong-token", "not-bearer", "empty-bearer"],
)
def test_requests_without_the_bearer_token_get_401_with_an_odata_error(face, authorization):
    request_headers = {"x-ms-version": "2.19", "Accept": VERBOSE}
    if authorization:
        request_headers["Authorization"] = authorization
    response = _send(face, "GET", "/api/Assets", request_headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error = body(response)["error"]
    assert error["code"] == "" and error["message"]["lang"] == "en-US" and error["message"]["value"]


def test_a_face_without_a_fixed_token_accepts_any_bearer_token(data):
    face = V2Face(data, token=None)
    assert get(face, "/api/Assets?$top=1").status == 200
    assert _send(face, "GET", "/api/Assets", {"x-ms-version": "2.19"}).status == 401


@pytest.mark.parametrize("version", [None, "3.0", "2.20", "1.9"])
def test_missing_or_unsupported_x_ms_version_gets_400(face, version):
    request_headers = {"Authorization": f"Bearer {TOKEN}", "Accept": MINIMAL}
    if version:
        request_headers["x-ms-version"] = version
    response = _send(face, "GET", "/api/Assets", request_headers)
    assert response.status == 400
    assert body(response)["odata.error"]["message"]["value"]


@pytest.mark.parametrize("version", ["2.0", "2.13", "2.19"])
def test_every_documented_version_is_accepted(face, version):
    assert _send(face, "GET", "/api/Assets?$top=1", {**headers(), "x-ms-version": version}).status == 200


def test_error_bodies_follow_the_requested_format(face):
    verbose = body(get(face, "/api/Nope", VERBOSE))
    minimal = body(get(face, "/api/Nope", MINIMAL))
    assert set(verbose) == {"error"} and set(minimal) == {"odata.error"}
    assert verbose["error"]["message"] == minimal["odata.error"]["message"]


# -- headers and the request log ------------------------------------------------------------------


def test_responses_carry_request_ids_and_echo_the_client_request_id(face):
    response = get(face, "/api/Assets?$top=1", **{"x-ms-client-request-id": "abc-123", "client-request-id": "def-456"})
    assert response.headers["request-id"] == response.headers["x-ms-request-id"]
    assert response.headers["x-ms-client-request-id"] == "abc-123"
    assert response.headers["client-request-id"] == "def-456"
    assert response.headers["DataServiceVersion"] == "3.0;"


def test_content_types_name_the_format(face):
    assert get(face, "/api/Assets?$top=1", VERBOSE).headers["Content-Type"].startswith("application/json;odata=verbose")
    assert get(face, "/api/Assets?$top=1", MINIMAL).headers["Content-Type"].startswith("application/json;odata=minimalmetadata")


def test_the_request_log_records_method_path_query_and_status(face):
    get(face, "/api/Assets?$top=2")
    get(face, "/api/Nope")
    log = face.request_log
    assert [(e.method, e.path, e.status) for e in log] == [("GET", "/api/Assets", 200), ("GET", "/api/Nope", 404)]
    assert "%24top=2" in log[0].query


# -- writes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "MERGE", "DELETE"])
def test_every_write_is_refused_with_405_and_counted(face, method):
    response = _send(face, method, "/api/Assets", headers())
    assert response.status == 405 and response.headers["Allow"] == "GET"
    assert face.write_attempts == 1
    get(face, "/api/Assets?$top=1")
    assert face.write_attempts == 1


def test_writes_are_counted_even_without_credentials(face):
    _send(face, "DELETE", "/api/Assets('x')", {})
    assert face.write_attempts == 1


# -- paging -------------------------------------------------------------------------------------


def test_pages_are_capped_at_1000_whatever_top_asks():
    face = V2Face(_access_policies(2500), token=TOKEN)
    assert len(results(get(face, "/api/AccessPolicies"))) == 1000
    assert len(results(get(face, "/api/AccessPolicies?$top=5000"))) == 1000
    assert len(results(get(face, "/api/AccessPolicies?$skip=2000&$top=1000"))) == 500
    assert results(get(face, "/api/AccessPolicies?$skip=2500")) == []


def test_skip_and_top_select_a_stable_window_in_key_order():
    face = V2Face(_access_policies(30), token=TOKEN)
    page = [e["Name"] for e in results(get(face, "/api/AccessPolicies?$skip=5&$top=3", MINIMAL))]
    assert page == ["p5", "p6", "p7"]


def test_orderby_is_tolerated_and_order_stays_by_key():
    face = V2Face(_access_policies(30), token=TOKEN)
    plain = results(get(face, "/api/AccessPolicies?$top=10"))
    ordered = results(get(face, "/api/AccessPolicies?$top=10&$orderby=Created,Id"))
    assert plain == ordered


@pytest.mark.parametrize("query", ["$top=-1", "$top=ten", "$skip=-5"])
def test_bad_paging_options_get_400(face, query):
    assert get(face, f"/api/Assets?{query}").status == 400


def test_next_links_appear_on_full_pages_only_when_switched_on():
    data = _access_policies(1500)
    assert "__next" not in body(get(V2Face(data, token=TOKEN), "/api/AccessPolicies"))["d"]
    linked = V2Face(data, token=TOKEN, next_links=True)
    first = body(get(linked, "/api/AccessPolicies"))["d"]
    assert first["__next"] == f"{BASE_URL}/api/AccessPolicies?$skip=1000"
    last = body(get(linked, "/api/AccessPolicies?$skip=1000", MINIMAL))
    assert "odata.nextLink" not in last


# -- query options ------------------------------------------------------------------------------


def test_filter_on_the_key_returns_that_entity_alone(face, data):
    asset_id = data.asset_key(4)
    found = results(get(face, f"/api/Assets?$filter=Id eq '{asset_id}'"))
    assert [e["Id"] for e in found] == [asset_id]
    assert results(get(face, "/api/Assets?$filter=Id eq 'nb:cid:UUID:00000000-0000-4000-8000-000000000000'")) == []


def test_filters_other_than_key_equality_are_refused(face):
    assert get(face, "/api/Assets?$filter=startswith(Name,'Big')").status == 400


def test_expand_is_refused_as_the_documentation_says(face):
    response = get(face, "/api/Assets?$expand=Locators")
    assert response.status == 400
    assert "$expand" in body(response)["error"]["message"]["value"]


def test_unknown_system_query_options_are_refused(face):
    assert get(face, "/api/Assets?$bogus=1").status == 400


def test_select_keeps_only_the_named_properties(face):
    entity = results(get(face, "/api/Assets?$top=1&$select=Id,Name", MINIMAL))[0]
    assert set(entity) == {"Id", "Name"}


def test_atom_only_clients_are_told_the_sandbox_speaks_json(face):
    assert get(face, "/api/Assets", "application/atom+xml").status == 415


# -- keys ---------------------------------------------------------------------------------------


def test_keys_may_be_sent_raw_or_percent_encoded(face, data):
    asset_id = data.asset_key(2)
    raw = body(get(face, f"/api/Assets('{asset_id}')"))["d"]
    encoded = body(get(face, f"/api/Assets('{asset_id.replace(':', '%3A')}')"))["d"]
    assert raw == encoded and raw["Id"] == asset_id


def test_single_entities_in_minimal_metadata_name_the_element(face, data):
    payload = body(get(face, f"/api/Assets('{data.asset_key(0)}')", MINIMAL))
    assert payload["odata.metadata"] == f"{BASE_URL}/api/$metadata#Assets/@Element"


@pytest.mark.parametrize("entity_set", ENTITY_SETS)
def test_every_entity_is_reachable_by_its_key_as_the_service_emits_it(face, data, entity_set):
    key_name = REFERENCE["entity_sets"][entity_set]["key"][0]
    for record in data.page(entity_set, 0, 5):
        key = str(record[key_name])
        response = get(face, f"/api/{key_segment(entity_set, key)}", MINIMAL)
        assert response.status == 200, (entity_set, key)
        assert str(body(response)[key_name]) == key


def test_asset_filter_keys_use_the_encoded_separator(face, data):
    record = data.page("AssetFilters", 0, 1)[0]
    asset_id, name = record["ParentAssetId"], record["Name"]
    target = f"/api/AssetFilters('{asset_id.replace(':', '%3A')}__%23%23%23__{name}')"
    assert body(get(face, target, MINIMAL))["Id"] == f"{asset_id}__###__{name}"


def test_unknown_keys_sets_and_navigation_are_404(face, data):
    assert get(face, "/api/Assets('nb:cid:UUID:ffffffff-0000-4000-8000-000000000000')").status == 404
    assert get(face, "/api/Widgets").status == 404
    assert get(face, f"/api/Assets('{data.asset_key(0)}')/Widgets").status == 404


def test_navigation_without_a_key_is_refused(face):
    assert get(face, "/api/Assets/Locators").status == 400


# -- navigation ---------------------------------------------------------------------------------


def _ids(response) -> list[str]:
    return [e.get("Id", e.get("Name")) for e in results(response)]


def test_asset_navigation_collections_match_the_foreign_keys(face, data):
    for index in range(FULL_COVERAGE_ASSETS):
        asset_id = data.asset_key(index)
        segment = key_segment("Assets", asset_id)
        locators = [r["Id"] for r in data.iter("Locators") if r["AssetId"] == asset_id]
        files = [r["Id"] for r in data.iter("Files") if r["ParentAssetId"] == asset_id]
        filters = [r["Id"] for r in data.iter("AssetFilters") if r["ParentAssetId"] == asset_id]
        assert _ids(get(face, f"/api/{segment}/Locators")) == locators
        assert _ids(get(face, f"/api/{segment}/Files")) == files
        assert _ids(get(face, f"/api/{segment}/AssetFilters")) == filters


def test_content_keys_and_delivery_policies_are_linked_to_their_assets(face, data):
    linked_keys = {k for i in range(FULL_COVERAGE_ASSETS) for k in data.navigation("Assets", data.asset_key(i), "ContentKeys")}
    linked_policies = {p for i in range(FULL_COVERAGE_ASSETS) for p in data.navigation("Assets", data.asset_key(i), "DeliveryPolicies")}
    per_asset_keys = {r["Id"] for r in data.iter("ContentKeys") if r["ContentKeyType"] not in (2, 7, 8)}
    assert linked_keys == per_asset_keys
    assert linked_policies == {r["Id"] for r in data.iter("AssetDeliveryPolicies")}
    some_asset = next(data.asset_key(i) for i in range(FULL_COVERAGE_ASSETS) if data.navigation("Assets", data.asset_key(i), "ContentKeys"))
    served = _ids(get(face, f"/api/{key_segment('Assets', some_asset)}/ContentKeys"))
    assert served == data.navigation("Assets", some_asset, "ContentKeys")


def test_single_valued_navigation_returns_the_entity(face, data):
    locator = data.page("Locators", 0, 1)[0]
    segment = key_segment("Locators", locator["Id"])
    assert body(get(face, f"/api/{segment}/Asset"))["d"]["Id"] == locator["AssetId"]
    assert body(get(face, f"/api/{segment}/AccessPolicy", MINIMAL))["Id"] == locator["AccessPolicyId"]
    asset = data.get("Assets", locator["AssetId"])
    storage = body(get(face, f"/api/{key_segment('Assets', asset['Id'])}/StorageAccount", MINIMAL))
    assert storage["Name"] == asset["StorageAccountName"]


def test_policy_options_job_tasks_and_assets_are_navigable(face, data):
    policy = data.page("ContentKeyAuthorizationPolicies", 0, 1)[0]
    options = _ids(get(face, f"/api/{key_segment('ContentKeyAuthorizationPolicies', policy['Id'])}/Options"))
    assert options and all(data.get("ContentKeyAuthorizationPolicyOptions", o) for o in options)
    for job in data.iter("Jobs"):
        segment = key_segment("Jobs", job["Id"])
        tasks = _ids(get(face, f"/api/{segment}/Tasks"))
        inputs = _ids(get(face, f"/api/{segment}/InputMediaAssets"))
        outputs = _ids(get(face, f"/api/{segment}/OutputMediaAssets"))
        assert tasks and len(inputs) == 1 and len(outputs) == 1
        assert _ids(get(face, f"/api/{key_segment('Tasks', tasks[0])}/OutputMediaAssets")) == outputs
        assert data.navigation("Assets", outputs[0], "ParentAssets") == inputs


def test_live_templates_and_manifests_are_navigable(face, data):
    programs = {p["Id"] for p in data.iter("Programs")}
    served = {p for c in data.iter("Channels") for p in _ids(get(face, f"/api/{key_segment('Channels', c['Id'])}/Programs"))}
    assert served == programs
    task_templates = {t for j in data.iter("JobTemplates") for t in _ids(get(face, f"/api/{key_segment('JobTemplates', j['Id'])}/TaskTemplates"))}
    assert task_templates == {t["Id"] for t in data.iter("TaskTemplates")}
    manifest = data.page("IngestManifests", 0, 1)[0]
    manifest_assets = _ids(get(face, f"/api/{key_segment('IngestManifests', manifest['Id'])}/IngestManifestAssets"))
    assert manifest_assets
    asset = body(get(face, f"/api/{key_segment('IngestManifestAssets', manifest_assets[0])}/Asset", MINIMAL))
    assert asset["Id"].startswith("nb:cid:UUID:")


def test_navigation_collections_are_paged_like_sets(face, data):
    asset_id = next(r["ParentAssetId"] for r in data.iter("Files") if len(data.navigation("Assets", r["ParentAssetId"], "Files")) >= 3)
    segment = key_segment("Assets", asset_id)
    every = _ids(get(face, f"/api/{segment}/Files"))
    assert _ids(get(face, f"/api/{segment}/Files?$skip=1&$top=1")) == every[1:2]


# -- service document and $metadata ---------------------------------------------------------------


def test_the_service_root_lists_every_entity_set(face):
    assert body(get(face, "/api/", VERBOSE))["d"]["EntitySets"] == list(ENTITY_SETS)
    assert [s["name"] for s in body(get(face, "/api/", MINIMAL))["value"]] == list(ENTITY_SETS)


def test_metadata_declares_every_entity_set_with_the_reference_types(face):
    response = get(face, "/api/$metadata")
    assert response.status == 200 and response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.body)
    edm = "{http://schemas.microsoft.com/ado/2009/11/edm}"
    sets = {e.get("Name"): e.get("EntityType") for e in root.iter(f"{edm}EntitySet")}
    assert sets == {name: REFERENCE["entity_sets"][name]["entity_type"].split(" ")[0] for name in ENTITY_SETS}


# -- throttling and latency -----------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_requests_beyond_the_configured_rate_get_503_server_is_busy(data):
    clock = _Clock()
    face = V2Face(data, token=TOKEN, throttle=2, clock=clock)
    statuses = [get(face, "/api/Assets?$top=1").status for _ in range(3)]
    assert statuses == [200, 200, 503]
    busy = body(get(face, "/api/Assets?$top=1"))["error"]["message"]["value"]
    assert busy.startswith("Server is busy. More than 2 requests per second can be throttled.")
    clock.now += 1.0
    assert get(face, "/api/Assets?$top=1").status == 200


def test_throttled_answers_carry_retry_after_only_when_asked(data):
    clock = _Clock()
    plain = V2Face(data, token=TOKEN, throttle=1, clock=clock)
    hinted = V2Face(data, token=TOKEN, throttle=1, throttle_retry_after=3, clock=clock)
    for face in (plain, hinted):
        get(face, "/api/Assets?$top=1")
    assert "Retry-After" not in get(plain, "/api/Assets?$top=1").headers
    assert get(hinted, "/api/Assets?$top=1").headers["Retry-After"] == "3"


def test_latency_is_injected_before_every_answer(data):
    slept: list[float] = []
    face = V2Face(data, token=TOKEN, latency_ms=250, sleep=slept.append)
    get(face, "/api/Assets?$top=1")
    get(face, "/api/Nope")
    assert slept == [0.25, 0.25]


# -- content key export -------------------------------------------------------------------------


def test_rebind_content_key_without_a_certificate_returns_the_clear_key(face, data):
    key = data.page("ContentKeys", 0, 1)[0]["Id"]
    minimal = body(get(face, f"/api/RebindContentKey?id='{key}'&x509Certificate=''", MINIMAL))
    verbose = body(get(face, f"/api/RebindContentKey?id='{key}'&x509Certificate=''", VERBOSE))
    assert minimal == {"odata.metadata": f"{BASE_URL}/api/$metadata#Edm.String", "value": data.clear_key_value_of(key)}
    assert verbose == {"d": {"RebindContentKey": data.clear_key_value_of(key)}}


def test_rebind_content_key_refuses_unknown_keys_and_certificates(face, data):
    key = data.page("ContentKeys", 0, 1)[0]["Id"]
    assert get(face, "/api/RebindContentKey?id='nb:kid:UUID:ffffffff-0000-4000-8000-000000000000'&x509Certificate=''").status == 404
    assert get(face, f"/api/RebindContentKey?id='{key}'&x509Certificate='MIIB'").status == 400
    assert get(face, f"/api/RebindContentKey?id={key}").status == 400


def test_accounts_without_clear_key_values_cannot_rebind():
    face = V2Face(_access_policies(1), token=TOKEN)
    assert get(face, "/api/RebindContentKey?id='nb:kid:UUID:x'&x509Certificate=''").status == 404


def test_metadata_is_served_whatever_xml_type_the_client_accepts(face):
    for accept in ("application/xml", "application/atom+xml", "*/*"):
        assert get(face, "/api/$metadata", accept).status == 200


# -- switches for behaviour the reference leaves open --------------------------------------------


def test_orderby_can_be_refused_to_exercise_a_readers_fallback(data):
    face = V2Face(data, token=TOKEN, orderby_supported=False)
    assert get(face, "/api/Assets?$orderby=Id").status == 400
    assert get(face, "/api/Assets?$top=1").status == 200


def test_listing_operations_can_be_refused_while_single_operations_stay_readable(data):
    face = V2Face(data, token=TOKEN, operations_listable=False)
    operation = data.page("Operations", 0, 1)[0]["Id"]
    assert get(face, "/api/Operations").status == 405
    assert get(face, f"/api/{key_segment('Operations', operation)}").status == 200


def test_the_api_version_query_parameter_may_stand_in_for_the_header(face):
    request_headers = {"Authorization": f"Bearer {TOKEN}", "Accept": MINIMAL}
    assert _send(face, "GET", "/api/$metadata?api-version=2.19", request_headers).status == 200
    assert _send(face, "GET", "/api/Assets?api-version=2.19&$top=1", request_headers).status == 200


def test_reads_other_than_get_are_refused_without_counting_as_writes(face):
    assert _send(face, "HEAD", "/api/Assets", headers()).status == 405
    assert face.write_attempts == 0
