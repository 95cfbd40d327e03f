"""How each ARM request is sent: headers, pacing, retries and the mapping of errors.

ARM gives every principal an hourly budget per subscription (reads 12,000, writes 1,200,
deletes 15,000) and reports what is left in ``x-ms-ratelimit-remaining-subscription-*``
headers (reference v3-api.md section 7). A cutover runs for hours, so instead of spending the
budget at full speed and then meeting a wall of 429s, the ``Pacer`` sends at the rate the
budget refills once half of it is gone. Several worker threads share one pacer, so the
threads together keep the pace.

Retries are done here rather than by urllib3 because pacing must see every attempt's
headers, the choice of retryable POST actions is ARM-specific, and tests need an injected
sleep. Sessions for ``ArmClient`` are therefore built without transport-level retries.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import requests

from migrator.auth import BearerAuth, TokenProvider
from migrator.exceptions import (
    AuthError,
    ConfigError,
    ConflictError,
    MigratorError,
    NotFoundError,
    QuotaExceededError,
    RemoteError,
    ThrottledError,
    ValidationError,
)
from migrator.http import USER_AGENT, RetrySettings, new_request_id, unreachable
from migrator.redact import SECRETS

log = logging.getLogger("migrator.v3.pipeline")

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# POST actions that only read: repeating one after a lost answer changes nothing.
# start/stop/scale and the like are not here; they are followed as long-running operations.
SAFE_POST_ACTIONS = frozenset(
    {
        "listPaths",
        "listContentKeys",
        "listContainerSas",
        "getEncryptionKey",
        "listStreamingLocators",
        "getPolicyPropertiesWithSecrets",
    }
)
IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})

# Settings for ARM: the pipeline owns retries, so the session must not retry on its own.
ARM_RETRY = RetrySettings(total=6, backoff_factor=1.0, backoff_max=60.0, backoff_jitter=1.0)
NO_TRANSPORT_RETRY = RetrySettings(total=0)


class Budget(Enum):
    """The ARM counters a request spends from; value = hourly limit (reference section 7)."""

    READS = 12_000
    WRITES = 1_200
    DELETES = 15_000

    @classmethod
    def for_method(cls, method: str) -> "Budget":
        return {"GET": cls.READS, "HEAD": cls.READS, "DELETE": cls.DELETES}.get(method.upper(), cls.WRITES)

    @property
    def headers(self) -> tuple[str, str]:
        suffix = self.name.lower()
        return (f"x-ms-ratelimit-remaining-subscription-{suffix}", f"x-ms-ratelimit-remaining-tenant-{suffix}")


@dataclass
class _Lane:
    """Pacing state of one budget: when it last sent, what ARM said is left, how fast it refills."""

    limit: int
    configured_refill: float  # requests per second the limit and window allow
    last_send: float | None = None
    hold_until: float = 0.0
    remaining: int | None = None
    answers: int = 0
    observed_refill: float = 0.0
    peak: int = 0  # the most ever reported left
    full: bool = False  # at its peak and not falling: what is not spent now overflows
    # (time, remaining, answers so far) of recent answers, to measure the refill rate.
    samples: deque = field(default_factory=lambda: deque(maxlen=4096))


class Pacer:
    """A shared, thread-safe send pacer per ARM budget.

    While more than ``burst_fraction`` of a budget is left, requests go out unpaced. Below
    that, they go out at the rate the budget refills (``limit / window_seconds``, or faster
    when the answers show it refilling faster), scaled by how much is left: 1.5 times the
    refill at the burst threshold down to half of it at the ``reserve``. The budget thus
    settles midway, spending what the refill pays for without meeting a 429 or letting the
    refill overflow. A waiting thread re-reads the pace at least every ``recheck_seconds``,
    so a newer answer that shows the budget refilled lets it go early. A 429 holds every
    thread on that budget for its ``Retry-After``.
    """

    # The default window: ARM documents its budgets per hour (reference v3-api.md section 7).
    WINDOW_SECONDS = 3600.0

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        burst_fraction: float = 0.5,
        reserve: int = 10,
        limits: Mapping[Budget, int] | None = None,
        window_seconds: float | None = None,
        refill_span: float = 10.0,
        recheck_seconds: float = 0.5,
    ) -> None:
        self.window_seconds = float(window_seconds if window_seconds is not None else self.WINDOW_SECONDS)
        if self.window_seconds <= 0 or recheck_seconds <= 0 or refill_span <= 0:
            raise ConfigError(
                "the pacer's window, refill span and recheck interval must be above 0 seconds",
                hint="check window_seconds (or MIGRATOR_ARM_RATE_WINDOW), refill_span and recheck_seconds",
            )
        self._clock = clock
        self._sleep = sleep
        self._burst_fraction = burst_fraction
        self._reserve = reserve  # requests kept back for other tools sharing the principal
        self._refill_span = refill_span
        self._recheck = recheck_seconds
        self._lock = threading.Lock()
        # Limits default to ARM's documented ones; an ARM-compatible service may differ.
        self._lanes = {}
        for budget in Budget:
            limit = (limits or {}).get(budget, budget.value)
            self._lanes[budget] = _Lane(limit=limit, configured_refill=limit / self.window_seconds)

    def acquire(self, budget: Budget) -> float:
        """Wait until this caller may send; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                lane = self._lanes[budget]
                now = self._clock()
                interval = self._interval(lane)
                due = lane.hold_until if lane.last_send is None else max(lane.last_send + interval, lane.hold_until)
                if due <= now:
                    # Keep the cadence when a waiter wakes a little late; after an idle spell, start afresh.
                    lane.last_send = due if lane.last_send is not None and now - due < interval else now
                    return waited
                # No answer can shorten a 429's Retry-After; any other wait is re-read now and then.
                pause = lane.hold_until - now if lane.hold_until > now else min(due - now, self._recheck)
            log.debug("pacing %s: waiting %.2fs", budget.name.lower(), pause)
            self._sleep(pause)
            waited += pause

    def observe(self, budget: Budget, headers: Mapping[str, str]) -> None:
        """Record the remaining budget a response reported (the smaller of subscription/tenant)."""
        reported = [_int_or_none(headers.get(name)) for name in budget.headers]
        values = [v for v in reported if v is not None]
        if not values:
            return
        remaining = min(values)
        with self._lock:
            lane = self._lanes[budget]
            now = self._clock()
            lane.remaining = remaining
            lane.answers += 1
            lane.peak = max(lane.peak, remaining)
            lane.limit = max(lane.limit, remaining)  # other ARM instances (Azure Stack) may allow more
            self._measure_refill(lane, now)

    def hold(self, budget: Budget, seconds: float) -> None:
        """Nobody sends on this budget for ``seconds`` (a 429 said so)."""
        with self._lock:
            lane = self._lanes[budget]
            lane.hold_until = max(lane.hold_until, self._clock() + seconds)

    def interval(self, budget: Budget) -> float:
        """The current spacing between sends, for logs and tests."""
        with self._lock:
            return self._interval(self._lanes[budget])

    def refill_rate(self, budget: Budget) -> float:
        """Requests per second the budget is taken to refill: configured, or faster when measured so."""
        with self._lock:
            lane = self._lanes[budget]
            return max(lane.configured_refill, lane.observed_refill)

    def _interval(self, lane: _Lane) -> float:
        threshold = lane.limit * self._burst_fraction
        if lane.remaining is None or lane.remaining > threshold or lane.full:
            return 0.0
        band = max(threshold - self._reserve, 1.0)
        usable = min(max(lane.remaining - self._reserve, 0), band)
        share = 0.5 + usable / band  # 1.5 at the threshold, 1 midway, 0.5 at the reserve and below
        return 1.0 / (max(lane.configured_refill, lane.observed_refill) * share)

    def _measure_refill(self, lane: _Lane, now: float) -> None:
        """Refill = (rise of the budget + requests it paid for) / time, over the last ``refill_span``.

        A budget that refills continuously (a token bucket, as the sandbox and ARM's newer
        throttling do) shows its rate here even when the configured window is wrong; a fixed
        window shows about nothing and the configured rate stands. While the budget does not
        fall, the refill may exceed what it paid for (a full bucket overflows), so the figure is
        only a lower bound and the measurement keeps the higher one; a budget held at its peak
        is full and is not paced (a bucket smaller than the configured limit).
        """
        samples = lane.samples
        samples.append((now, lane.remaining, lane.answers))
        while len(samples) > 2 and now - samples[1][0] >= self._refill_span:
            samples.popleft()
        then, remaining_then, answers_then = samples[0]
        elapsed = now - then
        if elapsed < self._refill_span / 2:
            return
        rise = lane.remaining - remaining_then
        measured = max(0.0, (rise + lane.answers - answers_then) / elapsed)
        falling = rise < 0
        lane.observed_refill = measured if falling else max(lane.observed_refill, measured)
        lane.full = not falling and lane.remaining >= lane.peak


@dataclass(frozen=True)
class ArmErrorBody:
    """ARM's ``{"error": {code, message, target, details}}`` (common-types ErrorResponse)."""

    code: str | None = None
    message: str | None = None
    target: str | None = None
    details: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_response(cls, response: requests.Response) -> "ArmErrorBody":
        try:
            payload = response.json()
        except ValueError:
            return cls()
        error = payload.get("error", payload) if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return cls()
        details = tuple(
            str(d.get("code")) for d in error.get("details") or () if isinstance(d, dict) and d.get("code")
        )
        return cls(_str_or_none(error.get("code")), _str_or_none(error.get("message")), _str_or_none(error.get("target")), details)


_QUOTA_CODE = re.compile(r"quota|limitexceeded|limitreached", re.IGNORECASE)
_EXPIRED_TOKEN_CODES = frozenset({"expiredauthenticationtoken"})


def error_for_response(
    what: str, response: requests.Response, provider: TokenProvider | None = None
) -> MigratorError:
    """The typed exception for a failed ARM answer; ``what`` names the call (``GET assets/x``)."""
    status = response.status_code
    body = ArmErrorBody.from_response(response)
    ids = {
        "request_id": response.headers.get("x-ms-request-id"),
        "correlation_id": response.headers.get("x-ms-correlation-request-id"),
    }
    code = body.code or response.reason or str(status)
    message = _one_line(f"{what}: HTTP {status} {code}" + (f": {body.message}" if body.message else ""))
    if status == 401:
        expired_error = getattr(provider, "expired_error", None)
        if expired_error is not None and (body.code or "").lower() in _EXPIRED_TOKEN_CODES:
            error = expired_error()
            error.fields.update(ids, status=status)
            return error
        return AuthError(message, hint="the token was refused; check the tenant, the cloud (--cloud) and the token audience", status=status, **ids)
    if status == 403:
        return AuthError(
            message,
            hint="the principal lacks a role: reads need Reader, writes need Contributor (or Media Services Contributor) on the account",
            status=status,
            **ids,
        )
    common = {"status": status, "service_code": body.code, "target": body.target, **ids}
    if body.details:
        common["details"] = list(body.details)
    if status == 429:
        return ThrottledError(message, hint="ARM or Media Services throttled us; rerun later or lower --parallel", **common)
    if body.code and _QUOTA_CODE.search(body.code):
        return QuotaExceededError(message, hint="a Media Services limit is reached; delete unused resources or ask for more", **common)
    if status == 404:
        return NotFoundError(message, hint="check the subscription, resource group and account name", **common)
    if status in (409, 412):
        return ConflictError(message, hint="the resource exists in another state or is being changed", **common)
    if status == 400:
        return ValidationError(message, hint="the service rejected the request body", **common)
    return RemoteError(message, hint="the service failed; retry later" if status >= 500 else None, **common)


class Pipeline:
    """Sends one logical request: paces, signs, retries what is safe, and classifies errors."""

    def __init__(
        self,
        session: requests.Session,
        token_provider: TokenProvider,
        *,
        pacer: Pacer,
        retry: RetrySettings = ARM_RETRY,
        sleep: Sleep = time.sleep,
        rng: Callable[[], float] = random.random,
        timeout: tuple[float, float] = (10.0, 120.0),
    ) -> None:
        self._session = session
        self.token_provider = token_provider
        self._auth = BearerAuth(token_provider)
        self._pacer = pacer
        self._retry = retry
        self._sleep = sleep
        self._rng = rng
        self._timeout = timeout

    def send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        retry_safe: bool,
    ) -> requests.Response:
        """The final response of up to ``retry.total + 1`` attempts. 4xx/5xx are returned, not raised."""
        budget = Budget.for_method(method)
        attempt = 0
        while True:
            self._pacer.acquire(budget)
            try:
                response = self._attempt(method, url, body, params)
            except requests.RequestException as exc:
                # A connect timeout never reached the server, so even an unsafe call may repeat.
                if attempt >= self._retry.total or not (retry_safe or isinstance(exc, requests.ConnectTimeout)):
                    raise unreachable(exc, url) from None
                delay = self._backoff(attempt)
                log.info("%s: %s, retrying in %.1fs", what, type(exc).__name__, delay)
                self._sleep(delay)
                attempt += 1
                continue
            self._pacer.observe(budget, response.headers)
            self._log(what, response)
            throttled = response.status_code == 429
            if throttled:  # every thread waits, not only this one, even when this one gives up
                delay = self._delay_after(response, attempt)
                self._pacer.hold(budget, delay)
            if not self._should_retry(response.status_code, retry_safe) or attempt >= self._retry.total:
                return response
            if not throttled:
                delay = self._delay_after(response, attempt)
                self._sleep(delay)
            log.info("%s: HTTP %s, retrying in %.1fs", what, response.status_code, delay)
            attempt += 1

    def _attempt(self, method: str, url: str, body: Any, params: Mapping[str, Any] | None) -> requests.Response:
        headers = {
            "User-Agent": USER_AGENT,
            "x-ms-client-request-id": new_request_id(),
            "Accept": "application/json",
        }
        return self._session.request(
            method,
            url,
            params=params,
            json=body,
            headers=headers,
            auth=self._auth,
            timeout=self._timeout,
            allow_redirects=False,
        )

    def _should_retry(self, status: int, retry_safe: bool) -> bool:
        if status not in self._retry.statuses:
            return False
        # A 429 means the request was refused unprocessed, so repeating it is always safe.
        return retry_safe or status == 429

    def _delay_after(self, response: requests.Response, attempt: int) -> float:
        retry_after = retry_after_seconds(response.headers)
        if retry_after is not None:
            return min(retry_after, self._retry.max_retry_after)
        return self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        """Exponential with full-range jitter on top, bounded by ``backoff_max``."""
        base = self._retry.backoff_factor * (2**attempt)
        return min(self._retry.backoff_max, base + self._rng() * self._retry.backoff_jitter)

    @staticmethod
    def _log(what: str, response: requests.Response) -> None:
        log.debug(
            "%s -> %s (request %s, correlation %s)",
            what,
            response.status_code,
            response.headers.get("x-ms-request-id"),
            response.headers.get("x-ms-correlation-request-id"),
        )


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` as seconds (delta or HTTP date); None when absent or unreadable."""
    value = headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def same_origin(url: str, endpoint: str) -> bool:
    """Next links and poll URLs must stay on the ARM endpoint our token is meant for."""
    a, b = urlsplit(url), urlsplit(endpoint)
    return (a.scheme.lower(), a.netloc.lower()) == (b.scheme.lower(), b.netloc.lower())


def _one_line(text: str, limit: int = 400) -> str:
    flat = " ".join(SECRETS.scrub(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)

