"""Each typed operation against the sandbox's v3 face over loopback HTTP (no mocks)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import v3_samples as samples
from v3_fakes import FakeTime
from migrator.auth import StaticTokenProvider
from migrator.exceptions import NotFoundError
from migrator.sandbox.app import Sandbox
from migrator.sandbox.throttle import ThrottleSettings
from migrator.v3 import models as m
from migrator.v3.client import ArmClient, LroSettings, arm_session
from migrator.v3.ids import AccountRef
from migrator.v3.pipeline import Budget, Pacer


def client_for(sandbox: Sandbox, fake_time: FakeTime, **pacer_options) -> ArmClient:
    description = sandbox.describe()
    return ArmClient(
        arm_session(),
        description.arm_endpoint,
        StaticTokenProvider(description.token, api="ARM"),
        pacing=Pacer(clock=fake_time.clock, sleep=fake_time.sleep, **pacer_options),
        clock=fake_time.clock,
        sleep=fake_time.sleep,  # LRO Retry-After waits are recorded, not slept
        lro=LroSettings(poll_interval=1.0, timeout=600.0),
    )


def accounts(sandbox: Sandbox) -> tuple[AccountRef, AccountRef]:
    d = sandbox.describe()
    return (
        AccountRef(d.subscription_id, d.source.resource_group, d.source.account_name),
        AccountRef(d.subscription_id, d.target.resource_group, d.target.account_name),
    )


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(assets=5, page_size=2) as running:
        yield running


def test_reads_of_the_source_account_page_and_parse(sandbox, fake_time):
    client = client_for(sandbox, fake_time)
    source, _ = accounts(sandbox)
    account = client.account.get(source)
    assert account.storage_account_names()
    assets = list(client.assets.list(source))
    assert len(assets) == 5  # three pages of two
    first = assets[0].name
    assert client.assets.get(source, first).asset_id
    sas = client.assets.list_container_sas(source, first, expiry_time=datetime.now(timezone.utc) + timedelta(hours=1))
    assert sas.asset_container_sas_urls
    client.assets.list_streaming_locators(source, first)
    for locator in list(client.streaming_locators.list(source))[:2]:
        client.streaming_locators.list_paths(source, locator.name)
        client.streaming_locators.list_content_keys(source, locator.name)
    for policy in list(client.content_key_policies.list(source))[:2]:
        client.content_key_policies.get_policy_properties_with_secrets(source, policy.name)
    list(client.streaming_policies.list(source))
    list(client.streaming_endpoints.list(source))


def test_every_write_family_round_trips_on_the_target_account(sandbox, fake_time):
    client = client_for(sandbox, fake_time)
    _, target = accounts(sandbox)
    asset = m.Asset(description="migrated", alternate_id="nb:cid:UUID:1")
    assert client.assets.create_or_update(target, "a1", resource=asset).description == "migrated"
    assert client.asset_filters.create_or_update(target, "a1", "hd-only", resource=samples.ASSET_FILTER).first_quality.bitrate == 128000
    assert client.account_filters.create_or_update(target, "hd-only", resource=samples.ACCOUNT_FILTER).name == "hd-only"
    assert len(client.content_key_policies.create_or_update(target, "policy1", resource=samples.CONTENT_KEY_POLICY).options) == 4
    client.streaming_policies.create_or_update(target, "secureStreamingPolicy", resource=samples.STREAMING_POLICY)
    locator = m.StreamingLocator(asset_name="a1", streaming_policy_name="Predefined_ClearStreamingOnly", streaming_locator_id="90000000-0000-0000-0000-00000000000a")
    created = client.streaming_locators.create_or_update(target, "loc1", resource=locator)
    assert created.streaming_locator_id == "90000000-0000-0000-0000-00000000000a"
    client.streaming_locators.list_paths(target, "loc1")
    client.transforms.create_or_update(target, "t1", resource=samples.TRANSFORM)
    job = m.Job(input=m.JobInputAsset(asset_name="a1"), outputs=(m.JobOutputAsset(asset_name="a1"),))
    client.jobs.create_or_update(target, "t1", "j1", resource=job)
    assert [j.name for j in client.jobs.list(target, "t1")] == ["j1"]
    client.jobs.cancel(target, "t1", "j1")
    client.event_subscriptions.create_or_update(target, "job-events", resource=samples.WEBHOOK_SUBSCRIPTION)
    assert [s.name for s in client.event_subscriptions.list(target)] == ["job-events"]
    for family, names in [
        (client.streaming_locators, ("loc1",)),
        (client.jobs, ("t1", "j1")),
        (client.event_subscriptions, ("job-events",)),
        (client.asset_filters, ("a1", "hd-only")),
    ]:
        family.delete(target, *names)
        assert family.get(target, *names) is None


def test_live_and_streaming_lifecycles_follow_their_long_running_operations(sandbox, fake_time):
    client = client_for(sandbox, fake_time)
    _, target = accounts(sandbox)
    client.assets.create_or_update(target, "archive1", resource=m.Asset())
    event = client.live_events.create_or_update(target, "le1", resource=samples.LIVE_EVENT)
    assert event.resource_state is m.LiveEventResourceState.STOPPED
    client.live_events.start(target, "le1")
    assert client.live_events.get(target, "le1").resource_state is m.LiveEventResourceState.RUNNING
    output = client.live_outputs.create_or_update(target, "le1", "lo1", resource=m.LiveOutput(asset_name="archive1", archive_window_length="PT5M"))
    assert output.asset_name == "archive1"
    client.live_outputs.delete(target, "le1", "lo1")
    client.live_events.stop(target, "le1", remove_outputs_on_stop=True)
    assert client.live_events.get(target, "le1").resource_state is m.LiveEventResourceState.STOPPED
    client.streaming_endpoints.create_or_update(target, "se1", resource=samples.STREAMING_ENDPOINT)
    client.streaming_endpoints.start(target, "se1")
    client.streaming_endpoints.scale(target, "se1", 2)
    assert client.streaming_endpoints.get(target, "se1").scale_units == 2
    client.streaming_endpoints.stop(target, "se1")
    assert client.streaming_endpoints.get(target, "se1").resource_state is m.StreamingEndpointResourceState.STOPPED
    client.live_events.delete(target, "le1")
    client.streaming_endpoints.delete(target, "se1")
    assert client.live_events.get(target, "le1") is None
    assert fake_time.sleeps  # the operations asked to be polled later


def test_actions_on_missing_resources_raise_not_found(sandbox, fake_time):
    client = client_for(sandbox, fake_time)
    _, target = accounts(sandbox)
    with pytest.raises(NotFoundError):
        client.streaming_locators.list_paths(target, "does-not-exist")


def test_pacing_slows_down_before_the_sandboxs_arm_throttle_refuses(fake_time):
    with Sandbox(assets=2, throttle=ThrottleSettings(reads=40, writes=40, window_seconds=3600)) as throttled:
        client = client_for(throttled, fake_time, limits={Budget.READS: 40, Budget.WRITES: 40})
        source, _ = accounts(throttled)
        waits = []
        for _ in range(30):
            before = len(fake_time.sleeps)
            client.account.get(source)
            waits.append(sum(fake_time.sleeps[before:]))
        statuses = [entry.status for entry in throttled.request_log.entries("v3")]
    assert 429 not in statuses
    assert waits[:20] == [0.0] * 20  # more than half of the 40 left
    # Then the refill rate (40 per 3600 s), 1.5 times it at half the budget, less as it falls
    # towards the reserve of 10: remaining 20, 19, ... 11 after answers 20 to 29.
    refill = 40 / 3600
    assert waits[20:] == [pytest.approx(1 / (refill * (0.5 + (remaining - 10) / 10))) for remaining in range(20, 10, -1)]
    assert waits[20] == pytest.approx(60.0) and waits[29] == pytest.approx(150.0)
