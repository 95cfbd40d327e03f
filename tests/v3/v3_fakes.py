"""Helpers of the v3 tests: a fake clock whose sleep advances it, the examples' account, a client factory."""

from __future__ import annotations

import threading

import requests

from migrator.auth import StaticTokenProvider
from migrator.v3.client import ArmClient, LroSettings
from migrator.v3.ids import AccountRef
from migrator.v3.pipeline import Pacer

ENDPOINT = "https://management.azure.com"
# The account of the official examples (reference v3-openapi examples).
ACCOUNT = AccountRef("00000000-0000-0000-0000-000000000000", "contosorg", "contosomedia")
ACCOUNT_PATH = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contosorg/providers/Microsoft.Media"
METADATA = f"{ENDPOINT}{ACCOUNT_PATH}/mediaServices/contosomedia"
STREAMING = f"{ENDPOINT}{ACCOUNT_PATH}/mediaservices/contosomedia"
STATIC_TOKEN = "static-arm-token-value-for-tests"


class FakeTime:
    """A monotonic clock that only moves when someone sleeps; records every sleep requested."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def make_client(fake_time: FakeTime, provider=None, *, endpoint: str = ENDPOINT, pacer: Pacer | None = None, **kwargs) -> ArmClient:
    return ArmClient(
        requests.Session(),
        endpoint,
        provider or StaticTokenProvider(STATIC_TOKEN, api="ARM"),
        pacing=pacer or Pacer(clock=fake_time.clock, sleep=fake_time.sleep),
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        rng=lambda: 0.5,
        lro=kwargs.pop("lro", LroSettings(poll_interval=5.0, timeout=60.0)),
        **kwargs,
    )
