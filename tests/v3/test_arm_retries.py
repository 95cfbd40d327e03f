"""Transient failures are retried where that is safe, with Retry-After and bounded backoff."""

from __future__ import annotations

import pytest
import requests
from responses import matchers

from v3_fakes import ACCOUNT, ENDPOINT, METADATA, STREAMING, make_client
from migrator.exceptions import RemoteError, ThrottledError, UnreachableError
from migrator.http import RetrySettings
from migrator.v3.ids import ResourceType, resource_id
from migrator.v3.pipeline import SAFE_POST_ACTIONS

ASSET_URL = f"{METADATA}/assets/a1"
ASSET = resource_id(ACCOUNT, ResourceType.ASSET, "a1")
ARM_ERROR = {"error": {"code": "InternalServerError", "message": "try again"}}


def test_requests_carry_user_agent_api_version_and_a_fresh_client_request_id(client, rsps):
    rsps.get(ASSET_URL, json={"name": "a1"}, match=[matchers.query_param_matcher({"api-version": "2023-01-01"})])
    client.get(ASSET)
    client.get(ASSET)
    first, second = (call.request.headers for call in rsps.calls)
    assert first["User-Agent"].startswith("ams-migrator/")
    assert first["x-ms-client-request-id"] != second["x-ms-client-request-id"]


def test_a_503_is_retried_after_the_seconds_retry_after_asks_for(client, rsps, fake_time):
    rsps.get(ASSET_URL, status=503, json=ARM_ERROR, headers={"Retry-After": "7"})
    rsps.get(ASSET_URL, json={"name": "a1"})
    assert client.get(ASSET) == {"name": "a1"}
    assert fake_time.sleeps == [7.0]


def test_a_429_holds_the_shared_pacer_for_retry_after_then_succeeds(client, rsps, fake_time):
    rsps.get(ASSET_URL, status=429, json={"error": {"code": "TooManyRequests", "message": "slow down"}}, headers={"Retry-After": "12"})
    rsps.get(ASSET_URL, json={"name": "a1"})
    assert client.get(ASSET) == {"name": "a1"}
    assert fake_time.sleeps == [12.0]


def test_without_retry_after_the_backoff_grows_exponentially_with_jitter_and_is_bounded(fake_time, rsps):
    retry = RetrySettings(total=5, backoff_factor=1.0, backoff_max=6.0, backoff_jitter=1.0)
    client = make_client(fake_time, retry=retry)  # rng is fixed at 0.5
    for _ in range(5):
        rsps.get(ASSET_URL, status=500, json=ARM_ERROR)
    rsps.get(ASSET_URL, json={"name": "a1"})
    client.get(ASSET)
    assert fake_time.sleeps == [1.5, 2.5, 4.5, 6.0, 6.0]


def test_retry_after_longer_than_the_cap_is_cut_to_the_cap(fake_time, rsps):
    client = make_client(fake_time, retry=RetrySettings(total=1, max_retry_after=30.0))
    rsps.get(ASSET_URL, status=503, json=ARM_ERROR, headers={"Retry-After": "3600"})
    rsps.get(ASSET_URL, json={})
    client.get(ASSET)
    assert fake_time.sleeps == [30.0]


def test_exhausted_429_retries_raise_throttled_error_with_the_service_ids(fake_time, rsps):
    client = make_client(fake_time, retry=RetrySettings(total=2))
    rsps.get(
        ASSET_URL,
        status=429,
        json={"error": {"code": "TooManyRequests", "message": "slow down"}},
        headers={"Retry-After": "1", "x-ms-request-id": "req-1", "x-ms-correlation-request-id": "corr-1"},
    )
    with pytest.raises(ThrottledError) as caught:
        client.get(ASSET)
    assert len(rsps.calls) == 3
    assert caught.value.request_id == "req-1" and caught.value.correlation_id == "corr-1"
    assert caught.value.hint


def test_exhausted_5xx_retries_raise_remote_error(fake_time, rsps):
    client = make_client(fake_time, retry=RetrySettings(total=1))
    rsps.get(ASSET_URL, status=502, json=ARM_ERROR)
    with pytest.raises(RemoteError) as caught:
        client.get(ASSET)
    assert caught.value.status == 502 and len(rsps.calls) == 2


def test_connection_errors_on_idempotent_calls_are_retried_then_reported_as_unreachable(fake_time, rsps):
    client = make_client(fake_time, retry=RetrySettings(total=2))
    rsps.get(ASSET_URL, body=requests.ConnectionError("reset"))
    with pytest.raises(UnreachableError) as caught:
        client.get(ASSET)
    assert len(rsps.calls) == 3
    assert "management.azure.com" in str(caught.value) and "api-version" not in str(caught.value)


def test_a_connection_error_during_an_unsafe_post_is_not_repeated(client, rsps):
    rsps.post(f"{STREAMING}/liveEvents/le1/start", body=requests.ConnectionError("reset"))
    with pytest.raises(UnreachableError):
        client.live_events.start(ACCOUNT, "le1")
    assert len(rsps.calls) == 1


def test_a_500_on_an_unsafe_post_is_not_repeated(client, rsps):
    rsps.post(f"{METADATA}/transforms/t1/jobs/j1/cancelJob", status=500, json=ARM_ERROR)
    with pytest.raises(RemoteError):
        client.jobs.cancel(ACCOUNT, "t1", "j1")
    assert len(rsps.calls) == 1


def test_a_429_on_an_unsafe_post_is_repeated_because_the_service_did_not_process_it(client, rsps):
    rsps.post(f"{STREAMING}/streamingEndpoints/default/stop", status=429, json=ARM_ERROR, headers={"Retry-After": "2"})
    rsps.post(f"{STREAMING}/streamingEndpoints/default/stop", status=200)
    client.streaming_endpoints.stop(ACCOUNT, "default")
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("action", sorted(SAFE_POST_ACTIONS))
def test_read_only_post_actions_are_retried_on_5xx(client, rsps, action):
    base = f"{METADATA}/streamingLocators/l1" if action in ("listPaths", "listContentKeys") else f"{METADATA}/assets/a1"
    if action == "getPolicyPropertiesWithSecrets":
        base = f"{METADATA}/contentKeyPolicies/p1"
    rsps.post(f"{base}/{action}", status=503, json=ARM_ERROR, headers={"Retry-After": "1"})
    rsps.post(f"{base}/{action}", json={})
    client.post(base[len(ENDPOINT) :], action)
    assert len(rsps.calls) == 2


def test_put_and_delete_are_retried_as_idempotent(client, rsps):
    rsps.put(ASSET_URL, status=500, json=ARM_ERROR, headers={"Retry-After": "1"})
    rsps.put(ASSET_URL, status=201, json={"name": "a1", "properties": {}})
    rsps.delete(ASSET_URL, status=503, json=ARM_ERROR, headers={"Retry-After": "1"})
    rsps.delete(ASSET_URL, status=204)
    client.put(ASSET, {"properties": {}})
    client.delete(ASSET)
    assert [c.request.method for c in rsps.calls] == ["PUT", "PUT", "DELETE", "DELETE"]


def test_a_429_that_ends_the_retries_still_holds_the_next_request_back(fake_time, rsps):
    client = make_client(fake_time, retry=RetrySettings(total=0))
    rsps.get(ASSET_URL, status=429, json=ARM_ERROR, headers={"Retry-After": "20"})
    rsps.get(f"{METADATA}/assets/a2", json={"name": "a2"})
    with pytest.raises(ThrottledError):
        client.get(ASSET)
    assert fake_time.sleeps == []
    client.assets.get(ACCOUNT, "a2")
    assert fake_time.sleeps == [20.0]
