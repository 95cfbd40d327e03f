"""The client slows itself down from ARM's remaining-budget headers, before any 429."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from v3_fakes import ACCOUNT, METADATA, FakeTime, make_client
from migrator.v3.ids import ResourceType, resource_id
from migrator.v3.pipeline import Budget, Pacer

READS = "x-ms-ratelimit-remaining-subscription-reads"
WRITES = "x-ms-ratelimit-remaining-subscription-writes"


def test_no_pacing_while_more_than_half_the_budget_is_left(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.READS, {READS: "11000"})
    for _ in range(20):
        pacer.acquire(Budget.READS)
    assert fake_time.sleeps == []


def test_pacing_spreads_the_remaining_budget_over_the_rest_of_the_hour(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, reserve=0)
    pacer.observe(Budget.READS, {READS: "3600"})
    assert pacer.interval(Budget.READS) == pytest.approx(1.0)
    fake_time.sleep(1800)  # half the window gone, same budget left: twice as fast
    assert pacer.interval(Budget.READS) == pytest.approx(0.5)


def test_waits_grow_as_the_remaining_reads_reported_by_arm_drop(fake_time, rsps):
    client = make_client(fake_time)
    url = f"{METADATA}/assets/a1"
    for remaining in (11000, 7000, 3000, 1000, 200):
        rsps.get(url, json={"name": "a1"}, headers={READS: str(remaining)})
    asset = resource_id(ACCOUNT, ResourceType.ASSET, "a1")
    waits = []
    for _ in range(5):
        before = len(fake_time.sleeps)
        client.get(asset)
        waits.append(sum(fake_time.sleeps[before:]))
    later = []
    for _ in range(3):  # the last answer said 200 left: keep spacing requests out
        rsps.get(url, json={"name": "a1"}, headers={READS: "200"})
        before = len(fake_time.sleeps)
        client.get(asset)
        later.append(sum(fake_time.sleeps[before:]))
    assert waits[:3] == [0, 0, 0]  # nothing known yet, then 11000 and 7000 leave more than half
    assert 0 < waits[3] < waits[4] < later[0]
    assert waits[3] == pytest.approx(3600 / 2990)  # the hour spread over what is left, less the reserve
    assert all(wait == pytest.approx(later[0], rel=0.02) for wait in later)  # ~3600 s / 190 requests


def test_reads_and_writes_are_paced_from_their_own_budgets(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.WRITES, {WRITES: "100"})
    pacer.observe(Budget.READS, {READS: "11900"})
    assert pacer.interval(Budget.READS) == 0
    assert pacer.interval(Budget.WRITES) > 30


def test_the_smaller_of_subscription_and_tenant_budgets_counts(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.READS, {READS: "11000", "x-ms-ratelimit-remaining-tenant-reads": "1000"})
    assert pacer.interval(Budget.READS) > 0


def test_a_refilled_budget_restarts_the_window_and_stops_pacing(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.WRITES, {WRITES: "50"})
    assert pacer.interval(Budget.WRITES) > 0
    fake_time.sleep(3000)
    pacer.observe(Budget.WRITES, {WRITES: "1199"})
    assert pacer.interval(Budget.WRITES) == 0


def test_an_exhausted_budget_allows_one_request_per_remaining_window(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, reserve=10)
    pacer.observe(Budget.WRITES, {WRITES: "5"})
    assert pacer.interval(Budget.WRITES) == pytest.approx(3600)


def test_a_hold_after_a_429_delays_every_thread_on_that_budget(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.hold(Budget.READS, 15)
    assert pacer.acquire(Budget.WRITES) == 0
    assert pacer.acquire(Budget.READS) == pytest.approx(15)


def test_threads_sharing_one_pacer_get_distinct_evenly_spaced_slots():
    frozen = FakeTime()
    frozen.sleep = lambda seconds: None  # time stands still: every wait is measured from the same instant
    pacer = Pacer(clock=frozen.clock, sleep=frozen.sleep, reserve=0)
    pacer.observe(Budget.WRITES, {WRITES: "360"})  # one slot every 10 s
    with ThreadPoolExecutor(max_workers=8) as pool:
        waits = list(pool.map(lambda _: pacer.acquire(Budget.WRITES), range(200)))
    assert sorted(round(w, 6) for w in waits) == [round(10.0 * i, 6) for i in range(200)]


def test_after_the_assumed_hour_the_next_window_is_assumed_to_have_begun(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, reserve=0)
    pacer.observe(Budget.READS, {READS: "3600"})
    fake_time.sleep(3600 + 1800)
    assert pacer.interval(Budget.READS) == pytest.approx(0.5)


def test_worker_threads_share_one_client_and_its_pacing_budget(fake_time, rsps):
    client = make_client(fake_time)
    for n in range(40):
        rsps.get(f"{METADATA}/assets/a{n}", json={"name": f"a{n}"}, headers={READS: "100"})
    with ThreadPoolExecutor(max_workers=4) as pool:
        names = list(pool.map(lambda n: client.assets.get(ACCOUNT, f"a{n}").name, range(40)))
    assert names == [f"a{n}" for n in range(40)]
    assert client.pacer.interval(Budget.READS) > 0  # every thread's answers fed the one shared budget
    assert fake_time.sleeps  # and the threads were paced by it
