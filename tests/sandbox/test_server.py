"""The loopback server, the ``Sandbox`` object and ``migrator sandbox serve``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import requests

from migrator.sandbox.app import Sandbox
from migrator.sandbox.server import V2, V3
from test_v3face_helpers import ASSET_BODY, Arm, account, serving


def test_server_starts_well_under_a_second_on_loopback():
    started = time.perf_counter()
    with serving() as (server, _face):
        elapsed = time.perf_counter() - started
        assert server.host == "127.0.0.1" and server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert requests.get(f"{server.base_url}/api/Assets", timeout=5).json()["face"] == "v2"
    print(f"server start: {elapsed * 1000:.1f} ms")
    assert elapsed < 1.0


def test_paths_route_to_their_face_and_unknown_paths_are_404():
    owner = account()
    with serving(owner) as (server, _face):
        assert requests.get(f"{server.base_url}/api/Locators", timeout=5).json() == {"face": "v2", "path": "/api/Locators"}
        assert Arm(server.base_url, owner).get("assets").status_code == 200
        other = requests.get(f"{server.base_url}/elsewhere", timeout=5)
        assert other.status_code == 404 and other.json()["error"]["code"] == "NotFound"


def test_request_log_records_each_face_and_whether_it_mutated():
    owner = account()
    with serving(owner) as (server, _face):
        arm = Arm(server.base_url, owner)
        requests.get(f"{server.base_url}/api/Assets", timeout=5)
        arm.put("assets/a", ASSET_BODY)
        arm.get("assets/a")
        arm.post("assets/a/listStreamingLocators")
        arm.put("assets/bad.name", ASSET_BODY)
        v3 = server.log.entries(V3)
        assert [(e.method, e.status, e.mutated) for e in v3] == [("PUT", 201, True), ("GET", 200, False), ("POST", 200, False), ("PUT", 400, False)]
        assert [e.path for e in server.log.entries(V2)] == ["/api/Assets"]
        assert [e.path.rsplit("/", 1)[-1] for e in server.log.mutations(V3)] == ["a"]


def test_stop_releases_the_port():
    with serving() as (server, _face):
        url = server.base_url
    try:
        requests.get(f"{url}/api/Assets", timeout=1)
    except requests.ConnectionError:
        return
    raise AssertionError("the server still answers after stop()")


def test_sandbox_describes_a_seeded_source_and_an_empty_target():
    with Sandbox(seed=7, assets=25, retry_after=0) as sandbox:
        description = sandbox.describe()
        assert description.v2_endpoint == f"{sandbox.base_url}/api/"
        assert description.arm_endpoint == sandbox.base_url
        assert description.source.account_name != description.target.account_name
        headers = {"Authorization": f"Bearer {description.token}"}
        source_assets = requests.get(f"{sandbox.base_url}{description.source.id}/assets", params={"api-version": "2023-01-01"}, headers=headers, timeout=10).json()
        target_assets = requests.get(f"{sandbox.base_url}{description.target.id}/assets", params={"api-version": "2023-01-01"}, headers=headers, timeout=10).json()
        assert len(source_assets["value"]) == 10 and "@odata.nextLink" in source_assets
        assert target_assets == {"value": []}
        v2 = requests.get(f"{description.v2_endpoint}Assets", headers={**headers, "x-ms-version": "2.19", "Accept": "application/json"}, timeout=10)
        assert v2.status_code == 200
        document = description.to_dict()
        assert document["subscription_id"] and document["source"]["resource_group"] and document["target"]["storage_accounts"]


def test_sandbox_visible_locator_paths_match_the_v2_locator_path():
    with Sandbox(seed=3, assets=40, retry_after=0) as sandbox:
        on_demand = next(r for r in sandbox.data.iter("Locators") if r["Type"] == 2)
        guid = on_demand["Id"].rsplit(":", 1)[-1]
        arm = Arm(sandbox.base_url, sandbox.source)
        paths = arm.post(f"streamingLocators/{guid}/listPaths").json()["streamingPaths"]
        v2_prefix = "/" + on_demand["Path"].split("/", 3)[3]
        assert all(path.startswith(v2_prefix) for entry in paths for path in entry["paths"])
        assert any(entry["paths"] for entry in paths)


def test_cli_serve_prints_the_endpoints_and_exits_cleanly_on_ctrl_c():
    command = [sys.executable, "-m", "migrator", "sandbox", "serve", "--port", "0", "--assets", "5", "--output", "json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines = []
        while not lines or lines[-1] != "}":
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line.rstrip("\n"))
        description = json.loads("\n".join(lines))
        assert description["arm_endpoint"].startswith("http://127.0.0.1:")
        assert description["v2_endpoint"].endswith("/api/")
        assert description["source"]["account_name"] and description["target"]["account_name"] and description["token"]
        account_url = description["arm_endpoint"] + description["target"]["id"]
        answer = requests.get(account_url, params={"api-version": "2023-01-01"}, headers={"Authorization": f"Bearer {description['token']}"}, timeout=10)
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=10)
    assert code == 0, process.stderr.read()


def test_sandbox_loads_its_source_account_from_an_inventory_snapshot(tmp_path):
    from click.testing import CliRunner

    from migrator.cli import cli

    snapshot = tmp_path / "inventory.db"
    with Sandbox(seed=2, assets=8) as seeded:
        described = seeded.describe()
        result = CliRunner().invoke(cli, ["inventory", "--out", str(snapshot), "--v2-endpoint", described.v2_endpoint, "--v2-token", described.token])
        assert result.exit_code == 0, result.output
        seeded_assets = sorted(r["Id"].rsplit(":", 1)[-1] for r in seeded.data.iter("Assets"))
    with Sandbox.from_inventory(snapshot, page_size=100) as loaded:
        listed = Arm(loaded.base_url, loaded.source).get("assets").json()["value"]
    assert sorted(item["name"] for item in listed) == seeded_assets


def test_latency_is_injected_per_face():
    with Sandbox(seed=1, assets=3, v3_latency_ms=150, v2_latency_ms=0) as sandbox:
        assert sandbox.v3_face.latency_ms == 150 and sandbox.v2_face.latency_ms == 0
        started = time.perf_counter()
        Arm(sandbox.base_url, sandbox.target).get("assets")
        assert time.perf_counter() - started >= 0.15


def test_a_million_asset_seeded_account_lists_its_last_page_at_once():
    with Sandbox(seed=4, assets=1_000_000) as sandbox:
        arm = Arm(sandbox.base_url, sandbox.source)
        started = time.perf_counter()
        last = arm.get("assets", **{"$skiptoken": "999990"}).json()
        elapsed = time.perf_counter() - started
    assert len(last["value"]) == 10 and "@odata.nextLink" not in last
    print(f"last page of 1,000,000 assets: {elapsed * 1000:.1f} ms")
    assert elapsed < 5
