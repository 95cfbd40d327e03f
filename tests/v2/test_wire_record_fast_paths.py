"""Records are read through short paths (canonical dates, known enum numbers, plain JSON values);
each must give exactly what the general converters give, and leave everything else to them."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from migrator.exceptions import InventoryFormatError
from migrator.v2 import wire


@pytest.mark.parametrize(
    "text",
    [
        "2020-04-17T00:56:31.763000Z",
        "2119-03-07T13:26:19.696000Z",
        "9999-12-31T23:59:59.999999Z",
        "0001-01-01T00:00:00.000000Z",  # DateTime.MinValue: unset
        "0001-01-01T00:00:01.000000Z",
        "2020-04-17T00:56:31.7630000",  # .NET's seven digits, no zone
        "2020-04-17T00:56:31.763+0100Z",
        "2020-04-17 00:56:31.763000Z",
        "\\/Date(1587084991763)\\/",
        "2020-04-17T00:56:31Z",
    ],
)
def test_a_canonical_date_reads_as_the_general_date_parser_reads_it(text):
    try:
        expected = wire.parse_datetime(text)
    except ValueError:
        with pytest.raises(ValueError):
            wire._parse_canonical_datetime(text)
        return
    assert wire._parse_canonical_datetime(text) == expected


def test_a_canonical_date_is_an_aware_utc_datetime():
    moment = wire._parse_canonical_datetime("2020-04-17T00:56:31.763000Z")
    assert moment == dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=dt.timezone.utc)
    assert moment.tzinfo is dt.timezone.utc


def test_a_date_that_only_looks_canonical_is_refused_as_before():
    with pytest.raises(InventoryFormatError, match="Created"):
        wire.from_record("Assets", {"Id": "nb:cid:UUID:1", "Created": "2020-13-17T00:56:31.763000Z"})


def test_enum_numbers_read_from_records_are_the_same_members_every_time():
    first = wire.from_record("Assets", {"Id": "nb:cid:UUID:1", "Options": 1, "State": 0})
    again = wire.from_record("Assets", {"Id": "nb:cid:UUID:2", "Options": 1, "State": 0})
    assert first.options is again.options
    assert int(first.options) == 1


def test_an_unknown_enum_number_is_kept_raw_and_logged_each_time_it_is_read(caplog):
    caplog.set_level(logging.DEBUG, logger="migrator")
    for key in ("1", "2"):
        entity = wire.from_record("Locators", {"Id": f"nb:lid:UUID:{key}", "Type": 77})
        assert entity.type == 77
    assert sum("unknown" in r.getMessage() and "77" in r.getMessage() for r in caplog.records) == 2


def test_plain_values_pass_through_and_wrong_types_are_still_refused():
    entity = wire.from_record("Assets", {"Id": "nb:cid:UUID:1", "Name": "n", "Options": 0})
    assert entity.name == "n"
    with pytest.raises(InventoryFormatError, match="Name"):
        wire.from_record("Assets", {"Id": "nb:cid:UUID:1", "Name": 5})
    with pytest.raises(InventoryFormatError, match="Options"):
        wire.from_record("Assets", {"Id": "nb:cid:UUID:1", "Options": True})
