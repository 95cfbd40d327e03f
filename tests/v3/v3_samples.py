"""One richly filled instance of every request model the client sends, for body validation."""

from __future__ import annotations

from datetime import datetime, timezone

from migrator.v3 import models as m

KEY_16 = "1UqLohAfWsEGkULYxHjYZg=="  # 16-byte base64 value of the official locator example
SYMMETRIC_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
WHEN = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)

TRACKS = (
    m.FilterTrackSelection(
        track_selections=(
            m.FilterTrackPropertyCondition(m.FilterTrackPropertyType.TYPE, "Video", m.FilterTrackPropertyCompareOperation.EQUAL),
            m.FilterTrackPropertyCondition(m.FilterTrackPropertyType.BITRATE, "3000000-5000000", m.FilterTrackPropertyCompareOperation.EQUAL),
        )
    ),
)
TIME_RANGE = m.PresentationTimeRange(
    start_timestamp=0,
    end_timestamp=170000000,
    presentation_window_duration=9223372036854774806,
    live_backoff_duration=0,
    timescale=10000000,
    force_end_timestamp=False,
)

ASSET = m.Asset(
    alternate_id="nb:cid:UUID:3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    description="v2 asset name",
    container="asset-3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    storage_account_name="storage0",
    encryption_scope="scope1",
)
ASSET_FILTER = m.AssetFilter(presentation_time_range=TIME_RANGE, first_quality=m.FirstQuality(bitrate=128000), tracks=TRACKS)
ACCOUNT_FILTER = m.AccountFilter(first_quality=m.FirstQuality(bitrate=128000), tracks=TRACKS)

PLAY_RIGHT = m.ContentKeyPolicyPlayReadyPlayRight(
    digital_video_only_content_restriction=False,
    image_constraint_for_analog_component_video_restriction=True,
    image_constraint_for_analog_computer_monitor_restriction=False,
    allow_passing_video_content_to_unknown_output="NotAllowed",
    first_play_expiration="PT1H",
    scms_restriction=2,
    agc_and_color_stripe_restriction=1,
    explicit_analog_television_output_restriction=m.ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction(best_effort=True, configuration_data=2),
    uncompressed_digital_video_opl=300,
    compressed_digital_video_opl=500,
    analog_video_opl=200,
    compressed_digital_audio_opl=250,
    uncompressed_digital_audio_opl=250,
)
TOKEN_RESTRICTION = m.ContentKeyPolicyTokenRestriction(
    issuer="urn:issuer",
    audience="urn:audience",
    primary_verification_key=m.ContentKeyPolicySymmetricTokenKey(key_value=SYMMETRIC_KEY),
    restriction_token_type=m.RestrictionTokenType.JWT,
    alternate_verification_keys=(
        m.ContentKeyPolicyRsaTokenKey(exponent="AQAB", modulus="AAAA"),
        m.ContentKeyPolicyX509CertificateTokenKey(raw_body="AAAA"),
    ),
    required_claims=(m.ContentKeyPolicyTokenClaim(claim_type="urn:microsoft:azure:mediaservices:contentkeyidentifier"),),
    open_id_connect_discovery_document=None,
)
CONTENT_KEY_POLICY = m.ContentKeyPolicy(
    description="migrated from v2 authorization policy",
    options=(
        m.ContentKeyPolicyOption(name="aes", configuration=m.ContentKeyPolicyClearKeyConfiguration(), restriction=TOKEN_RESTRICTION),
        m.ContentKeyPolicyOption(
            name="widevine",
            configuration=m.ContentKeyPolicyWidevineConfiguration(widevine_template='{"allowed_track_types":"SD_HD"}'),
            restriction=m.ContentKeyPolicyOpenRestriction(),
        ),
        m.ContentKeyPolicyOption(
            name="playready",
            configuration=m.ContentKeyPolicyPlayReadyConfiguration(
                licenses=(
                    m.ContentKeyPolicyPlayReadyLicense(
                        allow_test_devices=True,
                        license_type="Persistent",
                        content_key_location=m.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier(key_id="60000000-0000-0000-0000-000000000001"),
                        content_type="UltraVioletDownload",
                        security_level="SL150",
                        begin_date=WHEN,
                        expiration_date=WHEN,
                        grace_period="PT5M",
                        play_right=PLAY_RIGHT,
                    ),
                    m.ContentKeyPolicyPlayReadyLicense(relative_begin_date="PT0S", relative_expiration_date="P1D"),
                ),
                response_custom_data="custom",
            ),
            restriction=m.ContentKeyPolicyOpenRestriction(),
        ),
        m.ContentKeyPolicyOption(
            name="fairplay",
            configuration=m.ContentKeyPolicyFairPlayConfiguration(
                ask=KEY_16,
                fair_play_pfx_password="pfx-password-secret",
                fair_play_pfx="MIIpfxbase64",
                rental_and_lease_key_type="PersistentLimited",
                rental_duration=0,
                offline_rental_configuration=m.ContentKeyPolicyFairPlayOfflineRentalConfiguration(playback_duration_seconds=3600, storage_duration_seconds=86400),
            ),
            restriction=m.ContentKeyPolicyOpenRestriction(),
        ),
    ),
)

PROTOCOLS = m.EnabledProtocols(download=False, dash=True, hls=True, smooth_streaming=True)
FOURCC_TRACKS = (m.TrackSelection(track_selections=(m.TrackPropertyCondition(property="FourCC", operation="Equal", value="hev1"),)),)
CONTENT_KEYS = m.StreamingPolicyContentKeys(
    default_key=m.DefaultKey(label="cencDefaultKey", policy_name="policy1"),
    key_to_track_mappings=(m.StreamingPolicyContentKey(label="hevc", policy_name="policy1", tracks=FOURCC_TRACKS),),
)
STREAMING_POLICY = m.StreamingPolicy(
    default_content_key_policy_name="policy1",
    envelope_encryption=m.EnvelopeEncryption(
        enabled_protocols=PROTOCOLS,
        content_keys=m.StreamingPolicyContentKeys(default_key=m.DefaultKey(label="aesDefaultKey")),
        custom_key_acquisition_url_template="https://keys.example/{AlternativeMediaId}/envelope/{ContentKeyId}",
    ),
    common_encryption_cenc=m.CommonEncryptionCenc(
        enabled_protocols=PROTOCOLS,
        clear_tracks=FOURCC_TRACKS,
        content_keys=CONTENT_KEYS,
        drm=m.CencDrmConfiguration(
            play_ready=m.StreamingPolicyPlayReadyConfiguration(custom_license_acquisition_url_template="https://pr.example/{ContentKeyId}", play_ready_custom_attributes="attr"),
            widevine=m.StreamingPolicyWidevineConfiguration(custom_license_acquisition_url_template="https://wv.example/{ContentKeyId}"),
        ),
        clear_key_encryption_configuration=m.ClearKeyEncryptionConfiguration(custom_keys_acquisition_url_template="https://ck.example/{AlternativeMediaId}"),
    ),
    common_encryption_cbcs=m.CommonEncryptionCbcs(
        enabled_protocols=PROTOCOLS,
        content_keys=m.StreamingPolicyContentKeys(default_key=m.DefaultKey(label="cbcsDefaultKey")),
        drm=m.CbcsDrmConfiguration(fair_play=m.StreamingPolicyFairPlayConfiguration(allow_persistent_license=True, custom_license_acquisition_url_template="https://fp.example/{ContentKeyId}")),
    ),
)
CLEAR_STREAMING_POLICY = m.StreamingPolicy(no_encryption=m.NoEncryption(enabled_protocols=PROTOCOLS))

STREAMING_LOCATOR = m.StreamingLocator(
    asset_name="3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    streaming_policy_name="secureStreamingPolicy",
    start_time=WHEN,
    end_time=WHEN,
    streaming_locator_id="90000000-0000-0000-0000-00000000000a",
    default_content_key_policy_name="policy1",
    content_keys=(m.StreamingLocatorContentKey(id="60000000-0000-0000-0000-000000000001", label_reference_in_streaming_policy="aesDefaultKey", value=KEY_16),),
    alternative_media_id="nb:lid:UUID:90000000-0000-0000-0000-00000000000a",
    filters=("hd-only",),
)

TRANSFORM = m.Transform(
    description="from v2 task preset",
    outputs=(
        m.TransformOutput(
            preset=m.BuiltInStandardEncoderPreset(
                preset_name="H264MultipleBitrate720p",
                configurations=m.PresetConfigurations(complexity="Balanced", key_frame_interval_in_seconds=2.0, max_layers=4, max_height=720),
            ),
            on_error=m.OnErrorType.STOP_PROCESSING_JOB,
            relative_priority=m.Priority.NORMAL,
        ),
        m.TransformOutput(preset=m.AudioAnalyzerPreset(audio_language="en-US", mode="Standard", experimental_options={"k": "v"})),
        m.TransformOutput(preset=m.VideoAnalyzerPreset(audio_language="en-US", insights_to_extract="AllInsights")),
    ),
)
JOB = m.Job(
    description="re-run",
    input=m.JobInputs(inputs=(m.JobInputAsset(asset_name="in1", files=("a.mp4",), label="main"), m.JobInputHttp(base_uri="https://media.example/", files=("b.mp4",)))),
    outputs=(m.JobOutputAsset(asset_name="out1", label="main"),),
    priority=m.Priority.HIGH,
    correlation_data={"v2JobId": "nb:jid:UUID:1"},
)

IP_ALLOW = m.IPAccessControl(allow=(m.IPRange(name="all", address="0.0.0.0", subnet_prefix_length=0),))
LIVE_EVENT = m.LiveEvent(
    location="westus",
    tags={"migrated-from": "channel"},
    description="from v2 channel",
    input=m.LiveEventInput(
        streaming_protocol=m.LiveEventInputProtocol.RTMP,
        access_control=m.LiveEventInputAccessControl(ip=IP_ALLOW),
        key_frame_interval_duration="PT2S",
        access_token="acf7b6ef-8a37-425f-b8fc-51c2d6a5a86a",
    ),
    preview=m.LiveEventPreview(access_control=m.LiveEventPreviewAccessControl(ip=IP_ALLOW), alternative_media_id="preview"),
    encoding=m.LiveEventEncoding(encoding_type=m.LiveEventEncodingType.STANDARD, preset_name="Default720p", stretch_mode="AutoFit", key_frame_interval="PT2S"),
    transcriptions=(
        m.LiveEventTranscription(
            language="en-US",
            input_track_selection=(m.LiveEventInputTrackSelection(property="Language", operation="Equal", value="en-US"),),
            output_transcription_track=m.LiveEventOutputTranscriptionTrack(track_name="captions"),
        ),
    ),
    cross_site_access_policies=m.CrossSiteAccessPolicies(client_access_policy="<access-policy/>", cross_domain_policy="<cross-domain-policy/>"),
    use_static_hostname=True,
    hostname_prefix="channel1",
    stream_options=("Default",),
)
LIVE_OUTPUT = m.LiveOutput(
    asset_name="archive1",
    archive_window_length="PT5M",
    description="from v2 program",
    rewind_window_length="PT4M",
    manifest_name="program1",
    hls=m.Hls(fragments_per_ts_segment=5),
    output_snap_time=0,
)
STREAMING_ENDPOINT = m.StreamingEndpoint(
    location="westus",
    tags={"migrated-from": "origin"},
    sku=m.StreamingEndpointSku(capacity=1),
    scale_units=1,
    description="from v2 origin",
    access_control=m.StreamingEndpointAccessControl(
        akamai=m.AkamaiAccessControl(
            akamai_signature_header_authentication_key_list=(m.AkamaiSignatureHeaderAuthenticationKey(identifier="id1", base64_key=KEY_16, expiration=WHEN),)
        ),
        ip=IP_ALLOW,
    ),
    max_cache_age=3600,
    custom_host_names=("media.contoso.com",),
    cdn_enabled=False,
    cross_site_access_policies=m.CrossSiteAccessPolicies(client_access_policy="<access-policy/>"),
)
WEBHOOK_SUBSCRIPTION = m.EventSubscription(
    destination=m.WebHookEventSubscriptionDestination(endpoint_url="https://hooks.example/ams?code=webhook-secret-code", max_events_per_batch=1, preferred_batch_size_in_kilobytes=64),
    filter=m.EventSubscriptionFilter(included_event_types=("Microsoft.Media.JobStateChange",), subject_begins_with="transforms/", is_subject_case_sensitive=False),
    labels=("ams-migrator",),
    event_delivery_schema="EventGridSchema",
    retry_policy=m.RetryPolicy(max_delivery_attempts=30, event_time_to_live_in_minutes=1440),
)
QUEUE_SUBSCRIPTION = m.EventSubscription(
    destination=m.StorageQueueEventSubscriptionDestination(
        resource_id="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/contosorg/providers/Microsoft.Storage/storageAccounts/storage0",
        queue_name="ams-notifications",
        queue_message_time_to_live_in_seconds=604800,
    ),
    filter=m.EventSubscriptionFilter(included_event_types=("Microsoft.Media.JobFinished", "Microsoft.Media.JobErrored")),
)
