"""Fixtures of the mapping tests: the sample account and its mapping context."""

from __future__ import annotations

import pytest

from inventory_fixtures import sample_context, sample_inventory
from migrator.mappings.base import Mode


@pytest.fixture
def inventory():
    return sample_inventory()


@pytest.fixture
def new_ctx(inventory):
    return sample_context(Mode.NEW_ACCOUNT, inventory)


@pytest.fixture
def same_ctx(inventory):
    return sample_context(Mode.SAME_ACCOUNT, inventory)
