"""Fixtures of the executor tests: an in-memory target and a journal file."""

from __future__ import annotations

import pytest

from apply_fixtures import CHECKSUM, FakeArm
from migrator.journal import Journal


@pytest.fixture
def arm() -> FakeArm:
    return FakeArm()


@pytest.fixture
def journal(tmp_path):
    j = Journal.open(tmp_path / "apply.journal", CHECKSUM)
    yield j
    j.close()
