"""Event Grid event subscriptions on a media account: bodies, paths and the Media event types."""

from __future__ import annotations

import copy

import pytest
from openapi_fixtures import account_path

from migrator.openapi import eventgrid, validator

SUBSCRIPTION_PATH = account_path("/providers/Microsoft.EventGrid/eventSubscriptions/jobs-to-webhook")

WEBHOOK_BODY = {
    "properties": {
        "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": "https://contoso.example/notify"}},
        "filter": {
            "includedEventTypes": ["Microsoft.Media.JobStateChange", "Microsoft.Media.JobFinished"],
            "subjectBeginsWith": "transforms/",
            "subjectEndsWith": "",
            "isSubjectCaseSensitive": False,
            "advancedFilters": [
                {"operatorType": "StringIn", "key": "data.state", "values": ["Finished", "Error"]},
                {"operatorType": "NumberGreaterThan", "key": "data.progress", "value": 50},
                {"operatorType": "BoolEquals", "key": "data.isFinal", "value": True},
                {"operatorType": "NumberInRange", "key": "data.n", "values": [[0, 10.5]]},
                {"operatorType": "IsNotNull", "key": "data.output"},
            ],
        },
        "eventDeliverySchema": "EventGridSchema",
        "retryPolicy": {"maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": 1440},
        "labels": ["migrated-from-v2", "nb:nep:UUID:1"],
        "expirationTimeUtc": "2027-01-01T00:00:00Z",
    }
}

STORAGE_QUEUE_BODY = {
    "properties": {
        "destination": {
            "endpointType": "StorageQueue",
            "properties": {
                "resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st",
                "queueName": "media-jobs",
                "queueMessageTimeToLiveInSeconds": -1,
            },
        },
        "filter": {"includedEventTypes": list(eventgrid.JOB_EVENT_TYPES)},
        "deadLetterDestination": {
            "endpointType": "StorageBlob",
            "properties": {"resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st", "blobContainerName": "dead"},
        },
    }
}


def with_change(body, change):
    body = copy.deepcopy(body)
    change(body)
    return body


@pytest.mark.parametrize("body", [WEBHOOK_BODY, STORAGE_QUEUE_BODY], ids=["webhook", "storage-queue"])
def test_documented_subscription_bodies_are_valid(body):
    assert validator.validate_request("PUT", SUBSCRIPTION_PATH, body) == []
    assert validator.validate_resource_body(eventgrid.RESOURCE_TYPE, body) == []


@pytest.mark.parametrize("endpoint_type", ["EventHub", "ServiceBusQueue", "ServiceBusTopic", "HybridConnection", "AzureFunction"])
def test_other_destinations_take_a_resource_id(endpoint_type):
    body = {"properties": {"destination": {"endpointType": endpoint_type, "properties": {"resourceId": "/subscriptions/s/x"}}}}
    assert validator.validate_resource_body(eventgrid.RESOURCE_TYPE, body) == []


INVALID = [
    (
        "unknown-endpoint-type",
        lambda b: b["properties"]["destination"].update(endpointType="Email"),
        "properties.destination.endpointType: unknown discriminator value 'Email'",
    ),
    (
        "webhook-field-on-a-queue",
        lambda b: b["properties"]["destination"]["properties"].update(queueName="q"),
        "properties.destination.properties.queueName: is not a property the schema declares",
    ),
    (
        "event-types-not-a-list",
        lambda b: b["properties"]["filter"].update(includedEventTypes="Microsoft.Media.JobFinished"),
        "properties.filter.includedEventTypes: 'Microsoft.Media.JobFinished' is not of type 'array'",
    ),
    (
        "unknown-delivery-schema",
        lambda b: b["properties"].update(eventDeliverySchema="CloudEventV01Schema"),
        "properties.eventDeliverySchema: 'CloudEventV01Schema' is not one of:",
    ),
    (
        "expiration-not-a-date-time",
        lambda b: b["properties"].update(expirationTimeUtc="tomorrow"),
        "properties.expirationTimeUtc: 'tomorrow' is not a 'date-time'",
    ),
    (
        "advanced-filter-unknown-operator",
        lambda b: b["properties"]["filter"]["advancedFilters"].append({"operatorType": "Regex", "key": "subject"}),
        "properties.filter.advancedFilters[5].operatorType: unknown discriminator value 'Regex'",
    ),
    (
        "advanced-filter-wrong-value-type",
        lambda b: b["properties"]["filter"]["advancedFilters"][1].update(value="fifty"),
        "properties.filter.advancedFilters[1].value: a string (value not shown) is not of type 'number'",
    ),
    (
        "retry-attempts-not-an-integer",
        lambda b: b["properties"]["retryPolicy"].update(maxDeliveryAttempts=2.5),
        "properties.retryPolicy.maxDeliveryAttempts: 2.5 is not of type 'integer'",
    ),
    (
        "read-only-provisioning-state",
        lambda b: b["properties"].update(provisioningState="Succeeded"),
        "properties.provisioningState: is read-only; a request may not set it",
    ),
    (
        "no-destination",
        lambda b: b["properties"].pop("destination"),
        "properties: 'destination' or 'deliveryWithResourceIdentity' is required",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID])
def test_invalid_subscription_body_is_caught(change, expected):
    errors = validator.validate_request("PUT", SUBSCRIPTION_PATH, with_change(WEBHOOK_BODY, change))
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_subscription_path_resolves_the_account_scope():
    operation = validator.operation_for("PUT", SUBSCRIPTION_PATH)
    assert operation.operation_id == "EventSubscriptions_CreateOrUpdate"
    assert operation.api_version == eventgrid.API_VERSION == "2022-06-15"
    assert operation.path_params == {
        "scope": account_path()[1:],
        "eventSubscriptionName": "jobs-to-webhook",
    }
    assert validator.operation_for("POST", SUBSCRIPTION_PATH + "/getFullUrl").operation_id == "EventSubscriptions_GetFullUrl"
    listing = validator.operation_for("GET", account_path("/providers/Microsoft.EventGrid/eventSubscriptions"))
    assert listing.operation_id == "EventSubscriptions_ListByResource"
    assert listing.path_params["resourceName"] == "contosomedia"


def test_media_event_types_cover_jobs_outputs_and_live_events():
    assert len(set(eventgrid.MEDIA_EVENT_TYPES)) == len(eventgrid.MEDIA_EVENT_TYPES) == 25
    assert all(name.startswith("Microsoft.Media.") for name in eventgrid.MEDIA_EVENT_TYPES)
    for expected in (
        "Microsoft.Media.JobStateChange",
        "Microsoft.Media.JobOutputStateChange",
        "Microsoft.Media.JobFinished",
        "Microsoft.Media.JobErrored",
        "Microsoft.Media.LiveEventConnectionRejected",
        "Microsoft.Media.LiveEventEncoderConnected",
    ):
        assert expected in eventgrid.MEDIA_EVENT_TYPES


def test_swagger_document_is_a_fresh_copy_each_time():
    first = eventgrid.swagger_document()
    first["definitions"]["RetryPolicy"]["properties"].clear()
    first["definitions"]["EventSubscriptionFilter"]["properties"]["includedEventTypes"]["items"]["type"] = "integer"
    second = eventgrid.swagger_document()
    assert second["definitions"]["RetryPolicy"]["properties"]
    assert second["definitions"]["EventSubscriptionFilter"]["properties"]["includedEventTypes"]["items"] == {"type": "string"}


# Upstream examples of Azure/azure-rest-api-specs specification/eventgrid/resource-manager/
# Microsoft.EventGrid/stable/2022-06-15/examples/ (request bodies and answers, scope unchanged).
UPSTREAM_SCOPE = "/subscriptions/5b4b650e-28b9-4790-b3ab-ddbd88d727c4/resourceGroups/examplerg/providers"
UPSTREAM_EXAMPLES = [
    (
        "EventSubscriptions_CreateOrUpdateForResource.json",
        "PUT",
        f"{UPSTREAM_SCOPE}/Microsoft.EventHub/namespaces/examplenamespace1/providers/Microsoft.EventGrid/eventSubscriptions/examplesubscription10",
        {
            "properties": {
                "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": "https://requestb.in/15ksip71"}},
                "filter": {"isSubjectCaseSensitive": False, "subjectBeginsWith": "ExamplePrefix", "subjectEndsWith": "ExampleSuffix"},
            }
        },
        201,
        {
            "properties": {
                "destination": {"properties": {"endpointBaseUrl": "https://requestb.in/15ksip71"}, "endpointType": "WebHook"},
                "filter": {"isSubjectCaseSensitive": False, "subjectBeginsWith": "ExamplePrefix", "subjectEndsWith": "ExampleSuffix"},
                "provisioningState": "Succeeded",
                "topic": "/subscriptions/5b4b650e-28b9-4790-b3ab-ddbd88d727c4/resourceGroups/examplerg/providers/Microsoft.EventHub/namespaces/examplenamespace1",
            },
            "id": f"{UPSTREAM_SCOPE}/Microsoft.EventHub/namespaces/examplenamespace1/providers/Microsoft.EventGrid/eventSubscriptions/examplesubscription10",
            "name": "examplesubscription10",
            "type": "Microsoft.EventGrid/eventSubscriptions",
        },
    ),
    (
        "EventSubscriptions_UpdateForCustomTopic_WebhookDestination.json",
        "PATCH",
        f"{UPSTREAM_SCOPE}/Microsoft.EventGrid/topics/exampletopic2/providers/Microsoft.EventGrid/eventSubscriptions/examplesubscription1",
        {
            "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": "https://requestb.in/15ksip71"}},
            "filter": {"isSubjectCaseSensitive": True, "subjectBeginsWith": "existingPrefix", "subjectEndsWith": "newSuffix"},
            "labels": ["label1", "label2"],
        },
        201,
        {
            "properties": {
                "destination": {"properties": {"endpointBaseUrl": "https://requestb.in/15ksip71"}, "endpointType": "WebHook"},
                "filter": {"isSubjectCaseSensitive": True, "subjectBeginsWith": "existingPrefix", "subjectEndsWith": "newSuffix"},
                "labels": ["label1", "label2"],
                "provisioningState": "Succeeded",
                "topic": "/subscriptions/5b4b650e-28b9-4790-b3ab-ddbd88d727c4/resourceGroups/examplerg/providers/microsoft.eventgrid/topics/exampletopic2",
            },
            "id": f"{UPSTREAM_SCOPE}/Microsoft.EventGrid/topics/exampletopic2/providers/Microsoft.EventGrid/eventSubscriptions/examplesubscription1",
            "name": "examplesubscription1",
            "type": "Microsoft.EventGrid/eventSubscriptions",
        },
    ),
    (
        "EventSubscriptions_GetFullUrlForResourceGroup.json",
        "POST",
        "/subscriptions/5b4b650e-28b9-4790-b3ab-ddbd88d727c4/resourceGroups/examplerg/providers/Microsoft.EventGrid/eventSubscriptions/examplesubscription2/getFullUrl",
        None,
        200,
        {"endpointUrl": "https://requestb.in/15ksip71"},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "answer"), [e[1:] for e in UPSTREAM_EXAMPLES], ids=[e[0] for e in UPSTREAM_EXAMPLES])
def test_upstream_event_grid_examples_are_valid_requests_and_answers(method, path, body, status, answer):
    assert validator.validate_request(method, path, body) == []
    assert validator.validate_response(method, path, status, answer) == []


def test_webhook_url_is_never_echoed_because_it_may_carry_a_key():
    url = 12345678901  # a wrong type forces a message about the value
    body = with_change(WEBHOOK_BODY, lambda b: b["properties"]["destination"]["properties"].update(endpointUrl=url))
    errors = validator.validate_request("PUT", SUBSCRIPTION_PATH, body)
    assert errors == ["properties.destination.properties.endpointUrl: an integer (value not shown) is not of type 'string'"]
