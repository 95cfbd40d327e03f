"""Both wire formats parse into the same typed entities, for every set and every value form."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from migrator.v2 import enums, schema, wire
from migrator.v2.entities import (
    ChannelEndpoint,
    ErrorDetail,
    FilterTrackPropertyCondition,
    FilterTrackSelect,
    PresentationTimeRange,
    StreamingEndpointCacheControl,
    TaskHistoricalEvent,
)

FORMATS = ("verbose", "minimal")
UTC = dt.timezone.utc
NEXT = "https://myaccount.restv2.westus.media.azure.net/api/Assets?$skip=1000"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_a_page_of_every_set_parses_into_typed_entities(entity_set, fmt, build_wire_entity, build_wire_page, expected_entity):
    key_property = schema.ENTITY_SET_INFO[entity_set].key_property
    second_key = "nb:second" if key_property == "Id" else "second"
    objects = [build_wire_entity(entity_set, fmt), build_wire_entity(entity_set, fmt, **{key_property: second_key})]
    assert {p.name for p in schema.ENTITY_SET_INFO[entity_set].properties} <= set(objects[0])
    page = wire.parse_page(entity_set, build_wire_page(entity_set, fmt, objects), page=0)
    expected = expected_entity(entity_set)
    assert page.entities[0] == expected
    assert page.entities[1].key == second_key
    assert page.next_link is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_next_links_are_returned_in_both_formats(fmt, build_wire_entity, build_wire_page):
    payload = build_wire_page("Assets", fmt, [build_wire_entity("Assets", fmt)], next_link=NEXT)
    assert wire.parse_page("Assets", payload, page=0).next_link == NEXT


@pytest.mark.parametrize("example", ["assets_verbose_page", "assets_minimalmetadata_page"])
def test_the_reference_asset_pages_parse_to_the_same_asset(example, response_examples):
    page = wire.parse_page("Assets", response_examples[example], page=0)
    (asset,) = page.entities
    assert asset.id == "nb:cid:UUID:7e712f7e-d35f-4629-a9b1-47b35b2b576b"
    assert asset.created == dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)
    assert asset.state is enums.AssetState.Initialized
    assert asset.options is enums.AssetCreationOptions.NONE
    assert asset.alternate_id is None
    assert asset.storage_account_name == "mystorage"
    assert asset.extra == {}
    assert page.next_link == NEXT


@pytest.mark.parametrize(
    "example", ["locators_verbose_page", "locators_minimalmetadata_page", "locator_minimalmetadata_single_entity_confirmed_shape"]
)
def test_the_reference_locator_pages_parse(example, response_examples):
    (locator,) = wire.parse_page("Locators", response_examples[example], page=0).entities
    assert locator.type is enums.LocatorType.OnDemandOrigin
    assert locator.asset_id == "nb:cid:UUID:7e712f7e-d35f-4629-a9b1-47b35b2b576b"
    assert locator.expiration_date_time.replace(microsecond=0) == dt.datetime(2015, 3, 20, 6, 34, 47, tzinfo=UTC)
    assert locator.extra == {}


def test_verbose_body_text_with_escaped_slashes_parses():
    body = b'{"d":{"results":[{"Id":"nb:cid:UUID:1","Created":"\\/Date(1587084991763)\\/","State":1}]}}'
    (asset,) = wire.parse_page("Assets", body, page=0).entities
    assert asset.created == dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)


@pytest.mark.parametrize(
    "payload", [{"d": None}, {"odata.metadata": "https://x/api/$metadata#Assets/@Element", "odata.null": True}]
)
def test_an_unset_single_valued_navigation_is_an_empty_page(payload):
    assert wire.parse_page("Assets", payload, page=0) == wire.Page(entities=(), next_link=None)


def test_a_single_entity_response_is_a_page_of_one(build_wire_entity):
    (asset,) = wire.parse_page("Assets", {"d": build_wire_entity("Assets", "verbose")}).entities
    assert asset.name == "sample Name"
    assert wire.parse_entity("Assets", {"d": build_wire_entity("Assets", "verbose")}) == asset


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/Date(1587084991763)/", dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)),
        ("\\/Date(1587084991763)\\/", dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)),
        ("/Date(1587084991763+0000)/", dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)),
        ("\\/Date(1587084991763-0500)\\/", dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)),
        ("/Date(-1000)/", dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
        ("2015-02-08T06:21:27.6908329Z", dt.datetime(2015, 2, 8, 6, 21, 27, 690832, tzinfo=UTC)),
        ("2015-02-19T00:05:53", dt.datetime(2015, 2, 19, 0, 5, 53, tzinfo=UTC)),
        ("2015-03-20T06:34:47.267872+00:00", dt.datetime(2015, 3, 20, 6, 34, 47, 267872, tzinfo=UTC)),
        ("2015-03-20T08:34:47.5+02:00", dt.datetime(2015, 3, 20, 6, 34, 47, 500000, tzinfo=UTC)),
        ("2015-03-20T01:34:47-0500", dt.datetime(2015, 3, 20, 6, 34, 47, tzinfo=UTC)),
        ("2015-03-20T06:34Z", dt.datetime(2015, 3, 20, 6, 34, tzinfo=UTC)),
    ],
)
def test_every_date_form_parses_to_aware_utc(text, expected):
    asset = wire.parse_entity("Assets", {"Id": "nb:cid:UUID:1", "Created": text})
    assert asset.created == expected
    assert asset.created.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000+00:00", "/Date(-62135596800000)/", None]
)
def test_unset_dates_are_none(text):
    assert wire.parse_entity("Assets", {"Id": "nb:cid:UUID:1", "Created": text}).created is None


@pytest.mark.parametrize("raw", ["122992491", 122992491])
def test_int64_arrives_as_a_string_or_a_number(raw):
    assert wire.parse_entity("Files", {"Id": "nb:cid:UUID:1", "ContentFileSize": raw}).content_file_size == 122992491


def test_int64_inside_a_complex_value_is_an_int():
    endpoint = wire.parse_entity("StreamingEndpoints", {"Id": "nb:oid:UUID:1", "CacheControl": {"MaxAge": "1800"}})
    assert endpoint.cache_control == StreamingEndpointCacheControl(max_age=1800)


@pytest.mark.parametrize("raw", [7, "7"])
def test_flags_combine(raw):
    policy = wire.parse_entity("AssetDeliveryPolicies", {"Id": "nb:adpid:UUID:1", "AssetDeliveryProtocol": raw})
    protocol = enums.AssetDeliveryProtocol
    assert policy.asset_delivery_protocol == protocol.SmoothStreaming | protocol.Dash | protocol.HLS
    assert protocol.HLS in policy.asset_delivery_protocol
    assert protocol.ProgressiveDownload not in policy.asset_delivery_protocol


def test_the_all_protocols_flag_is_its_member():
    policy = wire.parse_entity("AssetDeliveryPolicies", {"Id": "nb:adpid:UUID:1", "AssetDeliveryProtocol": 65535})
    assert policy.asset_delivery_protocol is enums.AssetDeliveryProtocol.All


@pytest.mark.parametrize(
    "entity_set, prefix, name, member",
    [
        ("Channels", "nb:chid:UUID:", "Running", enums.ChannelState.Running),
        ("Programs", "nb:pgid:UUID:", "Stopping", enums.ProgramState.Stopping),
        ("StreamingEndpoints", "nb:oid:UUID:", "Scaling", enums.StreamingEndpointState.Scaling),
        ("Operations", "nb:opid:UUID:", "Succeeded", enums.OperationState.Succeeded),
    ],
)
def test_live_entity_states_arrive_as_names(entity_set, prefix, name, member):
    assert wire.parse_entity(entity_set, {"Id": f"{prefix}1", "State": name}).state is member


def test_a_live_state_sent_as_a_number_also_parses():
    assert wire.parse_entity("Channels", {"Id": "nb:chid:UUID:1", "State": 2}).state is enums.ChannelState.Running


@pytest.mark.parametrize("raw", [2, "2", "OnDemandOrigin", "ondemandorigin"])
def test_enum_values_arrive_as_ints_numeric_strings_or_names(raw):
    assert wire.parse_entity("Locators", {"Id": "nb:lid:UUID:1", "Type": raw}).type is enums.LocatorType.OnDemandOrigin


def test_reserved_unit_aliases_are_accepted():
    units = wire.parse_entity("EncodingReservedUnitTypes", {"AccountId": "7d6ea3b8", "ReservedUnitType": "S3"})
    assert units.reserved_unit_type is enums.ReservedUnitType.Premium


def test_unknown_enum_values_are_kept_raw_and_logged_at_debug(caplog):
    with caplog.at_level(logging.DEBUG, logger="migrator.v2"):
        page = wire.parse_page(
            "Channels",
            {"value": [{"Id": "nb:chid:UUID:1", "State": "Hibernating"}, {"Id": "nb:chid:UUID:2", "State": 9}]},
        )
        asset = wire.parse_entity("Assets", {"Id": "nb:cid:UUID:1", "State": 42})
    assert [c.state for c in page.entities] == ["Hibernating", 9]
    assert asset.state == 42 and not isinstance(asset.state, enums.AssetState)
    assert "ChannelState" in caplog.text and "AssetState" in caplog.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_properties_are_kept_in_extra(fmt, build_wire_entity):
    raw = build_wire_entity("Assets", fmt, FutureProperty={"nested": [1, 2]}, FutureFlag=True)
    asset = wire.parse_entity("Assets", raw)
    assert asset.extra == {"FutureProperty": {"nested": [1, 2]}, "FutureFlag": True}


def test_unknown_properties_of_complex_values_are_kept_in_their_extra():
    channel = wire.parse_entity(
        "Channels", {"Id": "nb:chid:UUID:1", "Input": {"StreamingProtocol": "RTMP", "FutureInputSetting": "x"}}
    )
    assert channel.input.streaming_protocol is enums.StreamingProtocol.RTMP
    assert channel.input.extra == {"FutureInputSetting": "x"}


def test_deferred_navigation_stubs_and_odata_annotations_are_not_data():
    raw = {
        "__metadata": {"uri": "https://x/api/Assets('1')", "type": "Microsoft.Cloud.Media.Vod.Rest.Data.Models.Asset"},
        "Locators": {"__deferred": {"uri": "https://x/api/Assets('1')/Locators"}},
        "MonitoringThings": {"__deferred": {"uri": "https://x/api/Assets('1')/MonitoringThings"}},
        "Created@odata.type": "Edm.DateTime",
        "odata.editLink": "Assets('1')",
        "Id": "nb:cid:UUID:1",
    }
    assert wire.parse_entity("Assets", raw).extra == {}


def test_properties_a_response_omits_are_none(build_wire_entity):
    asset = wire.parse_entity("Assets", {"Id": "nb:cid:UUID:1"})
    assert asset.name is None and asset.created is None and asset.extra == {}


def test_task_collections_of_complex_values_are_typed_in_verbose_form():
    raw = {
        "Id": "nb:tid:UUID:1",
        "ErrorDetails": {
            "__metadata": {"type": "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models.ErrorDetail)"},
            "results": [{"Code": "ErrorDownloadingInputAssetMalformedContent", "Message": "bad input"}],
        },
        "HistoricalEvents": {
            "__metadata": {"type": "Collection(Microsoft.Cloud.Media.Vod.Rest.Data.Models.TaskHistoricalEvent)"},
            "results": [{"Code": "Queued", "Message": "", "TimeStamp": "/Date(1587084991763)/"}],
        },
        "TaskNotificationSubscriptions": {"__metadata": {"type": "Collection(x)"}, "results": []},
    }
    task = wire.parse_entity("Tasks", raw)
    assert task.error_details == (ErrorDetail(code="ErrorDownloadingInputAssetMalformedContent", message="bad input"),)
    assert task.historical_events == (
        TaskHistoricalEvent(code="Queued", message="", time_stamp=dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=UTC)),
    )
    assert task.task_notification_subscriptions == ()


def test_filter_tracks_are_typed():
    raw = {
        "Name": "audioonly",
        "PresentationTimeRange": {"StartTimestamp": "0", "EndTimestamp": "9223372036854775807", "Timescale": "10000000"},
        "Tracks": [{"PropertyConditions": [{"Property": "Type", "Value": "audio", "Operator": "Equal"}]}],
        "FirstQuality": {"Bitrate": 128000},
    }
    streaming_filter = wire.parse_entity("Filters", raw)
    assert streaming_filter.key == "audioonly"
    assert streaming_filter.presentation_time_range == PresentationTimeRange(
        start_timestamp=0, end_timestamp=9223372036854775807, timescale=10000000
    )
    assert streaming_filter.tracks == (
        FilterTrackSelect(property_conditions=(FilterTrackPropertyCondition(property="Type", value="audio", operator="Equal"),)),
    )
    assert streaming_filter.first_quality.bitrate == 128000


def test_channel_complex_values_are_typed(build_wire_entity):
    channel = wire.parse_entity("Channels", build_wire_entity("Channels", "verbose"))
    assert channel.input.endpoints == (ChannelEndpoint(protocol="sample Protocol", url="sample Url"),)
    assert channel.input.key_frame_interval == dt.timedelta(hours=1)
    assert channel.input.access_control.ip.allow[0].subnet_prefix_length == 3
    assert channel.output.hls.fragments_per_segment == 3
    assert channel.encoding.video_streams[0].index == 3
    assert channel.encoding.ad_marker_source is enums.AdMarkerSource.Scte35


def test_a_null_allow_list_differs_from_an_empty_one():
    def allow(value):
        raw = {"Id": "nb:chid:UUID:1", "Input": {"AccessControl": {"IP": {"Allow": value}}}}
        return wire.parse_entity("Channels", raw).input.access_control.ip.allow

    assert allow(None) is None
    assert allow([]) == ()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PT1H", dt.timedelta(hours=1)),
        ("PT25H", dt.timedelta(hours=25)),
        ("P1DT2H3M4.5S", dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5)),
        ("PT0.0000010S", dt.timedelta(microseconds=1)),
        ("PT5M", dt.timedelta(minutes=5)),
        ("-PT30S", dt.timedelta(seconds=-30)),
    ],
)
def test_iso_durations_parse_to_timedelta(text, expected):
    program = wire.parse_entity("Programs", {"Id": "nb:pgid:UUID:1", "ArchiveWindowLength": text})
    assert program.archive_window_length == expected


def test_string_enums_with_primitive_collections_parse_in_verbose_form():
    raw = {
        "Id": "nb:oid:UUID:1",
        "CustomHostNames": {"__metadata": {"type": "Collection(Edm.String)"}, "results": ["a.example", "b.example"]},
        "CdnProvider": "StandardAkamai",
    }
    endpoint = wire.parse_entity("StreamingEndpoints", raw)
    assert endpoint.custom_host_names == ("a.example", "b.example")
    assert endpoint.cdn_provider is enums.CdnProviderType.StandardAkamai


def test_payload_text_and_bytes_parse_like_decoded_json(build_wire_entity, build_wire_page):
    payload = build_wire_page("Locators", "minimal", [build_wire_entity("Locators", "minimal")])
    decoded = wire.parse_page("Locators", payload)
    assert wire.parse_page("Locators", json.dumps(payload)) == decoded
    assert wire.parse_page("Locators", json.dumps(payload).encode()) == decoded


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_page_has_no_entities(fmt, build_wire_page):
    page = wire.parse_page("Jobs", build_wire_page("Jobs", fmt, []), page=4)
    assert page.entities == () and page.next_link is None


@pytest.mark.parametrize("raw, expected", [(60, 60.0), (1.5, 1.5), ("43200.0", 43200.0)])
def test_doubles_arrive_as_numbers_or_decimal_text(raw, expected):
    policy = wire.parse_entity("AccessPolicies", {"Id": "nb:pid:UUID:1", "DurationInMinutes": raw})
    assert policy.duration_in_minutes == expected and isinstance(policy.duration_in_minutes, float)
