"""Records are the canonical JSON-safe form of entities and round-trip every entity exactly."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from migrator.exceptions import InventoryFormatError
from migrator.v2 import enums, schema, wire
from migrator.v2.entities import Asset, Channel, ChannelInput, Program

FORMATS = ("verbose", "minimal")


def through_json(record):
    return json.loads(json.dumps(record, allow_nan=False))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_every_entity_round_trips_through_its_json_record(entity_set, fmt, build_wire_entity):
    entity = wire.parse_entity(entity_set, build_wire_entity(entity_set, fmt, FutureProperty=[1, {"a": None}]))
    assert wire.from_record(entity_set, through_json(entity.to_record())) == entity


@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_a_record_lists_every_property_by_wire_name(entity_set, expected_entity):
    record = expected_entity(entity_set).to_record()
    assert list(record) == [p.name for p in schema.ENTITY_SET_INFO[entity_set].properties]


def test_record_values_take_their_canonical_forms(build_wire_entity):
    files = wire.parse_entity("Files", build_wire_entity("Files", "verbose")).to_record()
    assert files["ContentFileSize"] == 122992491
    assert files["Created"] == "2020-04-17T00:56:31.763000Z"
    assert files["Options"] == 1
    program = wire.parse_entity("Programs", build_wire_entity("Programs", "verbose")).to_record()
    assert program["ArchiveWindowLength"] == "PT1H"
    assert program["State"] == "Starting"


def test_complex_values_are_objects_with_wire_names(build_wire_entity):
    record = wire.parse_entity("StreamingEndpoints", build_wire_entity("StreamingEndpoints", "verbose")).to_record()
    assert record["CacheControl"] == {"MaxAge": 122992491}
    key = record["AccessControl"]["Akamai"]["AkamaiSignatureHeaderAuthenticationKeyList"][0]
    assert key["Expiration"] == "2020-04-17T00:56:31.763000Z"
    assert "__metadata" not in json.dumps(record)


def test_unset_values_and_unknown_enum_values_are_kept():
    asset = Asset(id="nb:cid:UUID:1", state=42, created=None)
    record = asset.to_record()
    assert record["State"] == 42 and record["Created"] is None
    assert wire.from_record("Assets", through_json(record)) == asset
    channel = Channel(id="nb:chid:UUID:1", state="Hibernating", encoding_type=enums.ChannelEncodingType.NONE)
    record = channel.to_record()
    assert record["State"] == "Hibernating" and record["EncodingType"] == "None"
    assert wire.from_record("Channels", through_json(record)) == channel


def test_extra_is_kept_under_its_own_key_at_every_level():
    channel = Channel(id="nb:chid:UUID:1", input=ChannelInput(extra={"Future": 1}), extra={"FutureTop": "x"})
    record = channel.to_record()
    assert record["_extra"] == {"FutureTop": "x"}
    assert record["Input"]["_extra"] == {"Future": 1}
    assert "_extra" not in Asset(id="nb:cid:UUID:1").to_record()
    assert wire.from_record("Channels", through_json(record)) == channel


def test_an_aware_date_in_another_zone_is_written_in_utc():
    plus_two = dt.timezone(dt.timedelta(hours=2))
    record = Asset(id="nb:cid:UUID:1", created=dt.datetime(2020, 1, 1, 2, 0, tzinfo=plus_two)).to_record()
    assert record["Created"] == "2020-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    "duration, text",
    [
        (dt.timedelta(hours=1), "PT1H"),
        (dt.timedelta(days=2, minutes=30), "P2DT30M"),
        (dt.timedelta(days=1), "P1D"),
        (dt.timedelta(seconds=4, microseconds=500000), "PT4.5S"),
        (dt.timedelta(microseconds=1), "PT0.000001S"),
        (dt.timedelta(0), "PT0S"),
        (dt.timedelta(seconds=-30), "-PT30S"),
    ],
)
def test_durations_are_written_as_iso_durations_and_read_back(duration, text):
    assert wire.format_duration(duration) == text
    assert wire.parse_duration(text) == duration
    program = Program(id="nb:pgid:UUID:1", archive_window_length=duration)
    assert wire.from_record("Programs", through_json(program.to_record())) == program


@pytest.mark.parametrize(
    "record, problem",
    [
        ("not a record", "is not a JSON object"),
        ({"Name": "x"}, "Id (the key) is missing"),
        ({"Id": "nb:cid:UUID:1", "Surprise": 1}, "Surprise is not a property of this type"),
        ({"Id": "nb:cid:UUID:1", "_extra": []}, "_extra is not an object"),
        ({"Id": "nb:cid:UUID:1", "Created": "yesterday"}, "Created is not a valid Edm.DateTime"),
    ],
)
def test_a_record_that_does_not_fit_raises_an_inventory_format_error(record, problem):
    with pytest.raises(InventoryFormatError, match=f"malformed Assets record: .*{re.escape(problem)}"):
        wire.from_record("Assets", record)


def test_records_keep_secrets_for_the_inventory_but_repr_does_not(build_wire_entity, secret_samples):
    key = wire.parse_entity("ContentKeys", build_wire_entity("ContentKeys", "minimal"))
    assert key.to_record()["EncryptedContentKey"] == secret_samples[0]
    assert secret_samples[0] not in repr(key)
