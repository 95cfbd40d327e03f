"""Shared HTTP plumbing: retries with Retry-After, request ids, transport failures as one line."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from migrator.exceptions import UnreachableError
from migrator.http import USER_AGENT, RetrySettings, build_session, new_request_id, service_request_id, unreachable


class FlakyHandler(BaseHTTPRequestHandler):
    script: list[tuple[int, dict]] = []
    seen: list[float] = []

    def do_GET(self):  # noqa: N802 - http.server API
        FlakyHandler.seen.append(time.monotonic())
        status, headers = FlakyHandler.script.pop(0) if FlakyHandler.script else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FlakyHandler.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_session_retries_throttling_and_honours_retry_after(flaky_server):
    FlakyHandler.script = [(429, {"Retry-After": "1"}), (503, {}), (200, {})]
    session = build_session(RetrySettings(total=3, backoff_factor=0.01, backoff_jitter=0.0))
    response = session.get(flaky_server)
    assert response.status_code == 200
    assert len(FlakyHandler.seen) == 3
    assert FlakyHandler.seen[1] - FlakyHandler.seen[0] >= 0.9


def test_session_gives_the_last_response_back_when_retries_run_out(flaky_server):
    FlakyHandler.script = [(503, {})] * 5
    session = build_session(RetrySettings(total=2, backoff_factor=0.0, backoff_jitter=0.0))
    assert session.get(flaky_server).status_code == 503
    assert len(FlakyHandler.seen) == 3


def test_retry_after_is_capped_so_a_huge_value_cannot_hang_the_run():
    retry = RetrySettings(max_retry_after=2.0).to_urllib3()

    class FakeResponse:
        headers = {"Retry-After": "86400"}

        def getheader(self, name):
            return self.headers.get(name)

    assert retry.get_retry_after(FakeResponse()) == 2.0
    assert retry.new(total=1).max_retry_after == 2.0


def test_session_identifies_the_tool():
    assert build_session().headers["User-Agent"] == USER_AGENT


def test_request_ids_are_fresh_uuids():
    assert new_request_id() != new_request_id()


def test_service_request_id_prefers_x_ms_request_id():
    response = requests.Response()
    response.headers.update({"request-id": "a", "x-ms-request-id": "b"})
    assert service_request_id(response) == "b"
    assert service_request_id(None) is None


def test_unreachable_names_the_host_but_never_the_query_string():
    error = unreachable(requests.ConnectionError("boom"), "https://acct.restv2.westus.media.azure.net/api/Assets?sig=secret")
    assert isinstance(error, UnreachableError)
    assert "acct.restv2.westus.media.azure.net" in str(error)
    assert "secret" not in str(error)


def test_timeouts_are_reported_as_such():
    assert "timed out" in str(unreachable(requests.Timeout(), "https://h/"))
