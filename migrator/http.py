"""What every HTTP conversation of the tool shares: sessions, retries, request ids.

Retries use urllib3's ``Retry`` (backoff with jitter, ``Retry-After`` honoured, a bounded
total) instead of a hand-rolled loop. Each API chooses which statuses are transient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from migrator import __version__
from migrator.exceptions import UnreachableError

USER_AGENT = f"ams-migrator/{__version__}"


@dataclass(frozen=True)
class RetrySettings:
    """How hard to try. ``total`` bounds attempts; ``backoff_max`` bounds one wait."""

    total: int = 6
    backoff_factor: float = 0.5
    backoff_max: float = 60.0
    backoff_jitter: float = 0.5
    statuses: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
    methods: frozenset[str] = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
    # Retry-After can be hours on a badly throttled subscription; waiting that long
    # silently would look like a hang, so cap it and let the caller report throttling.
    max_retry_after: float = 300.0

    def to_urllib3(self) -> Retry:
        return _CappedRetry(
            total=self.total,
            connect=self.total,
            read=self.total,
            status=self.total,
            other=0,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            backoff_jitter=self.backoff_jitter,
            status_forcelist=sorted(self.statuses),
            allowed_methods=sorted(self.methods),
            respect_retry_after_header=True,
            raise_on_status=False,  # the last response reaches the caller, which classifies it
            raise_on_redirect=False,
            max_retry_after=self.max_retry_after,
        )


class _CappedRetry(Retry):
    """urllib3's Retry with an upper bound on how long one Retry-After may make us sleep."""

    def __init__(self, *args, max_retry_after: float = 300.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_retry_after = max_retry_after

    def new(self, **kw):  # urllib3 rebuilds the object on every increment
        kw.setdefault("max_retry_after", self.max_retry_after)
        return super().new(**kw)

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.max_retry_after)


def build_session(
    retry: RetrySettings | None = None, *, pool_size: int = 16, session: requests.Session | None = None
) -> requests.Session:
    """A session with the retry policy mounted on both schemes and our User-Agent."""
    session = session or requests.Session()
    adapter = HTTPAdapter(
        max_retries=(retry or RetrySettings()).to_urllib3(), pool_connections=pool_size, pool_maxsize=pool_size
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def new_request_id() -> str:
    return str(uuid.uuid4())


def service_request_id(response: requests.Response | None) -> str | None:
    if response is None:
        return None
    headers = response.headers
    return headers.get("x-ms-request-id") or headers.get("request-id")


def unreachable(exc: requests.RequestException, url: str) -> UnreachableError:
    """Turn a transport failure into one line that names the host, never the query string."""
    host = requests.utils.urlparse(url).netloc or url
    if isinstance(exc, requests.Timeout):
        what, hint = "timed out", "the host is slow or unreachable; retry later"
    elif isinstance(exc, requests.exceptions.SSLError):
        what, hint = "TLS handshake failed", "check the endpoint's certificate and scheme"
    else:
        what, hint = "could not connect", "check the endpoint address and your network"
    return UnreachableError(f"{host}: {what}", hint=hint, host=host)
