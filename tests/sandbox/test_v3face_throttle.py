"""ARM-style throttling of the v3 face: remaining-budget headers on every answer, 429 with
Retry-After when a subscription's bucket is empty, separate read and write buckets."""

from __future__ import annotations

import pytest

from migrator.exceptions import ConfigError
from migrator.sandbox.throttle import ARM_READS_PER_HOUR, ARM_WRITES_PER_HOUR, Throttle, ThrottleSettings
from test_v3face_helpers import ASSET_BODY, Arm, account, serving

READS = "x-ms-ratelimit-remaining-subscription-reads"
WRITES = "x-ms-ratelimit-remaining-subscription-writes"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttling_is_off_by_default_but_headers_report_arm_budgets():
    owner = account()
    with serving(owner) as (server, _):
        arm = Arm(server.base_url, owner)
        reads = [arm.get("assets") for _ in range(30)]
        assert all(r.status_code == 200 for r in reads)
        assert reads[-1].headers[READS] == str(ARM_READS_PER_HOUR - 1)
        assert arm.put("assets/a", ASSET_BODY).headers[WRITES] == str(ARM_WRITES_PER_HOUR - 1)


def test_reads_beyond_the_bucket_get_429_with_retry_after():
    owner, clock = account(), FakeClock()
    throttle = Throttle(ThrottleSettings(reads=3, writes=10, window_seconds=60), clock=clock)
    with serving(owner, throttle=throttle) as (server, _):
        arm = Arm(server.base_url, owner)
        remaining = [arm.get("assets").headers[READS] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        refused = arm.get("assets")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "TooManyRequests"
        assert int(refused.headers["Retry-After"]) == 20  # one token of 3 per 60 s
        assert refused.headers[READS] == "0"
        clock.now += 20
        assert arm.get("assets").status_code == 200


def test_writes_have_their_own_bucket():
    owner = account()
    throttle = Throttle(ThrottleSettings(reads=100, writes=2, window_seconds=3600), clock=FakeClock())
    with serving(owner, throttle=throttle) as (server, _):
        arm = Arm(server.base_url, owner)
        assert [arm.put(f"assets/a{i}", ASSET_BODY).status_code for i in range(3)] == [201, 201, 429]
        assert arm.get("assets").status_code == 200
        # ARM counts POST actions as writes
        assert arm.post("assets/a0/listStreamingLocators").status_code == 429


def test_buckets_are_per_subscription():
    throttle = Throttle(ThrottleSettings(reads=1, writes=1, window_seconds=3600), clock=FakeClock())
    assert throttle.check("sub-a", "GET").allowed
    assert not throttle.check("sub-a", "GET").allowed
    assert throttle.check("sub-b", "GET").allowed


def test_throttle_settings_parse_the_cli_form():
    settings = ThrottleSettings.parse("reads=50,writes=5,window=60")
    assert (settings.reads, settings.writes, settings.window_seconds, settings.enabled) == (50, 5, 60.0, True)
    with pytest.raises(ConfigError):
        ThrottleSettings.parse("reads=lots")
