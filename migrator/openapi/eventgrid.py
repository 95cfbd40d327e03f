"""Event Grid event subscriptions: the body schema and the Media Services event types.

The Event Grid swagger is not part of the saved reference (its README says to build these
bodies from Event Grid's documented fields). This module restates, as a small swagger 2.0
document, the event-subscription part of Azure/azure-rest-api-specs
``specification/eventgrid/resource-manager/Microsoft.EventGrid/stable/2022-06-15/EventGrid.json``
(definitions ``EventSubscription``, ``EventSubscriptionProperties``, ``EventSubscriptionFilter``,
``EventSubscriptionDestination`` and its subtypes, ``AdvancedFilter`` and its subtypes,
``RetryPolicy``, ``DeadLetterDestination``, ``DeliveryAttributeMapping``) with the same names,
discriminators and constraints, so ``migrator.openapi.validator`` checks these bodies exactly
as it checks the Media Services ones. Only what a migration may send is restated: the
identity-based delivery and dead-lettering variants are included, partner destinations
(a preview feature) are not.

The Media Services event types are those of the Event Grid documentation page "Azure Media
Services as an Event Grid source" (event-schema-media-services).
"""

from __future__ import annotations

import copy
from typing import Any

FAMILY = "EventGrid"
CREATE_OPERATION_ID = "EventSubscriptions_CreateOrUpdate"
API_VERSION = "2022-06-15"
RESOURCE_TYPE = "Microsoft.EventGrid/eventSubscriptions"
DOCUMENT_NAME = f"eventgrid/resource-manager/Microsoft.EventGrid/stable/{API_VERSION}/EventGrid.json"

JOB_EVENT_TYPES = (
    "Microsoft.Media.JobStateChange",
    "Microsoft.Media.JobScheduled",
    "Microsoft.Media.JobProcessing",
    "Microsoft.Media.JobCanceling",
    "Microsoft.Media.JobFinished",
    "Microsoft.Media.JobCanceled",
    "Microsoft.Media.JobErrored",
)
JOB_OUTPUT_EVENT_TYPES = (
    "Microsoft.Media.JobOutputStateChange",
    "Microsoft.Media.JobOutputScheduled",
    "Microsoft.Media.JobOutputProcessing",
    "Microsoft.Media.JobOutputCanceling",
    "Microsoft.Media.JobOutputFinished",
    "Microsoft.Media.JobOutputCanceled",
    "Microsoft.Media.JobOutputErrored",
    "Microsoft.Media.JobOutputProgress",
)
LIVE_EVENT_TYPES = (
    "Microsoft.Media.LiveEventConnectionRejected",
    "Microsoft.Media.LiveEventEncoderConnected",
    "Microsoft.Media.LiveEventEncoderDisconnected",
    "Microsoft.Media.LiveEventIncomingDataChunkDropped",
    "Microsoft.Media.LiveEventIncomingStreamReceived",
    "Microsoft.Media.LiveEventIncomingStreamsOutOfSync",
    "Microsoft.Media.LiveEventIncomingVideoStreamsOutOfSync",
    "Microsoft.Media.LiveEventIngestHeartbeat",
    "Microsoft.Media.LiveEventTrackDiscontinuityDetected",
    "Microsoft.Media.LiveEventChannelArchiveHeartbeat",
)
MEDIA_EVENT_TYPES = JOB_EVENT_TYPES + JOB_OUTPUT_EVENT_TYPES + LIVE_EVENT_TYPES

_SUBSCRIPTION_PATH = "/{scope}/providers/Microsoft.EventGrid/eventSubscriptions/{eventSubscriptionName}"
_LIST_BY_RESOURCE_PATH = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{providerNamespace}"
    "/{resourceTypeName}/{resourceName}/providers/Microsoft.EventGrid/eventSubscriptions"
)
_RESOURCE = "../../../../../common-types/resource-management/v2/types.json#/definitions/Resource"
_SYSTEM_DATA = "../../../../../common-types/resource-management/v2/types.json#/definitions/systemData"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/definitions/{name}"}


def _string_enum(name: str, values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": values, "x-ms-enum": {"name": name, "modelAsString": True}}


def _subtype(base: str, value: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "x-ms-discriminator-value": value, "allOf": [_ref(base)], "properties": properties}


def _destination(value: str, properties_definition: str) -> dict[str, Any]:
    return _subtype(
        "EventSubscriptionDestination",
        value,
        {"properties": {**_ref(properties_definition), "x-ms-client-flatten": True}},
    )


_DELIVERY_ATTRIBUTES = {"type": "array", "items": _ref("DeliveryAttributeMapping")}
_RESOURCE_ID = {"type": "string"}
_BATCHING = {
    "maxEventsPerBatch": {"type": "integer", "format": "int32"},
    "preferredBatchSizeInKilobytes": {"type": "integer", "format": "int32"},
}
_NUMBER = {"type": "number", "format": "double"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
# The properties a client may write, shared by the create body and the update parameters.
_WRITABLE_SUBSCRIPTION_PROPERTIES = {
    "destination": _ref("EventSubscriptionDestination"),
    "deliveryWithResourceIdentity": _ref("DeliveryWithResourceIdentity"),
    "filter": _ref("EventSubscriptionFilter"),
    "labels": _STRINGS,
    "expirationTimeUtc": {"type": "string", "format": "date-time"},
    "eventDeliverySchema": _string_enum(
        "EventDeliverySchema", ["EventGridSchema", "CustomInputSchema", "CloudEventSchemaV1_0"]
    ),
    "retryPolicy": _ref("RetryPolicy"),
    "deadLetterDestination": _ref("DeadLetterDestination"),
    "deadLetterWithResourceIdentity": _ref("DeadLetterWithResourceIdentity"),
}

_OPERATOR_TYPES = [
    "NumberIn", "NumberNotIn", "NumberLessThan", "NumberGreaterThan", "NumberLessThanOrEquals",
    "NumberGreaterThanOrEquals", "BoolEquals", "StringIn", "StringNotIn", "StringBeginsWith",
    "StringEndsWith", "StringContains", "NumberInRange", "NumberNotInRange", "StringNotBeginsWith",
    "StringNotEndsWith", "StringNotContains", "IsNullOrUndefined", "IsNotNull",
]  # fmt: skip


def _advanced_filter_values(operator: str) -> dict[str, Any]:
    if operator in ("IsNullOrUndefined", "IsNotNull"):
        return {}
    if operator == "BoolEquals":
        return {"value": {"type": "boolean"}}
    if operator in ("NumberInRange", "NumberNotInRange"):
        return {"values": {"type": "array", "items": {"type": "array", "items": _NUMBER}}}
    if operator in ("NumberIn", "NumberNotIn"):
        return {"values": {"type": "array", "items": _NUMBER}}
    if operator.startswith("Number"):
        return {"value": _NUMBER}
    return {"values": _STRINGS}


def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = {
        "EventSubscription": {
            "type": "object",
            "allOf": [{"$ref": _RESOURCE}],
            "properties": {
                "properties": {**_ref("EventSubscriptionProperties"), "x-ms-client-flatten": True},
                "systemData": {"$ref": _SYSTEM_DATA, "readOnly": True},
            },
        },
        "EventSubscriptionProperties": {
            "type": "object",
            "properties": {
                "topic": {"type": "string", "readOnly": True},
                "provisioningState": {
                    **_string_enum(
                        "EventSubscriptionProvisioningState",
                        ["Creating", "Updating", "Deleting", "Succeeded", "Canceled", "Failed", "AwaitingManualAction"],
                    ),
                    "readOnly": True,
                },
                **_WRITABLE_SUBSCRIPTION_PROPERTIES,
            },
        },
        "EventSubscriptionUpdateParameters": {"type": "object", "properties": dict(_WRITABLE_SUBSCRIPTION_PROPERTIES)},
        "EventSubscriptionFullUrl": {
            "type": "object",
            "properties": {"endpointUrl": {"type": "string", "x-ms-secret": True}},
        },
        "EventSubscriptionsListResult": {
            "type": "object",
            "properties": {
                "value": {"type": "array", "items": _ref("EventSubscription")},
                "nextLink": {"type": "string"},
            },
        },
        "EventSubscriptionDestination": {
            "type": "object",
            "discriminator": "endpointType",
            "required": ["endpointType"],
            "properties": {
                "endpointType": _string_enum(
                    "EndpointType",
                    [
                        "WebHook", "EventHub", "StorageQueue", "HybridConnection",
                        "ServiceBusQueue", "ServiceBusTopic", "AzureFunction",
                    ],
                ),  # fmt: skip
            },
        },
        "WebHookEventSubscriptionDestination": _destination("WebHook", "WebHookEventSubscriptionDestinationProperties"),
        "WebHookEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {
                "endpointUrl": {"type": "string", "x-ms-secret": True},  # may carry a key in its query
                "endpointBaseUrl": {"type": "string", "readOnly": True},
                **_BATCHING,
                "azureActiveDirectoryTenantId": {"type": "string"},
                "azureActiveDirectoryApplicationIdOrUri": {"type": "string"},
                "deliveryAttributeMappings": _DELIVERY_ATTRIBUTES,
            },
        },
        "EventHubEventSubscriptionDestination": _destination(
            "EventHub", "EventHubEventSubscriptionDestinationProperties"
        ),
        "EventHubEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {"resourceId": _RESOURCE_ID, "deliveryAttributeMappings": _DELIVERY_ATTRIBUTES},
        },
        "StorageQueueEventSubscriptionDestination": _destination(
            "StorageQueue", "StorageQueueEventSubscriptionDestinationProperties"
        ),
        "StorageQueueEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {
                "resourceId": _RESOURCE_ID,
                "queueName": {"type": "string"},
                "queueMessageTimeToLiveInSeconds": {"type": "integer", "format": "int64"},
            },
        },
        "HybridConnectionEventSubscriptionDestination": _destination(
            "HybridConnection", "HybridConnectionEventSubscriptionDestinationProperties"
        ),
        "HybridConnectionEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {"resourceId": _RESOURCE_ID, "deliveryAttributeMappings": _DELIVERY_ATTRIBUTES},
        },
        "ServiceBusQueueEventSubscriptionDestination": _destination(
            "ServiceBusQueue", "ServiceBusQueueEventSubscriptionDestinationProperties"
        ),
        "ServiceBusQueueEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {"resourceId": _RESOURCE_ID, "deliveryAttributeMappings": _DELIVERY_ATTRIBUTES},
        },
        "ServiceBusTopicEventSubscriptionDestination": _destination(
            "ServiceBusTopic", "ServiceBusTopicEventSubscriptionDestinationProperties"
        ),
        "ServiceBusTopicEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {"resourceId": _RESOURCE_ID, "deliveryAttributeMappings": _DELIVERY_ATTRIBUTES},
        },
        "AzureFunctionEventSubscriptionDestination": _destination(
            "AzureFunction", "AzureFunctionEventSubscriptionDestinationProperties"
        ),
        "AzureFunctionEventSubscriptionDestinationProperties": {
            "type": "object",
            "properties": {"resourceId": _RESOURCE_ID, **_BATCHING, "deliveryAttributeMappings": _DELIVERY_ATTRIBUTES},
        },
        "DeliveryAttributeMapping": {
            "type": "object",
            "discriminator": "type",
            "required": ["type"],
            "properties": {
                "name": {"type": "string"},
                "type": _string_enum("DeliveryAttributeMappingType", ["Static", "Dynamic"]),
            },
        },
        "StaticDeliveryAttributeMapping": _subtype(
            "DeliveryAttributeMapping", "Static", {"properties": _ref("StaticDeliveryAttributeMappingProperties")}
        ),
        "StaticDeliveryAttributeMappingProperties": {
            "type": "object",
            "properties": {"value": {"type": "string"}, "isSecret": {"type": "boolean"}},
        },
        "DynamicDeliveryAttributeMapping": _subtype(
            "DeliveryAttributeMapping", "Dynamic", {"properties": _ref("DynamicDeliveryAttributeMappingProperties")}
        ),
        "DynamicDeliveryAttributeMappingProperties": {
            "type": "object",
            "properties": {"sourceField": {"type": "string"}},
        },
        "EventSubscriptionFilter": {
            "type": "object",
            "properties": {
                "subjectBeginsWith": {"type": "string"},
                "subjectEndsWith": {"type": "string"},
                "includedEventTypes": _STRINGS,
                "isSubjectCaseSensitive": {"type": "boolean"},
                "enableAdvancedFilteringOnArrays": {"type": "boolean"},
                "advancedFilters": {"type": "array", "items": _ref("AdvancedFilter")},
            },
        },
        "AdvancedFilter": {
            "type": "object",
            "discriminator": "operatorType",
            "required": ["operatorType"],
            "properties": {
                "operatorType": _string_enum("AdvancedFilterOperatorType", _OPERATOR_TYPES),
                "key": {"type": "string"},
            },
        },
        "RetryPolicy": {
            "type": "object",
            "properties": {
                "maxDeliveryAttempts": {"type": "integer", "format": "int32"},
                "eventTimeToLiveInMinutes": {"type": "integer", "format": "int32"},
            },
        },
        "DeadLetterDestination": {
            "type": "object",
            "discriminator": "endpointType",
            "required": ["endpointType"],
            "properties": {"endpointType": _string_enum("DeadLetterEndPointType", ["StorageBlob"])},
        },
        "StorageBlobDeadLetterDestination": _subtype(
            "DeadLetterDestination", "StorageBlob", {"properties": _ref("StorageBlobDeadLetterDestinationProperties")}
        ),
        "StorageBlobDeadLetterDestinationProperties": {
            "type": "object",
            "properties": {"resourceId": _RESOURCE_ID, "blobContainerName": {"type": "string"}},
        },
        "EventSubscriptionIdentity": {
            "type": "object",
            "properties": {
                "type": _string_enum("EventSubscriptionIdentityType", ["SystemAssigned", "UserAssigned"]),
                "userAssignedIdentity": {"type": "string"},
            },
        },
        "DeliveryWithResourceIdentity": {
            "type": "object",
            "properties": {
                "identity": _ref("EventSubscriptionIdentity"),
                "destination": _ref("EventSubscriptionDestination"),
            },
        },
        "DeadLetterWithResourceIdentity": {
            "type": "object",
            "properties": {
                "identity": _ref("EventSubscriptionIdentity"),
                "deadLetterDestination": _ref("DeadLetterDestination"),
            },
        },
    }
    for operator in _OPERATOR_TYPES:
        values = _advanced_filter_values(operator)
        definitions[f"{operator}AdvancedFilter"] = _subtype("AdvancedFilter", operator, values)
    return definitions


def _operation(
    operation_id: str,
    responses: dict[str, str | None],
    body: tuple[str, str] | None = None,
    *,
    long_running: bool = False,
) -> dict[str, Any]:
    """An operation on one subscription; ``responses`` maps status to definition (None: no body)."""
    parameters: list[dict[str, Any]] = [
        {"name": "scope", "in": "path", "required": True, "type": "string", "x-ms-skip-url-encoding": True},
        {"name": "eventSubscriptionName", "in": "path", "required": True, "type": "string"},
        {"name": "api-version", "in": "query", "required": True, "type": "string"},
    ]
    if body:
        name, definition = body
        parameters.append({"name": name, "in": "body", "required": True, "schema": _ref(definition)})
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "parameters": parameters,
        "responses": {
            code: {"description": code, **({"schema": _ref(schema)} if schema else {})}
            for code, schema in responses.items()
        },
    }
    if long_running:
        operation["x-ms-long-running-operation"] = True
    return operation


def service_rule_errors(body: Any) -> list[str]:
    """Rules of a create body that the swagger cannot state but Event Grid enforces.

    Event Grid refuses a subscription with nowhere to deliver: one of ``destination`` and
    ``deliveryWithResourceIdentity`` is needed, and not both.
    """
    properties = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(properties, dict):
        return ["body: 'properties' is a required property"]
    targets = [key for key in ("destination", "deliveryWithResourceIdentity") if properties.get(key) is not None]
    if not targets:
        return ["properties: 'destination' or 'deliveryWithResourceIdentity' is required"]
    if len(targets) > 1:
        return ["properties: 'destination' and 'deliveryWithResourceIdentity' cannot both be set"]
    return []


def _list_by_resource() -> dict[str, Any]:
    names = ("subscriptionId", "resourceGroupName", "providerNamespace", "resourceTypeName", "resourceName")
    return {
        "operationId": "EventSubscriptions_ListByResource",
        "parameters": [{"name": name, "in": "path", "required": True, "type": "string"} for name in names]
        + [{"name": "api-version", "in": "query", "required": True, "type": "string"}],
        "responses": {"200": {"description": "OK", "schema": _ref("EventSubscriptionsListResult")}},
        "x-ms-pageable": {"nextLinkName": "nextLink"},
    }


def _paths() -> dict[str, Any]:
    subscription = "EventSubscription"
    return {
        _SUBSCRIPTION_PATH: {
            "get": _operation("EventSubscriptions_Get", {"200": subscription}),
            "put": _operation(
                CREATE_OPERATION_ID,
                {"201": subscription},
                ("eventSubscriptionInfo", subscription),
                long_running=True,
            ),
            "patch": _operation(
                "EventSubscriptions_Update",
                {"201": subscription},
                ("eventSubscriptionUpdateParameters", "EventSubscriptionUpdateParameters"),
                long_running=True,
            ),
            "delete": _operation(
                "EventSubscriptions_Delete", {"200": None, "202": None, "204": None}, long_running=True
            ),
        },
        _SUBSCRIPTION_PATH + "/getFullUrl": {
            "post": _operation("EventSubscriptions_GetFullUrl", {"200": "EventSubscriptionFullUrl"})
        },
        _LIST_BY_RESOURCE_PATH: {"get": _list_by_resource()},
    }


def swagger_document() -> dict[str, Any]:
    """A fresh swagger 2.0 document of the event-subscription operations and definitions."""
    document = {
        "swagger": "2.0",
        "info": {"title": "EventGridManagementClient (event subscriptions)", "version": API_VERSION},
        "paths": _paths(),
        "definitions": _definitions(),
    }
    return copy.deepcopy(document)  # the schema fragments above are shared module constants
