"""Create bodies of every resource type the migration writes, valid and invalid.

Field names and values come from the reference (v3-api.md sections 3 and 8-10, and the
official examples); each invalid body breaks exactly one rule and the test names the rule.
"""

from __future__ import annotations

import copy

import pytest

from migrator.openapi import validator

LOCATOR_ID = "90c8bcb1-5d55-4f5b-8b3b-0f8de4fa87e3"
KEY_ID = "a8ba0e56-7d0f-4e4e-9bd4-52b4f1f5e44a"

VALID_BODIES = {
    "Microsoft.Media/mediaServices/assets": {
        "properties": {"alternateId": "nb:cid:UUID:1", "description": "x", "container": "asset-1", "storageAccountName": "st"}
    },
    "Microsoft.Media/mediaServices/assets/assetFilters": {
        "properties": {
            "presentationTimeRange": {
                "startTimestamp": 0,
                "endTimestamp": 170000000,
                "presentationWindowDuration": 9223372036854774806,
                "liveBackoffDuration": 0,
                "timescale": 10000000,
                "forceEndTimestamp": False,
            },
            "firstQuality": {"bitrate": 128000},
            "tracks": [
                {
                    "trackSelections": [
                        {"property": "Type", "operation": "Equal", "value": "Audio"},
                        {"property": "Bitrate", "operation": "Equal", "value": "3000000-5000000"},
                    ]
                }
            ],
        }
    },
    "Microsoft.Media/mediaServices/accountFilters": {"properties": {"firstQuality": {"bitrate": 128000}}},
    "Microsoft.Media/mediaServices/contentKeyPolicies": {
        "properties": {
            "description": "v2 key authorization policy",
            "options": [
                {
                    "name": "envelope",
                    "configuration": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},
                    "restriction": {
                        "@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction",
                        "issuer": "urn:issuer",
                        "audience": "urn:audience",
                        "restrictionTokenType": "Jwt",
                        "primaryVerificationKey": {
                            "@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey",
                            "keyValue": "AAAAAAAAAAAAAAAAAAAAAA==",
                        },
                        "alternateVerificationKeys": [],
                        "requiredClaims": [{"claimType": "urn:microsoft:azure:mediaservices:contentkeyidentifier"}],
                    },
                },
                {
                    "name": "playready",
                    "configuration": {
                        "@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration",
                        "licenses": [
                            {
                                "allowTestDevices": False,
                                "licenseType": "NonPersistent",
                                "contentType": "Unspecified",
                                "contentKeyLocation": {
                                    "@odata.type": "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier",
                                    "keyId": KEY_ID,
                                },
                                "gracePeriod": "PT1H",
                            }
                        ],
                    },
                    "restriction": {"@odata.type": "#Microsoft.Media.ContentKeyPolicyOpenRestriction"},
                },
            ],
        }
    },
    "Microsoft.Media/mediaServices/streamingPolicies": {
        "properties": {"noEncryption": {"enabledProtocols": {"download": True, "dash": True, "hls": True, "smoothStreaming": True}}}
    },
    "Microsoft.Media/mediaServices/streamingLocators": {
        "properties": {
            "assetName": "asset-1",
            "streamingPolicyName": "Predefined_ClearStreamingOnly",
            "streamingLocatorId": LOCATOR_ID,
            "startTime": "2018-03-01T00:00:00Z",
            "endTime": "9999-12-31T23:59:59.9999999Z",
            "filters": ["audio-only"],
        }
    },
    "Microsoft.Media/mediaServices/transforms": {
        "properties": {
            "description": "from a v2 job template",
            "outputs": [
                {
                    "onError": "StopProcessingJob",
                    "relativePriority": "Normal",
                    "preset": {"@odata.type": "#Microsoft.Media.BuiltInStandardEncoderPreset", "presetName": "AdaptiveStreaming"},
                },
                {
                    "preset": {
                        "@odata.type": "#Microsoft.Media.StandardEncoderPreset",
                        "codecs": [
                            {"@odata.type": "#Microsoft.Media.AacAudio", "channels": 2, "bitrate": 128000, "profile": "AacLc"},
                            {
                                "@odata.type": "#Microsoft.Media.H264Video",
                                "keyFrameInterval": "PT2S",
                                "layers": [{"bitrate": 1000000, "width": "1280", "height": "720", "label": "HD"}],
                            },
                        ],
                        "formats": [{"@odata.type": "#Microsoft.Media.Mp4Format", "filenamePattern": "{Basename}_{Bitrate}{Extension}"}],
                    }
                },
            ],
        }
    },
    "Microsoft.Media/mediaServices/transforms/jobs": {
        "properties": {
            "input": {
                "@odata.type": "#Microsoft.Media.JobInputAsset",
                "assetName": "in",
                "start": {"@odata.type": "#Microsoft.Media.AbsoluteClipTime", "time": "PT10S"},
            },
            "outputs": [{"@odata.type": "#Microsoft.Media.JobOutputAsset", "assetName": "out"}],
            "priority": "Normal",
        }
    },
    "Microsoft.Media/mediaServices/liveEvents": {
        "location": "westus",
        "tags": {"migrated-from": "channel"},
        "properties": {
            "input": {
                "streamingProtocol": "RTMP",
                "accessControl": {"ip": {"allow": [{"name": "all", "address": "0.0.0.0", "subnetPrefixLength": 0}]}},
            },
            "encoding": {"encodingType": "PassthroughStandard"},
            "streamOptions": ["Default"],
            "useStaticHostname": False,
        },
    },
    "Microsoft.Media/mediaServices/liveEvents/liveOutputs": {
        "properties": {"assetName": "a", "archiveWindowLength": "PT1H", "manifestName": "m", "hls": {"fragmentsPerTsSegment": 1}}
    },
    "Microsoft.Media/mediaServices/streamingEndpoints": {
        "location": "westus",
        "properties": {
            "scaleUnits": 0,
            "cdnEnabled": False,
            "customHostNames": [],
            "accessControl": {
                "akamai": {
                    "akamaiSignatureHeaderAuthenticationKeyList": [
                        {"identifier": "id1", "base64Key": "dGVzdA==", "expiration": "2030-01-01T00:00:00Z"}
                    ]
                }
            },
        },
    },
}


def mutated(resource_type: str, change) -> dict:
    body = copy.deepcopy(VALID_BODIES[resource_type])
    change(body)
    return body


@pytest.mark.parametrize("resource_type", sorted(VALID_BODIES))
def test_hand_made_create_body_of_each_migrated_type_is_valid(resource_type):
    assert validator.validate_resource_body(resource_type, VALID_BODIES[resource_type]) == []


def test_resource_type_lookup_ignores_case_as_arm_does():
    body = VALID_BODIES["Microsoft.Media/mediaServices/streamingLocators"]
    assert validator.validate_resource_body("microsoft.media/MEDIASERVICES/streaminglocators", body) == []


def test_unknown_resource_type_is_an_error_not_a_pass():
    errors = validator.validate_resource_body("Microsoft.Media/mediaServices/channels", {"properties": {}})
    assert errors == ["no PUT operation of the specs creates resources of type Microsoft.Media/mediaServices/channels"]


LOCATORS = "Microsoft.Media/mediaServices/streamingLocators"
POLICIES = "Microsoft.Media/mediaServices/contentKeyPolicies"
TRANSFORMS = "Microsoft.Media/mediaServices/transforms"
JOBS = "Microsoft.Media/mediaServices/transforms/jobs"
FILTERS = "Microsoft.Media/mediaServices/assets/assetFilters"
STREAMING_POLICIES = "Microsoft.Media/mediaServices/streamingPolicies"
LIVE_EVENTS = "Microsoft.Media/mediaServices/liveEvents"

INVALID = [
    (
        "missing-required-streamingPolicyName",
        LOCATORS,
        lambda b: b["properties"].pop("streamingPolicyName"),
        "properties: 'streamingPolicyName' is a required property",
    ),
    (
        "streamingLocatorId-not-a-uuid",
        LOCATORS,
        lambda b: b["properties"].update(streamingLocatorId="loc-1"),
        "properties.streamingLocatorId: 'loc-1' is not a 'uuid'",
    ),
    (
        "content-key-id-not-a-uuid",
        LOCATORS,
        lambda b: b["properties"].update(contentKeys=[{"id": "x", "labelReferenceInStreamingPolicy": "cenc"}]),
        "properties.contentKeys[0].id: 'x' is not a 'uuid'",
    ),
    (
        "content-key-without-id",
        LOCATORS,
        lambda b: b["properties"].update(contentKeys=[{"labelReferenceInStreamingPolicy": "cenc"}]),
        "properties.contentKeys[0]: 'id' is a required property",
    ),
    (
        "bad-date-time",
        LOCATORS,
        lambda b: b["properties"].update(startTime="2018-03-01 00:00"),
        "properties.startTime: '2018-03-01 00:00' is not a 'date-time'",
    ),
    (
        "read-only-created-set",
        LOCATORS,
        lambda b: b["properties"].update(created="2018-03-01T00:00:00Z"),
        "properties.created: is read-only; a request may not set it",
    ),
    (
        "undeclared-property",
        LOCATORS,
        lambda b: b["properties"].update(streamingPolicy="Predefined_ClearStreamingOnly"),
        "properties.streamingPolicy: is not a property the schema declares",
    ),
    (
        "wrong-type-filters",
        LOCATORS,
        lambda b: b["properties"].update(filters="audio-only"),
        "properties.filters: 'audio-only' is not of type 'array'",
    ),
    (
        "option-without-configuration",
        POLICIES,
        lambda b: b["properties"]["options"][0].pop("configuration"),
        "properties.options[0]: 'configuration' is a required property",
    ),
    (
        "unknown-configuration-discriminator",
        POLICIES,
        lambda b: b["properties"]["options"][0]["configuration"].update({"@odata.type": "#Microsoft.Media.Nope"}),
        "properties.options[0].configuration.@odata.type: unknown discriminator value '#Microsoft.Media.Nope'",
    ),
    (
        "token-restriction-without-issuer",
        POLICIES,
        lambda b: b["properties"]["options"][0]["restriction"].pop("issuer"),
        "properties.options[0].restriction: 'issuer' is a required property",
    ),
    (
        "wrong-enum-restrictionTokenType",
        POLICIES,
        lambda b: b["properties"]["options"][0]["restriction"].update(restrictionTokenType="Saml"),
        "properties.options[0].restriction.restrictionTokenType: 'Saml' is not one of: Unknown, Swt, Jwt",
    ),
    (
        "playready-key-location-keyId-not-a-uuid",
        POLICIES,
        lambda b: b["properties"]["options"][1]["configuration"]["licenses"][0]["contentKeyLocation"].update(keyId="k"),
        "properties.options[1].configuration.licenses[0].contentKeyLocation.keyId: 'k' is not a 'uuid'",
    ),
    (
        "grace-period-not-a-duration",
        POLICIES,
        lambda b: b["properties"]["options"][1]["configuration"]["licenses"][0].update(gracePeriod="1 hour"),
        "properties.options[1].configuration.licenses[0].gracePeriod: '1 hour' is not a 'duration'",
    ),
    (
        "read-only-policyOptionId-set",
        POLICIES,
        lambda b: b["properties"]["options"][1].update(policyOptionId=KEY_ID),
        "properties.options[1].policyOptionId: is read-only; a request may not set it",
    ),
    (
        "unknown-preset-discriminator",
        TRANSFORMS,
        lambda b: b["properties"]["outputs"][0]["preset"].update({"@odata.type": "#Microsoft.Media.MediaEncoderPremium"}),
        "properties.outputs[0].preset.@odata.type: unknown discriminator value '#Microsoft.Media.MediaEncoderPremium'",
    ),
    (
        "built-in-preset-name-not-in-enum",
        TRANSFORMS,
        lambda b: b["properties"]["outputs"][0]["preset"].update(presetName="H264 Multiple Bitrate 720p"),
        "properties.outputs[0].preset.presetName: 'H264 Multiple Bitrate 720p' is not one of:",
    ),
    (
        "layer-property-of-a-subtype-checked-through-two-levels-of-allOf",
        TRANSFORMS,
        lambda b: b["properties"]["outputs"][1]["preset"]["codecs"][1]["layers"][0].update(bitrate="1M"),
        "properties.outputs[1].preset.codecs[1].layers[0].bitrate: '1M' is not of type 'integer'",
    ),
    (
        "int32-out-of-range",
        TRANSFORMS,
        lambda b: b["properties"]["outputs"][1]["preset"]["codecs"][0].update(bitrate=2**31),
        "properties.outputs[1].preset.codecs[0].bitrate: 2147483648 is out of the int32 range",
    ),
    (
        "codec-property-of-another-subtype",
        TRANSFORMS,
        lambda b: b["properties"]["outputs"][1]["preset"]["codecs"][0].update(keyFrameInterval="PT2S"),
        "properties.outputs[1].preset.codecs[0].keyFrameInterval: is not a property the schema declares",
    ),
    (
        "job-output-without-discriminator",
        JOBS,
        lambda b: b["properties"]["outputs"][0].pop("@odata.type"),
        "properties.outputs[0]: '@odata.type' is a required property",
    ),
    (
        "clip-time-unknown-discriminator",
        JOBS,
        lambda b: b["properties"]["input"]["start"].update({"@odata.type": "#Microsoft.Media.FrameClipTime"}),
        "properties.input.start.@odata.type: unknown discriminator value '#Microsoft.Media.FrameClipTime'",
    ),
    (
        "int64-as-string",
        FILTERS,
        lambda b: b["properties"]["presentationTimeRange"].update(timescale="10000000"),
        "properties.presentationTimeRange.timescale: '10000000' is not of type 'integer'",
    ),
    (
        "track-selection-wrong-enum",
        FILTERS,
        lambda b: b["properties"]["tracks"][0]["trackSelections"][0].update(operation="Contains"),
        "properties.tracks[0].trackSelections[0].operation: 'Contains' is not one of: Equal, NotEqual",
    ),
    (
        "enabled-protocols-missing-one",
        STREAMING_POLICIES,
        lambda b: b["properties"]["noEncryption"]["enabledProtocols"].pop("hls"),
        "properties.noEncryption.enabledProtocols: 'hls' is a required property",
    ),
    (
        "boolean-as-string",
        STREAMING_POLICIES,
        lambda b: b["properties"]["noEncryption"]["enabledProtocols"].update(dash="true"),
        "properties.noEncryption.enabledProtocols.dash: 'true' is not of type 'boolean'",
    ),
    (
        "tracked-resource-without-location",
        LIVE_EVENTS,
        lambda b: b.pop("location"),
        "body: 'location' is a required property",
    ),
    (
        "tags-value-not-a-string",
        LIVE_EVENTS,
        lambda b: b["tags"].update(count=3),
        "tags.count: 3 is not of type 'string'",
    ),
]


@pytest.mark.parametrize(("resource_type", "change", "expected"), [case[1:] for case in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_body_is_caught_with_its_json_path(resource_type, change, expected):
    errors = validator.validate_resource_body(resource_type, mutated(resource_type, change))
    assert any(error.startswith(expected) for error in errors), errors
    assert len(errors) == 1, errors


def test_several_errors_are_all_reported():
    def break_twice(body):
        body["properties"].pop("assetName")
        body["properties"]["streamingLocatorId"] = "x"

    errors = validator.validate_resource_body(LOCATORS, mutated(LOCATORS, break_twice))
    assert sorted(errors) == [
        "properties.streamingLocatorId: 'x' is not a 'uuid'",
        "properties: 'assetName' is a required property",
    ]


def test_body_that_is_not_an_object_is_an_error():
    assert validator.validate_resource_body(LOCATORS, ["properties"]) == ["body: an array is not of type 'object'"]


def test_client_flatten_does_not_change_the_wire_shape_so_a_flattened_body_is_refused():
    flattened = dict(VALID_BODIES[LOCATORS]["properties"])
    errors = validator.validate_resource_body(LOCATORS, flattened)
    assert "assetName: is not a property the schema declares" in errors
    assert "streamingLocatorId: is not a property the schema declares" in errors


@pytest.mark.parametrize(
    "body",
    [
        "text",
        5,
        [],
        {"properties": []},
        {"properties": {"options": [None, 5, "x", [], {"configuration": 1, "restriction": {"@odata.type": 7}}]}},
        {"properties": {"options": "all"}, "@odata.type": None},
    ],
    ids=["string", "number", "array", "properties-array", "odd-options", "options-string"],
)
def test_malformed_bodies_give_errors_not_exceptions(body):
    for strict in (True, False):
        errors = validator.validate_resource_body(POLICIES, body, strict=strict)
        assert errors and all(isinstance(error, str) and "\n" not in error for error in errors)
