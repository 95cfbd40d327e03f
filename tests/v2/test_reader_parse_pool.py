"""The reader's parse pool: large pages parsed in worker processes, with the in-process path as fallback."""

from __future__ import annotations

import json
import logging
import os
import pickle
import sys
import time

import pytest

from fake_v2_service import TOKEN, WIRE, FakeV2Service, Fault, read
from migrator.exceptions import MalformedPageError
from migrator.v2 import parsepool, reader, schema, wire
from migrator.v2.parsepool import ParsePool, parse_processes

READY_TIMEOUT = 30.0


def _page(entity_set: str, fmt: str, count: int, **overrides) -> bytes:
    entities = [WIRE.build_wire_entity(entity_set, fmt, **overrides) for _ in range(count)]
    return json.dumps(WIRE.build_wire_page(entity_set, fmt, entities)).encode()


def _rows_from_pool(pool: ParsePool, entity_set: str, body: bytes, page: int = 1) -> wire.RowPage:
    """The pool's answer, once a worker is ready (until then the pool answers None: parse here)."""
    deadline = time.monotonic() + READY_TIMEOUT
    while (parsed := pool.page_rows(entity_set, body, page)) is None:
        assert time.monotonic() < deadline, "no parse worker became ready"
        time.sleep(0.02)
    return parsed


@pytest.fixture
def pool():
    started = ParsePool(2, min_bytes=0)
    started.start()
    yield started
    started.close()


@pytest.fixture
def worker_calls(monkeypatch):
    """Every (message sent, answer received) between the reader and its parse workers."""
    calls: list[tuple[object, object]] = []
    parse = parsepool._ParseWorker.parse

    def recording_parse(self, entity_set, body, page):
        answer = parse(self, entity_set, body, page)
        calls.append(((entity_set, body, page), answer))
        return answer

    monkeypatch.setattr(parsepool._ParseWorker, "parse", recording_parse)
    return calls


@pytest.fixture
def launches(monkeypatch):
    """The worker processes the reader launched."""
    launched: list = []
    launch = parsepool._launch_workers

    def recording_launch(command, processes):
        process, workers = launch(command, processes)
        launched.append(process)
        return process, workers

    monkeypatch.setattr(parsepool, "_launch_workers", recording_launch)
    return launched


@pytest.fixture
def pools(monkeypatch):
    """The parse pools the reader created."""
    created: list[ParsePool] = []

    class RecordedPool(ParsePool):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            created.append(self)

    monkeypatch.setattr(reader, "ParsePool", RecordedPool)
    return created


def _workers_ready(pool: ParsePool) -> bool:
    return pool.started and pool._usable == pool.processes


def _launch_over(pool: ParsePool) -> bool:
    return pool._launcher is not None and not pool._launcher.is_alive()


def _large_account(pools: list[ParsePool] | None = None, count: int = 2500, until=_workers_ready) -> FakeV2Service:
    """Files in full pages; with ``pools``, pages past the second wait until ``until(the read's pool)``."""

    def wait_for_workers(request) -> None:
        if "$skip=" in request.url and "$skip=0" not in request.url and "$skip=1000&" not in request.url:
            deadline = time.monotonic() + READY_TIMEOUT
            while not (pools and until(pools[-1])):
                assert time.monotonic() < deadline, "the parse workers did not get there"
                time.sleep(0.01)

    service = FakeV2Service(before=wait_for_workers if pools is not None and parse_processes(4) else None)
    service.add("Files", count)
    return service


@pytest.mark.parametrize("fmt", ["verbose", "minimal"])
def test_rows_parsed_by_a_worker_equal_the_rows_parsed_in_process_for_every_set(pool, fmt):
    for entity_set in schema.ENTITY_SETS:
        body = _page(entity_set, fmt, 3)
        assert _rows_from_pool(pool, entity_set, body) == wire.parse_page_rows(entity_set, body, page=1)


def test_a_next_link_and_unknown_properties_come_back_from_a_worker(pool):
    entity = WIRE.build_wire_entity("Assets", "verbose", NewProperty={"kept": [1, "two"]})
    body = json.dumps(WIRE.build_wire_page("Assets", "verbose", [entity], next_link="https://x/api/Assets?$skip=1")).encode()
    parsed = _rows_from_pool(pool, "Assets", body)
    assert parsed == wire.parse_page_rows("Assets", body, page=1)
    assert parsed.next_link == "https://x/api/Assets?$skip=1" and "NewProperty" in parsed.rows[0][1]


def test_an_unknown_enum_value_parsed_by_a_worker_is_logged_by_the_reader(pool, caplog):
    body = _page("Assets", "verbose", 2, State=42)
    with caplog.at_level(logging.DEBUG, logger="migrator.v2.enums"):
        _rows_from_pool(pool, "Assets", body)
    assert sum("unknown AssetState value 42" in r.getMessage() for r in caplog.records) == 2
    assert {r.name for r in caplog.records} == {"migrator.v2.enums"}


def test_a_page_a_worker_cannot_parse_comes_back_as_none_with_no_message(pool, worker_calls):
    _rows_from_pool(pool, "Assets", _page("Assets", "verbose", 1))  # a worker is ready
    broken = _page("Assets", "verbose", 2, Created="yesterday")
    assert pool.page_rows("Assets", broken, 3) is None
    (_, (answer, records)) = worker_calls[-1]
    assert answer is None and records == []
    with pytest.raises(MalformedPageError, match="malformed Assets page 3"):
        wire.parse_page_rows("Assets", broken, page=3)


def test_small_pages_are_left_to_the_calling_thread():
    small = ParsePool(2, min_bytes=1 << 20)
    small.start()
    try:
        assert not small.takes(_page("Assets", "verbose", 1))
        assert small.page_rows("Assets", _page("Assets", "verbose", 1), 1) is None
    finally:
        small.close()


def test_a_pool_that_is_not_started_takes_no_page():
    idle = ParsePool(2, min_bytes=0)
    assert not idle.takes(b"x" * 100) and idle.page_rows("Assets", _page("Assets", "verbose", 1), 1) is None
    idle.close()


def test_a_one_page_at_a_time_read_has_no_parse_workers():
    assert parse_processes(1) == 0
    assert parse_processes(8) in (0, min(8, len(os.sched_getaffinity(0))))


def test_a_read_with_large_pages_parses_them_in_workers_and_stores_what_a_sequential_read_stores(
    tmp_path, worker_calls, launches, pools
):
    service = _large_account()
    sequential = read(service, tmp_path / "one.db", entity_sets=["Files"], parallel=1)
    assert not launches and not worker_calls
    pooled = read(_large_account(pools), tmp_path / "pool.db", entity_sets=["Files"], parallel=4)
    if parse_processes(4) == 0:
        pytest.skip("a single core: the reader starts no parse workers")
    assert len(launches) == 1
    assert worker_calls and all(answer[0] is not None for _, answer in worker_calls)
    assert pooled.counts == sequential.counts == {"Files": 2500}
    assert pooled.fingerprint == sequential.fingerprint


def test_sets_whose_first_page_is_not_full_start_no_process(tmp_path, launches):
    service = FakeV2Service()
    service.add("Files", 999)
    service.add("Locators", 500)
    read(service, tmp_path / "inv.db", entity_sets=["Files", "Locators"], parallel=8)
    assert launches == []


def test_the_reader_process_itself_never_forks(tmp_path, monkeypatch, worker_calls, pools):
    if parse_processes(4) == 0:
        pytest.skip("a single core: the reader starts no parse workers")

    def no_fork():
        raise AssertionError("the reader forked itself")

    monkeypatch.setattr(os, "fork", no_fork)
    service = _large_account(pools)
    read(service, tmp_path / "inv.db", entity_sets=["Files"], parallel=4)
    assert worker_calls  # the workers ran: forked from their own fresh process, not from this one


def test_the_workers_are_gone_when_the_read_returns(tmp_path, launches):
    read(_large_account(), tmp_path / "inv.db", entity_sets=["Files"], parallel=4)
    assert all(process.returncode is not None for process in launches)


@pytest.mark.parametrize(
    "program",
    [
        "import sys; sys.exit(3)",  # never ready
        # ready, then gone at the first page
        "import pickle, sys; pickle.dump('ready', sys.stdout.buffer); sys.stdout.flush(); sys.stdin.buffer.read(1)",
    ],
    ids=["cannot-start", "breaks"],
)
def test_workers_that_cannot_start_or_break_leave_the_read_to_parse_in_process(
    tmp_path, monkeypatch, caplog, pools, program
):
    caplog.set_level(logging.INFO, logger="migrator.v2.reader")
    expected = read(_large_account(count=5500), tmp_path / "one.db", entity_sets=["Files"], parallel=1).fingerprint
    monkeypatch.setattr(parsepool, "_WORKER_PROGRAM", program)
    service = _large_account(pools, count=5500, until=_launch_over)
    summary = read(service, tmp_path / "inv.db", entity_sets=["Files"], parallel=4)
    assert summary.counts == {"Files": 5500} and summary.fingerprint == expected
    if program.endswith("exit(3)") and parse_processes(4):
        assert "the parse workers did not start" in caplog.text


def test_workers_that_hang_are_stopped_when_the_read_ends(tmp_path, monkeypatch, launches):
    monkeypatch.setattr(parsepool, "_WORKER_PROGRAM", "import time; time.sleep(600)")
    monkeypatch.setattr(parsepool._ParseWorker, "STOP_TIMEOUT", 0.2)
    started = time.monotonic()
    summary = read(_large_account(), tmp_path / "inv.db", entity_sets=["Files"], parallel=4)
    assert summary.counts == {"Files": 2500} and time.monotonic() - started < 20
    assert all(process.returncode is not None for process in launches)


def test_a_worker_that_breaks_is_dropped_and_the_page_is_parsed_by_the_caller():
    program = "import pickle, sys; pickle.dump('ready', sys.stdout.buffer); sys.stdout.flush(); sys.stdin.buffer.read(1)"
    broken = ParsePool(1, min_bytes=0, command=[sys.executable, "-c", program])
    broken.start()
    try:
        body = _page("Assets", "verbose", 1)
        deadline = time.monotonic() + READY_TIMEOUT
        while not broken._usable:  # the handshake is answered
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert broken.page_rows("Assets", body, 1) is None  # the worker died on it
        assert broken.page_rows("Assets", body, 2) is None  # none left: no waiting
    finally:
        broken.close()


def test_a_pool_that_cannot_launch_a_process_parses_in_process(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="migrator.v2.reader")
    monkeypatch.setattr(parsepool.sys, "executable", str(tmp_path / "no-such-python"))
    service = _large_account()
    summary = read(service, tmp_path / "inv.db", entity_sets=["Files"], parallel=4)
    assert summary.counts == {"Files": 2500}
    if parse_processes(4):
        assert "cannot start the parse workers" in caplog.text


def _malformed_full_page(fmt: str = "verbose") -> str:
    entities = [WIRE.build_wire_entity("Files", fmt, Id=f"nb:cid:UUID:{i:08d}-0000-0000-0000-000000000000") for i in range(1000)]
    entities[17]["Created"] = "yesterday"
    return json.dumps(WIRE.build_wire_page("Files", fmt, entities))


def test_a_malformed_page_parsed_in_the_pool_raises_the_same_error_naming_set_and_page(tmp_path, worker_calls, pools):
    errors = []
    for parallel in (1, 4):
        service = _large_account(pools if parallel > 1 else None, count=9500)
        service.fail("Files?$skip=8000", Fault(200, {"Content-Type": "application/json"}, _malformed_full_page()))
        with pytest.raises(MalformedPageError) as caught:
            read(service, tmp_path / f"inv-{parallel}.db", entity_sets=["Files"], parallel=parallel)
        errors.append((caught.value.message, caught.value.hint, caught.value.fields))
    assert errors[0] == errors[1]
    message, _, fields = errors[1]
    assert "malformed Files page 9: entity 17" in message and fields == {"entity_set": "Files", "page": 9}
    if parse_processes(4):
        assert any(message[2] == 9 and answer[0] is None for message, answer in worker_calls)


def test_no_token_reaches_a_worker_and_no_error_text_comes_back(tmp_path, worker_calls, caplog, pools):
    caplog.set_level(logging.DEBUG, logger="migrator")
    service = _large_account(pools, count=9500)
    service.fail("Files?$skip=8000", Fault(200, {"Content-Type": "application/json"}, _malformed_full_page()))
    with pytest.raises(MalformedPageError):
        read(service, tmp_path / "inv.db", entity_sets=["Files"], parallel=4)
    if parse_processes(4) == 0:
        pytest.skip("a single core: the reader starts no parse workers")
    assert worker_calls
    for message, answer in worker_calls:
        assert TOKEN.encode() not in pickle.dumps(message)
        assert TOKEN.encode() not in pickle.dumps(answer)
        assert isinstance(message, tuple) and [type(part) for part in message] == [str, bytes, int]
        rows, records = answer
        assert records == [] and (rows is None or isinstance(rows, tuple))
    assert TOKEN not in caplog.text
