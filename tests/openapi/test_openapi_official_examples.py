"""Every official example of the reference is valid against the schema it illustrates."""

from __future__ import annotations

import filecmp

import pytest
from openapi_fixtures import OFFICIAL_EXAMPLES, PACKAGED_SPEC, REFERENCE_SPEC, example_id

from migrator.openapi import validator


@pytest.mark.skipif(not REFERENCE_SPEC.is_dir(), reason="the shared reference is not mounted here")
def test_packaged_specification_is_an_unchanged_copy_of_the_reference():
    reference = sorted(p.relative_to(REFERENCE_SPEC) for p in REFERENCE_SPEC.rglob("*.json"))
    packaged = sorted(p.relative_to(PACKAGED_SPEC) for p in PACKAGED_SPEC.rglob("*.json"))
    assert packaged == reference
    _, mismatch, errors = filecmp.cmpfiles(REFERENCE_SPEC, PACKAGED_SPEC, [str(p) for p in reference], shallow=False)
    assert (mismatch, errors) == ([], [])


def test_every_example_file_of_the_reference_is_cited_by_an_operation():
    example_files = {p.name for p in PACKAGED_SPEC.rglob("examples/*.json")}
    assert example_files == {example.file for example in OFFICIAL_EXAMPLES}


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES, ids=example_id)
def test_official_example_request_body_is_valid_in_strict_mode(example):
    assert validator.validate_request(example.method, example.path, example.body) == []


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES, ids=example_id)
def test_official_example_responses_are_valid(example):
    for status, answer in example.responses.items():
        assert validator.validate_response(example.method, example.path, int(status), answer.get("body")) == []


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES, ids=example_id)
def test_official_example_path_parameters_are_valid(example):
    assert validator.validate_path(example.method, example.path) == []


def test_response_of_a_created_asset_with_its_read_only_fields_is_valid_but_not_as_a_request():
    created = next(e for e in OFFICIAL_EXAMPLES if e.file == "assets-create.json").responses["201"]["body"]
    path = next(e for e in OFFICIAL_EXAMPLES if e.file == "assets-create.json").path
    assert validator.validate_response("PUT", path, 201, created) == []
    request_errors = validator.validate_request("PUT", path, created)
    assert "properties.assetId: is read-only; a request may not set it" in request_errors
    assert "id: is read-only; a request may not set it" in request_errors
