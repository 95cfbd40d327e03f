"""Entity dataclasses: keys, snake_case attributes, immutability, and no secret in repr()."""

from __future__ import annotations

import dataclasses

import pytest

from migrator.v2 import entities, schema
from migrator.v2.entities import Asset, AssetFilter, EncodingReservedUnitType, StorageAccount, StreamingFilter


@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_every_set_has_a_frozen_slotted_dataclass_with_snake_case_attributes(entity_set, expected_entity):
    cls = entities.entity_class(entity_set)
    assert cls.entity_set == entity_set
    assert dataclasses.is_dataclass(cls) and hasattr(cls, "__slots__")
    attributes = [f.name for f in dataclasses.fields(cls)]
    assert attributes == [p.attribute for p in schema.ENTITY_SET_INFO[entity_set].properties] + ["extra"]
    entity = expected_entity(entity_set)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entity.extra = {}  # type: ignore[misc]


@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_the_key_is_the_odata_key_of_the_set(entity_set, expected_entity, sample_key):
    assert expected_entity(entity_set).key == sample_key(entity_set)


def test_keys_of_the_sets_not_keyed_by_id():
    assert StreamingFilter(name="f1").key == "f1"
    assert StorageAccount(name="store1").key == "store1"
    assert EncodingReservedUnitType(account_id="7d6ea3b8-6c05-4c7e-9e6b-6c9a0bff4b56").key.startswith("7d6ea3b8")
    composite = "nb:cid:UUID:7e712f7e-d35f-4629-a9b1-47b35b2b576b__###__TestFilter"
    assert AssetFilter(id=composite, parent_asset_id="nb:cid:UUID:7e712f7e", name="TestFilter").key == composite


@pytest.mark.parametrize("entity_set", schema.ENTITY_SETS)
def test_repr_never_shows_a_secret(entity_set, expected_entity, secret_samples):
    text = repr(expected_entity(entity_set))
    assert not [secret for secret in secret_samples if secret in text]


def test_repr_hides_secrets_inside_complex_values_and_extra(expected_entity):
    option = expected_entity("ContentKeyAuthorizationPolicyOptions")
    assert "KeyValue" not in repr(option.restrictions)
    asset = Asset(id="nb:cid:UUID:1", extra={"NewSecretField": "hunter2-secret"})
    assert "hunter2-secret" not in repr(asset)


def test_entities_are_hashable_and_compare_by_value(expected_entity):
    first = expected_entity("Channels")
    second = expected_entity("Channels")
    assert first == second and hash(first) == hash(second)
    assert first != dataclasses.replace(first, name="other")


def test_an_unknown_entity_set_is_refused_by_name():
    with pytest.raises(ValueError, match="AssetFiles"):
        entities.entity_class("AssetFiles")


def test_references_follow_every_foreign_key_of_the_set(expected_entity, sample_key):
    locator = expected_entity("Locators")
    assert entities.references(locator) == (
        (schema.ForeignKey("Locators", "AccessPolicyId", "AccessPolicies"), sample_key("AccessPolicies")),
        (schema.ForeignKey("Locators", "AssetId", "Assets"), sample_key("Assets")),
    )


def test_foreign_keys_reach_into_complex_values_and_collections(expected_entity, sample_key):
    channel = expected_entity("Channels")
    slate = schema.ForeignKey("Channels", "Slate.DefaultSlateAssetId", "Assets")
    assert entities.foreign_key_values(channel, slate) == (sample_key("Assets"),)
    job = expected_entity("Jobs")
    endpoints = schema.ForeignKey("Jobs", "JobNotificationSubscriptions.NotificationEndPointId", "NotificationEndPoints")
    assert entities.foreign_key_values(job, endpoints) == (sample_key("NotificationEndPoints"),)


def test_unset_foreign_keys_point_nowhere():
    assert entities.references(entities.Locator(id="nb:lid:UUID:1", asset_id="")) == ()
    assert entities.references(entities.Channel(id="nb:chid:UUID:1", slate=None)) == ()
    assert entities.references(entities.Job(id="nb:jid:UUID:1", job_notification_subscriptions=())) == ()
