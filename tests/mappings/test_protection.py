"""Content keys, authorization policies and delivery policies -> v3 content protection."""

from __future__ import annotations

import json

import pytest

from inventory_fixtures import FAIRPLAY_CONFIGURATION, PLAYREADY_TEMPLATE, SECRET_VALUES, kid, lid
from openapi_check import body_errors

from migrator.mappings import tables
from migrator.mappings.base import Refresh
from migrator.mappings.locators import map_locator
from migrator.mappings.protection import (
    ProtectionPlanner,
    map_authorization_option,
    map_authorization_policy,
    map_content_key,
    map_delivery_policy,
    playready_configuration,
    streaming_policy_properties,
    translate_option,
)
from migrator.plan import Action, Change, Phase
from migrator.v2 import entities as e
from migrator.v3.ids import ResourceType


def planned_policies(inventory, ctx, locators=(1, 2, 5, 6, 7, 8)):
    planner = ProtectionPlanner(ctx)
    for n in locators:
        map_locator(inventory.get("Locators", lid(n)), ctx, planner)
    return {p.action.address: p.action for p in planner.policy_proposals()}


def test_assets_with_the_same_delivery_policy_share_one_streaming_policy(inventory, new_ctx):
    policies = planned_policies(inventory, new_ctx, locators=(1, 6, 8))
    streaming = [a for a in policies.values() if a.resource_type.endswith("streamingPolicies")]
    assert len(streaming) == 1
    assert streaming[0].body == {
        "properties": {
            "envelopeEncryption": {
                "enabledProtocols": {"smoothStreaming": True, "dash": True, "hls": True, "download": False},
                "contentKeys": {"defaultKey": {"label": "envelopeKey"}},
            }
        }
    }


def test_every_planned_policy_body_is_valid_once_secrets_are_substituted(inventory, new_ctx):
    policies = planned_policies(inventory, new_ctx)
    for action in policies.values():
        if action.body is not None:
            assert body_errors(action) == [], action.address


def test_policy_bodies_hold_placeholders_and_refs_never_secret_values(inventory, new_ctx):
    policies = planned_policies(inventory, new_ctx)
    text = json.dumps([a.to_dict() for a in policies.values()])
    assert not [s for s in SECRET_VALUES if s in text]
    fairplay = next(a for a in policies.values() if "FairPlayConfiguration" in json.dumps(a.body))
    assert {r.to_dict()["field"] for r in fairplay.secret_refs if r.source == "source-policy-secret"} >= {"ask", "fairPlayPfx", "fairPlayPfxPassword"}


def test_token_restriction_is_translated_with_its_key_as_a_reference(inventory, new_ctx):
    option = inventory.get("ContentKeyAuthorizationPolicyOptions", "nb:ckpoid:UUID:o1")
    translated = translate_option(option, "nb:ckpid:UUID:c1", 0)
    restriction = translated.option["restriction"]
    assert restriction == {
        "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
        "issuer": "https://issuer.example.com",
        "audience": "urn:test",
        "restrictionTokenType": "Jwt",
        "primaryVerificationKey": {"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": "{secret}"},
        "requiredClaims": [{"claimType": "urn:microsoft:azure:mediaservices:contentkeyidentifier"}],
    }
    assert [r.to_dict() for r in translated.secret_refs] == [
        {"path": "properties.options[0].restriction.primaryVerificationKey.keyValue", "from": "source-policy-secret",
         "field": "primaryVerificationKey.keyValue", "option": "token", "policy": "nb:ckpid:UUID:c1"}
    ]
    assert translated.option["configuration"] == {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}


def test_playready_license_template_becomes_a_v3_license():
    configuration, untranslated = playready_configuration(PLAYREADY_TEMPLATE)
    assert untranslated == []
    assert configuration["licenses"] == [
        {
            "allowTestDevices": False,
            "licenseType": "Persistent",
            "contentType": "Unspecified",
            "contentKeyLocation": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"},
            "playRight": {
                "digitalVideoOnlyContentRestriction": False,
                "imageConstraintForAnalogComponentVideoRestriction": True,
                "imageConstraintForAnalogComputerMonitorRestriction": False,
                "allowPassingVideoContentToUnknownOutput": "Allowed",
                "uncompressedDigitalVideoOpl": 300,
            },
        }
    ]


def test_a_hostile_xml_template_becomes_a_finding_not_a_crash(inventory):
    option = inventory.get("ContentKeyAuthorizationPolicyOptions", "nb:ckpoid:UUID:o9")
    translated = translate_option(option, "nb:ckpid:UUID:c9", 0)
    assert translated.option is None
    assert translated.findings[0].code == "KEY_OPTION_UNREADABLE"
    assert "boom" not in translated.findings[0].message


def test_malformed_json_and_xml_templates_are_unreadable_findings():
    for kind, raw in ((3, "{not json"), (4, "[1, 2]"), (1, "<unclosed")):
        option = e.ContentKeyAuthorizationPolicyOption(id="o", key_delivery_type=kind, key_delivery_configuration=raw)
        assert translate_option(option, "c", 0).findings[0].code == "KEY_OPTION_UNREADABLE"


def test_an_ip_restricted_option_is_never_widened_to_open(inventory, new_ctx):
    policies = planned_policies(inventory, new_ctx, locators=(6,))
    manual = policies["manual/contentKeyAuthorizationPolicies/nb:ckpid:UUID:c7"]
    assert manual.change is Change.MANUAL
    assert manual.findings[0].code == "KEY_IP_RESTRICTED"
    assert not any(a.resource_type.endswith("contentKeyPolicies") for a in policies.values())


def test_fairplay_iv_and_custom_license_urls_are_reported():
    d6 = e.AssetDeliveryPolicy(id="d6", asset_delivery_policy_type=5, asset_delivery_protocol=4,
                               asset_delivery_configuration=json.dumps([{"Key": 9, "Value": "https://fp.example.com/lic"}, {"Key": 11, "Value": "00"}]))
    properties, findings, blocked = streaming_policy_properties([d6])
    assert properties["commonEncryptionCbcs"]["drm"] == {
        "fairPlay": {"allowPersistentLicense": False, "customLicenseAcquisitionUrlTemplate": "https://fp.example.com/lic"}
    }
    assert sorted(f.code for f in findings) == ["DELIVERY_POLICY_CUSTOM_URL", "KEY_FAIRPLAY_IV"]
    assert not blocked


def test_clear_delivery_policies_map_to_predefined_policies(inventory, new_ctx):
    from migrator.mappings.tables import predefined_streaming_policy

    clear = e.AssetDeliveryPolicy(id="d", asset_delivery_policy_type=2, asset_delivery_protocol=7)
    download = e.AssetDeliveryPolicy(id="d", asset_delivery_policy_type=2, asset_delivery_protocol=65535)
    assert predefined_streaming_policy(streaming_policy_properties([clear])[0]) == "Predefined_ClearStreamingOnly"
    assert predefined_streaming_policy(streaming_policy_properties([download])[0]) == "Predefined_DownloadAndClearStreaming"


def test_a_blocked_delivery_policy_blocks_publishing(inventory, new_ctx):
    blocked = e.AssetDeliveryPolicy(id="b", asset_delivery_policy_type=1, asset_delivery_protocol=7)
    assert streaming_policy_properties([blocked])[2] is True


def test_a_key_on_no_asset_with_a_policy_is_ams_as_key_server_only(inventory, new_ctx):
    [proposal] = map_content_key(inventory.get("ContentKeys", kid(5)), new_ctx, set())
    assert (proposal.action.change, proposal.action.findings[0].code) == (Change.UNSUPPORTED, "KEY_SERVER_ONLY")


def test_keys_carried_by_locators_need_no_action_of_their_own(inventory, new_ctx):
    assert map_content_key(inventory.get("ContentKeys", kid(1)), new_ctx, {kid(1)}) == []


def test_same_account_policies_are_expected_visible(inventory, same_ctx):
    [ckp] = map_authorization_policy("nb:ckpid:UUID:c1", same_ctx, set())
    [sp] = map_delivery_policy("nb:adpid:UUID:d1", same_ctx, set())
    assert ckp.refresh is Refresh.VISIBLE and sp.refresh is Refresh.VISIBLE
    assert ckp.action.sources == ("nb:ckpid:UUID:c1", "nb:ckpoid:UUID:o1")


def test_unused_policies_and_options_are_ignored_with_a_reason(inventory, new_ctx):
    [ckap] = map_authorization_policy("nb:ckpid:UUID:c6", new_ctx, set())
    [adp] = map_delivery_policy("nb:adpid:UUID:d9", new_ctx, set())
    [option] = map_authorization_option("nb:ckpoid:UUID:o1", new_ctx, set())
    assert [p.action.findings[0].code for p in (ckap, adp, option)] == ["KEY_POLICY_UNUSED", "DELIVERY_POLICY_UNUSED", "KEY_POLICY_UNUSED"]


def test_key_policies_are_shared_only_when_their_secrets_are_the_same(inventory):
    from inventory_fixtures import TOKEN_TEMPLATE, MemoryInventory, cid, sample_account, sample_context
    from migrator.mappings.base import Mode

    items, links = sample_account()
    other_key = TOKEN_TEMPLATE.replace("c2VjcmV0LXRva2VuLWtleS0xMjM0NTY3ODkwYWJjZGVm", "b3RoZXItdG9rZW4ta2V5LTEyMzQ1Njc4OTBhYmNkZWY=")
    for n, template in ((20, TOKEN_TEMPLATE), (21, TOKEN_TEMPLATE), (22, other_key)):
        items += [
            e.Asset(id=cid(n)),
            e.Locator(id=lid(n), type=2, asset_id=cid(n)),
            e.ContentKey(id=kid(n), content_key_type=4, authorization_policy_id=f"nb:ckpid:UUID:c{n}"),
            e.ContentKeyAuthorizationPolicy(id=f"nb:ckpid:UUID:c{n}"),
            e.ContentKeyAuthorizationPolicyOption(id=f"nb:ckpoid:UUID:o{n}", name="token", key_delivery_type=2,
                                                  restrictions=(e.ContentKeyAuthorizationPolicyRestriction(key_restriction_type=1, requirements=template),)),
        ]
        links[("Assets", "ContentKeys")].append((cid(n), kid(n)))
        links[("Assets", "DeliveryPolicies")].append((cid(n), "nb:adpid:UUID:d1"))
        links[("ContentKeyAuthorizationPolicies", "Options")].append((f"nb:ckpid:UUID:c{n}", f"nb:ckpoid:UUID:o{n}"))
    ctx = sample_context(Mode.NEW_ACCOUNT, MemoryInventory(items, links))
    planner = ProtectionPlanner(ctx)
    names = [planner.profile(cid(n)).content_key_policy for n in (1, 20, 21, 22)]
    assert names[0] == names[1] == names[2]  # same template, same signing key: one policy
    assert names[3] != names[0]  # same body, another signing key: its own policy


def _fairplay_option(lease) -> e.ContentKeyAuthorizationPolicyOption:
    config = {**json.loads(FAIRPLAY_CONFIGURATION), "RentalAndLeaseKeyType": lease}
    return e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:fp", name="fp", key_delivery_type=4, key_delivery_configuration=json.dumps(config))


@pytest.mark.parametrize(
    "v2_value, v3_value",
    [
        (0, "Undefined"),
        (0x3DF2D9FB, "PersistentUnlimited"),
        (0x18F06048, "PersistentLimited"),
        ("PersistentLimited", "PersistentLimited"),
    ],
)
def test_fairplay_rental_and_lease_key_types_are_read_as_the_v2_sdk_numbers_them(v2_value, v3_value):
    translated = translate_option(_fairplay_option(v2_value), "nb:ckpid:UUID:c8", 0)
    assert translated.option["configuration"]["rentalAndLeaseKeyType"] == v3_value
    assert "KEY_OPTION_UNTRANSLATED" not in [f.code for f in translated.findings]


@pytest.mark.parametrize("v2_value", [1, 2, "DualExpiry"])
def test_a_rental_and_lease_value_the_v2_sdk_never_wrote_is_planned_undefined_and_reported(v2_value):
    translated = translate_option(_fairplay_option(v2_value), "nb:ckpid:UUID:c8", 0)
    assert translated.option["configuration"]["rentalAndLeaseKeyType"] == "Undefined"
    [untranslated] = [f for f in translated.findings if f.code == "KEY_OPTION_UNTRANSLATED"]
    assert "RentalAndLeaseKeyType" in untranslated.message


def _with_play_right(inner: str) -> str:
    return PLAYREADY_TEMPLATE.replace("<UncompressedDigitalVideoOpl>300</UncompressedDigitalVideoOpl>", inner)


def test_playready_control_bit_restrictions_are_read_from_their_configuration_data():
    # As the v2 SDK's DataContract serializer writes ScmsRestriction, AgcAndColorStripeRestriction
    # and ExplicitAnalogTelevisionRestriction inside a PlayRight.
    raw = _with_play_right(
        "<AgcAndColorStripeRestriction><ConfigurationData>1</ConfigurationData></AgcAndColorStripeRestriction>"
        "<ExplicitAnalogTelevisionOutputRestriction><BestEffort>true</BestEffort><ConfigurationData>2</ConfigurationData></ExplicitAnalogTelevisionOutputRestriction>"
        "<ScmsRestriction><ConfigurationData>3</ConfigurationData></ScmsRestriction>"
    )
    configuration, untranslated = playready_configuration(raw)
    right = configuration["licenses"][0]["playRight"]
    assert untranslated == []
    assert (right["agcAndColorStripeRestriction"], right["scmsRestriction"]) == (1, 3)
    assert right["explicitAnalogTelevisionOutputRestriction"] == {"bestEffort": True, "configurationData": 2}


def test_nil_playready_restrictions_are_left_out():
    raw = _with_play_right(
        '<AgcAndColorStripeRestriction i:nil="true" /><ExplicitAnalogTelevisionOutputRestriction i:nil="true" /><ScmsRestriction i:nil="true" />'
    )
    configuration, untranslated = playready_configuration(raw)
    right = configuration["licenses"][0]["playRight"]
    assert untranslated == []
    assert not {"agcAndColorStripeRestriction", "scmsRestriction", "explicitAnalogTelevisionOutputRestriction"} & set(right)


def test_playready_control_bits_outside_0_to_3_are_untranslated_not_sent():
    raw = _with_play_right("<ScmsRestriction><ConfigurationData>7</ConfigurationData></ScmsRestriction>")
    configuration, untranslated = playready_configuration(raw)
    assert "scmsRestriction" not in configuration["licenses"][0]["playRight"]
    assert untranslated == ["PlayRight.ScmsRestriction"]


def test_a_playready_option_with_every_restriction_validates_against_the_openapi_files():
    raw = _with_play_right(
        "<ExplicitAnalogTelevisionOutputRestriction><BestEffort>false</BestEffort><ConfigurationData>0</ConfigurationData></ExplicitAnalogTelevisionOutputRestriction>"
        "<ScmsRestriction><ConfigurationData>2</ConfigurationData></ScmsRestriction>"
    )
    option = e.ContentKeyAuthorizationPolicyOption(id="nb:ckpoid:UUID:pr", name="pr", key_delivery_type=1, key_delivery_configuration=raw,
                                                   restrictions=(e.ContentKeyAuthorizationPolicyRestriction(name="open", key_restriction_type=0),))
    translated = translate_option(option, "nb:ckpid:UUID:c3", 0)
    action = Action(
        address="contentKeyPolicies/p", change=Change.CREATE, resource_type=ResourceType.CONTENT_KEY_POLICY.value, name="p",
        operation="put", phase=Phase.PUBLISH, body={"properties": {"options": [translated.option]}}, secret_refs=translated.secret_refs,
    )
    assert body_errors(action) == []


def test_the_mappings_parse_xml_only_through_the_shared_safe_parser():
    from pathlib import Path

    sources = "\n".join(p.read_text() for p in (Path(__file__).resolve().parents[2] / "mappings").glob("*.py"))
    assert "defusedxml" not in sources and "xml.etree" not in sources
    assert "from migrator.v2.xmlsafe import parse_xml" in sources


def test_locators_whose_streaming_policy_passes_the_account_quota_are_manual_and_the_policy_is_not_planned(inventory, new_ctx, monkeypatch):
    monkeypatch.setitem(tables.QUOTAS, "streamingPolicies", 1)
    planner = ProtectionPlanner(new_ctx)
    first, second, shares_first = (map_locator(inventory.get("Locators", lid(n)), new_ctx, planner)[0].action for n in (1, 5, 6))
    assert (first.change, second.change, shares_first.change) == (Change.CREATE, Change.MANUAL, Change.CREATE)
    assert second.address == f"manual/locators/{lid(5)}" and second.findings[0].code == "QUOTA_EXCEEDED"
    planned = [p.action for p in planner.policy_proposals() if p.action.resource_type.endswith("/streamingPolicies")]
    assert [a.name for a in planned] == [first.body["properties"]["streamingPolicyName"]]


def _assets_with_one_option_each(numbers, **option_fields):
    from inventory_fixtures import MemoryInventory, cid, sample_account, sample_context
    from migrator.mappings.base import Mode

    items, links = sample_account()
    for n in numbers:
        items += [
            e.Asset(id=cid(n)),
            e.Locator(id=lid(n), type=2, asset_id=cid(n)),
            e.ContentKey(id=kid(n), content_key_type=4, authorization_policy_id=f"nb:ckpid:UUID:c{n}"),
            e.ContentKeyAuthorizationPolicy(id=f"nb:ckpid:UUID:c{n}"),
            e.ContentKeyAuthorizationPolicyOption(id=f"nb:ckpoid:UUID:o{n}", **option_fields),
        ]
        links[("Assets", "ContentKeys")].append((cid(n), kid(n)))
        links[("Assets", "DeliveryPolicies")].append((cid(n), "nb:adpid:UUID:d1"))
        links[("ContentKeyAuthorizationPolicies", "Options")].append((f"nb:ckpid:UUID:c{n}", f"nb:ckpoid:UUID:o{n}"))
    return sample_context(Mode.NEW_ACCOUNT, MemoryInventory(items, links)), cid


def test_options_that_say_the_same_are_translated_once_and_the_shared_policy_lists_every_one(monkeypatch):
    from migrator.mappings import protection

    ctx, cid = _assets_with_one_option_each((20, 21, 22), name="open", key_delivery_type=2)
    calls = []
    translate = protection.translate_option
    monkeypatch.setattr(protection, "translate_option", lambda *args: calls.append(args[0].id) or translate(*args))
    planner = ProtectionPlanner(ctx)
    names = {planner.profile(cid(n)).content_key_policy for n in (20, 21, 22)}
    assert len(names) == 1 and None not in names
    assert calls == ["nb:ckpoid:UUID:o20"]
    [policy] = [p.action for p in planner.policy_proposals() if p.action.resource_type.endswith("contentKeyPolicies")]
    assert {f"nb:ckpoid:UUID:o{n}" for n in (20, 21, 22)} <= set(policy.sources)
    assert {f"nb:ckpid:UUID:c{n}" for n in (20, 21, 22)} <= set(policy.sources)


def test_a_finding_of_a_shared_translation_names_the_option_of_each_asset():
    restriction = e.ContentKeyAuthorizationPolicyRestriction(key_restriction_type=2, requirements="<ip/>")
    ctx, cid = _assets_with_one_option_each((20, 21), name="ip", key_delivery_type=2, restrictions=(restriction,))
    planner = ProtectionPlanner(ctx)
    for n in (20, 21):
        assert planner.profile(cid(n)).content_key_policy is None
    manual = {p.action.sources[0]: p.action for p in planner.policy_proposals() if p.action.change is Change.MANUAL}
    for n in (20, 21):
        [finding] = manual[f"nb:ckpid:UUID:c{n}"].findings
        assert finding.code == "KEY_IP_RESTRICTED"
        assert finding.message == f"option nb:ckpoid:UUID:o{n} is IP-restricted"
