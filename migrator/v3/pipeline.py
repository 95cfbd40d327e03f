"""How each ARM request is sent: headers, pacing, retries and the mapping of errors.

ARM gives every principal an hourly budget per subscription (reads 12,000, writes 1,200,
deletes 15,000) and reports what is left in ``x-ms-ratelimit-remaining-subscription-*``
headers (reference v3-api.md section 7). A cutover runs for hours, so instead of spending the
budget at full speed and then meeting a wall of 429s, the ``Pacer`` spreads what remains over
the time left in the window once half of it is gone. Several worker threads share one pacer:
it hands out send slots one after another, so the threads together keep the pace.

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
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

import requests

from migrator.auth import BearerAuth, TokenProvider
from migrator.exceptions import (
    AuthError,
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
    """Pacing state of one budget: the last send slot given out and what ARM said is left."""

    last_slot: float | None = None
    hold_until: float = 0.0
    remaining: int | None = None
    window_start: float | None = None
    limit: int = 0


class Pacer:
    """A shared, thread-safe send-slot scheduler per ARM budget.

    While more than ``burst_fraction`` of a budget is left, requests go out unpaced. Below
    that, consecutive slots are ``time left in the window / requests left`` apart, so the
    budget lasts until ARM refills it. The window is assumed to start when a budget is first
    seen (or seen to refill), which errs on the slow side when the real window is older.
    ARM instances count separately, so the figures jump a little; the pace follows the newest.
    A 429 holds every thread, not just the one that met it.
    """

    WINDOW_SECONDS = 3600.0

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        burst_fraction: float = 0.5,
        reserve: int = 10,
        limits: Mapping[Budget, int] | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._burst_fraction = burst_fraction
        self._reserve = reserve  # requests kept back for other tools sharing the principal
        self._lock = threading.Lock()
        # Hourly limits default to ARM's documented ones; an ARM-compatible service may differ.
        self._lanes = {budget: _Lane(limit=(limits or {}).get(budget, budget.value)) for budget in Budget}

    def acquire(self, budget: Budget) -> float:
        """Wait for this caller's send slot; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            lane = self._lanes[budget]
            # Spacing is decided with the newest budget figure, not the one of the last slot.
            earliest = now if lane.last_slot is None else lane.last_slot + self._interval(lane, now)
            slot = max(now, earliest, lane.hold_until)
            lane.last_slot = slot
        wait = slot - now
        if wait > 0:
            log.debug("pacing %s: waiting %.2fs", budget.name.lower(), wait)
            self._sleep(wait)
        return wait

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
            refilled = lane.remaining is not None and remaining > lane.remaining + self._reserve
            if lane.window_start is None or refilled:
                lane.window_start = now
            lane.remaining = remaining
            lane.limit = max(lane.limit, remaining)  # other ARM instances (Azure Stack) may allow more

    def hold(self, budget: Budget, seconds: float) -> None:
        """Nobody sends on this budget for ``seconds`` (a 429 said so)."""
        with self._lock:
            lane = self._lanes[budget]
            lane.hold_until = max(lane.hold_until, self._clock() + seconds)

    def interval(self, budget: Budget) -> float:
        """The current spacing between send slots, for logs and tests."""
        with self._lock:
            return self._interval(self._lanes[budget], self._clock())

    def _interval(self, lane: _Lane, now: float) -> float:
        if lane.remaining is None or lane.remaining > lane.limit * self._burst_fraction:
            return 0.0
        window_start = lane.window_start if lane.window_start is not None else now
        # Past the assumed hour without seeing a refill: assume the next hour has begun.
        time_left = self.WINDOW_SECONDS - (now - window_start) % self.WINDOW_SECONDS
        usable = lane.remaining - self._reserve
        if usable <= 0:
            return time_left  # nothing left: one request per remaining window, until a refill
        return time_left / usable


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

