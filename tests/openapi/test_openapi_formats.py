"""The swagger formats the Media specs use, each with values the service took and refused."""

from __future__ import annotations

import pytest

from migrator.openapi import validator


def locator_with(field: str, value) -> dict:
    return {"properties": {"assetName": "a", "streamingPolicyName": "p", field: value}}


def errors_for(definition: str, body: dict) -> list[str]:
    return validator.validate_definition(definition, body)


@pytest.mark.parametrize(
    "value",
    ["90c8bcb1-5d55-4f5b-8b3b-0f8de4fa87e3", "90C8BCB1-5D55-4F5B-8B3B-0F8DE4FA87E3"],
)
def test_uuid_accepts_either_case(value):
    assert errors_for("StreamingLocator", locator_with("streamingLocatorId", value)) == []


@pytest.mark.parametrize(
    "value",
    ["90c8bcb15d554f5b8b3b0f8de4fa87e3", "{90c8bcb1-5d55-4f5b-8b3b-0f8de4fa87e3}", "nb:lid:UUID:90c8bcb1-5d55-4f5b-8b3b-0f8de4fa87e3", ""],
)
def test_uuid_refuses_other_spellings_including_the_v2_id_prefix(value):
    assert len(errors_for("StreamingLocator", locator_with("streamingLocatorId", value))) == 1


@pytest.mark.parametrize(
    "value",
    ["2018-03-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "2018-03-01T00:00:00.5+01:00", "2018-03-01t00:00:00z"],
)
def test_date_time_accepts_rfc3339(value):
    assert errors_for("StreamingLocator", locator_with("startTime", value)) == []


@pytest.mark.parametrize("value", ["2018-03-01", "2018-13-01T00:00:00Z", "2018-03-01 00:00:00Z", "03/01/2018 00:00:00"])
def test_date_time_refuses_other_forms(value):
    assert len(errors_for("StreamingLocator", locator_with("startTime", value))) == 1


def live_output(window) -> dict:
    return {"properties": {"assetName": "a", "archiveWindowLength": window}}


@pytest.mark.parametrize("value", ["PT1H", "PT25H", "PT0.5S", "P1D", "P1DT2H30M", "PT90M", "P1W"])
def test_duration_accepts_iso_8601(value):
    assert errors_for("LiveOutput", live_output(value)) == []


@pytest.mark.parametrize("value", ["P", "PT", "1:00:00", "00:30:00", "PT1H30", "P1DT", "1h"])
def test_duration_refuses_other_forms(value):
    assert len(errors_for("LiveOutput", live_output(value))) == 1


def symmetric_key(value) -> dict:
    return {"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": value}


@pytest.mark.parametrize("value", ["AAAAAAAAAAAAAAAAAAAAAA==", "dGVzdA==", "YWJj", ""])
def test_byte_accepts_padded_base64(value):
    assert errors_for("ContentKeyPolicyRestrictionTokenKey", symmetric_key(value)) == []


@pytest.mark.parametrize("value", ["dGVzdA", "not base64", "dGVz*A==", "-_-_"])
def test_byte_refuses_unpadded_or_url_safe_or_foreign_characters(value):
    assert errors_for("ContentKeyPolicyRestrictionTokenKey", symmetric_key(value)) == [
        "keyValue: a string (value not shown) is not a 'byte'"
    ]


@pytest.mark.parametrize(("value", "valid"), [(2**31 - 1, True), (-(2**31), True), (2**31, False), (1.0, True), (1.5, False), (True, False)])
def test_int32_range_and_integer_type(value, valid):
    body = {"bitrate": value}
    assert (errors_for("FirstQuality", body) == []) is valid


@pytest.mark.parametrize(("value", "valid"), [(2**63 - 1, True), (2**63, False), (9223372036854774806, True)])
def test_int64_range(value, valid):
    assert (errors_for("PresentationTimeRange", {"timescale": value}) == []) is valid
