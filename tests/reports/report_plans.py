"""Small hand-made plans for the report tests, following docs/plan-format.md."""

from __future__ import annotations

from migrator.plan import AccountCoordinates, Action, Change, Finding, InventoryInfo, Phase, Plan, Severity

T = "Microsoft.Media/mediaServices/"
HOSTILE = '<script>alert("x")</script> | =cmd'
GUID = "0b1c0000-0000-0000-0000-00000000abcd"


def action(address: str, **fields) -> Action:
    family = address.split("/", 1)[0]
    values = dict(
        address=address,
        change=Change.CREATE,
        resource_type=T + family,
        name=address.split("/", 1)[1],
        operation="put",
        phase=Phase.PREPARE,
        body={"properties": {}},
    )
    values.update(fields)
    return Action(**values)


def plan_of(actions, *, mode: str = "new-account", findings=()) -> Plan:
    coordinates = AccountCoordinates("https://management.example", "sub", "rg", "target", "sha256:state")
    return Plan(
        tool_version="0.1.0",
        mode=mode,
        refreshed=True,
        inventory=InventoryInfo("sha256:inv", "https://v2.example/api/", "2026-01-01T00:00:00Z", {"Assets": 2, "Locators": 1, "Channels": 1}),
        target=coordinates,
        source=AccountCoordinates("https://management.example", "sub", "rg", "source") if mode == "new-account" else None,
        actions=tuple(actions),
        coverage={"Assets": {"total": 2, "accounted": 2}, "Locators": {"total": 1, "accounted": 1}, "Channels": {"total": 1, "accounted": 1}},
        findings=tuple(findings),
    )


def sample_plan() -> Plan:
    blocker = Finding("RTP_INGEST", Severity.BLOCKER, f"Channel {HOSTILE} ingests RTP/MPEG-TS", "Re-encode to RTMP before the window")
    stop = Finding("CHANNEL_RUNNING", Severity.WARNING, "Stop channel ch1 in the v2 portal", "Do it at the start of the window")
    return plan_of(
        [
            action("assets/a1", body={"properties": {"description": HOSTILE}}, sources=("nb:cid:UUID:a1",)),
            action("assets/a2", change=Change.NO_CHANGE, operation="none", body=None),
            action("copy/a1", resource_type="copy:blobs", name="a1", operation="content-copy", body=None, phase=Phase.CONTENT_COPY, depends_on=("assets/a1",)),
            action(
                f"streamingLocators/{GUID}",
                phase=Phase.PUBLISH,
                depends_on=("copy/a1",),
                sources=(f"nb:lid:UUID:{GUID}",),
                body={"properties": {"assetName": "a1", "streamingPolicyName": "Predefined_ClearStreamingOnly", "streamingLocatorId": GUID}},
            ),
            action("manual/channels/nb:chid:UUID:c1", change=Change.MANUAL, resource_type="v2:Channels", operation="confirm", body=None, phase=Phase.CUTOVER, downtime=True, findings=(stop,)),
            action("liveEvents/le1", phase=Phase.CUTOVER, downtime=True, depends_on=("manual/channels/nb:chid:UUID:c1",), findings=(blocker,)),
            action("liveEvents/le1/start", resource_type=T + "liveEvents", name="le1", operation="post:start", body=None, phase=Phase.CUTOVER, irreversible=True, downtime=True, depends_on=("liveEvents/le1",)),
        ]
    )
