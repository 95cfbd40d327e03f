"""Notification endpoints -> Event Grid subscriptions."""

from __future__ import annotations

from inventory_fixtures import WEBHOOK_CREDENTIAL
from openapi_check import body_errors

from migrator.mappings.notifications import map_notification_endpoint
from migrator.plan import Change


def test_a_webhook_becomes_an_event_grid_subscription_for_the_states_it_asked_for(inventory, same_ctx):
    [proposal] = map_notification_endpoint(inventory.get("NotificationEndPoints", "nb:nepid:UUID:n1"), same_ctx)
    action = proposal.action
    assert action.resource_type == "Microsoft.EventGrid/eventSubscriptions"
    assert action.body == {
        "properties": {
            "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": "https://hooks.example.com/ams"}},
            "filter": {"includedEventTypes": ["Microsoft.Media.JobFinished", "Microsoft.Media.JobErrored", "Microsoft.Media.JobCanceled"]},
        }
    }
    assert {f.code for f in action.findings} == {"NOTIFICATION_EVENT_GRID", "NOTIFICATION_SIGNING_KEY"}
    assert WEBHOOK_CREDENTIAL not in repr(action)
    assert body_errors(action) == []


def test_queue_endpoints_are_manual_and_table_endpoints_unsupported(inventory, new_ctx):
    [queue] = map_notification_endpoint(inventory.get("NotificationEndPoints", "nb:nepid:UUID:n2"), new_ctx)
    [table] = map_notification_endpoint(inventory.get("NotificationEndPoints", "nb:nepid:UUID:n3"), new_ctx)
    assert (queue.action.change, queue.action.findings[0].code) == (Change.MANUAL, "NOTIFICATION_QUEUE")
    assert (table.action.change, table.action.findings[0].code) == (Change.UNSUPPORTED, "NOTIFICATION_TABLE")
