"""ARM-style throttling: a token bucket per subscription for reads and one for writes.

ARM counts GETs as reads and PUT/PATCH/DELETE/POST as writes, answers 429 with
``Retry-After`` when a bucket is empty, and reports what is left in
``x-ms-ratelimit-remaining-subscription-reads|writes`` (v3-api.md §7). Off by default: then
the headers report ARM's documented hourly budget and nothing is refused.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from typing import Callable

from migrator.exceptions import ConfigError

# ARM's documented per-subscription hourly budgets (v3-api.md §7).
ARM_READS_PER_HOUR = 12000
ARM_WRITES_PER_HOUR = 1200
READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class ThrottleSettings:
    """Bucket sizes; each bucket refills its full size evenly over ``window_seconds``."""

    reads: int = ARM_READS_PER_HOUR
    writes: int = ARM_WRITES_PER_HOUR
    window_seconds: float = 3600.0
    enabled: bool = True

    @classmethod
    def off(cls) -> "ThrottleSettings":
        return cls(enabled=False)

    @classmethod
    def parse(cls, text: str) -> "ThrottleSettings":
        """``reads=N,writes=N[,window=SECONDS]`` as the CLI takes it."""
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            match = re.fullmatch(r"(reads|writes|window)=(\d+(?:\.\d+)?)", part)
            if not match:
                raise ConfigError(f"Invalid throttle setting '{part}'", hint="use reads=N,writes=N[,window=SECONDS]")
            values[match.group(1)] = float(match.group(2))
        return cls(
            reads=int(values.get("reads", ARM_READS_PER_HOUR)),
            writes=int(values.get("writes", ARM_WRITES_PER_HOUR)),
            window_seconds=values.get("window", 3600.0),
        )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    header: str
    remaining: int
    retry_after: int


class _Bucket:
    def __init__(self, size: int, window_seconds: float, clock: Callable[[], float]) -> None:
        self.size = size
        self.rate = size / window_seconds if window_seconds > 0 else math.inf
        self.clock = clock
        self.tokens = float(size)
        self.stamp = clock()

    def take(self) -> tuple[bool, int, int]:
        now = self.clock()
        self.tokens = min(self.size, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True, int(self.tokens), 0
        wait = (1 - self.tokens) / self.rate if self.rate else 3600
        return False, 0, max(1, math.ceil(wait))


class Throttle:
    """Buckets by (subscription, reads|writes); ``check`` spends one token."""

    def __init__(
        self, settings: ThrottleSettings = ThrottleSettings.off(), clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, subscription: str, method: str) -> Decision:
        kind = "reads" if method.upper() in READ_METHODS else "writes"
        header = f"x-ms-ratelimit-remaining-subscription-{kind}"
        if not self.settings.enabled:
            budget = ARM_READS_PER_HOUR if kind == "reads" else ARM_WRITES_PER_HOUR
            return Decision(True, header, budget - 1, 0)
        size = self.settings.reads if kind == "reads" else self.settings.writes
        with self._lock:
            key = (subscription.lower(), kind)
            if key not in self._buckets:
                self._buckets[key] = _Bucket(size, self.settings.window_seconds, self.clock)
            bucket = self._buckets[key]
            allowed, remaining, retry_after = bucket.take()
        return Decision(allowed, header, remaining, retry_after)
