"""The plan document: deterministic bytes, checksum, versions, order, summary and rendering."""

from __future__ import annotations

import json

import pytest

from migrator.exceptions import PlanFormatError, StalePlanError
from migrator.plan import (
    AccountCoordinates,
    Action,
    Change,
    Finding,
    InventoryInfo,
    Phase,
    Plan,
    SecretRef,
    Severity,
    dumps,
    load,
    order_actions,
    render_lines,
    save,
    summary_line,
)

ASSET = "Microsoft.Media/mediaServices/assets"
LOCATOR = "Microsoft.Media/mediaServices/streamingLocators"


def make_plan(actions=None, **overrides) -> Plan:
    actions = actions if actions is not None else [
        Action("streamingLocators/l1", Change.CREATE, LOCATOR, "l1", "put", Phase.PUBLISH,
               sources=("nb:lid:UUID:l1",), depends_on=("assets/a1",),
               body={"properties": {"assetName": "a1", "streamingPolicyName": "Predefined_ClearKey",
                                    "contentKeys": [{"id": "k", "value": "{secret}"}]}},
               secret_refs=(SecretRef("properties.contentKeys[0].value", "source-content-key",
                                      (("key_id", "k"), ("locator", "l1"))),)),
        Action("assets/a1", Change.CREATE, ASSET, "a1", "put", Phase.PREPARE,
               sources=("nb:cid:UUID:a1",), body={"properties": {"description": "Ünïcode"}},
               findings=(Finding("ASSET_RENAMED", Severity.INFO, "m", "r"),)),
        Action("manual/channels/c", Change.MANUAL, "v2:Channels", "c", "confirm", Phase.CUTOVER,
               sources=("nb:chid:UUID:c",), downtime=True, irreversible=True),
    ]
    fields = dict(
        tool_version="0.1.0", mode="new-account", refreshed=True,
        inventory=InventoryInfo("sha256:inv", "https://x.restv2.y.media.azure.net/api/", "2026-01-01T00:00:00Z",
                                {"Assets": 1, "Locators": 1, "Channels": 1}),
        target=AccountCoordinates("https://management.azure.com", "sub", "rg", "acct", "sha256:state"),
        source=AccountCoordinates("https://management.azure.com", "sub", "rg", "old"),
        actions=order_actions(actions),
        coverage={"Assets": {"total": 1, "accounted": 1}},
    )
    fields.update(overrides)
    return Plan(**fields)


def test_the_same_plan_gives_byte_identical_files(tmp_path):
    save(make_plan(), tmp_path / "a.json")
    save(make_plan(), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_a_saved_plan_loads_back_equal(tmp_path):
    plan = make_plan()
    save(plan, tmp_path / "p.json")
    assert load(tmp_path / "p.json") == plan


def test_the_file_is_sorted_json_with_one_action_per_line_and_a_trailing_newline(tmp_path):
    save(make_plan(), tmp_path / "p.json")
    text = (tmp_path / "p.json").read_text(encoding="utf-8")
    assert text.endswith("}\n")
    document = json.loads(text)
    assert list(document) == sorted(document)
    assert sum(1 for line in text.splitlines() if line.startswith('    {"address"')) == 3
    assert "Ünïcode" in text


def test_a_plan_edited_after_writing_is_refused_as_stale(tmp_path):
    path = tmp_path / "p.json"
    save(make_plan(), path)
    path.write_text(path.read_text().replace('"Ünïcode"', '"edited"'), encoding="utf-8")
    with pytest.raises(StalePlanError, match="edited after it was written"):
        load(path)


def test_reformatting_a_plan_without_changing_it_keeps_it_valid(tmp_path):
    path = tmp_path / "p.json"
    save(make_plan(), path)
    path.write_text(json.dumps(json.loads(path.read_text()), indent=4), encoding="utf-8")
    assert load(path) == make_plan()


def test_an_unknown_major_version_is_refused(tmp_path):
    path = tmp_path / "p.json"
    save(make_plan(format_version="2.0"), path)
    with pytest.raises(PlanFormatError, match="plan format 2.0"):
        load(path)


def test_a_newer_minor_version_is_read(tmp_path):
    path = tmp_path / "p.json"
    save(make_plan(format_version="1.7"), path)
    assert load(path).format_version == "1.7"


def test_a_file_that_is_not_json_is_a_format_error(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("{not json")
    with pytest.raises(PlanFormatError):
        load(path)


def test_actions_come_after_what_they_depend_on_with_ties_by_address():
    assert [a.address for a in make_plan().actions] == [
        "assets/a1",
        "manual/channels/c",
        "streamingLocators/l1",
    ]


def test_a_dependency_on_an_address_the_plan_lacks_is_a_format_error():
    action = Action("streamingLocators/l", Change.CREATE, LOCATOR, "l", "put", Phase.PUBLISH, depends_on=("assets/x",))
    with pytest.raises(PlanFormatError, match="assets/x"):
        order_actions([action])


def test_actions_that_depend_on_each_other_are_a_format_error():
    a = Action("a/1", Change.CREATE, None, "1", "put", Phase.PREPARE, depends_on=("a/2",))
    b = Action("a/2", Change.CREATE, None, "2", "put", Phase.PREPARE, depends_on=("a/1",))
    with pytest.raises(PlanFormatError, match="ring"):
        order_actions([a, b])


def test_summary_counts_changes_overall_and_per_family():
    summary = make_plan().summary
    assert summary["changes"] == {"create": 2, "modify": 0, "no-change": 0, "ignore": 0, "unsupported": 0, "manual": 1}
    assert summary["families"]["assets"]["create"] == 1
    assert summary["families"]["manual"]["manual"] == 1


def test_rendering_shows_legend_one_line_per_resource_and_the_closing_line():
    lines = list(render_lines(make_plan()))
    assert lines[0] == "Resource actions are indicated with the following symbols:"
    assert "  + create      assets/a1 (Microsoft.Media/mediaServices/assets)" in lines
    assert "  ? manual      manual/channels/c (v2:Channels)" in lines
    assert "      info: ASSET_RENAMED: m" in lines
    assert lines[-1] == "Plan: 2 to create, 0 to modify, 0 unchanged, 0 unsupported, 1 manual, 0 ignored."


def test_the_closing_line_matches_the_documented_example_form():
    actions = [Action(f"x/{i}", Change.CREATE, None, str(i), "put", Phase.PREPARE) for i in range(12)]
    actions += [Action(f"y/{i}", Change.NO_CHANGE, None, str(i), "none", Phase.PREPARE) for i in range(340)]
    actions += [Action(f"z/{i}", Change.UNSUPPORTED, None, str(i), "none", Phase.PREPARE) for i in range(3)]
    actions += [Action(f"m/{i}", Change.MANUAL, None, str(i), "confirm", Phase.PREPARE) for i in range(5)]
    assert summary_line(actions) == (
        "Plan: 12 to create, 0 to modify, 340 unchanged, 3 unsupported, 5 manual, 0 ignored."
    )


def test_a_plan_without_refresh_says_so():
    assert any("--no-refresh" in line for line in render_lines(make_plan(refreshed=False)))


def test_pending_changes_are_creates_modifies_and_manual_steps():
    assert make_plan().has_pending_changes
    quiet = make_plan(actions=[Action("assets/a", Change.NO_CHANGE, ASSET, "a", "none", Phase.PREPARE)])
    assert not quiet.has_pending_changes


def test_secret_refs_are_written_with_their_coordinates(tmp_path):
    document = json.loads(dumps(make_plan()))
    locator = next(a for a in document["actions"] if a["address"] == "streamingLocators/l1")
    assert locator["secret_refs"] == [
        {"path": "properties.contentKeys[0].value", "from": "source-content-key", "key_id": "k", "locator": "l1"}
    ]
    assert locator["body"]["properties"]["contentKeys"][0]["value"] == "{secret}"


def test_the_fast_action_encoding_equals_the_generic_canonical_encoding():
    from migrator.plan import _compact, action_json

    for action in make_plan().actions:
        assert action_json(action) == _compact(action.to_dict())
    odd = Action("x/ü\"\n", Change.MODIFY, None, "n", "put", Phase.POST, current={"b": 1, "a": [None, 1.5]},
                 findings=(Finding("C", Severity.BLOCKER, "quote \" and \u2028", "r"),), irreversible=True)
    assert action_json(odd) == _compact(odd.to_dict())


def test_a_plan_of_several_write_batches_loads_back_equal_and_reads_as_one_action_per_line(tmp_path):
    from migrator.plan import _WRITE_BATCH

    count = 2 * _WRITE_BATCH + 3
    actions = [
        Action(f"assets/a{i:05d}", Change.CREATE, ASSET, f"a{i:05d}", "put", Phase.PREPARE,
               sources=(f"nb:cid:UUID:{i}",), body={"properties": {"description": f"asset {i}"}})
        for i in range(count)
    ]
    plan = make_plan(actions=actions)
    save(plan, tmp_path / "p.json")
    text = (tmp_path / "p.json").read_text(encoding="utf-8")
    assert sum(1 for line in text.splitlines() if line.startswith('    {"address"')) == count
    assert load(tmp_path / "p.json") == plan
    assert dumps(plan) == text


def test_the_plan_checksum_is_the_digest_of_the_canonical_document_whatever_the_batching(tmp_path):
    import hashlib

    from migrator.plan import _WRITE_BATCH, to_document

    actions = [
        Action(f"assets/a{i:05d}", Change.CREATE, ASSET, f"a{i:05d}", "put", Phase.PREPARE, sources=(f"s{i}",))
        for i in range(_WRITE_BATCH + 1)
    ]
    plan = make_plan(actions=actions)
    document = to_document(plan)
    expected = "sha256:" + hashlib.sha256(
        json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert json.loads(dumps(plan))["checksum"] == expected
