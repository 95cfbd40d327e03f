"""Typed operations per resource family, on top of ``ArmClient``'s five verbs.

Every family offers ``get(account, *names)`` (None when absent), ``list(account, *parent_names)``
(a generator), ``create_or_update(account, *names, resource=model)`` and ``delete``; names are
given outermost first (``client.asset_filters.get(account, "asset1", "hd-only")``). Actions
are methods with their own names (``client.streaming_locators.list_paths(account, name)``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Iterator, Mapping, TypeVar

from migrator.v3 import models
from migrator.v3.ids import AccountRef, ResourceId, ResourceType, collection_id, resource_id
from migrator.v3.modeling import WireModel

if TYPE_CHECKING:
    from migrator.v3.client import ArmClient

M = TypeVar("M", bound=WireModel)


class ResourceOperations(Generic[M]):
    """CRUD for one resource type; subclasses set the type and the model."""

    resource_type: ClassVar[ResourceType]
    model: ClassVar[type]

    def __init__(self, client: "ArmClient") -> None:
        self._client = client

    def id(self, account: AccountRef, *names: str) -> ResourceId:
        return resource_id(account, self.resource_type, *names)

    def get(self, account: AccountRef, *names: str) -> M | None:
        body = self._client.get(self.id(account, *names))
        return None if body is None else self.model.from_arm(body)

    def list(
        self,
        account: AccountRef,
        *parent_names: str,
        filter: str | None = None,
        top: int | None = None,
        orderby: str | None = None,
    ) -> Iterator[M]:
        """Lazily, page by page. ``filter``/``top``/``orderby`` only where the API declares them."""
        params = {k: v for k, v in (("$filter", filter), ("$top", top), ("$orderby", orderby)) if v is not None}
        for item in self._client.list(collection_id(account, self.resource_type, *parent_names), params=params or None):
            yield self.model.from_arm(item)

    def create_or_update(self, account: AccountRef, *names: str, resource: M) -> M:
        return self._put(account, names, resource, params=None)

    def delete(self, account: AccountRef, *names: str) -> None:
        self._client.delete(self.id(account, *names))

    def _put(self, account: AccountRef, names: tuple[str, ...], resource: M, params: Mapping[str, Any] | None) -> M:
        body = self._client.put(self.id(account, *names), resource.to_body(), params=params)
        return self.model.from_arm(body)

    def _post(self, account: AccountRef, names: tuple[str, ...], action: str, body: WireModel | None = None) -> dict:
        return self._client.post(self.id(account, *names), action, None if body is None else body.to_body())


class AccountOperations:
    """The Media Services account itself: read only (storage accounts, key delivery access)."""

    def __init__(self, client: "ArmClient") -> None:
        self._client = client

    def get(self, account: AccountRef) -> models.MediaServiceAccount | None:
        body = self._client.get(resource_id(account, ResourceType.ACCOUNT))
        return None if body is None else models.MediaServiceAccount.from_arm(body)


class AssetOperations(ResourceOperations[models.Asset]):
    resource_type = ResourceType.ASSET
    model = models.Asset

    def list_container_sas(
        self,
        account: AccountRef,
        asset_name: str,
        *,
        expiry_time: datetime,
        permissions: models.AssetContainerPermission = models.AssetContainerPermission.READ,
    ) -> models.AssetContainerSas:
        """SAS URLs of the asset's container (secret); the expiry must be under 24 hours away."""
        request = models.ListContainerSasInput(permissions=permissions, expiry_time=expiry_time)
        return models.AssetContainerSas.from_arm(self._post(account, (asset_name,), "listContainerSas", request))

    def get_encryption_key(self, account: AccountRef, asset_name: str) -> models.StorageEncryptedAssetDecryptionData:
        """The key that decrypts a v2 storage-encrypted asset's files (secret)."""
        return models.StorageEncryptedAssetDecryptionData.from_arm(self._post(account, (asset_name,), "getEncryptionKey"))

    def list_streaming_locators(self, account: AccountRef, asset_name: str) -> tuple[models.AssetStreamingLocator, ...]:
        answer = self._post(account, (asset_name,), "listStreamingLocators")
        return tuple(models.AssetStreamingLocator.from_arm(item) for item in answer.get("streamingLocators") or ())


class AssetFilterOperations(ResourceOperations[models.AssetFilter]):
    resource_type = ResourceType.ASSET_FILTER
    model = models.AssetFilter


class AccountFilterOperations(ResourceOperations[models.AccountFilter]):
    resource_type = ResourceType.ACCOUNT_FILTER
    model = models.AccountFilter


class ContentKeyPolicyOperations(ResourceOperations[models.ContentKeyPolicy]):
    resource_type = ResourceType.CONTENT_KEY_POLICY
    model = models.ContentKeyPolicy

    def get_policy_properties_with_secrets(self, account: AccountRef, name: str) -> models.ContentKeyPolicyProperties:
        """The policy with its secrets (signing keys, FairPlay ASK/PFX); a plain GET leaves them empty."""
        return models.ContentKeyPolicyProperties.from_arm(self._post(account, (name,), "getPolicyPropertiesWithSecrets"))


class StreamingPolicyOperations(ResourceOperations[models.StreamingPolicy]):
    """Create-only on the service (PUT 201, no PATCH)."""

    resource_type = ResourceType.STREAMING_POLICY
    model = models.StreamingPolicy


class StreamingLocatorOperations(ResourceOperations[models.StreamingLocator]):
    """Create-only on the service (PUT 201, no PATCH): to change one, delete and create it."""

    resource_type = ResourceType.STREAMING_LOCATOR
    model = models.StreamingLocator

    def list_paths(self, account: AccountRef, name: str) -> models.StreamingLocatorPaths:
        return models.StreamingLocatorPaths.from_arm(self._post(account, (name,), "listPaths"))

    def list_content_keys(self, account: AccountRef, name: str) -> tuple[models.StreamingLocatorContentKey, ...]:
        """The locator's keys with their values (secret)."""
        answer = models.ContentKeyList.from_arm(self._post(account, (name,), "listContentKeys"))
        return answer.content_keys or ()


class TransformOperations(ResourceOperations[models.Transform]):
    resource_type = ResourceType.TRANSFORM
    model = models.Transform


class JobOperations(ResourceOperations[models.Job]):
    """Names: transform then job."""

    resource_type = ResourceType.JOB
    model = models.Job

    def cancel(self, account: AccountRef, transform_name: str, job_name: str) -> None:
        self._post(account, (transform_name, job_name), "cancelJob")


class LiveEventOperations(ResourceOperations[models.LiveEvent]):
    resource_type = ResourceType.LIVE_EVENT
    model = models.LiveEvent

    def create_or_update(self, account: AccountRef, *names: str, resource: models.LiveEvent, auto_start: bool = False) -> models.LiveEvent:
        return self._put(account, names, resource, params={"autoStart": "true"} if auto_start else None)

    def start(self, account: AccountRef, name: str) -> None:
        self._post(account, (name,), "start")

    def stop(self, account: AccountRef, name: str, *, remove_outputs_on_stop: bool = False) -> None:
        self._post(account, (name,), "stop", models.LiveEventActionInput(remove_outputs_on_stop=remove_outputs_on_stop))


class LiveOutputOperations(ResourceOperations[models.LiveOutput]):
    """Names: live event then live output. Creating one starts recording; deleting stops it."""

    resource_type = ResourceType.LIVE_OUTPUT
    model = models.LiveOutput


class StreamingEndpointOperations(ResourceOperations[models.StreamingEndpoint]):
    resource_type = ResourceType.STREAMING_ENDPOINT
    model = models.StreamingEndpoint

    def create_or_update(
        self, account: AccountRef, *names: str, resource: models.StreamingEndpoint, auto_start: bool = False
    ) -> models.StreamingEndpoint:
        return self._put(account, names, resource, params={"autoStart": "true"} if auto_start else None)

    def start(self, account: AccountRef, name: str) -> None:
        self._post(account, (name,), "start")

    def stop(self, account: AccountRef, name: str) -> None:
        self._post(account, (name,), "stop")

    def scale(self, account: AccountRef, name: str, scale_units: int) -> None:
        self._post(account, (name,), "scale", models.StreamingEntityScaleUnit(scale_unit=scale_units))


class EventSubscriptionOperations(ResourceOperations[models.EventSubscription]):
    """Event Grid subscriptions whose scope is the media account (the v2 notification endpoints' successor)."""

    resource_type = ResourceType.EVENT_SUBSCRIPTION
    model = models.EventSubscription


OPERATIONS = {
    "account": AccountOperations,
    "assets": AssetOperations,
    "asset_filters": AssetFilterOperations,
    "account_filters": AccountFilterOperations,
    "content_key_policies": ContentKeyPolicyOperations,
    "streaming_policies": StreamingPolicyOperations,
    "streaming_locators": StreamingLocatorOperations,
    "transforms": TransformOperations,
    "jobs": JobOperations,
    "live_events": LiveEventOperations,
    "live_outputs": LiveOutputOperations,
    "streaming_endpoints": StreamingEndpointOperations,
    "event_subscriptions": EventSubscriptionOperations,
}


def attach(client: "ArmClient") -> None:
    """Give ``client`` one attribute per family: ``client.assets``, ``client.live_events``..."""
    for attribute, operations_class in OPERATIONS.items():
        setattr(client, attribute, operations_class(client))
