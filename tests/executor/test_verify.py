"""``verify`` reads the target and flags missing or different resources and moved locator paths."""

from __future__ import annotations

import responses
from click.testing import CliRunner

from apply_fixtures import TARGET, T, FakeArm, make_action, make_plan
from migrator.cli import cli
from migrator.plan import Change, Phase, save
from migrator.status import ExitStatus
from migrator.v3.ids import ResourceType, resource_id
from migrator.verify import CheckStatus, verify_plan

GUID = "0b1c0000-0000-0000-0000-00000000abcd"


def rid(resource_type, *names):
    return resource_id(TARGET, resource_type, *names).id


def locator_action():
    return make_action(
        f"streamingLocators/{GUID}",
        sources=(f"nb:lid:UUID:{GUID}",),
        body={"properties": {"assetName": "a1", "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": GUID}},
    )


def stored(arm: FakeArm, resource_type, names, body):
    arm.resources[rid(resource_type, *names).lower()] = body


def test_resources_that_match_their_planned_fields_pass_whatever_else_they_hold():
    arm = FakeArm()
    stored(arm, ResourceType.ASSET, ("a1",), {"properties": {"description": "assets/a1", "created": "t", "assetId": "x"}})
    report = verify_plan(make_plan([make_action("assets/a1")]), arm)
    assert report.ok and report.closing_line() == "Verify passed: 1 ok, 0 missing, 0 different; 0 streaming locator path(s) kept."


def test_missing_and_different_resources_are_each_reported_with_the_field():
    arm = FakeArm()
    stored(arm, ResourceType.ASSET, ("a2",), {"properties": {"description": "changed by hand"}})
    report = verify_plan(make_plan([make_action("assets/a1"), make_action("assets/a2")]), arm)
    assert [(c.address, c.status, c.details) for c in report.problems] == [
        ("assets/a1", CheckStatus.MISSING, ()),
        ("assets/a2", CheckStatus.DIFFERENT, ("properties.description",)),
    ]


def test_manual_ignored_and_unsupported_actions_are_not_expected_on_the_target():
    arm = FakeArm()
    plan = make_plan(
        [
            make_action("manual/channels/c1", change=Change.MANUAL, resource_type="v2:Channels", operation="confirm", body=None),
            make_action("assets/a9", change=Change.UNSUPPORTED, operation="none", body=None),
        ]
    )
    assert verify_plan(plan, arm).checks == ()


def test_kept_locator_passes_when_its_paths_stay_under_the_v2_guid():
    arm = FakeArm()
    locator = rid(ResourceType.STREAMING_LOCATOR, GUID)
    stored(arm, ResourceType.STREAMING_LOCATOR, (GUID,), {"properties": {"assetName": "a1", "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": GUID.upper()}})
    arm.post_answers[locator + "/listPaths"] = {
        "streamingPaths": [{"streamingProtocol": "Hls", "encryptionScheme": "NoEncryption", "paths": [f"/{GUID}/video.ism/manifest(format=m3u8-cmaf)"]}],
        "downloadPaths": [],
    }
    report = verify_plan(make_plan([locator_action()]), arm)
    assert report.ok and report.counts()["paths_kept"] == 1


def test_locator_whose_paths_moved_fails_naming_the_path():
    arm = FakeArm()
    locator = rid(ResourceType.STREAMING_LOCATOR, GUID)
    stored(arm, ResourceType.STREAMING_LOCATOR, (GUID,), {"properties": {"assetName": "a1", "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": GUID}})
    arm.post_answers[locator + "/listPaths"] = {"streamingPaths": [{"paths": ["/ffff0000-0000-0000-0000-000000000000/video.ism/manifest"]}]}
    (problem,) = verify_plan(make_plan([locator_action()]), arm).problems
    assert problem.kind == "paths" and "is not under /" + GUID in problem.details[0]


def test_started_live_event_must_be_running():
    arm = FakeArm()
    stored(arm, ResourceType.LIVE_EVENT, ("le1",), {"properties": {"resourceState": "Stopped"}})
    start = make_action("liveEvents/le1/start", resource_type=T + "liveEvents", name="le1", operation="post:start", body=None, phase=Phase.CUTOVER)
    (problem,) = verify_plan(make_plan([start]), arm).problems
    assert problem.details == ("resourceState is Stopped, not Running",)


def test_verify_cli_prints_the_audit_and_exits_with_verify_failed(tmp_path):
    path = tmp_path / "plan.json"
    save(make_plan([make_action("assets/a1")]), path)
    url = "https://management.example" + resource_id(TARGET, ResourceType.ASSET, "a1").path
    with responses.RequestsMock() as rsps:
        rsps.get(url, status=404, json={"error": {"code": "ResourceNotFound", "message": "gone"}})
        result = CliRunner().invoke(cli, ["verify", str(path), "--arm-token", "t0ken-value"])
    assert result.exit_code == ExitStatus.VERIFY_FAILED
    assert "MISSING   body  assets/a1" in result.output
    assert "Verify FAILED: 0 ok, 1 missing, 0 different" in result.output


def test_content_key_policies_are_compared_as_the_secrets_action_shows_them_not_as_get_blanks_them():
    arm = FakeArm()
    policy = rid(ResourceType.CONTENT_KEY_POLICY, "p1")
    cert_option = {
        "name": "token",
        "configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
        "restriction": {
            "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
            "issuer": "urn:i",
            "audience": "urn:a",
            "primaryVerificationKey": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey", "rawBody": "TUlJQg=="},
            "restrictionTokenType": "Jwt",
        },
    }
    blanked = {**cert_option, "restriction": {**cert_option["restriction"], "primaryVerificationKey": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey", "rawBody": ""}}}
    stored(arm, ResourceType.CONTENT_KEY_POLICY, ("p1",), {"properties": {"options": [blanked]}})
    arm.post_answers[policy + "/getPolicyPropertiesWithSecrets"] = {"options": [cert_option]}
    action = make_action(
        "contentKeyPolicies/p1",
        resource_type=ResourceType.CONTENT_KEY_POLICY.value,
        body={"properties": {"options": [cert_option]}},
    )
    report = verify_plan(make_plan([action]), arm)
    assert report.ok, report.problems
    assert ("POST", policy + "/getPolicyPropertiesWithSecrets") in arm.calls
