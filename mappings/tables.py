"""Lookup tables of the mappings, as plain data (sources in the comments)."""

from __future__ import annotations

from typing import Any

# v3 account quotas a 1:1 copy can exceed (v3-api.md §7, limits page 2020).
QUOTAS = {
    "streamingPolicies": 100,
    "transforms": 100,
    "liveEvents": 5,
    "liveOutputsPerLiveEvent": 3,
    "streamingEndpoints": 2,
    "accountFilters": 100,
    "assetFiltersPerAsset": 100,
    "streamingLocatorsPerAsset": 100,
    "optionsPerContentKeyPolicy": 30,
    "transformOutputsPerTransform": 20,
}

# Key delivery of AMS itself (protocol.md §8: https://<acct>.keydelivery.mediaservices.windows.net/).
AMS_KEY_DELIVERY_HOST_SUFFIX = ".keydelivery.mediaservices.windows.net"

# Streaming policy bodies equal to a predefined policy use it instead of a new one (v3-api.md §8).
_CLEAR = {"dash": True, "hls": True, "smoothStreaming": True}
PREDEFINED_STREAMING_POLICIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Predefined_ClearStreamingOnly", {"noEncryption": {"enabledProtocols": {**_CLEAR, "download": False}}}),
    ("Predefined_DownloadAndClearStreaming", {"noEncryption": {"enabledProtocols": {**_CLEAR, "download": True}}}),
    (
        "Predefined_DownloadOnly",
        {"noEncryption": {"enabledProtocols": {"dash": False, "hls": False, "smoothStreaming": False, "download": True}}},
    ),
)
# An asset without delivery policies streams in the clear in v2 (dynamic packaging).
DEFAULT_STREAMING_POLICY = "Predefined_ClearStreamingOnly"


def predefined_streaming_policy(properties: dict[str, Any]) -> str | None:
    if not properties:
        return DEFAULT_STREAMING_POLICY
    return next((name for name, body in PREDEFINED_STREAMING_POLICIES if body == properties), None)


# v2 FairPlay RentalAndLeaseKeyType -> v3 ContentKeyPolicyFairPlayRentalAndLeaseKeyType. The v2
# SDK's enum is a uint (FairPlay/RentalAndLeaseKeyType.cs: Undefined = 0, PersistentUnlimited =
# 0x3DF2D9FB, PersistentLimited = 0x18F06048) that Json.NET writes as its number; the names are
# accepted too. v2 had no DualExpiry.
FAIRPLAY_RENTAL_AND_LEASE = {
    "0": "Undefined",
    str(0x3DF2D9FB): "PersistentUnlimited",
    str(0x18F06048): "PersistentLimited",
    "Undefined": "Undefined",
    "PersistentUnlimited": "PersistentUnlimited",
    "PersistentLimited": "PersistentLimited",
}

TOKEN_TYPES = {"SWT": "Swt", "JWT": "Jwt"}
PLAYREADY_LICENSE_TYPES = {"Nonpersistent": "NonPersistent", "Persistent": "Persistent"}
PLAYREADY_LICENSE_FIELDS = {
    "BeginDate": "beginDate",
    "ExpirationDate": "expirationDate",
    "RelativeBeginDate": "relativeBeginDate",
    "RelativeExpirationDate": "relativeExpirationDate",
    "GracePeriod": "gracePeriod",
}
UNKNOWN_OUTPUT_PASSING = {
    "NotAllowed": "NotAllowed",
    "Allowed": "Allowed",
    "AllowedWithVideoConstriction": "AllowedWithVideoConstriction",
}
# PlayRight restrictions the v2 SDK writes as an element holding <ConfigurationData> (two control
# bits, 0-3): ScmsRestriction.cs, AgcAndColorStripeRestriction.cs.
PLAYREADY_PLAY_RIGHT_CONTROL_BITS = {
    "ScmsRestriction": "scmsRestriction",
    "AgcAndColorStripeRestriction": "agcAndColorStripeRestriction",
}
# ExplicitAnalogTelevisionRestriction.cs: <BestEffort> and <ConfigurationData> under this element.
PLAYREADY_EXPLICIT_ANALOG_TV = ("ExplicitAnalogTelevisionOutputRestriction", "explicitAnalogTelevisionOutputRestriction")
PLAYREADY_PLAY_RIGHT_INTS = {
    "UncompressedDigitalVideoOpl": "uncompressedDigitalVideoOpl",
    "CompressedDigitalVideoOpl": "compressedDigitalVideoOpl",
    "AnalogVideoOpl": "analogVideoOpl",
    "CompressedDigitalAudioOpl": "compressedDigitalAudioOpl",
    "UncompressedDigitalAudioOpl": "uncompressedDigitalAudioOpl",
}

# -- encoding ---------------------------------------------------------------------------------

MEDIA_ENCODER_STANDARD = "Media Encoder Standard"

# v2 media processors (by name) that v3 cannot reach, with the replacement to name
# (migration-guidance.md b.2 "Legacy processors"; media-processor-retirement-reference.md).
RETIRED_PROCESSORS = {
    "Azure Media Indexer": "AudioAnalyzerPreset (basic mode) or Video Indexer",
    "Azure Media Indexer 2 Preview": "AudioAnalyzerPreset or Video Indexer",
    "Azure Media Motion Detector": "Video Indexer",
    "Azure Media Video Thumbnails": "Video Indexer (video summarization is retired)",
    "Azure Media OCR": "Video Indexer",
    "Azure Media Face Detector": "FaceDetectorPreset or Video Indexer",
    "Azure Media Content Moderator": "Video Indexer",
    "Azure Media Hyperlapse": "no replacement",
    "Media Encoder Premium Workflow": "StandardEncoderPreset (HEVC, audio mapping) or a partner encoder",
    "Windows Azure Media Encoder": "StandardEncoderPreset",
    "Azure Media Encoder": "StandardEncoderPreset",
    "Azure Media Packager": "dynamic packaging (streaming locators)",
    "Azure Media Encryptor": "dynamic encryption (streaming policies)",
    "Storage Decryption": "getEncryptionKey on the asset",
}
# Processors that map to a v3 preset of their own.
PROCESSOR_PRESETS = {
    "Azure Media Redactor": {"@odata.type": "#Microsoft.Media.FaceDetectorPreset", "mode": "Redact"},
}

# v2 Media Encoder Standard system preset names -> v3 EncoderNamedPreset (v3-api.md §3 list).
SYSTEM_PRESETS = {
    "Adaptive Streaming": "AdaptiveStreaming",
    "Content Adaptive Multiple Bitrate MP4": "ContentAwareEncoding",
    "H264 Multiple Bitrate 1080p": "H264MultipleBitrate1080p",
    "H264 Multiple Bitrate 720p": "H264MultipleBitrate720p",
    "H264 Multiple Bitrate SD": "H264MultipleBitrateSD",
    "H264 Single Bitrate 1080p": "H264SingleBitrate1080p",
    "H264 Single Bitrate 720p": "H264SingleBitrate720p",
    "H264 Single Bitrate SD": "H264SingleBitrateSD",
    "AAC Good Quality Audio": "AACGoodQualityAudio",
    "H265 Adaptive Streaming": "H265AdaptiveStreaming",
    "H265 Content Adaptive Multiple Bitrate MP4": "H265ContentAwareEncoding",
    "H265 Single Bitrate 1080p": "H265SingleBitrate1080p",
    "H265 Single Bitrate 720p": "H265SingleBitrate720p",
    "H265 Single Bitrate 4K": "H265SingleBitrate4K",
}

# v2 MES JSON output formats -> v3 format @odata.type.
OUTPUT_FORMATS = {
    "MP4Format": "#Microsoft.Media.Mp4Format",
    "Mp4Format": "#Microsoft.Media.Mp4Format",
    "JpgFormat": "#Microsoft.Media.JpgFormat",
    "PngFormat": "#Microsoft.Media.PngFormat",
    "TransportStreamFormat": "#Microsoft.Media.TransportStreamFormat",
}

# -- live ----------------------------------------------------------------------------------------

# v2 StreamingProtocol (ChannelInput) -> v3 LiveEventInputProtocol; RTPMPEG2TS has none.
LIVE_INPUT_PROTOCOLS = {0: "FragmentedMP4", 1: "RTMP"}
# v2 ChannelEncodingType -> v3 LiveEventEncodingType.
LIVE_ENCODING_TYPES = {0: "PassthroughStandard", 1: "Standard", 2: "Premium1080p"}

# -- streaming endpoints --------------------------------------------------------------------------

CDN_PROVIDERS = {0: "StandardVerizon", 1: "PremiumVerizon", 2: "StandardAkamai"}

# -- notifications ---------------------------------------------------------------------------------

# Event Grid event types of Media Services that stand in for v2 job/task notifications.
JOB_EVENT_TYPES = (
    "Microsoft.Media.JobStateChange",
    "Microsoft.Media.JobOutputStateChange",
)
JOB_FINAL_EVENT_TYPES = (
    "Microsoft.Media.JobFinished",
    "Microsoft.Media.JobErrored",
    "Microsoft.Media.JobCanceled",
)
