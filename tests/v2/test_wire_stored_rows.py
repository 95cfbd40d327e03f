"""The reader's fast path (``parse_page_rows``) equals the typed path.

The reader stores ``(key, canonical_json(entity.to_record()))`` per entity, but builds it
without the typed entity. These tests hold the shortcut to the reference path on every set in
both formats, on the seeded sandbox account, on every off-path wire form, and on malformed pages.
"""

from __future__ import annotations

import copy
import logging
import random

import pytest

from migrator.exceptions import MalformedPageError
from migrator.sandbox.seed import SeededV2Data
from migrator.sandbox.v2face import render_entity
from migrator.v2 import schema, wire

FORMATS = ("verbose", "minimal")
SERVICE_ROOT = "https://myaccount.restv2.westus.media.azure.net/api/"


def typed_rows(entity_set, payload):
    return [(e.key, wire.canonical_json(e.to_record())) for e in wire.parse_page(entity_set, payload).entities]


def assert_fast_path_matches(entity_set, payload):
    expected = typed_rows(entity_set, copy.deepcopy(payload))
    for _ in range(2):  # the second pass reads through the caches the first one filled
        assert list(wire.parse_page_rows(entity_set, copy.deepcopy(payload)).rows) == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_rows_of_every_set_equal_the_canonical_records_of_the_typed_entities(entity_set, fmt, build_wire_entity, build_wire_page):
    page = build_wire_page(entity_set, fmt, [build_wire_entity(entity_set, fmt)])
    assert_fast_path_matches(entity_set, page)


@pytest.mark.parametrize("verbose", [True, False])
def test_rows_of_the_seeded_sandbox_account_equal_the_typed_path(verbose, build_wire_page):
    data = SeededV2Data(11, 40)
    for entity_set in schema.ENTITY_SETS:
        objects = [render_entity(SERVICE_ROOT, entity_set, r, verbose=verbose) for r in data.page(entity_set, 0, 1000)]
        assert_fast_path_matches(entity_set, build_wire_page(entity_set, "verbose" if verbose else "minimal", objects))


def test_rows_of_the_reference_example_pages_equal_the_typed_path(response_examples):
    for name, payload in response_examples.items():
        entity_set = next((s for s in schema.ENTITY_SETS if s.lower() in name.lower()), None)
        if entity_set is None or not isinstance(payload, dict):
            continue
        try:
            expected = typed_rows(entity_set, payload)
        except MalformedPageError:
            continue  # an example of another shape (an error body, a single value)
        assert list(wire.parse_page_rows(entity_set, payload).rows) == expected


@pytest.mark.parametrize(
    "entity_set, overrides",
    [
        ("Files", {"ContentFileSize": 122992491}),  # Int64 as a number
        ("Files", {"ContentFileSize": " 0042 "}),  # digits with spaces and leading zeros
        ("Files", {"ContentFileSize": "-7"}),
        ("Files", {"Options": "Fragmented"}),  # an int enum by its name
        ("Files", {"Options": "fragmented"}),
        ("Files", {"Options": "1"}),
        ("Files", {"Options": 42}),  # unknown: kept raw
        ("Files", {"Options": "Hibernating"}),
        ("Files", {"Created": "/Date(1587084991763+0200)/", "LastModified": "\\/Date(-1)\\/"}),
        ("Files", {"Created": "/Date(-62135596800000)/", "LastModified": "0001-01-01T00:00:00"}),  # unset
        ("Files", {"Created": "2020-04-17T02:56:31.7631234+02:00", "LastModified": "2020-04-17T00:56:31Z"}),
        ("Files", {"Created": " /Date(0)/ ", "LastModified": "2020-04-17T00:56"}),
        ("Files", {"Name": "naïve \"quoted\" \\ name\twith\ncontrol \u2028 and emoji \U0001f600"}),
        ("Files", {"SomeFutureProperty": {"b": 1, "a": [2, None]}, "odata.editLink": "x", "Asset@odata.navigationLinkUrl": "y"}),
        ("Files", {"ParentAsset": {"__deferred": {"uri": "x"}}, "NotDeferred": {"__deferred": {"uri": "x"}, "b": 1}}),
        ("AccessPolicies", {"DurationInMinutes": "60.5"}),
        ("AccessPolicies", {"DurationInMinutes": 60}),
        ("Channels", {"State": "running", "EncodingType": 0}),  # a name enum by number, in another case
        ("Channels", {"Input": None, "Preview": None}),
        ("StreamingEndpoints", {"ScaleUnits": "3", "CdnProvider": "StandardVerizon"}),
        ("Tasks", {"ErrorDetails": [], "HistoricalEvents": None}),
        ("Tasks", {"ErrorDetails": [None, {"Code": "x", "Message": "y", "Unknown": 1}]}),
        ("Jobs", {"JobNotificationSubscriptions": {"results": []}}),
        ("AssetDeliveryPolicies", {"AssetDeliveryProtocol": 7, "AssetDeliveryConfiguration": None}),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_rows_take_every_wire_form_the_typed_path_takes(entity_set, overrides, fmt, build_wire_entity, build_wire_page):
    page = build_wire_page(entity_set, fmt, [build_wire_entity(entity_set, fmt, **overrides)])
    assert_fast_path_matches(entity_set, page)


def test_a_property_left_out_is_null_in_the_row_as_in_the_record():
    assert_fast_path_matches("Assets", {"value": [{"Id": "nb:cid:UUID:1"}]})


def test_epoch_dates_read_the_same_as_the_general_date_parser():
    rng = random.Random(20200417)
    millis = [0, -1, 1, 86_399_999, 86_400_000, -62_135_596_800_000, -62_135_596_799_999, 253_402_300_799_999]
    millis += [rng.randrange(-62_135_596_800_000, 253_402_300_800_000) for _ in range(2000)]
    for ms in millis:
        for text in (f"\\/Date({ms})\\/", f"/Date({ms})/", f"/Date({ms}-0530)/"):
            parsed = wire.parse_datetime(text)
            expected = None if parsed is None else wire.format_datetime(parsed)
            assert wire._epoch_date_record(text) in (expected, None)
            assert wire._epoch_date_record(text) is not None or parsed is None


@pytest.mark.parametrize(
    "entity_set, raw",
    [
        ("Files", "not an entity"),
        ("Files", {"Name": "no key"}),
        ("Files", {"Id": ""}),
        ("Files", {"Id": 17}),
        ("Files", {"Id": "nb:cid:UUID:1", "ContentFileSize": "12 MB"}),
        ("Files", {"Id": "nb:cid:UUID:1", "ContentFileSize": "9" * 5000}),
        ("Files", {"Id": "nb:cid:UUID:1", "ContentFileSize": True}),
        ("Files", {"Id": "nb:cid:UUID:1", "IsPrimary": "yes"}),
        ("Files", {"Id": "nb:cid:UUID:1", "Options": True}),
        ("Files", {"Id": "nb:cid:UUID:1", "Options": 1.0}),
        ("Files", {"Id": "nb:cid:UUID:1", "Created": "/Date(" + "9" * 5000 + ")/"}),
        ("Files", {"Id": "nb:cid:UUID:1", "Created": "/Date(-62135596800001)/"}),
        ("Files", {"Id": "nb:cid:UUID:1", "Created": 1587084991763}),
        ("Files", {"Id": "nb:cid:UUID:1", "Extra": 1, "IsPrimary": 1}),  # refused on the _extra path too
        ("Tasks", {"Id": "nb:tid:UUID:1", "ErrorDetails": [{"Code": 5}]}),
        ("Tasks", {"Id": "nb:tid:UUID:1", "ErrorDetails": "none"}),
        ("Channels", {"Id": "nb:chid:UUID:1", "Input": {"KeyFrameInterval": "00:00:02"}}),
    ],
)
def test_malformed_entities_raise_the_same_error_as_the_typed_path(entity_set, raw, build_wire_entity):
    page = {"value": [build_wire_entity(entity_set, "minimal"), raw]}
    with pytest.raises(MalformedPageError) as typed:
        wire.parse_page(entity_set, copy.deepcopy(page), page=3)
    with pytest.raises(MalformedPageError) as fast:
        wire.parse_page_rows(entity_set, copy.deepcopy(page), page=3)
    assert fast.value.message == typed.value.message
    assert fast.value.fields == typed.value.fields


def test_an_unknown_enum_value_is_logged_each_time_it_is_read(caplog):
    page = {"value": [{"Id": f"nb:cid:UUID:{i}", "State": 42} for i in range(3)]}
    with caplog.at_level(logging.DEBUG, logger="migrator.v2.enums"):
        rows = wire.parse_page_rows("Assets", page).rows
    assert sum("unknown AssetState value 42" in r.getMessage() for r in caplog.records) == 3
    assert all('"State":42' in record for _, record in rows)
