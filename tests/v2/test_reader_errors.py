"""Every way a read can fail, retries, and the root redirect."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3.util.retry

from fake_v2_service import FakeV2Service, Fault, read
from migrator.exceptions import (
    AuthError,
    MalformedPageError,
    NotFoundError,
    RemoteError,
    ThrottledError,
    UnreachableError,
)
from migrator.http import RetrySettings
from migrator.v2.reader import READ_RETRY
from migrator.v2.store import partial_path


def _error_body(text: str) -> str:
    return json.dumps({"error": {"code": "", "message": {"lang": "en-US", "value": text}}})


def _unit_state(partial, name: str) -> str:
    conn = sqlite3.connect(partial)
    try:
        return conn.execute("SELECT state FROM units WHERE name = ?", (name,)).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("status", "error", "cause"),
    [
        (401, AuthError, "tenant"),
        (403, AuthError, "Contributor or Owner"),
        (404, NotFoundError, "--v2-endpoint"),
    ],
)
def test_refusals_at_the_root_stop_before_any_file_is_written(tmp_path, status, error, cause):
    service = FakeV2Service()
    service.fail("", Fault(status, {"x-ms-request-id": "rid-123"}, _error_body("nope")))
    with pytest.raises(error) as caught:
        read(service, tmp_path / "inv.db", entity_sets=["Assets"])
    assert f"({status})" in caught.value.message
    assert "rid-123" in caught.value.message  # the service's request id, for a support case
    assert cause in str(caught.value)
    assert "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_listing_refused_mid_read_names_the_set_and_logs_the_request_id(tmp_path, caplog):
    service = FakeV2Service()
    service.add("Assets", 1)
    service.fail("Locators", Fault(403, {"request-id": "rid-403"}, _error_body("denied")))
    with pytest.raises(AuthError, match=r"Locators page 1.*rid-403"):
        read(service, tmp_path / "inv.db", entity_sets=["Assets", "Locators"])
    assert "rid-403" in caplog.text
    assert _unit_state(partial_path(tmp_path / "inv.db"), "Locators") == "pending"


def test_an_unreachable_host_is_one_line_naming_the_host(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = FakeV2Service(root=f"http://127.0.0.1:{port}/api/")
    from migrator.auth import StaticTokenProvider
    from migrator.http import build_session
    from migrator.v2.reader import ReaderSettings, read_inventory

    with pytest.raises(UnreachableError, match=f"127.0.0.1:{port}: could not connect"):
        read_inventory(
            tmp_path / "inv.db",
            ReaderSettings(service.root),
            provider=StaticTokenProvider("t0ken-value", api="v2"),
            session=build_session(RetrySettings(total=1, backoff_factor=0)),
            entity_sets=["Assets"],
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("<html>proxy error</html>", "not JSON"),
        (json.dumps({"d": {"results": "nope"}}), "'d.results' is not a list"),
        (json.dumps({"unexpected": []}), "neither"),
    ],
)
def test_a_malformed_page_names_the_set_and_page_and_nothing_is_recorded_complete(tmp_path, body, problem):
    service = FakeV2Service()
    service.add("Locators", 2500)
    service.fail("Locators?$skip=1000", Fault(200, {"Content-Type": "application/json"}, body))
    with pytest.raises(MalformedPageError) as caught:
        read(service, tmp_path / "inv.db", entity_sets=["Locators"], parallel=1)
    assert "Locators page 2" in caught.value.message
    assert problem in caught.value.message
    assert caught.value.fields["entity_set"] == "Locators" and caught.value.fields["page"] == 2
    assert not (tmp_path / "inv.db").exists()
    assert _unit_state(partial_path(tmp_path / "inv.db"), "Locators") == "pending"


def test_a_malformed_navigation_page_names_the_entity(tmp_path):
    service = FakeV2Service()
    (asset,) = service.add("Assets", 1)
    service.fail(f"Assets('{asset}')/ContentKeys", Fault(200, {}, json.dumps({"d": 5})))
    with pytest.raises(MalformedPageError, match=r"Assets\('nb:cid:UUID:.*'\)/ContentKeys page 1"):
        read(service, tmp_path / "inv.db", entity_sets=["Assets"])
    assert _unit_state(partial_path(tmp_path / "inv.db"), "Assets/ContentKeys") == "pending"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_on_reads(tmp_path, status):
    service = FakeV2Service()
    service.add("Locators", 3)
    service.fail("Locators", Fault(status), Fault(status))
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    assert summary.counts == {"Locators": 3}
    assert len(service.listing_requests("Locators")) == 3


def test_retries_are_bounded_and_end_in_a_throttling_error(tmp_path):
    service = FakeV2Service()
    service.fail("Locators", *[Fault(503, {"x-ms-request-id": "rid-busy"}, _error_body("Server is busy."))] * 10)
    with pytest.raises(ThrottledError, match="rid-busy") as caught:
        read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    assert "retries exhausted" in caught.value.message
    assert len(service.listing_requests("Locators")) == 4  # the first try and total=3 retries


@pytest.mark.parametrize("status", [400, 409])
def test_other_client_errors_are_not_retried_and_carry_the_service_message(tmp_path, status):
    service = FakeV2Service()
    service.fail("Locators", Fault(status, {}, _error_body("Invalid value for $orderby")))
    with pytest.raises(RemoteError, match=r"answered \d+ reading Locators page 1: Invalid value for \$orderby"):
        read(service, tmp_path / "inv.db", entity_sets=["Locators"])
    assert len(service.listing_requests("Locators")) == 1


def test_the_read_retry_policy_matches_the_sdk():
    assert READ_RETRY.statuses == frozenset({408, 429, 500, 502, 503, 504})
    assert READ_RETRY.methods == frozenset({"GET"})


@pytest.mark.parametrize("status", [400, 404])
def test_a_refused_operations_listing_is_recorded_as_unavailable(tmp_path, status, caplog):
    service = FakeV2Service()
    service.add("Locators", 2)
    service.fail("Operations", Fault(status, {}, _error_body("not supported")))
    summary = read(service, tmp_path / "inv.db", entity_sets=["Locators", "Operations"])
    assert summary.unavailable == ("Operations",)
    assert summary.counts == {"Locators": 2, "Operations": 0}
    assert "does not list Operations" in caplog.text


def test_the_documented_root_redirect_is_followed_once(tmp_path):
    old_root = "https://media.windows.net/API/"
    service = FakeV2Service()
    service.add("Locators", 2)
    legacy = FakeV2Service(root=old_root, before=lambda r: Fault(301, {"Location": service.root}))
    import responses

    from migrator.auth import StaticTokenProvider
    from migrator.http import build_session
    from migrator.v2.reader import ReaderSettings, read_inventory

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        service.install(rsps)
        legacy.install(rsps)
        summary = read_inventory(
            tmp_path / "inv.db",
            ReaderSettings(old_root),
            provider=StaticTokenProvider("t0ken-value", api="v2"),
            session=build_session(RetrySettings(total=1, backoff_factor=0)),
            entity_sets=["Locators"],
        )
    assert summary.counts == {"Locators": 2}
    assert len(legacy.requests) == 1  # only the probe went to the old root
    assert service.listing_requests("Locators")


class _ThrottleOnceHandler(BaseHTTPRequestHandler):
    answered: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.answered.append(self.path)
        if self.path.startswith("/api/Locators") and self.answered.count(self.path) == 1:
            self.send_response(503)
            self.send_header("Retry-After", "7")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"d": {"results": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_retry_after_is_honoured_through_the_real_http_stack(tmp_path, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", slept.append)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ThrottleOnceHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        from migrator.auth import StaticTokenProvider
        from migrator.http import build_session
        from migrator.v2.reader import ReaderSettings, read_inventory

        summary = read_inventory(
            tmp_path / "inv.db",
            ReaderSettings(f"http://127.0.0.1:{server.server_port}/api/"),
            provider=StaticTokenProvider("t0ken-value", api="v2"),
            session=build_session(READ_RETRY),
            entity_sets=["Locators"],
        )
    finally:
        server.shutdown()
        server.server_close()
    assert summary.counts == {"Locators": 0}
    assert slept == [7.0]


@pytest.mark.parametrize(
    ("endpoint", "problem"),
    [
        ("myaccount.restv2.westus.media.azure.net/api/", "not an http(s) URL"),
        ("http://myaccount.restv2.westus.media.azure.net/api/", "over plain http"),
    ],
)
def test_an_endpoint_that_would_leak_the_token_or_is_no_url_is_refused(endpoint, problem):
    from migrator.exceptions import ConfigError
    from migrator.v2.reader import ReaderSettings

    with pytest.raises(ConfigError, match=re.escape(problem)):
        ReaderSettings(endpoint)
