"""The dry run is the real executor and client over a recording transport: it changes nothing."""

from __future__ import annotations

import json

import responses

from apply_fixtures import CHECKSUM, SOURCE, TARGET, T, content_key_ref, make_action, make_plan
from migrator.auth import StaticTokenProvider
from migrator.console import SilentReporter
from migrator.executor import ApplySettings, dry_run_plan
from migrator.journal import ActionState, Journal
from migrator.plan import Phase
from migrator.transport import record_session
from migrator.v3.client import ArmClient, arm_session
from migrator.v3.ids import ResourceType, resource_id

ENDPOINT = "https://management.example"


def recording_client(reads_through: bool = True):
    session = arm_session()
    recording = record_session(session, reads_through=reads_through)
    return ArmClient(session, ENDPOINT, StaticTokenProvider("token-value-123", api="ARM")), recording


def url(resource_type: ResourceType, *names: str) -> str:
    return ENDPOINT + resource_id(TARGET, resource_type, *names).path


def plan_with_secrets_and_a_start():
    return make_plan(
        [
            make_action("assets/a1"),
            make_action(
                "streamingLocators/l1",
                depends_on=("assets/a1",),
                phase=Phase.PUBLISH,
                body={"properties": {"assetName": "a1", "streamingPolicyName": "p", "contentKeys": [{"id": "1f5a0000-0000-0000-0000-000000000001", "value": "{secret}"}]}},
                secret_refs=(content_key_ref("properties.contentKeys[0].value", "l1", "1f5a0000-0000-0000-0000-000000000001"),),
            ),
            make_action("liveEvents/le1", phase=Phase.CUTOVER, body={"location": "westeurope", "properties": {"input": {"streamingProtocol": "RTMP"}}}),
            make_action("liveEvents/le1/start", resource_type=T + "liveEvents", name="le1", operation="post:start", body=None, phase=Phase.CUTOVER, irreversible=True, depends_on=("liveEvents/le1",)),
        ],
        mode="new-account",
        source=SOURCE,
    )


def test_dry_run_sends_only_reads_and_records_every_write_it_would_send(tmp_path):
    client, recording = recording_client()
    settings = ApplySettings(journal_path=tmp_path / "apply.journal")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        for resource_type, name in ((ResourceType.ASSET, "a1"), (ResourceType.STREAMING_LOCATOR, "l1"), (ResourceType.LIVE_EVENT, "le1")):
            rsps.get(url(resource_type, name), status=404, json={"error": {"code": "ResourceNotFound", "message": "x"}})
        # The in-flight reconcile reads happen only for journalled in-flight actions, so seed some.
        with Journal.open(settings.journal_path, CHECKSUM) as journal:
            for address in ("assets/a1", "streamingLocators/l1", "liveEvents/le1"):
                journal.record_started(address)
        outcome = dry_run_plan(plan_with_secrets_and_a_start(), CHECKSUM, client, recording, settings, reporter=SilentReporter())
        assert all(call.request.method == "GET" for call in rsps.calls)
    sent = [(r.method, r.url.split("?")[0]) for r in outcome.mutating]
    expected = [
        ("PUT", url(ResourceType.ASSET, "a1")),
        ("PUT", url(ResourceType.LIVE_EVENT, "le1")),
        ("PUT", url(ResourceType.STREAMING_LOCATOR, "l1")),
        ("POST", url(ResourceType.LIVE_EVENT, "le1") + "/start"),
    ]
    assert sorted(sent) == sorted(expected)
    assert sent.index(expected[0]) < sent.index(expected[2]) and sent.index(expected[1]) < sent.index(expected[3])
    assert [c.kind for c in outcome.confirmations] == ["irreversible"]
    assert outcome.result.outcomes == {"created": 3, "started": 1}


def test_dry_run_leaves_the_real_journal_untouched(tmp_path):
    client, recording = recording_client(reads_through=False)
    settings = ApplySettings(journal_path=tmp_path / "apply.journal")
    with Journal.open(settings.journal_path, CHECKSUM) as journal:
        journal.ensure_actions(["assets/a1"])
    dry_run_plan(plan_with_secrets_and_a_start(), CHECKSUM, client, recording, settings, reporter=SilentReporter())
    with Journal.open(settings.journal_path, CHECKSUM) as journal:
        assert {a: e.state for a, e in journal.entries().items()} == {"assets/a1": ActionState.PENDING}


def test_dry_run_without_reads_touches_no_network_and_fetches_no_secret(tmp_path):
    client, recording = recording_client(reads_through=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        outcome = dry_run_plan(
            plan_with_secrets_and_a_start(), CHECKSUM, client, recording, ApplySettings(journal_path=tmp_path / "j"), reporter=SilentReporter()
        )
        assert len(rsps.calls) == 0
    assert not any("listContentKeys" in r.url for r in outcome.requests)
    locator_put = next(r for r in outcome.requests if "streamingLocators" in r.url)
    assert locator_put.body["properties"]["contentKeys"][0]["value"] == "{secret}"
    assert not (tmp_path / "j").exists()


def test_recorded_bodies_are_redacted_by_field_name_and_carry_no_token(tmp_path):
    client, recording = recording_client(reads_through=False)
    policy = make_action(
        "contentKeyPolicies/ckp",
        body={"properties": {"options": [{"configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration", "fairPlayPfxPassword": "P@ssw0rd-fake-123"}}]}},
    )
    outcome = dry_run_plan(make_plan([policy]), CHECKSUM, client, recording, ApplySettings(journal_path=tmp_path / "j"), reporter=SilentReporter())
    dumped = json.dumps([r.to_dict() for r in outcome.requests])
    assert "P@ssw0rd-fake-123" not in dumped and "token-value-123" not in dumped
    assert outcome.closing_line().startswith("Dry run complete, nothing sent: 1 request(s) would change the target; 1 created")
