"""Every entity set, in both JSON formats, carries every reference property with its wire type."""

from __future__ import annotations

import pytest

from migrator.sandbox.seed import FULL_COVERAGE_ASSETS, SeededV2Data
from migrator.sandbox.v2face import V2Face
from v2_sandbox_helpers import ENTITY_SETS, MINIMAL, REFERENCE, VERBOSE, body, get, results, wire_type_errors


@pytest.fixture(scope="module")
def face() -> V2Face:
    return V2Face(SeededV2Data(11, FULL_COVERAGE_ASSETS * 2), token="test-token")


def _all_entities(face: V2Face, entity_set: str, accept: str) -> list[dict]:
    entities, skip = [], 0
    while True:
        page = results(get(face, f"/api/{entity_set}?$skip={skip}&$top=1000", accept))
        entities.extend(page)
        if len(page) < 1000:
            return entities
        skip += 1000


@pytest.mark.parametrize("entity_set", ENTITY_SETS)
@pytest.mark.parametrize("accept", [VERBOSE, MINIMAL], ids=["verbose", "minimal"])
def test_every_property_of_the_set_is_present_with_its_reference_wire_type(face, entity_set, accept):
    entities = _all_entities(face, entity_set, accept)
    assert entities, f"{entity_set} is empty in a full-coverage account"
    reference = REFERENCE["entity_sets"][entity_set]
    errors = []
    for index, entity in enumerate(entities):
        for prop in reference["properties"]:
            if prop["name"] not in entity:
                errors.append(f"{entity_set}[{index}].{prop['name']}: missing")
            else:
                errors.extend(wire_type_errors(entity[prop["name"]], prop, accept == VERBOSE, f"{entity_set}[{index}].{prop['name']}"))
    assert errors == []


@pytest.mark.parametrize("entity_set", ENTITY_SETS)
def test_verbose_entities_carry_metadata_and_a_deferred_stub_per_navigation_property(face, entity_set):
    reference = REFERENCE["entity_sets"][entity_set]
    for entity in results(get(face, f"/api/{entity_set}?$top=50", VERBOSE)):
        metadata = entity["__metadata"]
        assert metadata["type"] == reference["entity_type"].split(" ")[0]
        assert metadata["id"] == metadata["uri"] and metadata["uri"].startswith("http://127.0.0.1:9/api/")
        assert ":" not in metadata["uri"].split("/api/")[1], "keys must be emitted %3A-encoded"
        for nav in reference["navigation"]:
            assert entity[nav["name"]] == {"__deferred": {"uri": f"{metadata['uri']}/{nav['name']}"}}


@pytest.mark.parametrize("entity_set", ENTITY_SETS)
def test_minimal_metadata_entities_carry_no_odata_bookkeeping(face, entity_set):
    payload = body(get(face, f"/api/{entity_set}?$top=50", MINIMAL))
    assert payload["odata.metadata"] == f"http://127.0.0.1:9/api/$metadata#{entity_set}"
    nav_names = {nav["name"] for nav in REFERENCE["entity_sets"][entity_set]["navigation"]}
    for entity in payload["value"]:
        assert "__metadata" not in entity and not nav_names & set(entity)


def test_verbose_dates_are_escaped_in_the_json_text_as_wcf_wrote_them(face):
    raw = get(face, "/api/Assets?$top=1", VERBOSE).body
    assert b'"Created":"\\/Date(' in raw


def test_unset_non_nullable_dates_are_the_dotnet_minimum_in_both_formats(face):
    verbose = results(get(face, "/api/StreamingEndpoints", VERBOSE))
    minimal = results(get(face, "/api/StreamingEndpoints", MINIMAL))
    assert "/Date(-62135596800000)/" in {e["FreeTrialEndTime"] for e in verbose}
    assert "0001-01-01T00:00:00" in {e["FreeTrialEndTime"] for e in minimal}


@pytest.mark.parametrize("accept", [VERBOSE, MINIMAL], ids=["verbose", "minimal"])
def test_int64_values_travel_as_strings_even_beyond_32_bits(face, accept):
    sizes = [f["ContentFileSize"] for f in results(get(face, "/api/Files", accept))]
    assert sizes and all(isinstance(s, str) and s.isdigit() for s in sizes)
    assert any(int(s) > 2**32 for s in sizes)


def test_live_states_travel_as_names_and_vod_states_as_numbers(face):
    channel = results(get(face, "/api/Channels?$top=1", MINIMAL))[0]
    job = results(get(face, "/api/Jobs?$top=1", MINIMAL))[0]
    assert channel["State"] in REFERENCE["enums"]["ChannelState"]["values"]
    assert channel["Input"]["StreamingProtocol"] in REFERENCE["enums"]["StreamingProtocol"]["values"]
    assert isinstance(job["State"], int)


def test_archive_windows_are_iso_durations(face):
    windows = {p["ArchiveWindowLength"] for p in results(get(face, "/api/Programs", MINIMAL))}
    assert "PT1H" in windows and "PT5M" in windows and "P1DT1H" in windows
