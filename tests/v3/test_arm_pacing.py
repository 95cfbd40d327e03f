"""The client slows itself down from ARM's remaining-budget headers, before any 429."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import threading

from v3_fakes import ACCOUNT, METADATA, STATIC_TOKEN, make_client
from migrator.clouds import get_cloud
from migrator.exceptions import ConfigError
from migrator.v3.client import connect
from migrator.v3.ids import ResourceType, resource_id
from migrator.v3.pipeline import Budget, Pacer

READS = "x-ms-ratelimit-remaining-subscription-reads"
WRITES = "x-ms-ratelimit-remaining-subscription-writes"
HOURLY_WRITE_REFILL = 1200 / 3600  # ARM's documented 1,200 writes per hour, per second


def expected_interval(refill: float, remaining: int, *, limit: int = 1200, reserve: int = 10) -> float:
    """The documented law: the refill rate times 0.5 at the reserve .. 1.5 at half the budget."""
    band = limit / 2 - reserve
    return 1 / (refill * (0.5 + min(max(remaining - reserve, 0), band) / band))


def test_no_pacing_while_more_than_half_the_budget_is_left(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.READS, {READS: "11000"})
    for _ in range(20):
        pacer.acquire(Budget.READS)
    assert fake_time.sleeps == []


def test_below_half_the_budget_requests_go_at_the_refill_rate_scaled_by_what_is_left(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, limits={Budget.WRITES: 1200}, window_seconds=60)
    pacer.observe(Budget.WRITES, {WRITES: "600"})  # at the threshold: 1.5 x the 20 writes/s refill
    assert pacer.interval(Budget.WRITES) == pytest.approx(1 / 30)
    pacer.observe(Budget.WRITES, {WRITES: str(10 + 295)})  # midway between reserve and threshold: the refill
    assert pacer.interval(Budget.WRITES) == pytest.approx(1 / 20)
    pacer.observe(Budget.WRITES, {WRITES: "10"})  # at the reserve: half the refill, so the budget recovers
    assert pacer.interval(Budget.WRITES) == pytest.approx(1 / 10)


def test_the_pace_does_not_change_as_time_passes_with_the_same_budget_left(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.WRITES, {WRITES: "300"})
    before = pacer.interval(Budget.WRITES)
    fake_time.sleep(3000)  # no assumed window end to rush towards, nor a wrap to stall after
    assert pacer.interval(Budget.WRITES) == pytest.approx(before) == pytest.approx(expected_interval(HOURLY_WRITE_REFILL, 300))


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
    reads_refill = 12000 / 3600
    assert waits[3] == pytest.approx(expected_interval(reads_refill, 3000, limit=12000))
    assert later[0] == pytest.approx(expected_interval(reads_refill, 200, limit=12000))
    assert all(wait == pytest.approx(later[0], rel=0.02) for wait in later)


def test_reads_and_writes_are_paced_from_their_own_budgets(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.observe(Budget.WRITES, {WRITES: "100"})
    pacer.observe(Budget.READS, {READS: "11900"})
    assert pacer.interval(Budget.READS) == 0
    assert pacer.interval(Budget.WRITES) == pytest.approx(expected_interval(HOURLY_WRITE_REFILL, 100))


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


def test_a_budget_down_to_its_reserve_is_paced_at_half_the_refill_rate(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, reserve=10)
    pacer.observe(Budget.WRITES, {WRITES: "5"})
    assert pacer.interval(Budget.WRITES) == pytest.approx(2 / HOURLY_WRITE_REFILL)  # one write per 6 s


def test_a_hold_after_a_429_delays_every_thread_on_that_budget(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    pacer.hold(Budget.READS, 15)
    assert pacer.acquire(Budget.WRITES) == 0
    assert pacer.acquire(Budget.READS) == pytest.approx(15)


def test_threads_sharing_one_pacer_send_at_most_one_request_per_interval(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, recheck_seconds=10.0)
    pacer.observe(Budget.WRITES, {WRITES: "305"})  # midway: one write every 3 s
    sent: list[float] = []

    def send(_: int) -> None:
        pacer.acquire(Budget.WRITES)
        sent.append(fake_time.clock())

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send, range(200)))
    interval = expected_interval(HOURLY_WRITE_REFILL, 305)
    assert interval == pytest.approx(3.0)
    sent.sort()
    assert len(sent) == 200
    assert all(at >= sent[0] + n * interval - 1e-6 for n, at in enumerate(sent))


def test_waiting_threads_go_as_soon_as_a_newer_answer_shows_the_budget_refilled():
    now = [0.0]
    requested: list[float] = []
    release = threading.Event()

    def sleep(seconds: float) -> None:  # every waiter blocks here until the test moves time on
        requested.append(seconds)
        release.wait(10)

    pacer = Pacer(clock=lambda: now[0], sleep=sleep, recheck_seconds=0.5)
    pacer.observe(Budget.WRITES, {WRITES: "5"})  # one write per 6 s
    assert pacer.acquire(Budget.WRITES) == 0
    with ThreadPoolExecutor(max_workers=7) as pool:
        waits = [pool.submit(pacer.acquire, Budget.WRITES) for _ in range(7)]
        while len(requested) < 7:
            release.wait(0.01)
        now[0] = 0.5
        pacer.observe(Budget.WRITES, {WRITES: "1100"})  # another worker's answer: the budget refilled
        release.set()
        assert [w.result(timeout=10) for w in waits] == [0.5] * 7  # not 6, 12, ... 42 s
    assert requested == [0.5] * 7


def test_a_wait_is_requested_in_pieces_no_longer_than_the_recheck_interval(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, recheck_seconds=0.5)
    pacer.observe(Budget.WRITES, {WRITES: "5"})
    pacer.acquire(Budget.WRITES)
    assert pacer.acquire(Budget.WRITES) == pytest.approx(6.0)
    assert fake_time.sleeps == [0.5] * 12


def test_the_window_is_a_constructor_parameter(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep, window_seconds=60)
    pacer.observe(Budget.WRITES, {WRITES: "305"})
    assert pacer.refill_rate(Budget.WRITES) == pytest.approx(20.0)
    assert pacer.interval(Budget.WRITES) == pytest.approx(0.05)


def test_a_budget_seen_refilling_faster_than_configured_is_paced_at_the_measured_rate(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)  # told ARM's hour; the service refills 20/s
    pacer.observe(Budget.WRITES, {WRITES: "1199"})
    for _ in range(300):  # 20 answers a second for 15 s, and the budget holds at 500: the refill paid for them
        pacer.observe(Budget.WRITES, {WRITES: "500"})
        fake_time.sleep(0.05)
    assert pacer.refill_rate(Budget.WRITES) == pytest.approx(20.0, rel=0.01)
    assert pacer.interval(Budget.WRITES) == pytest.approx(expected_interval(20.0, 500), rel=0.01)


def test_a_budget_that_only_falls_keeps_the_configured_refill_rate(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)
    for n in range(300):  # a fixed window: every answer one less, nothing refilled
        pacer.observe(Budget.WRITES, {WRITES: str(590 - n)})
        fake_time.sleep(0.05)
    assert pacer.refill_rate(Budget.WRITES) == pytest.approx(HOURLY_WRITE_REFILL)


def test_a_budget_held_at_its_peak_is_full_and_not_paced(fake_time):
    pacer = Pacer(clock=fake_time.clock, sleep=fake_time.sleep)  # told 1,200; the service's bucket holds 200
    pacer.observe(Budget.WRITES, {WRITES: "199"})
    assert pacer.interval(Budget.WRITES) > 0  # one answer: nothing says it is full yet
    for _ in range(20):  # 6 s of answers and the budget stays at the most it ever reported
        fake_time.sleep(0.3)
        pacer.observe(Budget.WRITES, {WRITES: "199"})
    assert pacer.interval(Budget.WRITES) == 0  # waiting would only let the refill overflow
    for n in range(20):
        fake_time.sleep(0.3)
        pacer.observe(Budget.WRITES, {WRITES: str(190 - 5 * n)})
    assert pacer.interval(Budget.WRITES) > 0  # spent below its peak: paced again


def test_connect_paces_by_the_window_it_is_given_or_the_environment_names():
    cloud = get_cloud("AzureCloud")
    told = connect(cloud=cloud, static_token=STATIC_TOKEN, env={}, rate_window=60, rate_limits={Budget.WRITES: 600})
    assert told.pacer.refill_rate(Budget.WRITES) == pytest.approx(10.0)
    from_env = connect(cloud=cloud, static_token=STATIC_TOKEN, env={"MIGRATOR_ARM_RATE_WINDOW": "60"})
    assert from_env.pacer.window_seconds == 60 and from_env.pacer.refill_rate(Budget.WRITES) == pytest.approx(20.0)
    hourly = connect(cloud=cloud, static_token=STATIC_TOKEN, env={})
    assert hourly.pacer.refill_rate(Budget.WRITES) == pytest.approx(HOURLY_WRITE_REFILL)


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan"])
def test_an_unusable_rate_window_in_the_environment_is_refused(value):
    with pytest.raises(ConfigError, match="MIGRATOR_ARM_RATE_WINDOW"):
        connect(cloud=get_cloud("AzureCloud"), static_token=STATIC_TOKEN, env={"MIGRATOR_ARM_RATE_WINDOW": value})


def test_worker_threads_share_one_client_and_its_pacing_budget(fake_time, rsps):
    client = make_client(fake_time)
    for n in range(40):  # each answer one read fewer: a budget being spent, not a full one
        rsps.get(f"{METADATA}/assets/a{n}", json={"name": f"a{n}"}, headers={READS: str(100 - n)})
    with ThreadPoolExecutor(max_workers=4) as pool:
        names = list(pool.map(lambda n: client.assets.get(ACCOUNT, f"a{n}").name, range(40)))
    assert names == [f"a{n}" for n in range(40)]
    assert client.pacer.interval(Budget.READS) > 0  # every thread's answers fed the one shared budget
    assert fake_time.sleeps  # and the threads were paced by it
