"""Long-running operations are followed through Azure-AsyncOperation or Location to the end."""

from __future__ import annotations

import pytest

from v3_fakes import ACCOUNT, ENDPOINT, STREAMING, make_client
from migrator.exceptions import OperationFailedError, OperationTimeoutError, RemoteError
from migrator.v3 import models
from migrator.v3.client import LroSettings

LIVE_EVENT_URL = f"{STREAMING}/liveEvents/le1"
ASYNC_URL = f"{STREAMING}/liveEventOperations/op-1?api-version=2022-11-01"
LOCATION_URL = f"{STREAMING}/liveEvents/le1/operationLocations/op-1?api-version=2022-11-01"
LIVE_EVENT = models.LiveEvent(location="westus", input=models.LiveEventInput(streaming_protocol=models.LiveEventInputProtocol.RTMP))
FINAL = {"name": "le1", "location": "westus", "properties": {"input": {"streamingProtocol": "RTMP"}, "resourceState": "Stopped"}}


def test_put_follows_azure_async_operation_honouring_retry_after_then_reads_the_resource(client, rsps, fake_time):
    rsps.put(LIVE_EVENT_URL, status=201, json={"name": "le1"}, headers={"Azure-AsyncOperation": ASYNC_URL, "Location": LOCATION_URL, "Retry-After": "3"})
    rsps.get(ASYNC_URL, json={"name": "op-1", "status": "InProgress"}, headers={"Retry-After": "4"})
    rsps.get(ASYNC_URL, json={"name": "op-1", "status": "Succeeded"})
    rsps.get(LIVE_EVENT_URL, json=FINAL)
    created = client.live_events.create_or_update(ACCOUNT, "le1", resource=LIVE_EVENT)
    assert created.resource_state is models.LiveEventResourceState.STOPPED
    assert fake_time.sleeps == [3.0, 4.0]
    assert [c.request.method for c in rsps.calls] == ["PUT", "GET", "GET", "GET"]
    assert rsps.calls[1].request.url == ASYNC_URL  # polled exactly as given


@pytest.mark.parametrize("status", ["Failed", "Canceled"])
def test_an_operation_ending_failed_or_canceled_raises_operation_failed_naming_the_resource(client, rsps, status):
    rsps.post(f"{LIVE_EVENT_URL}/start", status=202, headers={"Azure-AsyncOperation": ASYNC_URL})
    rsps.get(
        ASYNC_URL,
        json={"name": "op-1", "status": status, "error": {"code": "LiveEventStartFailed", "message": "no capacity\nin region"}},
        headers={"x-ms-request-id": "req-7", "x-ms-correlation-request-id": "corr-7"},
    )
    with pytest.raises(OperationFailedError) as caught:
        client.live_events.start(ACCOUNT, "le1")
    message = caught.value.message
    assert "liveEvents/le1/start" in message and status in message and "LiveEventStartFailed" in message
    assert "\n" not in message
    assert (caught.value.request_id, caught.value.correlation_id) == ("req-7", "corr-7")


def test_an_operation_that_never_ends_times_out_naming_the_resource(fake_time, rsps):
    client = make_client(fake_time, lro=LroSettings(poll_interval=10.0, timeout=60.0))
    rsps.post(f"{STREAMING}/streamingEndpoints/default/start", status=202, headers={"Azure-AsyncOperation": ASYNC_URL})
    rsps.get(ASYNC_URL, json={"name": "op-1", "status": "InProgress"})
    with pytest.raises(OperationTimeoutError) as caught:
        client.streaming_endpoints.start(ACCOUNT, "default")
    assert "streamingEndpoints/default/start" in caught.value.message
    assert sum(fake_time.sleeps) == pytest.approx(60.0)


def test_location_polling_waits_for_the_end_of_202s_and_returns_the_result(client, rsps, fake_time):
    rsps.post(f"{STREAMING}/streamingEndpoints/default/scale", status=202, headers={"Location": LOCATION_URL})
    rsps.get(LOCATION_URL, status=202, headers={"Location": LOCATION_URL, "Retry-After": "2"})
    rsps.get(LOCATION_URL, status=200, json={})
    client.streaming_endpoints.scale(ACCOUNT, "default", 3)
    assert rsps.calls[0].request.body == b'{"scaleUnit": 3}'
    assert fake_time.sleeps == [5.0, 2.0]  # the LRO default poll interval, then Retry-After


def test_location_polling_reports_a_failed_final_answer(client, rsps):
    rsps.post(f"{LIVE_EVENT_URL}/stop", status=202, headers={"Location": LOCATION_URL})
    rsps.get(LOCATION_URL, status=400, json={"error": {"code": "InvalidOperation", "message": "not running"}})
    with pytest.raises(RemoteError, match="InvalidOperation"):
        client.live_events.stop(ACCOUNT, "le1")


def test_delete_follows_location_until_204(client, rsps):
    rsps.delete(f"{LIVE_EVENT_URL}/liveOutputs/lo1", status=202, headers={"Location": LOCATION_URL})
    rsps.get(LOCATION_URL, status=202)
    rsps.get(LOCATION_URL, status=204)
    client.live_outputs.delete(ACCOUNT, "le1", "lo1")
    assert [c.request.method for c in rsps.calls] == ["DELETE", "GET", "GET"]


def test_a_synchronous_201_without_operation_headers_is_the_final_answer(client, rsps):
    rsps.put(f"{ENDPOINT}{ACCOUNT.id()}/assets/a1", status=201, json={"name": "a1", "properties": {"container": "asset-1"}})
    created = client.assets.create_or_update(ACCOUNT, "a1", resource=models.Asset())
    assert created.container == "asset-1" and len(rsps.calls) == 1


def test_a_poll_url_on_another_host_is_refused_so_the_token_never_leaves_the_endpoint(client, rsps):
    rsps.post(f"{LIVE_EVENT_URL}/start", status=202, headers={"Azure-AsyncOperation": "https://evil.example/op"})
    with pytest.raises(RemoteError, match="another host"):
        client.live_events.start(ACCOUNT, "le1")
    assert all("evil.example" not in c.request.url for c in rsps.calls)
