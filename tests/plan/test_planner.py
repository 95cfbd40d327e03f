"""The planning pipeline on the sample account: coverage, determinism, validity, secrets, refresh."""

from __future__ import annotations

import json

import pytest
from inventory_fixtures import SECRET_VALUES, MemoryInventory, sample_account, sample_inventory
from openapi_check import body_errors

from migrator.exceptions import ConfigError
from migrator.mappings.base import Mode
from migrator.plan import AccountCoordinates, Action, Change, Phase, dumps, save
from migrator.planner import PlanRequest, contains, make_plan, quota_problems, refreshed_action
from migrator.mappings.base import Refresh
from migrator.v2 import entities as e

ARM = "https://management.azure.com"
TARGET = AccountCoordinates(ARM, "sub", "rg", "acct")
SOURCE = AccountCoordinates(ARM, "sub", "rg", "old")
ACCOUNT_ID = "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Media/mediaservices/acct"


def offline(mode: Mode, inventory=None):
    request = PlanRequest(mode=mode, target=TARGET, source=SOURCE, refresh=False, location="westeurope")
    return make_plan(inventory or sample_inventory(), request)


class FakeArm:
    """The ARM reader contract over a dict: collection id -> resources."""

    def __init__(self, resources=None, location="westeurope"):
        self.resources = resources or {}
        self.location = location
        self.listed = []

    def get(self, resource_id):
        return {"name": "acct", "location": self.location} if resource_id.lower() == ACCOUNT_ID.lower() else None

    def list(self, collection_id):
        self.listed.append(collection_id)
        return iter(self.resources.get(collection_id.rsplit("/", 1)[-1], []))


@pytest.mark.parametrize("mode", list(Mode))
def test_every_inventory_entity_is_accounted_for_in_both_modes(mode):
    plan = offline(mode)
    assert plan.fully_covered, {k: v for k, v in plan.coverage.items() if v["total"] != v["accounted"]}
    inventory = sample_inventory()
    sources = {s for a in plan.actions for s in a.sources}
    for entity_set, count in inventory.meta.counts.items():
        keys = {x.key for x in inventory.entities(entity_set)}
        assert keys <= sources, entity_set


@pytest.mark.parametrize("mode", list(Mode))
def test_the_same_inputs_give_a_byte_identical_plan(mode, tmp_path):
    save(offline(mode), tmp_path / "a.json")
    save(offline(mode), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_the_plan_does_not_depend_on_the_order_entities_arrive_in():
    items, links = sample_account()
    reversed_inventory = MemoryInventory(list(reversed(items)), links)
    assert dumps(offline(Mode.NEW_ACCOUNT, reversed_inventory)) == dumps(offline(Mode.NEW_ACCOUNT))


@pytest.mark.parametrize("mode", list(Mode))
def test_every_arm_body_in_the_plan_is_valid_against_the_official_openapi(mode):
    plan = offline(mode)
    bodies = [a for a in plan.actions if a.body is not None and (a.resource_type or "").startswith("Microsoft.")]
    assert bodies
    for action in bodies:
        assert body_errors(action) == [], action.address


@pytest.mark.parametrize("mode", list(Mode))
def test_no_secret_value_of_the_templates_appears_anywhere_in_the_plan(mode):
    text = dumps(offline(mode))
    assert [s for s in SECRET_VALUES if s in text] == []
    assert "{secret}" in text or mode is Mode.SAME_ACCOUNT


def test_same_account_creates_only_what_v3_cannot_see():
    plan = offline(Mode.SAME_ACCOUNT)
    created = {a.resource_type for a in plan.actions if a.change is Change.CREATE}
    assert created == {
        "Microsoft.Media/mediaServices/transforms",
        "Microsoft.Media/mediaServices/liveEvents",
        "Microsoft.Media/mediaServices/liveEvents/liveOutputs",
        "Microsoft.EventGrid/eventSubscriptions",
        "Microsoft.Media/mediaServices/accountFilters",
        "Microsoft.Media/mediaServices/assets/assetFilters",
    }
    visible = plan.action("streamingLocators/00000000-0000-0000-00bb-000000000001")
    assert visible.change is Change.NO_CHANGE and visible.operation == "none"


def test_every_case_of_the_guidance_shows_up_with_its_own_code():
    codes = {f.code for a in offline(Mode.NEW_ACCOUNT).actions for f in a.findings}
    assert codes >= {
        "LOCATOR_SAS", "LOCATOR_EXPIRED", "LOCATOR_FUTURE_START", "LOCATOR_ACCESS_POLICY_FOLDED", "ASSET_STORAGE_ENCRYPTED",
        "KEY_IP_RESTRICTED", "KEY_FAIRPLAY_IV", "KEY_SERVER_ONLY", "CHANNEL_PROTOCOL_UNSUPPORTED", "CHANNEL_RUNNING",
        "PROCESSOR_RETIRED", "PRESET_TRANSLATED", "JOB_IN_FLIGHT", "INGEST_MANIFEST_PENDING", "NAME_RENAMED",
        "KEY_OPTION_UNREADABLE", "LOCATOR_HOST_CHANGES",
    }


def test_actions_come_after_what_they_depend_on():
    plan = offline(Mode.NEW_ACCOUNT)
    seen = set()
    for action in plan.actions:
        assert set(action.depends_on) <= seen, action.address
        seen.add(action.address)


def test_planning_offline_says_so():
    plan = offline(Mode.NEW_ACCOUNT)
    assert not plan.refreshed and plan.target.state_fingerprint is None
    assert [f.code for f in plan.findings] == ["NOT_REFRESHED"]


def test_refresh_reads_the_target_and_decides_each_change():
    asset = "00000000-0000-0000-0000-000000000002"
    locator = "00000000-0000-0000-00bb-000000000002"
    arm = FakeArm({
        "assets": [{"name": asset, "properties": {"description": "old description"}}],
        "streamingLocators": [{"name": locator, "properties": {"assetName": asset, "streamingPolicyName": "Predefined_DownloadOnly"}}],
        "accountFilters": [{"name": "hd", "properties": {
            "firstQuality": {"bitrate": 3000000},
            "tracks": [{"trackSelections": [{"property": "Type", "operation": "Equal", "value": "Video"}]}]}}],
    })
    request = PlanRequest(mode=Mode.NEW_ACCOUNT, target=TARGET, source=SOURCE, refresh=True)
    plan = make_plan(sample_inventory(), request, arm)
    assert plan.refreshed and plan.target.state_fingerprint.startswith("sha256:")
    assert plan.action(f"assets/{asset}").change is Change.MODIFY
    immutable = plan.action(f"streamingLocators/{locator}")
    assert immutable.change is Change.UNSUPPORTED and immutable.findings[-1].code == "TARGET_DIFFERS_IMMUTABLE"
    assert plan.action("accountFilters/hd").change is Change.NO_CHANGE
    assert plan.action("assets/00000000-0000-0000-0000-000000000001").change is Change.CREATE
    assert plan.action("liveEvents/news").body["location"] == "westeurope"


def test_same_account_refresh_confirms_visibility_or_reports_what_is_missing():
    arm = FakeArm({"assets": [{"name": "00000000-0000-0000-0000-000000000001"}]})
    request = PlanRequest(mode=Mode.SAME_ACCOUNT, target=TARGET, refresh=True)
    plan = make_plan(sample_inventory(), request, arm)
    assert plan.action("assets/00000000-0000-0000-0000-000000000001").change is Change.NO_CHANGE
    missing = plan.action("assets/00000000-0000-0000-0000-000000000002")
    assert missing.change is Change.UNSUPPORTED and missing.findings[-1].code == "ASSET_NOT_VISIBLE"


def test_the_state_fingerprint_changes_when_the_target_changes():
    request = PlanRequest(mode=Mode.NEW_ACCOUNT, target=TARGET, source=SOURCE, refresh=True)
    empty = make_plan(sample_inventory(), request, FakeArm())
    other = make_plan(sample_inventory(), request, FakeArm({"transforms": [{"name": "x"}]}))
    assert empty.target.state_fingerprint != other.target.state_fingerprint


def test_refresh_without_a_reader_is_a_configuration_error():
    with pytest.raises(ConfigError, match="--no-refresh"):
        make_plan(sample_inventory(), PlanRequest(mode=Mode.NEW_ACCOUNT, target=TARGET, refresh=True))


def test_placeholders_match_whatever_the_target_holds():
    assert contains({"location": "westeurope", "properties": {"value": "real"}}, {"location": "{account-location}", "properties": {"value": "{secret}"}})
    assert not contains({"properties": {"tracks": [1, 2]}}, {"properties": {"tracks": [1]}})


def test_a_current_body_in_the_plan_is_secret_free():
    action = Action("contentKeyPolicies/p", Change.CREATE, "Microsoft.Media/mediaServices/contentKeyPolicies", "p", "put", Phase.PUBLISH, body={"properties": {}})
    current = {"id": "/x", "name": "p", "properties": {"options": [{"restriction": {"primaryVerificationKey": {"keyValue": "c2VjcmV0"}}}]}}
    refreshed = refreshed_action(action, Refresh.COMPARE, current)
    assert "c2VjcmV0" not in json.dumps(refreshed.current)


def test_two_v2_templates_with_the_same_name_get_distinct_transforms():
    items, links = sample_account()
    items.append(e.JobTemplate(id="nb:jtid:UUID:jt2", name="My template/1", template_type=1))
    items.append(e.TaskTemplate(id="nb:ttid:UUID:tt2", media_processor_id="nb:mpid:UUID:mes", configuration="AAC Good Quality Audio"))
    links[("JobTemplates", "TaskTemplates")] = links[("JobTemplates", "TaskTemplates")] + [("nb:jtid:UUID:jt2", "nb:ttid:UUID:tt2")]
    plan = offline(Mode.NEW_ACCOUNT, MemoryInventory(items, links))
    names = [a.name for a in plan.actions if a.resource_type == "Microsoft.Media/mediaServices/transforms" and "template" in a.name]
    assert len(names) == 2 and len(set(names)) == 2


def test_quotas_a_one_to_one_copy_would_exceed_are_blockers():
    def create(address, resource_type, name, body=None):
        return Action(address, Change.CREATE, resource_type, name, "put", Phase.PREPARE, body=body)

    actions = [create(f"liveEvents/e{i}", "Microsoft.Media/mediaServices/liveEvents", f"e{i}") for i in range(6)]
    actions += [create(f"liveEvents/e0/liveOutputs/o{i}", "Microsoft.Media/mediaServices/liveEvents/liveOutputs", f"e0/o{i}") for i in range(4)]
    actions += [create(f"streamingPolicies/p{i}", "Microsoft.Media/mediaServices/streamingPolicies", f"p{i}") for i in range(101)]
    assert quota_problems(actions) == [
        "101 streamingPolicies; an account holds 100",
        "6 liveEvents; an account holds 5",
        "4 live outputs on live event e0; a live event holds 3",
    ]


def write_inventory_file(path, items, links):
    """The sample account as a real inventory file (the planner reads it with SQL)."""
    from migrator.v2 import schema
    from migrator.v2.store import InventoryStore, InventoryWriter, Unit, UnitKind, canonical_json, partial_path

    units = [Unit(UnitKind.ENTITY_SET, s) for s in schema.ENTITY_SETS]
    units += [Unit(UnitKind.NAVIGATION, n.from_set, n.navigation, n.to_set) for n in schema.NAVIGATION_TO_READ]
    writer = InventoryWriter.create(partial_path(path), endpoint="https://acct.restv2.westeurope.media.azure.net/api/",
                                    api_version="2.19", wire_format="minimal", units=units)
    for unit in units:
        writer.begin_unit(unit)
        if unit.kind is UnitKind.ENTITY_SET:
            writer.add_entities(unit.entity_set, [(i.key, canonical_json(i.to_record())) for i in items if i.entity_set == unit.entity_set])
        else:
            for from_key, to_key in links.get((unit.entity_set, unit.nav), []):
                writer.add_links(unit.entity_set, unit.nav, from_key, [to_key])
        writer.complete_unit(unit)
    writer.finish()
    writer.publish(path)
    return InventoryStore.open(path)


def test_the_graph_read_with_sql_from_the_file_equals_the_graph_of_the_typed_entities(tmp_path):
    from migrator.graph import build_graph
    from migrator.planner import graph_of_inventory_file
    from migrator.v2 import schema

    items, links = sample_account()
    sub = e.Job(id="nb:jid:UUID:j9", job_notification_subscriptions=(
        e.JobNotificationSubscription(notification_end_point_id="nb:nepid:UUID:n1"),
        e.JobNotificationSubscription(notification_end_point_id="nb:nepid:UUID:gone")))
    items.append(sub)
    store = write_inventory_file(tmp_path / "inv.db", items, links)
    navigations = [(n.from_set, n.navigation) for n in schema.NAVIGATION_TO_READ]
    from_file = graph_of_inventory_file(store.path, store.entity_sets, navigations)
    typed = build_graph(MemoryInventory(items, links), store.entity_sets, navigations)
    assert from_file.dependency_order() == typed.dependency_order()
    assert from_file.edge_count == typed.edge_count
    assert from_file.dangling == typed.dangling and len(typed.dangling) == 1
    assert from_file.need_keys("Jobs", "nb:jid:UUID:j9", "NotificationEndPoints") == ["nb:nepid:UUID:n1"]
    assert from_file.need_keys("Channels", "nb:chid:UUID:ch1", "Assets") == typed.need_keys("Channels", "nb:chid:UUID:ch1", "Assets")


def test_planning_from_the_file_gives_the_same_actions_as_from_memory(tmp_path):
    items, links = sample_account()
    store = write_inventory_file(tmp_path / "inv.db", items, links)
    request = PlanRequest(mode=Mode.NEW_ACCOUNT, target=TARGET, source=SOURCE, refresh=False, location="westeurope")
    from_file = make_plan(store, request)
    from migrator.v2 import wire

    # The file holds canonical records: compare with the same entities as they read back.
    memory = MemoryInventory([wire.from_record(i.entity_set, i.to_record()) for i in items], links)
    memory.meta.read_at = store.meta.read_at  # "expired" is judged against the read time
    assert from_file.actions == make_plan(memory, request).actions
    assert from_file.fully_covered


def test_key_policy_templates_are_parsed_once_per_run_and_the_parser_is_restored_after(tmp_path):
    from migrator.mappings import protection

    parse = protection._parse_xml
    items, links = sample_account()
    store = write_inventory_file(tmp_path / "inv.db", items, links)
    request = PlanRequest(mode=Mode.NEW_ACCOUNT, target=TARGET, source=SOURCE, refresh=False, location="westeurope")
    seen = []
    original_make = protection.translate_option

    def spying(option, ckap_id, index):
        seen.append(protection._parse_xml)
        return original_make(option, ckap_id, index)

    protection.translate_option = spying
    try:
        memoised = make_plan(store, request)
    finally:
        protection.translate_option = original_make
    assert seen and all(hasattr(p, "cache_info") for p in seen)
    assert protection._parse_xml is parse
    assert dumps(memoised) == dumps(make_plan(store, request))


def test_creates_the_target_has_no_quota_room_for_are_left_to_the_operator():
    held = [{"name": f"existing-{i}", "location": "westeurope", "properties": {}} for i in range(5)]
    request = PlanRequest(mode=Mode.NEW_ACCOUNT, target=TARGET, source=SOURCE, refresh=True)
    plan = make_plan(sample_inventory(), request, FakeArm({"liveEvents": held}))
    live_events = [a for a in plan.actions if a.address.startswith("liveEvents/")]
    assert live_events
    for action in live_events:
        assert action.change is Change.MANUAL
        assert "QUOTA_EXCEEDED" in [f.code for f in action.findings]
    with_room = make_plan(sample_inventory(), request, FakeArm({"liveEvents": held[:1]}))
    assert any(a.change is Change.CREATE for a in with_room.actions if a.address.startswith("liveEvents/"))
