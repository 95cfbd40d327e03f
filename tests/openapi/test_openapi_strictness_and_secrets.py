"""Strict mode (our tests) versus lenient mode (the sandbox, like ARM), and no secret in any message."""

from __future__ import annotations

from openapi_fixtures import account_path

from migrator.openapi import validator

LOCATOR_PATH = account_path("/streamingLocators/loc1")
POLICY_PATH = account_path("/contentKeyPolicies/policy1")


def locator(**properties):
    return {"properties": {"assetName": "a", "streamingPolicyName": "Predefined_ClearStreamingOnly", **properties}}


def token_policy(**restriction):
    return {
        "properties": {
            "options": [
                {
                    "configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
                    "restriction": {
                        "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
                        "issuer": "i",
                        "audience": "a",
                        "restrictionTokenType": "Jwt",
                        "primaryVerificationKey": {
                            "@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
                            "keyValue": "AAAA",
                        },
                        **restriction,
                    },
                }
            ]
        }
    }


def test_read_only_property_is_an_error_in_strict_mode_and_ignored_in_lenient_mode():
    body = locator(created="2020-01-01T00:00:00Z")
    assert validator.validate_request("PUT", LOCATOR_PATH, body) == ["properties.created: is read-only; a request may not set it"]
    assert validator.validate_request("PUT", LOCATOR_PATH, body, strict=False) == []


def test_read_only_value_is_not_even_type_checked_in_lenient_mode_because_arm_discards_it():
    assert validator.validate_request("PUT", LOCATOR_PATH, locator(created=42), strict=False) == []


def test_undeclared_property_is_an_error_in_strict_mode_and_ignored_in_lenient_mode():
    body = locator(streamingPolicy="x")
    assert validator.validate_request("PUT", LOCATOR_PATH, body) == ["properties.streamingPolicy: is not a property the schema declares"]
    assert validator.validate_request("PUT", LOCATOR_PATH, body, strict=False) == []


def test_property_names_match_case_insensitively_only_in_lenient_mode():
    body = {"Properties": {"AssetName": "a", "streamingpolicyname": "Predefined_ClearStreamingOnly", "StreamingLocatorId": "x"}}
    assert validator.validate_request("PUT", LOCATOR_PATH, body, strict=False) == ["properties.streamingLocatorId: 'x' is not a 'uuid'"]
    assert "Properties: is not a property the schema declares" in validator.validate_request("PUT", LOCATOR_PATH, body)


def test_null_for_an_optional_property_is_an_error_only_in_strict_mode():
    body = locator(defaultContentKeyPolicyName=None)
    assert validator.validate_request("PUT", LOCATOR_PATH, body) == ["properties.defaultContentKeyPolicyName: null is not allowed"]
    assert validator.validate_request("PUT", LOCATOR_PATH, body, strict=False) == []


def test_null_for_a_required_property_counts_as_missing_in_both_modes():
    body = locator(assetName=None)
    expected = ["properties: 'assetName' is a required property"]
    assert validator.validate_request("PUT", LOCATOR_PATH, body) == expected
    assert validator.validate_request("PUT", LOCATOR_PATH, body, strict=False) == expected


def test_x_nullable_property_accepts_null_in_strict_mode():
    # the spec marks the token restriction's primaryVerificationKey (a $ref) x-nullable
    body = token_policy(primaryVerificationKey=None)
    assert validator.validate_request("PUT", POLICY_PATH, body) == []


def test_enum_case_is_exact_in_strict_mode_and_folded_in_lenient_mode():
    body = token_policy(restrictionTokenType="jwt")
    assert validator.validate_request("PUT", POLICY_PATH, body) == [
        "properties.options[0].restriction.restrictionTokenType: 'jwt' is not one of: Unknown, Swt, Jwt"
    ]
    assert validator.validate_request("PUT", POLICY_PATH, body, strict=False) == []


def test_lenient_patch_may_leave_out_required_properties_the_resource_already_has():
    path = account_path("/contentKeyPolicies/policy1")
    body = {"properties": {"description": "new text"}}
    assert validator.validate_request("PATCH", path, body) == ["properties: 'options' is a required property"]
    assert validator.validate_request("PATCH", path, body, strict=False) == []
    assert validator.validate_request("PUT", path, body, strict=False) == ["properties: 'options' is a required property"]


def test_lenient_patch_still_needs_the_discriminator_of_a_polymorphic_object():
    body = {"properties": {"options": [{"name": "o", "configuration": {}, "restriction": {"@odata.type": "#Nope"}}]}}
    assert sorted(validator.validate_request("PATCH", POLICY_PATH, body, strict=False)) == [
        "properties.options[0].configuration: '@odata.type' is a required property",
        "properties.options[0].restriction.@odata.type: unknown discriminator value '#Nope'; expected one of: "
        "#Microsoft.Media.ContentKeyPolicyOpenRestriction, #Microsoft.Media.ContentKeyPolicyTokenRestriction, "
        "#Microsoft.Media.ContentKeyPolicyUnknownRestriction",
    ]


def test_date_time_needs_an_offset_only_in_strict_mode():
    body = locator(startTime="2018-03-01T00:00:00")
    assert validator.validate_request("PUT", LOCATOR_PATH, body) == [
        "properties.startTime: '2018-03-01T00:00:00' is not a 'date-time'"
    ]
    assert validator.validate_request("PUT", LOCATOR_PATH, body, strict=False) == []
    assert len(validator.validate_request("PUT", LOCATOR_PATH, locator(startTime="2018-03-01"), strict=False)) == 1


def test_long_values_are_cut_in_messages():
    (error,) = validator.validate_request("PUT", LOCATOR_PATH, locator(streamingLocatorId="x" * 500))
    assert error == f"properties.streamingLocatorId: '{'x' * 116}... is not a 'uuid'"


def test_model_as_string_enum_still_rejects_values_the_spec_does_not_list_in_both_modes():
    body = token_policy(restrictionTokenType="Saml")
    assert len(validator.validate_request("PUT", POLICY_PATH, body, strict=False)) == 1


def test_lenient_mode_still_enforces_types_formats_required_and_discriminators():
    body = locator(streamingLocatorId="nope", contentKeys=[{"labelReferenceInStreamingPolicy": 1}])
    assert sorted(validator.validate_request("PUT", LOCATOR_PATH, body, strict=False)) == [
        "properties.contentKeys[0].labelReferenceInStreamingPolicy: 1 is not of type 'string'",
        "properties.contentKeys[0]: 'id' is a required property",
        "properties.streamingLocatorId: 'nope' is not a 'uuid'",
    ]
    bad = token_policy(**{"@odata.type": "#Microsoft.Media.Nope"})
    assert validator.validate_request("PUT", POLICY_PATH, bad, strict=False)[0].startswith(
        "properties.options[0].restriction.@odata.type: unknown discriminator value '#Microsoft.Media.Nope'"
    )


def test_response_may_carry_read_only_properties_and_must_carry_required_ones():
    answer = {"name": "loc1", "properties": {"assetName": "a", "streamingPolicyName": "p", "created": "2020-01-01T00:00:00Z"}}
    assert validator.validate_response("PUT", LOCATOR_PATH, 201, answer) == []
    error_body = {"error": {"code": "BadRequest", "message": "m", "details": [], "target": "properties"}}
    assert validator.validate_response("PUT", LOCATOR_PATH, 400, error_body) == []
    # additionalInfo[].info is a free-form object: any property is declared
    error_body["error"]["additionalInfo"] = [{"type": "PolicyViolation", "info": {"policyDefinitionId": "x", "n": 1}}]
    assert validator.validate_response("PUT", LOCATOR_PATH, 400, error_body) == []
    assert validator.validate_response("PUT", LOCATOR_PATH, 201, {"properties": {"assetName": "a"}}) == [
        "properties: 'streamingPolicyName' is a required property"
    ]


SECRETS = {
    "keyValue": "not//base64!!s3cr3t-token-key",
    "ask": "ask-s3cr3t-not-base64!!",
    "fairPlayPfx": 987654321,
    "fairPlayPfxPassword": 123456789,
    "content key value": "content-key-s3cr3t",
    "nested key value": "nested-s3cr3t",
}
KEY_ID = "a8ba0e56-7d0f-4e4e-9bd4-52b4f1f5e44a"


def test_no_secret_value_appears_in_any_error_message():
    fairplay = {
        "@odata.type": "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration",
        "ask": SECRETS["ask"],
        "fairPlayPfx": SECRETS["fairPlayPfx"],
        "fairPlayPfxPassword": SECRETS["fairPlayPfxPassword"],
        "rentalAndLeaseKeyType": "Undefined",
        "rentalDuration": 0,
    }
    symmetric_key = {"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": SECRETS["keyValue"]}
    policy = token_policy(primaryVerificationKey=symmetric_key, alternateVerificationKeys={"keyValue": SECRETS["nested key value"]})
    policy["properties"]["options"][0]["configuration"] = fairplay
    keys = [{"id": KEY_ID, "value": 7}, {"id": KEY_ID, "value": {"k": SECRETS["content key value"]}}]
    errors = validator.validate_request("PUT", POLICY_PATH, policy) + validator.validate_request(
        "PUT", LOCATOR_PATH, locator(contentKeys=keys)
    )
    assert sorted(errors) == [
        "properties.contentKeys[0].value: an integer (value not shown) is not of type 'string'",
        "properties.contentKeys[1].value: an object is not of type 'string'",
        "properties.options[0].configuration.ask: a string (value not shown) is not a 'byte'",
        "properties.options[0].configuration.fairPlayPfx: an integer (value not shown) is not of type 'string'",
        "properties.options[0].configuration.fairPlayPfxPassword: an integer (value not shown) is not of type 'string'",
        "properties.options[0].restriction.alternateVerificationKeys: an object is not of type 'array'",
        "properties.options[0].restriction.primaryVerificationKey.keyValue: a string (value not shown) is not a 'byte'",
    ]
    text = "\n".join(errors)
    assert not [name for name, secret in SECRETS.items() if str(secret) in text]
