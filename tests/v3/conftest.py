"""Fixtures of the v3 tests (helpers live in v3_fakes.py, a name no other test folder uses)."""

from __future__ import annotations

import pytest
import responses

from v3_fakes import ACCOUNT, FakeTime, make_client
from migrator.v3.client import ArmClient
from migrator.v3.ids import AccountRef


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def account() -> AccountRef:
    return ACCOUNT


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client(fake_time: FakeTime) -> ArmClient:
    return make_client(fake_time)
