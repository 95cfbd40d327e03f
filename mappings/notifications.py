"""Notification endpoints -> Event Grid subscriptions on the account.

v3 publishes job events through Event Grid. A webhook endpoint becomes a WebHook subscription
filtered to the job events its subscribers asked for; queue endpoints need an ARM id v2 never
had, and table endpoints have no Event Grid destination at all.
"""

from __future__ import annotations

from migrator.plan import Phase
from migrator.v3.ids import ResourceType

from migrator.mappings import tables
from migrator.mappings.base import MappingContext, Proposal, enum_name, enum_value, guid_of, manual, resource_action, unsupported
from migrator.mappings.catalog import finding
from migrator.mappings.naming import v3_name

AZURE_QUEUE, AZURE_TABLE, WEB_HOOK = 1, 2, 3
FINAL_STATES_ONLY = 1


def map_notification_endpoint(endpoint, ctx: MappingContext) -> list[Proposal]:
    kind = enum_value(endpoint.end_point_type)
    if kind == AZURE_TABLE:
        return [unsupported("NotificationEndPoints", endpoint.id, finding("NOTIFICATION_TABLE", f"endpoint {endpoint.name}"), phase=Phase.POST)]
    if kind != WEB_HOOK:
        return [manual("NotificationEndPoints", endpoint.id, finding("NOTIFICATION_QUEUE", f"endpoint {endpoint.name} ({enum_name(endpoint.end_point_type)})"), phase=Phase.POST)]
    subscribers = ctx.graph.needed_by_keys("NotificationEndPoints", endpoint.id, "Jobs") + ctx.graph.needed_by_keys(
        "NotificationEndPoints", endpoint.id, "Tasks"
    )
    findings = [finding("NOTIFICATION_EVENT_GRID")]
    if not subscribers:
        findings.append(finding("NOTIFICATION_UNUSED"))
    if enum_value(endpoint.credential_type) == 1:
        findings.append(finding("NOTIFICATION_SIGNING_KEY"))
    name, renamed = v3_name(ResourceType.EVENT_SUBSCRIPTION, endpoint.name, fallback=guid_of(endpoint.id))
    if renamed:
        findings.append(renamed)
    body = {
        "properties": {
            "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": endpoint.end_point_address}},
            "filter": {"includedEventTypes": list(_event_types(endpoint, subscribers, ctx))},
        }
    }
    return [resource_action(ResourceType.EVENT_SUBSCRIPTION, name, body, sources=(endpoint.id,), phase=Phase.POST, findings=tuple(findings))]


def _event_types(endpoint, subscribers: list[str], ctx: MappingContext) -> tuple[str, ...]:
    """Final states only when every subscription asked only for those; else every job event."""
    states = set()
    for job_id in subscribers:
        job = ctx.entity("Jobs", job_id)
        for sub in getattr(job, "job_notification_subscriptions", None) or ():
            if sub.notification_end_point_id == endpoint.id:
                states.add(enum_value(sub.target_job_state))
    if states == {FINAL_STATES_ONLY}:
        return tables.JOB_FINAL_EVENT_TYPES
    return tables.JOB_EVENT_TYPES
