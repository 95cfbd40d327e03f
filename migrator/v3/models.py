"""Typed v3 requests and answers: frozen dataclasses that read and write ARM JSON.

Field names are the snake_case of the wire names in the official swagger files (Accounts and
Metadata 2023-01-01, Encoding 2022-07-01, Streaming 2022-11-01) and Event Grid 2022-06-15.
``to_body()`` leaves out read-only fields and unset (None) fields; an empty tuple is sent as
an empty list. Secret-bearing fields (content key values, token signing keys, FairPlay
secrets, the asset decryption key, container SAS URLs, Akamai keys, webhook URLs) are hidden
from ``repr`` and registered with ``migrator.redact.SECRETS`` when an answer is parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, ClassVar, Mapping

from migrator.v3.modeling import OpaqueModel, WireModel, wire


class _Resource(WireModel):
    ENVELOPE: ClassVar[bool] = True


# --- enums (values as on the wire) -----------------------------------------------------------


class AssetContainerPermission(str, Enum):
    READ = "Read"
    READ_WRITE = "ReadWrite"
    READ_WRITE_DELETE = "ReadWriteDelete"


class StorageAccountType(str, Enum):
    PRIMARY = "Primary"
    SECONDARY = "Secondary"


class DefaultAction(str, Enum):
    ALLOW = "Allow"
    DENY = "Deny"


class FilterTrackPropertyType(str, Enum):
    UNKNOWN = "Unknown"
    TYPE = "Type"
    NAME = "Name"
    LANGUAGE = "Language"
    FOURCC = "FourCC"
    BITRATE = "Bitrate"


class FilterTrackPropertyCompareOperation(str, Enum):
    EQUAL = "Equal"
    NOT_EQUAL = "NotEqual"


class StreamingProtocol(str, Enum):
    HLS = "Hls"
    DASH = "Dash"
    SMOOTH_STREAMING = "SmoothStreaming"
    DOWNLOAD = "Download"


class EncryptionScheme(str, Enum):
    NO_ENCRYPTION = "NoEncryption"
    ENVELOPE_ENCRYPTION = "EnvelopeEncryption"
    COMMON_ENCRYPTION_CENC = "CommonEncryptionCenc"
    COMMON_ENCRYPTION_CBCS = "CommonEncryptionCbcs"


class StreamingLocatorContentKeyType(str, Enum):
    COMMON_ENCRYPTION_CENC = "CommonEncryptionCenc"
    COMMON_ENCRYPTION_CBCS = "CommonEncryptionCbcs"
    ENVELOPE_ENCRYPTION = "EnvelopeEncryption"


class RestrictionTokenType(str, Enum):
    UNKNOWN = "Unknown"
    SWT = "Swt"
    JWT = "Jwt"


class JobState(str, Enum):
    CANCELED = "Canceled"
    CANCELING = "Canceling"
    ERROR = "Error"
    FINISHED = "Finished"
    PROCESSING = "Processing"
    QUEUED = "Queued"
    SCHEDULED = "Scheduled"


class Priority(str, Enum):
    LOW = "Low"
    NORMAL = "Normal"
    HIGH = "High"


class OnErrorType(str, Enum):
    STOP_PROCESSING_JOB = "StopProcessingJob"
    CONTINUE_JOB = "ContinueJob"


class LiveEventInputProtocol(str, Enum):
    FRAGMENTED_MP4 = "FragmentedMP4"
    RTMP = "RTMP"


class LiveEventEncodingType(str, Enum):
    NONE = "None"
    STANDARD = "Standard"
    PREMIUM_1080P = "Premium1080p"
    PASSTHROUGH_BASIC = "PassthroughBasic"
    PASSTHROUGH_STANDARD = "PassthroughStandard"


class LiveEventResourceState(str, Enum):
    STOPPED = "Stopped"
    ALLOCATING = "Allocating"
    STAND_BY = "StandBy"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    DELETING = "Deleting"


class LiveOutputResourceState(str, Enum):
    CREATING = "Creating"
    RUNNING = "Running"
    DELETING = "Deleting"


class StreamingEndpointResourceState(str, Enum):
    STOPPED = "Stopped"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    DELETING = "Deleting"
    SCALING = "Scaling"


# --- account -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorageAccount(WireModel):
    id: str | None = None
    type: StorageAccountType = StorageAccountType.PRIMARY
    status: str | None = wire(read_only=True)


@dataclass(frozen=True)
class AccessControl(WireModel):
    default_action: DefaultAction | None = None
    ip_allow_list: tuple[str, ...] | None = None


@dataclass(frozen=True)
class KeyDelivery(WireModel):
    access_control: AccessControl | None = None


@dataclass(frozen=True)
class MediaServiceAccount(_Resource):
    """What the migration reads of the account: its storage and key delivery settings."""

    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    location: str | None = wire(top=True)
    tags: Mapping[str, str] | None = wire(top=True)
    media_service_id: str | None = wire(read_only=True)
    storage_accounts: tuple[StorageAccount, ...] | None = None
    storage_authentication: str | None = None
    key_delivery: KeyDelivery | None = None
    public_network_access: str | None = None
    minimum_tls_version: str | None = None
    provisioning_state: str | None = wire(read_only=True)

    def key_delivery_ip_allow_list(self) -> tuple[str, ...]:
        control = self.key_delivery.access_control if self.key_delivery else None
        return (control.ip_allow_list or ()) if control else ()

    def storage_account_names(self) -> tuple[str, ...]:
        """Storage account names (the last segment of each storage account id)."""
        return tuple(s.id.rsplit("/", 1)[-1] for s in self.storage_accounts or () if s.id)


# --- assets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asset(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    alternate_id: str | None = None
    description: str | None = None
    container: str | None = None
    storage_account_name: str | None = None
    encryption_scope: str | None = None
    asset_id: str | None = wire(read_only=True)
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)
    storage_encryption_format: str | None = wire(read_only=True)


@dataclass(frozen=True)
class ListContainerSasInput(WireModel):
    permissions: AssetContainerPermission = AssetContainerPermission.READ
    expiry_time: datetime | None = None  # the service wants less than 24 hours from now


@dataclass(frozen=True)
class AssetContainerSas(WireModel):
    asset_container_sas_urls: tuple[str, ...] | None = wire(secret=True)


@dataclass(frozen=True)
class AssetFileEncryptionMetadata(WireModel):
    asset_file_id: str | None = None
    asset_file_name: str | None = None
    initialization_vector: str | None = None


@dataclass(frozen=True)
class StorageEncryptedAssetDecryptionData(WireModel):
    """getEncryptionKey: the key that decrypts v2 storage-encrypted files (secret)."""

    key: str | None = wire(secret=True)
    asset_file_encryption_metadata: tuple[AssetFileEncryptionMetadata, ...] | None = None


@dataclass(frozen=True)
class AssetStreamingLocator(WireModel):
    name: str | None = None
    asset_name: str | None = None
    created: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    streaming_locator_id: str | None = None
    streaming_policy_name: str | None = None
    default_content_key_policy_name: str | None = None


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PresentationTimeRange(WireModel):
    start_timestamp: int | None = None
    end_timestamp: int | None = None
    presentation_window_duration: int | None = None
    live_backoff_duration: int | None = None
    timescale: int | None = None
    force_end_timestamp: bool | None = None


@dataclass(frozen=True)
class FirstQuality(WireModel):
    bitrate: int = 0


@dataclass(frozen=True)
class FilterTrackPropertyCondition(WireModel):
    property: FilterTrackPropertyType = FilterTrackPropertyType.UNKNOWN
    value: str = ""
    operation: FilterTrackPropertyCompareOperation = FilterTrackPropertyCompareOperation.EQUAL


@dataclass(frozen=True)
class FilterTrackSelection(WireModel):
    """Conditions inside one selection are ANDed."""

    track_selections: tuple[FilterTrackPropertyCondition, ...] = ()


@dataclass(frozen=True)
class AccountFilter(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    presentation_time_range: PresentationTimeRange | None = None
    first_quality: FirstQuality | None = None
    tracks: tuple[FilterTrackSelection, ...] | None = None


@dataclass(frozen=True)
class AssetFilter(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    presentation_time_range: PresentationTimeRange | None = None
    first_quality: FirstQuality | None = None
    tracks: tuple[FilterTrackSelection, ...] | None = None


# --- content key policies ----------------------------------------------------------------------


class ContentKeyPolicyConfiguration(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class ContentKeyPolicyClearKeyConfiguration(ContentKeyPolicyConfiguration):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"


@dataclass(frozen=True)
class ContentKeyPolicyUnknownConfiguration(ContentKeyPolicyConfiguration):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyUnknownConfiguration"


@dataclass(frozen=True)
class ContentKeyPolicyWidevineConfiguration(ContentKeyPolicyConfiguration):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyWidevineConfiguration"
    widevine_template: str = ""


class ContentKeyPolicyPlayReadyContentKeyLocation(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader(ContentKeyPolicyPlayReadyContentKeyLocation):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"


@dataclass(frozen=True)
class ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier(ContentKeyPolicyPlayReadyContentKeyLocation):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier"
    key_id: str = ""


@dataclass(frozen=True)
class ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction(WireModel):
    best_effort: bool = False
    configuration_data: int = 0


@dataclass(frozen=True)
class ContentKeyPolicyPlayReadyPlayRight(WireModel):
    digital_video_only_content_restriction: bool = False
    image_constraint_for_analog_component_video_restriction: bool = False
    image_constraint_for_analog_computer_monitor_restriction: bool = False
    allow_passing_video_content_to_unknown_output: str = "NotAllowed"
    first_play_expiration: str | None = None
    scms_restriction: int | None = None
    agc_and_color_stripe_restriction: int | None = None
    explicit_analog_television_output_restriction: ContentKeyPolicyPlayReadyExplicitAnalogTelevisionRestriction | None = None
    uncompressed_digital_video_opl: int | None = None
    compressed_digital_video_opl: int | None = None
    analog_video_opl: int | None = None
    compressed_digital_audio_opl: int | None = None
    uncompressed_digital_audio_opl: int | None = None


@dataclass(frozen=True)
class ContentKeyPolicyPlayReadyLicense(WireModel):
    allow_test_devices: bool = False
    license_type: str = "NonPersistent"
    content_key_location: ContentKeyPolicyPlayReadyContentKeyLocation = ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader()
    content_type: str = "Unspecified"
    security_level: str | None = None
    begin_date: datetime | None = None
    expiration_date: datetime | None = None
    relative_begin_date: str | None = None
    relative_expiration_date: str | None = None
    grace_period: str | None = None
    play_right: ContentKeyPolicyPlayReadyPlayRight | None = None


@dataclass(frozen=True)
class ContentKeyPolicyPlayReadyConfiguration(ContentKeyPolicyConfiguration):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyPlayReadyConfiguration"
    licenses: tuple[ContentKeyPolicyPlayReadyLicense, ...] = ()
    response_custom_data: str | None = None


@dataclass(frozen=True)
class ContentKeyPolicyFairPlayOfflineRentalConfiguration(WireModel):
    playback_duration_seconds: int = 0
    storage_duration_seconds: int = 0


@dataclass(frozen=True)
class ContentKeyPolicyFairPlayConfiguration(ContentKeyPolicyConfiguration):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration"
    ask: str | None = wire(secret=True)
    fair_play_pfx_password: str | None = wire(secret=True)
    fair_play_pfx: str | None = wire(secret=True)
    rental_and_lease_key_type: str = "Undefined"
    rental_duration: int = 0
    offline_rental_configuration: ContentKeyPolicyFairPlayOfflineRentalConfiguration | None = None


@dataclass(frozen=True)
class OpaqueContentKeyPolicyConfiguration(OpaqueModel, ContentKeyPolicyConfiguration):
    pass


ContentKeyPolicyConfiguration.OPAQUE = OpaqueContentKeyPolicyConfiguration


class ContentKeyPolicyRestrictionTokenKey(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class ContentKeyPolicySymmetricTokenKey(ContentKeyPolicyRestrictionTokenKey):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey"
    key_value: str | None = wire(secret=True)


@dataclass(frozen=True)
class ContentKeyPolicyRsaTokenKey(ContentKeyPolicyRestrictionTokenKey):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyRsaTokenKey"
    exponent: str = ""
    modulus: str = ""


@dataclass(frozen=True)
class ContentKeyPolicyX509CertificateTokenKey(ContentKeyPolicyRestrictionTokenKey):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyX509CertificateTokenKey"
    raw_body: str = ""


@dataclass(frozen=True)
class ContentKeyPolicyTokenClaim(WireModel):
    claim_type: str | None = None
    claim_value: str | None = None


class ContentKeyPolicyRestriction(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class ContentKeyPolicyOpenRestriction(ContentKeyPolicyRestriction):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyOpenRestriction"


@dataclass(frozen=True)
class ContentKeyPolicyUnknownRestriction(ContentKeyPolicyRestriction):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyUnknownRestriction"


@dataclass(frozen=True)
class ContentKeyPolicyTokenRestriction(ContentKeyPolicyRestriction):
    KIND: ClassVar[str | None] = "#Microsoft.Media.ContentKeyPolicyTokenRestriction"
    issuer: str = ""
    audience: str = ""
    primary_verification_key: ContentKeyPolicyRestrictionTokenKey | None = None
    restriction_token_type: RestrictionTokenType = RestrictionTokenType.JWT
    alternate_verification_keys: tuple[ContentKeyPolicyRestrictionTokenKey, ...] | None = None
    required_claims: tuple[ContentKeyPolicyTokenClaim, ...] | None = None
    open_id_connect_discovery_document: str | None = None


@dataclass(frozen=True)
class ContentKeyPolicyOption(WireModel):
    configuration: ContentKeyPolicyConfiguration = ContentKeyPolicyClearKeyConfiguration()
    restriction: ContentKeyPolicyRestriction = ContentKeyPolicyOpenRestriction()
    name: str | None = None
    policy_option_id: str | None = wire(read_only=True)


@dataclass(frozen=True)
class ContentKeyPolicyProperties(WireModel):
    """getPolicyPropertiesWithSecrets answers with the properties alone, secrets included."""

    options: tuple[ContentKeyPolicyOption, ...] = ()
    description: str | None = None
    policy_id: str | None = wire(read_only=True)
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)


@dataclass(frozen=True)
class ContentKeyPolicy(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    options: tuple[ContentKeyPolicyOption, ...] = ()
    description: str | None = None
    policy_id: str | None = wire(read_only=True)
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)


# --- streaming policies -------------------------------------------------------------------------


@dataclass(frozen=True)
class EnabledProtocols(WireModel):
    download: bool = False
    dash: bool = False
    hls: bool = False
    smooth_streaming: bool = False


@dataclass(frozen=True)
class TrackPropertyCondition(WireModel):
    property: str = "FourCC"
    operation: str = "Equal"
    value: str | None = None


@dataclass(frozen=True)
class TrackSelection(WireModel):
    track_selections: tuple[TrackPropertyCondition, ...] | None = None


@dataclass(frozen=True)
class DefaultKey(WireModel):
    label: str | None = None
    policy_name: str | None = None


@dataclass(frozen=True)
class StreamingPolicyContentKey(WireModel):
    label: str | None = None
    policy_name: str | None = None
    tracks: tuple[TrackSelection, ...] | None = None


@dataclass(frozen=True)
class StreamingPolicyContentKeys(WireModel):
    default_key: DefaultKey | None = None
    key_to_track_mappings: tuple[StreamingPolicyContentKey, ...] | None = None


@dataclass(frozen=True)
class StreamingPolicyPlayReadyConfiguration(WireModel):
    custom_license_acquisition_url_template: str | None = None
    play_ready_custom_attributes: str | None = None


@dataclass(frozen=True)
class StreamingPolicyWidevineConfiguration(WireModel):
    custom_license_acquisition_url_template: str | None = None


@dataclass(frozen=True)
class StreamingPolicyFairPlayConfiguration(WireModel):
    allow_persistent_license: bool = False
    custom_license_acquisition_url_template: str | None = None


@dataclass(frozen=True)
class CencDrmConfiguration(WireModel):
    play_ready: StreamingPolicyPlayReadyConfiguration | None = None
    widevine: StreamingPolicyWidevineConfiguration | None = None


@dataclass(frozen=True)
class CbcsDrmConfiguration(WireModel):
    fair_play: StreamingPolicyFairPlayConfiguration | None = None
    play_ready: StreamingPolicyPlayReadyConfiguration | None = None
    widevine: StreamingPolicyWidevineConfiguration | None = None


@dataclass(frozen=True)
class ClearKeyEncryptionConfiguration(WireModel):
    custom_keys_acquisition_url_template: str | None = None


@dataclass(frozen=True)
class NoEncryption(WireModel):
    enabled_protocols: EnabledProtocols | None = None


@dataclass(frozen=True)
class EnvelopeEncryption(WireModel):
    enabled_protocols: EnabledProtocols | None = None
    clear_tracks: tuple[TrackSelection, ...] | None = None
    content_keys: StreamingPolicyContentKeys | None = None
    custom_key_acquisition_url_template: str | None = None


@dataclass(frozen=True)
class CommonEncryptionCenc(WireModel):
    enabled_protocols: EnabledProtocols | None = None
    clear_tracks: tuple[TrackSelection, ...] | None = None
    content_keys: StreamingPolicyContentKeys | None = None
    drm: CencDrmConfiguration | None = None
    clear_key_encryption_configuration: ClearKeyEncryptionConfiguration | None = None


@dataclass(frozen=True)
class CommonEncryptionCbcs(WireModel):
    enabled_protocols: EnabledProtocols | None = None
    clear_tracks: tuple[TrackSelection, ...] | None = None
    content_keys: StreamingPolicyContentKeys | None = None
    drm: CbcsDrmConfiguration | None = None
    clear_key_encryption_configuration: ClearKeyEncryptionConfiguration | None = None


@dataclass(frozen=True)
class StreamingPolicy(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    default_content_key_policy_name: str | None = None
    envelope_encryption: EnvelopeEncryption | None = None
    common_encryption_cenc: CommonEncryptionCenc | None = None
    common_encryption_cbcs: CommonEncryptionCbcs | None = None
    no_encryption: NoEncryption | None = None
    created: datetime | None = wire(read_only=True)


# --- streaming locators --------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamingLocatorContentKey(WireModel):
    """A locator's content key; ``value`` is the key itself (secret) when known."""

    id: str = ""
    label_reference_in_streaming_policy: str | None = None
    value: str | None = wire(secret=True)
    type: StreamingLocatorContentKeyType | None = wire(read_only=True)
    policy_name: str | None = wire(read_only=True)
    tracks: tuple[TrackSelection, ...] | None = wire(read_only=True)


@dataclass(frozen=True)
class StreamingLocator(_Resource):
    """Create-only: the service has no PATCH; change means delete and create."""

    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    asset_name: str = ""
    streaming_policy_name: str = ""
    start_time: datetime | None = None
    end_time: datetime | None = None
    streaming_locator_id: str | None = None
    default_content_key_policy_name: str | None = None
    content_keys: tuple[StreamingLocatorContentKey, ...] | None = None
    alternative_media_id: str | None = None
    filters: tuple[str, ...] | None = None
    created: datetime | None = wire(read_only=True)


@dataclass(frozen=True)
class StreamingPath(WireModel):
    streaming_protocol: StreamingProtocol | None = None
    encryption_scheme: EncryptionScheme | None = None
    paths: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StreamingLocatorPaths(WireModel):
    """listPaths: relative paths to prefix with a streaming endpoint host name."""

    streaming_paths: tuple[StreamingPath, ...] | None = None
    download_paths: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ContentKeyList(WireModel):
    """listContentKeys: the keys with their values (secret)."""

    content_keys: tuple[StreamingLocatorContentKey, ...] | None = None


# --- transforms and jobs ----------------------------------------------------------------------------


class Preset(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class PresetConfigurations(WireModel):
    complexity: str | None = None
    interleave_output: str | None = None
    key_frame_interval_in_seconds: float | None = None
    max_bitrate_bps: int | None = None
    max_height: int | None = None
    max_layers: int | None = None
    min_bitrate_bps: int | None = None
    min_height: int | None = None


@dataclass(frozen=True)
class BuiltInStandardEncoderPreset(Preset):
    KIND: ClassVar[str | None] = "#Microsoft.Media.BuiltInStandardEncoderPreset"
    preset_name: str = "AdaptiveStreaming"
    configurations: PresetConfigurations | None = None


@dataclass(frozen=True)
class AudioAnalyzerPreset(Preset):
    KIND: ClassVar[str | None] = "#Microsoft.Media.AudioAnalyzerPreset"
    audio_language: str | None = None
    mode: str | None = None
    experimental_options: Mapping[str, str] | None = None


@dataclass(frozen=True)
class VideoAnalyzerPreset(Preset):
    KIND: ClassVar[str | None] = "#Microsoft.Media.VideoAnalyzerPreset"
    audio_language: str | None = None
    mode: str | None = None
    experimental_options: Mapping[str, str] | None = None
    insights_to_extract: str | None = None


@dataclass(frozen=True)
class OpaquePreset(OpaqueModel, Preset):
    """StandardEncoderPreset, FaceDetectorPreset and other kinds, kept verbatim."""


Preset.OPAQUE = OpaquePreset


@dataclass(frozen=True)
class TransformOutput(WireModel):
    preset: Preset = BuiltInStandardEncoderPreset()
    on_error: OnErrorType | None = None
    relative_priority: Priority | None = None


@dataclass(frozen=True)
class Transform(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    outputs: tuple[TransformOutput, ...] = ()
    description: str | None = None
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)


class JobInput(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class JobInputAsset(JobInput):
    KIND: ClassVar[str | None] = "#Microsoft.Media.JobInputAsset"
    asset_name: str = ""
    files: tuple[str, ...] | None = None
    label: str | None = None
    start: Mapping[str, Any] | None = None  # ClipTime: absolute or UTC, kept as sent
    end: Mapping[str, Any] | None = None
    input_definitions: tuple[Mapping[str, Any], ...] | None = None


@dataclass(frozen=True)
class JobInputHttp(JobInput):
    KIND: ClassVar[str | None] = "#Microsoft.Media.JobInputHttp"
    base_uri: str | None = None
    files: tuple[str, ...] | None = None
    label: str | None = None
    start: Mapping[str, Any] | None = None
    end: Mapping[str, Any] | None = None
    input_definitions: tuple[Mapping[str, Any], ...] | None = None


@dataclass(frozen=True)
class JobInputs(JobInput):
    KIND: ClassVar[str | None] = "#Microsoft.Media.JobInputs"
    inputs: tuple[JobInput, ...] | None = None


@dataclass(frozen=True)
class OpaqueJobInput(OpaqueModel, JobInput):
    """JobInputSequence, JobInputClip and other kinds, kept verbatim."""


JobInput.OPAQUE = OpaqueJobInput


@dataclass(frozen=True)
class JobError(WireModel):
    code: str | None = None
    message: str | None = None
    category: str | None = None
    retry: str | None = None


class JobOutput(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "@odata.type"


@dataclass(frozen=True)
class JobOutputAsset(JobOutput):
    KIND: ClassVar[str | None] = "#Microsoft.Media.JobOutputAsset"
    asset_name: str = ""
    label: str | None = None
    preset_override: Preset | None = None
    state: JobState | None = wire(read_only=True)
    progress: int | None = wire(read_only=True)
    error: JobError | None = wire(read_only=True)
    start_time: datetime | None = wire(read_only=True)
    end_time: datetime | None = wire(read_only=True)


@dataclass(frozen=True)
class Job(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    input: JobInput | None = None
    outputs: tuple[JobOutput, ...] = ()
    description: str | None = None
    priority: Priority | None = None
    correlation_data: Mapping[str, str] | None = None
    state: JobState | None = wire(read_only=True)
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)
    start_time: datetime | None = wire(read_only=True)
    end_time: datetime | None = wire(read_only=True)


# --- live events, live outputs, streaming endpoints -------------------------------------------------


@dataclass(frozen=True)
class IPRange(WireModel):
    name: str | None = None
    address: str | None = None
    subnet_prefix_length: int | None = None


@dataclass(frozen=True)
class IPAccessControl(WireModel):
    allow: tuple[IPRange, ...] | None = None


@dataclass(frozen=True)
class LiveEventInputAccessControl(WireModel):
    ip: IPAccessControl | None = None


@dataclass(frozen=True)
class LiveEventPreviewAccessControl(WireModel):
    ip: IPAccessControl | None = None


@dataclass(frozen=True)
class LiveEventEndpoint(WireModel):
    protocol: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class LiveEventTimedMetadataEndpoint(WireModel):
    url: str | None = None


@dataclass(frozen=True)
class LiveEventInput(WireModel):
    streaming_protocol: LiveEventInputProtocol = LiveEventInputProtocol.RTMP
    access_control: LiveEventInputAccessControl | None = None
    key_frame_interval_duration: str | None = None
    access_token: str | None = None
    endpoints: tuple[LiveEventEndpoint, ...] | None = None
    timed_metadata_endpoints: tuple[LiveEventTimedMetadataEndpoint, ...] | None = None


@dataclass(frozen=True)
class LiveEventPreview(WireModel):
    endpoints: tuple[LiveEventEndpoint, ...] | None = None
    access_control: LiveEventPreviewAccessControl | None = None
    preview_locator: str | None = None
    streaming_policy_name: str | None = None
    alternative_media_id: str | None = None


@dataclass(frozen=True)
class LiveEventEncoding(WireModel):
    encoding_type: LiveEventEncodingType | None = None
    preset_name: str | None = None
    stretch_mode: str | None = None
    key_frame_interval: str | None = None


@dataclass(frozen=True)
class LiveEventInputTrackSelection(WireModel):
    property: str | None = None
    operation: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class LiveEventOutputTranscriptionTrack(WireModel):
    track_name: str = ""


@dataclass(frozen=True)
class LiveEventTranscription(WireModel):
    language: str | None = None
    input_track_selection: tuple[LiveEventInputTrackSelection, ...] | None = None
    output_transcription_track: LiveEventOutputTranscriptionTrack | None = None


@dataclass(frozen=True)
class CrossSiteAccessPolicies(WireModel):
    client_access_policy: str | None = None
    cross_domain_policy: str | None = None


@dataclass(frozen=True)
class LiveEvent(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    location: str | None = wire(top=True)
    tags: Mapping[str, str] | None = wire(top=True)
    input: LiveEventInput = LiveEventInput()
    description: str | None = None
    preview: LiveEventPreview | None = None
    encoding: LiveEventEncoding | None = None
    transcriptions: tuple[LiveEventTranscription, ...] | None = None
    cross_site_access_policies: CrossSiteAccessPolicies | None = None
    use_static_hostname: bool | None = None
    hostname_prefix: str | None = None
    stream_options: tuple[str, ...] | None = None
    provisioning_state: str | None = wire(read_only=True)
    resource_state: LiveEventResourceState | None = wire(read_only=True)
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)


@dataclass(frozen=True)
class LiveEventActionInput(WireModel):
    remove_outputs_on_stop: bool | None = None


@dataclass(frozen=True)
class Hls(WireModel):
    fragments_per_ts_segment: int | None = None


@dataclass(frozen=True)
class LiveOutput(_Resource):
    """Starts recording when created and stops when deleted."""

    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    asset_name: str = ""
    archive_window_length: str = "PT1H"
    description: str | None = None
    rewind_window_length: str | None = None
    manifest_name: str | None = None
    hls: Hls | None = None
    output_snap_time: int | None = None
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)
    provisioning_state: str | None = wire(read_only=True)
    resource_state: LiveOutputResourceState | None = wire(read_only=True)


@dataclass(frozen=True)
class AkamaiSignatureHeaderAuthenticationKey(WireModel):
    identifier: str | None = None
    base64_key: str | None = wire(secret=True)
    expiration: datetime | None = None


@dataclass(frozen=True)
class AkamaiAccessControl(WireModel):
    akamai_signature_header_authentication_key_list: tuple[AkamaiSignatureHeaderAuthenticationKey, ...] | None = None


@dataclass(frozen=True)
class StreamingEndpointAccessControl(WireModel):
    akamai: AkamaiAccessControl | None = None
    ip: IPAccessControl | None = None


@dataclass(frozen=True)
class StreamingEndpointSku(WireModel):
    capacity: int | None = None
    name: str | None = wire(read_only=True)


@dataclass(frozen=True)
class StreamingEndpoint(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    location: str | None = wire(top=True)
    tags: Mapping[str, str] | None = wire(top=True)
    sku: StreamingEndpointSku | None = wire(top=True)
    scale_units: int = 0
    description: str | None = None
    availability_set_name: str | None = None
    access_control: StreamingEndpointAccessControl | None = None
    max_cache_age: int | None = None
    custom_host_names: tuple[str, ...] | None = None
    cdn_enabled: bool | None = None
    cdn_provider: str | None = None
    cdn_profile: str | None = None
    cross_site_access_policies: CrossSiteAccessPolicies | None = None
    host_name: str | None = wire(read_only=True)
    provisioning_state: str | None = wire(read_only=True)
    resource_state: StreamingEndpointResourceState | None = wire(read_only=True)
    free_trial_end_time: datetime | None = wire(read_only=True)
    created: datetime | None = wire(read_only=True)
    last_modified: datetime | None = wire(read_only=True)


@dataclass(frozen=True)
class StreamingEntityScaleUnit(WireModel):
    scale_unit: int = 0


# --- Event Grid event subscriptions on the account ------------------------------------------------


class EventSubscriptionDestination(WireModel):
    DISCRIMINATOR: ClassVar[str | None] = "endpointType"
    ENVELOPE: ClassVar[bool] = True


@dataclass(frozen=True)
class WebHookEventSubscriptionDestination(EventSubscriptionDestination):
    """The full URL may carry a key in its query, so it is treated as a secret."""

    KIND: ClassVar[str | None] = "WebHook"
    endpoint_url: str | None = wire(secret=True)
    endpoint_base_url: str | None = wire(read_only=True)
    max_events_per_batch: int | None = None
    preferred_batch_size_in_kilobytes: int | None = None
    azure_active_directory_tenant_id: str | None = None
    azure_active_directory_application_id_or_uri: str | None = None


@dataclass(frozen=True)
class StorageQueueEventSubscriptionDestination(EventSubscriptionDestination):
    KIND: ClassVar[str | None] = "StorageQueue"
    resource_id: str | None = None
    queue_name: str | None = None
    queue_message_time_to_live_in_seconds: int | None = None


@dataclass(frozen=True)
class OpaqueEventSubscriptionDestination(OpaqueModel, EventSubscriptionDestination):
    """Event Hub, Service Bus, Azure Function and other destinations, kept verbatim."""


EventSubscriptionDestination.OPAQUE = OpaqueEventSubscriptionDestination


@dataclass(frozen=True)
class EventSubscriptionFilter(WireModel):
    included_event_types: tuple[str, ...] | None = None
    subject_begins_with: str | None = None
    subject_ends_with: str | None = None
    is_subject_case_sensitive: bool | None = None


@dataclass(frozen=True)
class RetryPolicy(WireModel):
    max_delivery_attempts: int | None = None
    event_time_to_live_in_minutes: int | None = None


@dataclass(frozen=True)
class EventSubscription(_Resource):
    name: str | None = wire(read_only=True)
    id: str | None = wire(read_only=True)
    destination: EventSubscriptionDestination | None = None
    filter: EventSubscriptionFilter | None = None
    labels: tuple[str, ...] | None = None
    event_delivery_schema: str | None = None
    retry_policy: RetryPolicy | None = None
    expiration_time_utc: datetime | None = None
    topic: str | None = wire(read_only=True)
    provisioning_state: str | None = wire(read_only=True)
