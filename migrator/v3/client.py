"""The ARM client for Microsoft.Media: five verbs over raw resource ids, plus typed operations.

``get``/``put``/``delete``/``post``/``list`` take raw ARM ids (names unescaped, as ARM writes
them in ``id``) or ``ResourceId`` objects; the client escapes the path, adds the api-version of
the resource family, follows long-running operations to the end and pages through collections
lazily. The typed operations (``client.assets``, ``client.streaming_locators``, ...) are built
on these verbs and speak ``migrator.v3.models`` dataclasses.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urljoin

import requests

from migrator.auth import TokenProvider, token_provider
from migrator.clouds import Cloud
from migrator.exceptions import ConfigError, OperationFailedError, OperationTimeoutError, RemoteError
from migrator.http import RetrySettings, build_session
from migrator.redact import SECRETS
from migrator.v3 import models, operations
from migrator.v3.ids import ResourceId, arm_path, family_of_path
from migrator.v3.pipeline import (
    ARM_RETRY,
    IDEMPOTENT_METHODS,
    ArmErrorBody,
    Budget,
    NO_TRANSPORT_RETRY,
    SAFE_POST_ACTIONS,
    Pacer,
    Pipeline,
    error_for_response,
    retry_after_seconds,
    same_origin,
)

log = logging.getLogger("migrator.v3.client")

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "canceled", "cancelled"})

# Actions whose answers carry secrets, and the model that knows which fields those are; raw
# ``post`` callers (the executor) get the same protection as the typed operations.
SECRET_ANSWERS = {
    "listContentKeys": models.ContentKeyList,
    "getPolicyPropertiesWithSecrets": models.ContentKeyPolicyProperties,
    "getEncryptionKey": models.StorageEncryptedAssetDecryptionData,
    "listContainerSas": models.AssetContainerSas,
}


@dataclass(frozen=True)
class LroSettings:
    """How long-running operations are followed: poll spacing when no Retry-After, and the limit."""

    poll_interval: float = 10.0
    timeout: float = 3600.0  # live events and streaming endpoints can take many minutes to start


class ArmClient:
    """One ARM endpoint and identity; safe to share between threads."""

    account: operations.AccountOperations
    assets: operations.AssetOperations
    asset_filters: operations.AssetFilterOperations
    account_filters: operations.AccountFilterOperations
    content_key_policies: operations.ContentKeyPolicyOperations
    streaming_policies: operations.StreamingPolicyOperations
    streaming_locators: operations.StreamingLocatorOperations
    transforms: operations.TransformOperations
    jobs: operations.JobOperations
    live_events: operations.LiveEventOperations
    live_outputs: operations.LiveOutputOperations
    streaming_endpoints: operations.StreamingEndpointOperations
    event_subscriptions: operations.EventSubscriptionOperations

    def __init__(
        self,
        session: requests.Session,
        endpoint: str,
        token_provider: TokenProvider,
        *,
        pacing: Pacer | None = None,
        retry: RetrySettings = ARM_RETRY,
        lro: LroSettings = LroSettings(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        timeout: tuple[float, float] = (10.0, 120.0),
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.pacer = pacing or Pacer(clock=clock, sleep=sleep)
        self._pipeline = Pipeline(
            session, token_provider, pacer=self.pacer, retry=retry, sleep=sleep, rng=rng, timeout=timeout
        )
        self._lro = lro
        self._clock = clock
        self._sleep = sleep
        operations.attach(self)

    # --- the five verbs ---------------------------------------------------------------

    def get(self, resource_id: str | ResourceId, *, params: Mapping[str, Any] | None = None) -> dict | None:
        """The resource's body, or None when it does not exist (a wrong subscription or group still raises)."""
        raw_id = str(resource_id)
        response = self._send("GET", raw_id, params=params)
        if response.status_code == 404 and not _addressing_is_wrong(response):
            return None
        self._raise_for_error("GET", raw_id, response)
        return _json(response)

    def put(
        self, resource_id: str | ResourceId, body: Mapping[str, Any], *, params: Mapping[str, Any] | None = None
    ) -> dict:
        """Create or replace; a long-running PUT is followed and the final resource returned."""
        raw_id = str(resource_id)
        response = self._send("PUT", raw_id, body=body, params=params)
        self._raise_for_error("PUT", raw_id, response)
        if self._is_long_running(response):
            self._follow("PUT", raw_id, response)
            return self.get(raw_id) or {}
        return _json(response)

    def delete(self, resource_id: str | ResourceId) -> None:
        """Delete and wait for it; a resource that is already gone counts as deleted."""
        raw_id = str(resource_id)
        response = self._send("DELETE", raw_id)
        if response.status_code == 404:
            return
        self._raise_for_error("DELETE", raw_id, response)
        if self._is_long_running(response):
            self._follow("DELETE", raw_id, response)

    def post(self, resource_id: str | ResourceId, action: str, body: Mapping[str, Any] | None = None) -> dict:
        """Call an action (``listPaths``, ``start``...); long-running ones are followed to the end."""
        raw_id = f"{resource_id}/{action}"
        response = self._send("POST", raw_id, body=body, retry_safe=action in SAFE_POST_ACTIONS)
        self._raise_for_error("POST", raw_id, response)
        if self._is_long_running(response):
            return self._follow("POST", raw_id, response) or {}
        answer = _json(response)
        if action in SECRET_ANSWERS:
            SECRET_ANSWERS[action].from_arm(answer)  # parsing registers the secrets with the log scrubber
        return answer

    def list(self, collection_id: str, *, params: Mapping[str, Any] | None = None) -> Iterator[dict]:
        """Every item of a collection, one page at a time, following ``@odata.nextLink`` as given."""
        response = self._send("GET", collection_id, params=params)
        while True:
            self._raise_for_error("GET", collection_id, response)
            page = _json(response)
            yield from page.get("value") or ()
            next_link = page.get("@odata.nextLink")
            if not next_link:
                return
            response = self._send_url("GET", self._checked_link(next_link, collection_id), what=f"GET {_short(collection_id)} (next page)")

    # --- plumbing ----------------------------------------------------------------------

    def url_for(self, raw_id: str) -> str:
        return self.endpoint + arm_path(raw_id)

    def _send(
        self,
        method: str,
        raw_id: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        retry_safe: bool | None = None,
    ) -> requests.Response:
        query = {"api-version": family_of_path(raw_id).api_version, **(params or {})}
        safe = method in IDEMPOTENT_METHODS if retry_safe is None else retry_safe
        return self._pipeline.send(
            method, self.url_for(raw_id), what=f"{method} {_short(raw_id)}", body=body, params=query, retry_safe=safe
        )

    def _send_url(self, method: str, url: str, *, what: str) -> requests.Response:
        return self._pipeline.send(method, url, what=what, retry_safe=True)

    def _raise_for_error(self, method: str, raw_id: str, response: requests.Response) -> None:
        if response.status_code >= 400:
            raise error_for_response(f"{method} {_short(raw_id)}", response, self._pipeline.token_provider)

    @staticmethod
    def _is_long_running(response: requests.Response) -> bool:
        headers = response.headers
        return response.status_code in (201, 202) and bool(headers.get("Azure-AsyncOperation") or headers.get("Location"))

    def _checked_link(self, url: str, raw_id: str) -> str:
        url = urljoin(self.endpoint + "/", url)  # ARM sends absolute links; tolerate relative ones
        if not same_origin(url, self.endpoint):
            raise RemoteError(
                f"{_short(raw_id)}: the service pointed to another host ({requests.utils.urlparse(url).netloc})",
                hint="refusing to send the token elsewhere; check --arm-endpoint",
            )
        return url

    # --- long-running operations ----------------------------------------------------------

    def _follow(self, method: str, raw_id: str, response: requests.Response) -> dict | None:
        """Poll until the operation ends; returns the Location result for actions, if any."""
        deadline = self._clock() + self._lro.timeout
        async_url = response.headers.get("Azure-AsyncOperation")
        location = response.headers.get("Location")
        wait = self._poll_wait(response)
        if async_url:
            self._poll_status(method, raw_id, self._checked_link(async_url, raw_id), wait, deadline)
            if method == "POST" and location:
                final = self._send_url("GET", self._checked_link(location, raw_id), what=f"GET {_short(raw_id)} (result)")
                self._raise_for_error("GET", raw_id, final)
                return _json(final)
            return None
        return self._poll_location(method, raw_id, self._checked_link(location, raw_id), wait, deadline)

    def _poll_status(self, method: str, raw_id: str, url: str, wait: float, deadline: float) -> None:
        """Azure-AsyncOperation: the body's ``status`` says when it is over."""
        while True:
            self._wait_before_poll(method, raw_id, wait, deadline)
            poll = self._send_url("GET", url, what=f"GET {_short(raw_id)} (operation status)")
            self._raise_for_error("GET", raw_id, poll)
            status_body = _json(poll)
            status = str(status_body.get("status") or "")
            if status.lower() in TERMINAL_STATUSES:
                if status.lower() != "succeeded":
                    raise _operation_failed(method, raw_id, status, status_body.get("error"), poll)
                return
            log.debug("%s %s: operation %s", method, _short(raw_id), status or "pending")
            wait = self._poll_wait(poll)

    def _poll_location(self, method: str, raw_id: str, url: str, wait: float, deadline: float) -> dict | None:
        """Location: 202 while running, then the final answer (200 with a body, or 204)."""
        while True:
            self._wait_before_poll(method, raw_id, wait, deadline)
            poll = self._send_url("GET", url, what=f"GET {_short(raw_id)} (operation result)")
            if poll.status_code != 202:
                self._raise_for_error("GET", raw_id, poll)
                return _json(poll) or None
            wait = self._poll_wait(poll)

    def _wait_before_poll(self, method: str, raw_id: str, wait: float, deadline: float) -> None:
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise OperationTimeoutError(
                f"{method} {_short(raw_id)} did not finish within {self._lro.timeout:.0f}s",
                hint="it may still finish; check the resource in the portal and rerun",
                target=raw_id,
            )
        self._sleep(min(wait, remaining))

    def _poll_wait(self, response: requests.Response) -> float:
        seconds = retry_after_seconds(response.headers)
        return self._lro.poll_interval if seconds is None else seconds


def _operation_failed(method: str, raw_id: str, status: str, error: Any, poll: requests.Response) -> OperationFailedError:
    code = message = None
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
    text = f"{method} {_short(raw_id)}: operation {status}" + (f": {code}" if code else "") + (f": {message}" if message else "")
    return OperationFailedError(
        SECRETS.scrub(" ".join(text.split())),
        service_code=code,
        target=raw_id,
        request_id=poll.headers.get("x-ms-request-id"),
        correlation_id=poll.headers.get("x-ms-correlation-request-id"),
        hint="see the service's message; the resource may be left half-changed",
    )


_WRONG_ADDRESS_CODES = frozenset({"resourcegroupnotfound", "subscriptionnotfound", "invalidsubscriptionid"})


def _addressing_is_wrong(response: requests.Response) -> bool:
    """A 404 that says the subscription or resource group is unknown, not the resource."""
    return (ArmErrorBody.from_response(response).code or "").lower() in _WRONG_ADDRESS_CODES


def _json(response: requests.Response) -> dict:
    if not response.content:
        return {}
    try:
        payload = response.json()
    except ValueError:
        raise RemoteError(
            f"{response.request.method} answer was not JSON (HTTP {response.status_code})",
            status=response.status_code,
            request_id=response.headers.get("x-ms-request-id"),
            correlation_id=response.headers.get("x-ms-correlation-request-id"),
        ) from None
    return payload if isinstance(payload, dict) else {"value": payload}


def _short(raw_id: str) -> str:
    """The part of an id below the account (``assets/x``), for one-line messages."""
    lowered = raw_id.lower()
    marker = "/mediaservices/"
    at = lowered.find(marker)
    if at < 0:
        return raw_id
    rest = raw_id[at + len(marker) :]
    _, _, below = rest.partition("/")
    return below or rest


def arm_session(*, pool_size: int = 16) -> requests.Session:
    """A session for ``ArmClient``: our User-Agent, pooled, no transport retries (the client retries)."""
    return build_session(NO_TRANSPORT_RETRY, pool_size=pool_size)


RATE_WINDOW_ENV = "MIGRATOR_ARM_RATE_WINDOW"


def connect(
    *,
    cloud: Cloud,
    endpoint: str | None = None,
    static_token: str | None = None,
    parallel: int = 8,
    env: Mapping[str, str] | None = None,
    pacing: Pacer | None = None,
    rate_window: float | None = None,
    rate_limits: Mapping[Budget, int] | None = None,
) -> ArmClient:
    """An ``ArmClient`` for a cloud: its ARM endpoint unless ``endpoint`` overrides it (sandbox, Azure Stack).

    Unless ``pacing`` is given, the pacer takes the budgets ``rate_limits`` (default: ARM's
    documented ones) as refilled over ``rate_window`` seconds, else over
    ``MIGRATOR_ARM_RATE_WINDOW``, else over ARM's hour.
    """
    provider = token_provider(static_token=static_token, cloud=cloud, scope=cloud.arm_scope, api="ARM", env=env)
    if pacing is None:
        window = rate_window if rate_window is not None else rate_window_from_env(env)
        pacing = Pacer(window_seconds=window, limits=rate_limits)
    return ArmClient(arm_session(pool_size=max(parallel, 1) * 2), endpoint or cloud.arm_endpoint, provider, pacing=pacing)


def rate_window_from_env(env: Mapping[str, str] | None = None) -> float | None:
    """``MIGRATOR_ARM_RATE_WINDOW`` in seconds, or None when unset."""
    text = (os.environ if env is None else env).get(RATE_WINDOW_ENV, "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(
            f"{RATE_WINDOW_ENV} must be a number of seconds above 0",
            hint="the window over which the ARM-compatible service refills its request budget, e.g. 3600",
        )
    return seconds
