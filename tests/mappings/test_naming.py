"""v3 naming rules: keep valid names, rename the rest deterministically."""

from __future__ import annotations

import pytest

from migrator.mappings.naming import v3_name
from migrator.v3.ids import ResourceType, validate_name


def test_a_valid_name_is_kept_without_a_finding():
    assert v3_name(ResourceType.TRANSFORM, "encode-hd", fallback="x") == ("encode-hd", None)


@pytest.mark.parametrize(
    "resource_type, wanted",
    [
        (ResourceType.TRANSFORM, "a/b.c"),
        (ResourceType.LIVE_EVENT, "My Channel #1!"),
        (ResourceType.LIVE_EVENT, "x" * 40),
        (ResourceType.STREAMING_ENDPOINT, "endpoint with spaces and more than 24"),
        (ResourceType.EVENT_SUBSCRIPTION, "a"),
        (ResourceType.ACCOUNT_FILTER, "<>%&:"),
    ],
)
def test_a_rename_is_valid_deterministic_and_reported(resource_type, wanted):
    name, note = v3_name(resource_type, wanted, fallback="fallback")
    assert validate_name(resource_type, name) == name
    assert v3_name(resource_type, wanted, fallback="fallback")[0] == name
    assert note.code == "NAME_RENAMED" and repr(wanted) in note.message


def test_two_names_that_clean_up_alike_stay_different():
    first, _ = v3_name(ResourceType.TRANSFORM, "a/b", fallback="x")
    second, _ = v3_name(ResourceType.TRANSFORM, "a.b", fallback="x")
    assert first != second


def test_an_empty_name_uses_the_fallback():
    assert v3_name(ResourceType.TRANSFORM, None, fallback="0b1c")[0] == "0b1c"
