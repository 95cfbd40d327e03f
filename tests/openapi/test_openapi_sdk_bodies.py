"""A second source: bodies serialized by the official Python SDK models pass strict validation.

azure-mgmt-media 10.2.1 (test extra) was generated from the same swagger (api-versions 2022-07-01
and 2022-08-01), so its wire names and discriminators must be accepted as they are; a mismatch here
means the validator, not the SDK, misreads the spec. Values are the reference's examples' values.
"""

from __future__ import annotations

import pytest

models = pytest.importorskip("azure.mgmt.media.models")
serialization = pytest.importorskip("azure.mgmt.media._serialization")

from migrator.openapi import validator  # noqa: E402

SERIALIZER = serialization.Serializer({name: cls for name, cls in vars(models).items() if isinstance(cls, type)})
KEY_ID = "a8ba0e56-7d0f-4e4e-9bd4-52b4f1f5e44a"


def transform():
    preset = models.StandardEncoderPreset(
        codecs=[
            models.AacAudio(channels=2, sampling_rate=48000, bitrate=128000, profile="AacLc"),
            models.H264Video(
                key_frame_interval="PT2S",
                layers=[models.H264Layer(bitrate=3600000, width="1280", height="720", label="HD")],
            ),
            models.PngImage(start="25%", step="25%", range="80%", layers=[models.PngLayer(width="50%", height="50%")]),
        ],
        formats=[
            models.Mp4Format(filename_pattern="Video-{Basename}-{Label}-{Bitrate}{Extension}"),
            models.PngFormat(filename_pattern="Thumbnail-{Basename}-{Index}{Extension}"),
        ],
        filters=models.Filters(
            deinterlace=models.Deinterlace(parity="Auto", mode="AutoPixelAdaptive"),
            overlays=[models.VideoOverlay(input_label="logo", position=models.Rectangle(left="10", top="10"))],
        ),
    )
    return models.Transform(
        description="d",
        outputs=[models.TransformOutput(preset=preset, on_error="StopProcessingJob", relative_priority="Normal")],
    )


def job():
    return models.Job(
        input=models.JobInputHttp(
            base_uri="https://contoso.example/",
            files=["a.mp4"],
            start=models.AbsoluteClipTime(time="PT5S"),
            input_definitions=[
                models.FromAllInputFile(
                    included_tracks=[models.SelectAudioTrackByAttribute(attribute="Bitrate", filter="Top")]
                )
            ],
        ),
        outputs=[models.JobOutputAsset(asset_name="out", label="l")],
        priority="High",
        correlation_data={"migratedFrom": "nb:jid:UUID:1"},
    )


def content_key_policy():
    token = models.ContentKeyPolicyTokenRestriction(
        issuer="urn:issuer",
        audience="urn:audience",
        primary_verification_key=models.ContentKeyPolicySymmetricTokenKey(key_value=b"\0" * 16),
        alternate_verification_keys=[
            models.ContentKeyPolicyRsaTokenKey(exponent=b"\1\0\1", modulus=b"\2" * 8),
            models.ContentKeyPolicyX509CertificateTokenKey(raw_body=b"\3" * 8),
        ],
        required_claims=[models.ContentKeyPolicyTokenClaim(claim_type="urn:microsoft:azure:mediaservices:contentkeyidentifier")],
        restriction_token_type="Jwt",
    )
    playready = models.ContentKeyPolicyPlayReadyConfiguration(
        licenses=[
            models.ContentKeyPolicyPlayReadyLicense(
                allow_test_devices=True,
                security_level="SL150",
                begin_date="2017-10-16T18:22:53.46Z",
                play_right=models.ContentKeyPolicyPlayReadyPlayRight(
                    scms_restriction=2,
                    digital_video_only_content_restriction=False,
                    image_constraint_for_analog_component_video_restriction=True,
                    image_constraint_for_analog_computer_monitor_restriction=False,
                    allow_passing_video_content_to_unknown_output="NotAllowed",
                ),
                license_type="Persistent",
                content_key_location=models.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier(key_id=KEY_ID),
                content_type="UltraVioletDownload",
            )
        ]
    )
    fairplay = models.ContentKeyPolicyFairPlayConfiguration(
        ask=b"\4" * 16,
        fair_play_pfx_password="pw",
        fair_play_pfx="cGZ4",
        rental_and_lease_key_type="PersistentLimited",
        rental_duration=0,
        offline_rental_configuration=models.ContentKeyPolicyFairPlayOfflineRentalConfiguration(
            playback_duration_seconds=500, storage_duration_seconds=300
        ),
    )
    return models.ContentKeyPolicy(
        description="from a v2 authorization policy",
        options=[
            models.ContentKeyPolicyOption(name="clear", configuration=models.ContentKeyPolicyClearKeyConfiguration(), restriction=token),
            models.ContentKeyPolicyOption(name="playready", configuration=playready, restriction=models.ContentKeyPolicyOpenRestriction()),
            models.ContentKeyPolicyOption(name="fairplay", configuration=fairplay, restriction=models.ContentKeyPolicyOpenRestriction()),
            models.ContentKeyPolicyOption(
                name="widevine",
                configuration=models.ContentKeyPolicyWidevineConfiguration(widevine_template='{"allowed_track_types":"SD_HD"}'),
                restriction=models.ContentKeyPolicyOpenRestriction(),
            ),
        ],
    )


def streaming_policy():
    protocols = models.EnabledProtocols(download=False, dash=True, hls=True, smooth_streaming=True)
    keys = models.StreamingPolicyContentKeys(default_key=models.DefaultKey(label="cbcs", policy_name="policy1"))
    return models.StreamingPolicy(
        default_content_key_policy_name="policy1",
        common_encryption_cbcs=models.CommonEncryptionCbcs(
            enabled_protocols=protocols,
            content_keys=keys,
            drm=models.CbcsDrmConfiguration(
                fair_play=models.StreamingPolicyFairPlayConfiguration(
                    custom_license_acquisition_url_template="https://k/{ContentKeyId}", allow_persistent_license=True
                )
            ),
        ),
        envelope_encryption=models.EnvelopeEncryption(
            enabled_protocols=protocols,
            clear_tracks=[models.TrackSelection(track_selections=[models.TrackPropertyCondition(property="FourCC", operation="Equal", value="hev1")])],
            content_keys=keys,
        ),
    )


def streaming_locator():
    return models.StreamingLocator(
        asset_name="asset-1",
        streaming_policy_name="Predefined_MultiDrmCencStreaming",
        streaming_locator_id="90c8bcb1-5d55-4f5b-8b3b-0f8de4fa87e3",
        start_time="2018-03-01T00:00:00Z",
        content_keys=[models.StreamingLocatorContentKey(id=KEY_ID, label_reference_in_streaming_policy="cencDefaultKey", value="1UqLohAfWsEGkULYxHjYZg==")],
        filters=["audio-only"],
    )


def asset_filter():
    return models.AssetFilter(
        presentation_time_range=models.PresentationTimeRange(
            start_timestamp=0, end_timestamp=170000000, presentation_window_duration=9223372036854774806, live_backoff_duration=0, timescale=10000000, force_end_timestamp=False
        ),
        first_quality=models.FirstQuality(bitrate=128000),
        tracks=[models.FilterTrackSelection(track_selections=[models.FilterTrackPropertyCondition(property="Type", value="Audio", operation="Equal")])],
    )


def live_event():
    return models.LiveEvent(
        location="westus",
        tags={"migrated-from": "channel"},
        input=models.LiveEventInput(
            streaming_protocol="RTMP",
            key_frame_interval_duration="PT2S",
            access_control=models.LiveEventInputAccessControl(ip=models.IPAccessControl(allow=[models.IPRange(name="all", address="0.0.0.0", subnet_prefix_length=0)])),
        ),
        encoding=models.LiveEventEncoding(encoding_type="Standard", preset_name="Default720p"),
        transcriptions=[models.LiveEventTranscription(language="en-US")],
        use_static_hostname=True,
        hostname_prefix="x",
        stream_options=["LowLatency"],
    )


def live_output():
    return models.LiveOutput(asset_name="a", archive_window_length="PT1H", manifest_name="m", hls=models.Hls(fragments_per_ts_segment=1))


def streaming_endpoint():
    return models.StreamingEndpoint(
        location="westus",
        scale_units=1,
        cdn_enabled=True,
        cdn_provider="StandardVerizon",
        max_cache_age=3600,
        access_control=models.StreamingEndpointAccessControl(
            akamai=models.AkamaiAccessControl(
                akamai_signature_header_authentication_key_list=[
                    models.AkamaiSignatureHeaderAuthenticationKey(identifier="id1", base64_key="dGVzdA==", expiration="2030-01-01T00:00:00Z")
                ]
            )
        ),
        cross_site_access_policies=models.CrossSiteAccessPolicies(client_access_policy="<xml/>"),
    )


CASES = [
    ("Microsoft.Media/mediaServices/transforms", "Transform", transform),
    ("Microsoft.Media/mediaServices/transforms/jobs", "Job", job),
    ("Microsoft.Media/mediaServices/contentKeyPolicies", "ContentKeyPolicy", content_key_policy),
    ("Microsoft.Media/mediaServices/streamingPolicies", "StreamingPolicy", streaming_policy),
    ("Microsoft.Media/mediaServices/streamingLocators", "StreamingLocator", streaming_locator),
    ("Microsoft.Media/mediaServices/assets/assetFilters", "AssetFilter", asset_filter),
    ("Microsoft.Media/mediaServices/liveEvents", "LiveEvent", live_event),
    ("Microsoft.Media/mediaServices/liveEvents/liveOutputs", "LiveOutput", live_output),
    ("Microsoft.Media/mediaServices/streamingEndpoints", "StreamingEndpoint", streaming_endpoint),
]


@pytest.mark.parametrize(("resource_type", "model", "build"), CASES, ids=[case[1] for case in CASES])
def test_sdk_serialized_body_is_valid_in_strict_mode(resource_type, model, build):
    body = SERIALIZER.body(build(), model)
    assert validator.validate_resource_body(resource_type, body) == []
