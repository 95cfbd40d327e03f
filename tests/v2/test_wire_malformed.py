"""Malformed pages raise MalformedPageError naming the set and page, in one line, without values."""

from __future__ import annotations

import re

import pytest

from migrator.exceptions import MalformedPageError
from migrator.v2 import wire

ASSET = {"Id": "nb:cid:UUID:1"}


@pytest.mark.parametrize(
    "payload, problem",
    [
        (b"<html>503 Service Unavailable</html>", "not JSON"),
        (b"\xff\xfe\x00garbage", "not JSON"),
        ('{"value": [{"Id": "nb:cid:UUID:1", "Size": 1' + "9" * 5000 + "}]}", "not JSON"),
        ('{"value": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests too deeply"),
        ([ASSET], "not a JSON object"),
        ("[]", "not a JSON object"),
        ({"d": 3}, "'d' is not an object"),
        ({"d": {"results": {"Id": "x"}}}, "'d.results' is not a list"),
        ({"value": {"Id": "x"}}, "'value' is not a list"),
        ({"value": [ASSET, "not an entity"]}, "entity 1 is not a JSON object"),
        ({"value": [{"Name": "no key"}]}, "Id (the key) is missing"),
        ({"value": [{"Id": ""}]}, "Id (the key) is missing"),
        ({"value": [{"Id": 17}]}, "Id is not a valid Edm.String"),
        ({"value": [{"Id": "nb:cid:UUID:1", "Created": "last tuesday"}]}, "Created is not a valid Edm.DateTime"),
        ({"value": [{"Id": "nb:cid:UUID:1", "Created": 1587084991763}]}, "Created is not a valid Edm.DateTime"),
        ({"value": [{"Id": "nb:cid:UUID:1", "Created": "2020-02-30T00:00:00Z"}]}, "Created is not a valid Edm.DateTime"),
        ({"value": [{"Id": "nb:cid:UUID:1", "State": 1.5}]}, "State is not a AssetState value"),
        ({"value": [{"Id": "nb:cid:UUID:1", "Name": {"x": 1}}]}, "Name is not a valid Edm.String"),
        ({"error": {"code": "", "message": {"lang": "en-US", "value": "Bad request"}}}, "OData error"),
        ({"odata.error": {"code": "", "message": {"lang": "en-US", "value": "x"}}}, "OData error"),
        ({"results": [ASSET]}, "neither a 'd' nor a 'value' envelope"),
        ({"value": [ASSET], "odata.nextLink": 42}, "next link is not a URL string"),
        ({"d": {"results": [ASSET], "__next": ""}}, "next link is not a URL string"),
    ],
)
def test_malformed_asset_pages_name_the_set_page_and_problem(payload, problem):
    with pytest.raises(MalformedPageError) as caught:
        wire.parse_page("Assets", payload, page=7)
    error = caught.value
    assert error.message.startswith("malformed Assets page 7: ")
    assert problem in error.message
    assert "\n" not in str(error)
    assert error.fields["entity_set"] == "Assets" and error.fields["page"] == 7
    assert error.code == "MALFORMED_PAGE"


@pytest.mark.parametrize(
    "entity_set, raw, problem",
    [
        ("Files", {"Id": "nb:cid:UUID:1", "ContentFileSize": "12 MB"}, "ContentFileSize is not a valid Edm.Int64"),
        ("Files", {"Id": "nb:cid:UUID:1", "IsPrimary": "yes"}, "IsPrimary is not a valid Edm.Boolean"),
        ("AccessPolicies", {"Id": "nb:pid:UUID:1", "DurationInMinutes": "NaN"}, "DurationInMinutes is not a valid Edm.Double"),
        ("AccessPolicies", {"Id": "nb:pid:UUID:1", "DurationInMinutes": [60]}, "DurationInMinutes is not a valid Edm.Double"),
        ("Programs", {"Id": "nb:pgid:UUID:1", "ArchiveWindowLength": "1 hour"}, "ArchiveWindowLength is not a valid Edm.Time"),
        ("Programs", {"Id": "nb:pgid:UUID:1", "ArchiveWindowLength": "P1M"}, "ArchiveWindowLength is not a valid Edm.Time"),
        ("Channels", {"Id": "nb:chid:UUID:1", "Input": "rtmp"}, "Input is not a ChannelInput object"),
        ("Tasks", {"Id": "nb:tid:UUID:1", "ErrorDetails": {"Code": "x"}}, "ErrorDetails is not a collection"),
        (
            "Channels",
            {"Id": "nb:chid:UUID:1", "Input": {"Endpoints": [{"Url": 5}]}},
            "Input.Endpoints[0].Url is not a valid Edm.String",
        ),
    ],
)
def test_bad_values_are_located_by_property_path(entity_set, raw, problem):
    with pytest.raises(MalformedPageError, match=f"malformed {entity_set} page 2: entity 0 .*{re.escape(problem)}"):
        wire.parse_page(entity_set, {"value": [raw]}, page=2)


def test_the_message_names_the_entity_key_but_never_a_value(secret_samples, build_wire_entity):
    secret = secret_samples[0]
    raw = build_wire_entity("ContentKeys", "minimal", Created="not-a-date " + secret, EncryptedContentKey=secret)
    with pytest.raises(MalformedPageError) as caught:
        wire.parse_page("ContentKeys", {"value": [raw]}, page=0)
    text = str(caught.value) + repr(caught.value.to_dict())
    assert raw["Id"] in text
    assert secret not in text and "not-a-date" not in text


def test_a_response_without_a_page_number_is_named_as_a_response():
    with pytest.raises(MalformedPageError, match=r"^malformed Locators response: the body is not a JSON object"):
        wire.parse_page("Locators", 5)


def test_a_single_malformed_entity_names_the_set():
    with pytest.raises(MalformedPageError, match=r"malformed Assets response: the entity \(nb:cid:UUID:1\): Created"):
        wire.parse_entity("Assets", {"Id": "nb:cid:UUID:1", "Created": "soon"})
