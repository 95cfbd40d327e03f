"""The executor applies a plan in dependency order, in parallel, and resumes without duplicates."""

from __future__ import annotations

import logging
import stat

import pytest

from migrator.console import SilentReporter
from migrator.exceptions import AbortedError, ConfigError, NotFoundError, UnreachableError, ValidationError
from migrator.executor import ConfirmRequest, PlanExecutor, SecretResolver, body_differences
from migrator.journal import IN_MEMORY, ActionState, Journal
from migrator.plan import Change, Phase, SecretRef
from migrator.v3.ids import ResourceType, resource_id

from apply_fixtures import SOURCE, TARGET, T, FakeArm, content_key_ref, make_action, make_plan, manual_finding


def rid(resource_type: ResourceType, *names: str, account=TARGET) -> str:
    return resource_id(account, resource_type, *names).id


def executor(arm, journal, **kw) -> PlanExecutor:
    kw.setdefault("reporter", SilentReporter())
    return PlanExecutor(arm, journal, kw.pop("reporter"), **kw)


def yes(request: ConfirmRequest) -> bool:
    return True


def test_actions_run_after_everything_they_depend_on(arm, journal):
    plan = make_plan(
        [
            make_action("assets/a1"),
            make_action("assets/a1/assetFilters/f1", resource_type=T + "assets/assetFilters", name="a1/f1", depends_on=("assets/a1",)),
            make_action("streamingPolicies/p1"),
            make_action(
                "streamingLocators/l1",
                depends_on=("assets/a1/assetFilters/f1", "streamingPolicies/p1"),
                body={"properties": {"assetName": "a1", "streamingPolicyName": "p1"}},
            ),
        ]
    )
    result = executor(arm, journal, parallel=4).apply(plan)
    order = [call[1] for call in arm.calls if call[0] == "PUT"]
    assert order.index(rid(ResourceType.ASSET, "a1")) < order.index(rid(ResourceType.ASSET_FILTER, "a1", "f1"))
    assert order[-1] == rid(ResourceType.STREAMING_LOCATOR, "l1")
    assert result.closing_line() == "Apply complete: 4 created, 0 unchanged, 0 failed."


def test_no_more_requests_are_in_flight_than_the_parallel_bound():
    arm = FakeArm(delay=0.03)
    plan = make_plan([make_action(f"assets/a{i:02d}") for i in range(24)])
    with Journal.open(IN_MEMORY, "sha256:x") as journal:
        executor(arm, journal, parallel=3).apply(plan)
    assert arm.max_active == 3


def test_in_flight_action_whose_resource_exists_is_reconciled_without_a_second_put(arm, journal):
    plan = make_plan([make_action("assets/a1"), make_action("assets/a2")])
    # A crash after the PUT reached the service but before the journal recorded the answer.
    journal.ensure_actions(["assets/a1", "assets/a2"])
    journal.record_started("assets/a1")
    arm.put(rid(ResourceType.ASSET, "a1"), {"properties": {"description": "assets/a1"}})
    arm.calls.clear()
    result = executor(arm, journal).apply(plan)
    assert ("PUT", rid(ResourceType.ASSET, "a1")) not in arm.calls
    assert ("GET", rid(ResourceType.ASSET, "a1")) in arm.calls
    assert journal.get("assets/a1").state is ActionState.DONE
    assert result.outcomes["created"] == 2


def test_in_flight_action_whose_resource_is_absent_is_sent_again(arm, journal):
    plan = make_plan([make_action("assets/a1")])
    journal.record_started("assets/a1")
    executor(arm, journal).apply(plan)
    assert arm.calls == [("GET", rid(ResourceType.ASSET, "a1")), ("PUT", rid(ResourceType.ASSET, "a1"))]
    assert journal.get("assets/a1").attempts == 2


def test_in_flight_live_event_start_is_not_repeated_when_the_event_already_runs(arm, journal):
    event = rid(ResourceType.LIVE_EVENT, "le1")
    arm.resources[event.lower()] = {"properties": {"resourceState": "Running"}}
    plan = make_plan([make_action("liveEvents/le1/start", resource_type=T + "liveEvents", name="le1", operation="post:start", body=None, phase=Phase.CUTOVER, irreversible=True)])
    journal.record_started("liveEvents/le1/start")
    result = executor(arm, journal, confirm=yes).apply(plan)
    assert arm.writes() == []
    assert result.outcomes == {"started": 1}


def test_second_run_of_a_finished_plan_sends_nothing_and_says_so(arm, journal):
    plan = make_plan([make_action("assets/a1"), make_action("assets/a2", change=Change.NO_CHANGE, operation="none", body=None)])
    executor(arm, journal).apply(plan)
    arm.calls.clear()
    second = executor(arm, journal).apply(plan)
    assert arm.calls == []
    assert second.closing_line() == (
        "Apply complete: 0 created, 2 unchanged, 0 failed. "
        "Nothing to do: the journal shows every action of this plan already applied."
    )


def live_event_start() -> object:
    return make_action(
        "liveEvents/le1/start",
        resource_type=T + "liveEvents",
        name="le1",
        operation="post:start",
        body=None,
        phase=Phase.CUTOVER,
        irreversible=True,
        downtime=True,
        depends_on=("liveEvents/le1",),
    )


def test_irreversible_step_is_not_sent_when_the_operator_declines(arm, journal):
    asked: list[ConfirmRequest] = []
    plan = make_plan([make_action("liveEvents/le1", phase=Phase.CUTOVER), live_event_start()])
    with pytest.raises(AbortedError, match="start liveEvents/le1/start"):
        executor(arm, journal, confirm=lambda r: asked.append(r) or False).apply(plan)
    assert [r.kind for r in asked] == ["irreversible"]
    assert ("POST", rid(ResourceType.LIVE_EVENT, "le1") + "/start") not in arm.calls
    assert journal.get("liveEvents/le1/start").state is ActionState.PENDING


def test_irreversible_step_runs_once_confirmed(arm, journal):
    plan = make_plan([make_action("liveEvents/le1", phase=Phase.CUTOVER), live_event_start()])
    result = executor(arm, journal, confirm=yes).apply(plan)
    assert ("POST", rid(ResourceType.LIVE_EVENT, "le1") + "/start") in arm.calls
    assert result.outcomes == {"created": 1, "started": 1}


def test_manual_v2_step_blocks_what_follows_until_confirmed_and_never_touches_v2(arm, journal):
    stop = make_action(
        "manual/channels/nb:chid:UUID:1",
        change=Change.MANUAL,
        resource_type="v2:Channels",
        operation="confirm",
        body=None,
        phase=Phase.CUTOVER,
        downtime=True,
        findings=(manual_finding("Stop channel ch1 in the v2 portal"),),
    )
    create = make_action("liveEvents/le1", phase=Phase.CUTOVER, depends_on=(stop.address,))
    plan = make_plan([stop, create])
    asked: list[ConfirmRequest] = []
    with pytest.raises(AbortedError):
        executor(arm, journal, confirm=lambda r: asked.append(r) or False).apply(plan)
    assert arm.calls == []
    assert asked[0].kind == "manual" and "Stop channel ch1" in asked[0].message
    result = executor(arm, journal, confirm=yes).apply(plan)
    assert result.outcomes == {"confirmed": 1, "created": 1}
    assert all("/api/" not in url for _, url in arm.calls)


def test_failed_action_stops_its_dependents_but_not_the_rest(arm, journal):
    arm.fail[rid(ResourceType.ASSET, "bad")] = ValidationError("PUT assets/bad: bad request", status=400)
    plan = make_plan(
        [
            make_action("assets/bad"),
            make_action("assets/good"),
            make_action("streamingLocators/l1", depends_on=("assets/bad",), body={"properties": {"assetName": "bad"}}),
        ]
    )
    result = executor(arm, journal).apply(plan)
    assert [f.address for f in result.failed] == ["assets/bad"]
    assert result.not_run == ("streamingLocators/l1",)
    assert journal.get("assets/bad").error_code == "VALIDATION"
    assert result.closing_line() == "Apply incomplete: 1 created, 0 unchanged, 1 failed, 1 not run."


def test_unreachable_target_stops_the_run_and_leaves_the_action_in_flight(arm, journal):
    arm.fail[rid(ResourceType.ASSET, "a1")] = UnreachableError("management.example: could not connect")
    plan = make_plan([make_action("assets/a1")])
    with pytest.raises(UnreachableError):
        executor(arm, journal).apply(plan)
    assert journal.get("assets/a1").state is ActionState.IN_FLIGHT


def test_a_phase_runs_alone_only_after_the_phases_it_depends_on(arm, journal):
    plan = make_plan(
        [
            make_action("assets/a1"),
            make_action("streamingLocators/l1", phase=Phase.PUBLISH, depends_on=("assets/a1",), body={"properties": {"assetName": "a1"}}),
        ]
    )
    with pytest.raises(ConfigError, match="run apply with --phase prepare first"):
        executor(arm, journal).apply(plan, phases=["publish"])
    first = executor(arm, journal).apply(plan, phases=["prepare"])
    second = executor(arm, journal).apply(plan, phases=["publish"])
    assert first.outcomes == {"created": 1} and second.outcomes == {"created": 1}
    assert journal.get("streamingLocators/l1").state is ActionState.DONE


KEY_VALUE = "U2VjcmV0S2V5VmFsdWUxMjM0NQ=="


def secret_locator_plan():
    return make_plan(
        [
            make_action(
                "streamingLocators/l1",
                body={"properties": {"assetName": "a1", "contentKeys": [{"id": "1f5a0000-0000-0000-0000-000000000001", "value": "{secret}"}]}},
                secret_refs=(content_key_ref("properties.contentKeys[0].value", "l1", "1f5a0000-0000-0000-0000-000000000001"),),
            )
        ],
        mode="new-account",
        source=SOURCE,
    )


def test_secret_values_come_from_the_source_and_never_reach_journal_events_or_logs(arm, journal, caplog, tmp_path):
    source_locator = rid(ResourceType.STREAMING_LOCATOR, "l1", account=SOURCE)
    arm.post_answers[source_locator + "/listContentKeys"] = {
        "contentKeys": [{"id": "1F5A0000-0000-0000-0000-000000000001", "value": KEY_VALUE}]
    }
    reporter = SilentReporter()
    caplog.set_level(logging.DEBUG, logger="migrator")
    executor(arm, journal, reporter=reporter, secrets=SecretResolver(arm, SOURCE)).apply(secret_locator_plan())
    assert arm.bodies[0]["properties"]["contentKeys"][0]["value"] == KEY_VALUE
    assert ("POST", source_locator + "/listContentKeys") in arm.calls
    journal_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("apply.journal*"))
    assert KEY_VALUE.encode() not in journal_bytes
    assert KEY_VALUE not in repr(reporter.events)
    assert KEY_VALUE not in caplog.text


def test_missing_source_key_fails_that_action_with_a_secret_free_message(arm, journal):
    result = executor(arm, journal, secrets=SecretResolver(arm, SOURCE)).apply(secret_locator_plan())
    assert result.failed[0].code == "CONFIG"
    assert "has no value on source locator l1" in result.failed[0].message


def test_content_copy_writes_a_private_azcopy_script_and_waits_before_locators(arm, journal, tmp_path):
    sas_source = "https://src.blob.example/asset-a1?sv=1&sig=SOURCESIGNATURE"
    sas_target = "https://dst.blob.example/asset-a1?sv=1&sig=TARGETSIGNATURE"
    arm.post_answers[rid(ResourceType.ASSET, "a1", account=SOURCE) + "/listContainerSas"] = {"assetContainerSasUrls": [sas_source]}
    arm.post_answers[rid(ResourceType.ASSET, "a1") + "/listContainerSas"] = {"assetContainerSasUrls": [sas_target]}
    copy = make_action("copy/a1", resource_type="copy:blobs", name="a1", operation="content-copy", body=None, phase=Phase.CONTENT_COPY, depends_on=("assets/a1",))
    locator = make_action("streamingLocators/l1", phase=Phase.PUBLISH, depends_on=("copy/a1",), body={"properties": {"assetName": "a1"}})
    plan = make_plan([make_action("assets/a1"), copy, locator], mode="new-account", source=SOURCE)
    seen: list[tuple[ConfirmRequest, list]] = []

    def confirm(request: ConfirmRequest) -> bool:
        seen.append((request, [c for c in arm.calls if c[0] == "PUT"]))
        return True

    result = executor(arm, journal, confirm=confirm, script_dir=tmp_path).apply(plan)
    (request, puts_before), = seen
    assert request.kind == "content-copy"
    assert rid(ResourceType.STREAMING_LOCATOR, "l1") not in [p[1] for p in puts_before]
    script = tmp_path / result.scripts[0].rsplit("/", 1)[-1]
    assert stat.S_IMODE(script.stat().st_mode) == 0o600
    text = script.read_text()
    assert "azcopy copy 'https://src.blob.example/asset-a1/*?sv=1&sig=SOURCESIGNATURE' '" + sas_target + "' --recursive" in text
    assert "delete it after use" in text
    assert "SOURCESIGNATURE" not in b"".join(p.read_bytes() for p in tmp_path.glob("apply.journal*")).decode("latin-1")
    assert result.outcomes == {"created": 2, "copied": 1}


def test_body_comparison_ignores_read_only_fields_secrets_and_guid_case():
    planned = {"properties": {"streamingLocatorId": "AB000000-0000-0000-0000-000000000001", "contentKeys": [{"id": "x", "value": "{secret}"}]}}
    actual = {"id": "/x", "properties": {"streamingLocatorId": "ab000000-0000-0000-0000-000000000001", "created": "t", "contentKeys": [{"id": "x", "type": "CommonEncryptionCenc"}]}}
    assert body_differences(planned, actual) == []
    assert body_differences({"properties": {"description": "a"}}, {"properties": {"description": "b"}}) == ["properties.description"]
    assert body_differences({"properties": {"filters": ["a", "b"]}}, {"properties": {"filters": ["a"]}}) == ["properties.filters"]


def test_policy_secrets_are_found_in_the_options_restriction_or_configuration(arm, journal):
    policy = rid(ResourceType.CONTENT_KEY_POLICY, "ckp", account=SOURCE)
    arm.post_answers[policy + "/getPolicyPropertiesWithSecrets"] = {
        "options": [
            {"name": "token", "restriction": {"primaryVerificationKey": {"keyValue": "c3ltbWV0cmljLWtleS0x"}}, "configuration": {}},
            {"name": "fairplay", "policyOptionId": "opt-2", "configuration": {"ask": "YXNrLXZhbHVlLTEyMzQ="}, "restriction": {}},
        ]
    }
    refs = (
        SecretRef("properties.options[0].restriction.primaryVerificationKey.keyValue", "source-policy-secret", (("field", "primaryVerificationKey.keyValue"), ("option", "token"), ("policy", "ckp"))),
        SecretRef("properties.options[1].configuration.ask", "source-policy-secret", (("field", "ask"), ("option", "opt-2"), ("policy", "ckp"))),
    )
    body = {"properties": {"options": [{"restriction": {"primaryVerificationKey": {"keyValue": "{secret}"}}}, {"configuration": {"ask": "{secret}"}}]}}
    plan = make_plan([make_action("contentKeyPolicies/ckp", body=body, secret_refs=refs)], mode="new-account", source=SOURCE)
    executor(arm, journal, secrets=SecretResolver(arm, SOURCE)).apply(plan)
    sent = arm.bodies[0]["properties"]["options"]
    assert sent[0]["restriction"]["primaryVerificationKey"]["keyValue"] == "c3ltbWV0cmljLWtleS0x"
    assert sent[1]["configuration"]["ask"] == "YXNrLXZhbHVlLTEyMzQ="
    assert [c for c in arm.calls if c[1].endswith("getPolicyPropertiesWithSecrets")] == [("POST", policy + "/getPolicyPropertiesWithSecrets")]


def test_content_copy_takes_source_and_target_asset_names_from_its_body(arm, journal, tmp_path):
    arm.post_answers[rid(ResourceType.ASSET, "old-name", account=SOURCE) + "/listContainerSas"] = {"assetContainerSasUrls": ["https://s.example/c1?sig=A1B2C3D4E5"]}
    arm.post_answers[rid(ResourceType.ASSET, "new-name") + "/listContainerSas"] = {"assetContainerSasUrls": ["https://t.example/c2?sig=F6G7H8I9J0"]}
    copy = make_action("copies/x", resource_type="copy:blobs", name="x", operation="content-copy", phase=Phase.CONTENT_COPY,
                       body={"sourceAssetName": "old-name", "targetAssetName": "new-name", "files": 3})
    result = executor(arm, journal, confirm=yes, script_dir=tmp_path).apply(make_plan([copy], mode="new-account", source=SOURCE))
    assert "https://s.example/c1/*?sig=A1B2C3D4E5" in (tmp_path / result.scripts[0].rsplit("/", 1)[-1]).read_text()
    assert result.outcomes == {"copied": 1}


def test_action_of_an_unknown_resource_type_fails_alone_without_stopping_the_run(arm, journal):
    plan = make_plan([make_action("tracks/t1", resource_type=T + "assets/tracks", name="a1/t1"), make_action("assets/a1")])
    result = executor(arm, journal).apply(plan)
    assert [(f.address, f.code) for f in result.failed] == [("tracks/t1", "PLAN_FORMAT")]
    assert result.outcomes == {"created": 1}


class RefusingReads(FakeArm):
    """A target whose read of one resource is refused (e.g. 403 on a locked resource)."""

    def get(self, rid_):
        if rid_.endswith("/a1"):
            raise NotFoundError("GET assets/a1: HTTP 404 ParentResourceNotFound", status=404)
        return super().get(rid_)


def test_reconcile_read_refused_by_the_service_fails_that_action_only(journal):
    plan = make_plan([make_action("assets/a1"), make_action("assets/a2")])
    journal.record_started("assets/a1")
    result = executor(RefusingReads(), journal).apply(plan)
    assert [f.address for f in result.failed] == ["assets/a1"] and result.outcomes == {"created": 1}


def test_resumed_run_names_the_work_of_the_earlier_run_apart(arm, journal):
    plan = make_plan([make_action("assets/a1"), make_action("assets/a2")])
    journal.record_started("assets/a1")
    journal.record_done("assets/a1", outcome="created")
    result = executor(arm, journal).apply(plan)
    assert result.closing_line() == "Apply complete: 1 created, 0 unchanged, 1 applied by an earlier run, 0 failed."


def test_asset_without_a_container_sas_fails_its_copy_and_holds_back_its_locators(arm, journal, tmp_path):
    copy = make_action("copies/a1", resource_type="copy:blobs", name="a1", operation="content-copy", body=None, phase=Phase.CONTENT_COPY)
    locator = make_action("streamingLocators/l1", phase=Phase.PUBLISH, depends_on=("copies/a1",), body={"properties": {"assetName": "a1"}})
    asked: list[ConfirmRequest] = []
    result = executor(arm, journal, confirm=lambda r: asked.append(r) or True, script_dir=tmp_path).apply(
        make_plan([copy, locator], mode="new-account", source=SOURCE)
    )
    assert [(f.address, f.code) for f in result.failed] == [("copies/a1", "CONFIG")]
    assert result.not_run == ("streamingLocators/l1",)
    assert asked == [] and result.scripts == ()


def test_in_flight_locator_that_exists_with_other_values_fails_without_a_refused_second_put(arm, journal):
    locator = rid(ResourceType.STREAMING_LOCATOR, "l1")
    arm.resources[locator.lower()] = {"properties": {"assetName": "other-asset"}}
    journal.record_started("streamingLocators/l1")
    plan = make_plan([make_action("streamingLocators/l1", body={"properties": {"assetName": "a1"}})])
    result = executor(arm, journal).apply(plan)
    assert ("PUT", locator) not in arm.calls
    (failure,) = result.failed
    assert failure.code == "CONFLICT" and "already exists on the target with other values (properties.assetName)" in failure.message


def test_body_comparison_reads_date_times_as_instants():
    assert body_differences({"t": "2119-03-07T13:26:19.696Z"}, {"t": "2119-03-07T13:26:19.6960000+00:00"}) == []
    assert body_differences({"t": "2119-03-07T13:26:19Z"}, {"t": "2119-03-07T14:26:19+01:00"}) == []
    assert body_differences({"t": "2119-03-07T13:26:19Z"}, {"t": "2119-03-07T13:26:20Z"}) == ["t"]
