"""What a seeded v2 account contains: asset profiles, fixed pools, presets and templates.

``migrator.sandbox.seed`` turns these tables into entities; keeping them apart keeps the
generator's index arithmetic readable and the account's content reviewable in one place.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

INT64_MAX = 2**63 - 1
KEY_DELIVERY_CLAIM = "urn:microsoft:azure:mediaservices:contentkeyidentifier"

# ---------------------------------------------------------------------------------------------
# Asset profiles: one period of the account's shape


@dataclass(frozen=True)
class KeySpec:
    content_key_type: int  # ContentKeyType
    options: tuple[str, ...] = ()  # authorization option kinds; empty = no authorization policy


@dataclass(frozen=True)
class JobSpec:
    state: str
    tasks: tuple[str, ...]  # task kinds (see TASK_KINDS)
    template: int | None = None  # index into the job template pool
    notify: bool = False


@dataclass(frozen=True)
class AssetProfile:
    label: str
    files: str = "adaptive"
    options: int = 0  # AssetCreationOptions
    format_option: int = 0
    locators: tuple[str, ...] = ()
    keys: tuple[KeySpec, ...] = ()
    delivery: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    job: JobSpec | None = None  # this asset is the output of a job whose input is the previous asset
    name_style: str = "title"
    alternate_id: bool = False
    uri: bool = True


_CLEARKEY = 4  # ContentKeyType.EnvelopeEncryption
_CENC = 0
_CBCS = 6
_STORAGE = 1

PROFILES: tuple[AssetProfile, ...] = (
    AssetProfile("clear-streaming", locators=("streaming",), filters=("audio-only", "hd-only")),
    AssetProfile("mezzanine-duplicate-name", files="mezzanine-large", name_style="duplicate"),
    AssetProfile("storage-encrypted-sas", files="encrypted-mezzanine", options=1, locators=("sas",), keys=(KeySpec(_STORAGE),), name_style="duplicate"),
    AssetProfile("storage-encrypted-streaming", files="encrypted-adaptive", options=1, locators=("streaming",), keys=(KeySpec(_STORAGE),)),
    AssetProfile("envelope-jwt", locators=("streaming",), keys=(KeySpec(_CLEARKEY, ("clearkey-jwt",)),), delivery=("envelope",)),
    AssetProfile("envelope-open-future-start", locators=("streaming", "future-streaming"), keys=(KeySpec(_CLEARKEY, ("clearkey-open",)),), delivery=("envelope",)),
    AssetProfile("envelope-swt-and-ip", locators=("streaming",), keys=(KeySpec(_CLEARKEY, ("clearkey-swt", "clearkey-ip")),), delivery=("envelope",)),
    AssetProfile("cenc-playready-widevine-jwt", locators=("streaming",), keys=(KeySpec(_CENC, ("playready-jwt", "widevine-jwt")),), delivery=("cenc",)),
    AssetProfile("cenc-playready-swt-expired", locators=("streaming", "expired-streaming"), keys=(KeySpec(_CENC, ("playready-swt",)),), delivery=("cenc",)),
    AssetProfile("cbcs-fairplay", locators=("streaming",), keys=(KeySpec(_CBCS, ("fairplay-jwt",)),), delivery=("cbcs",)),
    AssetProfile(
        "multi-drm",
        locators=("streaming",),
        keys=(KeySpec(_CENC, ("playready-jwt", "widevine-jwt")), KeySpec(_CBCS, ("fairplay-jwt",))),
        delivery=("cenc", "cbcs"),
        alternate_id=True,
    ),
    AssetProfile("cenc-open-persistent", locators=("streaming",), keys=(KeySpec(_CENC, ("playready-open-persistent", "widevine-open")),), delivery=("cenc",)),
    AssetProfile("sas-expired", locators=("expired-sas", "streaming")),
    AssetProfile("multiple-locators", locators=("streaming", "streaming", "sas"), filters=("Mobile (low) #1",)),
    AssetProfile("expired-streaming-only", locators=("expired-streaming",)),
    AssetProfile("clear-no-dynamic-encryption", locators=("streaming",), delivery=("clear",), name_style="duplicate"),
    AssetProfile("static-common-encryption", files="cenc-adaptive", options=2, locators=("streaming",), keys=(KeySpec(_CENC),)),
    AssetProfile("static-envelope-encryption", files="envelope-adaptive", options=4, locators=("streaming",), keys=(KeySpec(_CLEARKEY),)),
    AssetProfile("unnamed-upload", files="mezzanine", name_style="none"),
    AssetProfile("hostile-name", files="mezzanine", name_style="hostile", locators=("streaming",)),
    AssetProfile("live-archive", files="archive", format_option=1, locators=("streaming",), filters=("last-5-minutes",)),
    AssetProfile("live-archive-unpublished", files="archive", format_option=1),
    AssetProfile("job-queued", files="none", uri=False, job=JobSpec("Queued", ("mes-builtin-adaptive",), notify=True)),
    AssetProfile("job-scheduled", files="none", uri=False, job=JobSpec("Scheduled", ("mes-custom-json",))),
    AssetProfile("job-processing", files="none", uri=False, job=JobSpec("Processing", ("mes-builtin-720p", "indexer-v1"))),
    AssetProfile("job-error", files="none", job=JobSpec("Error", ("mes-custom-xml",), notify=True)),
    AssetProfile("job-canceled", files="none", job=JobSpec("Canceled", ("premium-workflow",))),
    AssetProfile("job-canceling", files="none", uri=False, job=JobSpec("Canceling", ("motion-detector",))),
    AssetProfile("job-finished-adaptive", files="adaptive-output", locators=("streaming",), filters=("first-quality",), job=JobSpec("Finished", ("mes-builtin-adaptive",), template=0, notify=True)),
    AssetProfile("job-finished-protected-preset", files="adaptive-output", job=JobSpec("Finished", ("mes-custom-xml-protected",), template=2)),
    AssetProfile("job-finished-indexer", files="indexer-output", job=JobSpec("Finished", ("indexer-v1",), template=1)),
    AssetProfile("job-finished-face-detector", files="face-output", job=JobSpec("Finished", ("face-detector",))),
)
FULL_COVERAGE_ASSETS = len(PROFILES)

TITLES = ("Big Buck Bunny", "Sintel", "Tears of Steel", "Elephants Dream", "Cosmos Laundromat", "Spring", "Agent 327")
HOSTILE_NAMES = (
    "Café Düsseldorf: Finale/Teil 2?",
    "名前のない動画",
    "quote's \"and\" <tags> & 100% #hash",
    "   leading and trailing spaces   ",
    "x" * 300,
    "",
)

# ---------------------------------------------------------------------------------------------
# Pools that do not grow with the account

MEDIA_PROCESSORS = (
    # name, vendor, version, sku, description
    ("Media Encoder Standard", "Microsoft", "1.19", "", "Media Encoder Standard"),
    ("Media Encoder Standard", "Microsoft", "1.20", "", "Media Encoder Standard"),
    ("Media Encoder Premium Workflow", "Microsoft", "1.8", "", "Media Encoder Premium Workflow"),
    ("Windows Azure Media Encoder", "Microsoft", "4.7", "", "Windows Azure Media Encoder (retired)"),
    ("Azure Media Indexer", "Microsoft", "1.2", "", "Azure Media Indexer"),
    ("Azure Media Indexer 2 Preview", "Microsoft", "1.1", "", "Azure Media Indexer 2 Preview"),
    ("Azure Media Face Detector", "Microsoft", "1.0", "", "Azure Media Face Detector"),
    ("Azure Media Motion Detector", "Microsoft", "1.1", "", "Azure Media Motion Detector"),
    ("Azure Media Video Thumbnails", "Microsoft", "1.0", "", "Azure Media Video Thumbnails"),
    ("Azure Media OCR", "Microsoft", "1.1", "", "Azure Media OCR"),
    ("Azure Media Content Moderator", "Microsoft", "1.0", "", "Azure Media Content Moderator"),
    ("Azure Media Redactor", "Microsoft", "1.0", "", "Azure Media Redactor"),
    ("Azure Media Hyperlapse", "Microsoft", "1.0", "", "Azure Media Hyperlapse"),
    ("Storage Decryption", "Microsoft", "1.7", "", "Storage Decryption"),
    ("Windows Azure Media Packager", "Microsoft", "2.8", "", "Windows Azure Media Packager"),
)
PROCESSOR_INDEX = {"mes": 1, "premium": 2, "indexer-v1": 4, "face": 6, "motion": 7}

_MES_JSON_PRESET = json.dumps(
    {
        "Version": 1.0,
        "Codecs": [
            {
                "KeyFrameInterval": "00:00:02",
                "H264Layers": [
                    {"Profile": "Auto", "Level": "auto", "Bitrate": 3400, "MaxBitrate": 3400, "Width": 1280, "Height": 720, "Type": "H264Layer"},
                    {"Profile": "Auto", "Level": "auto", "Bitrate": 1000, "MaxBitrate": 1000, "Width": 640, "Height": 360, "Type": "H264Layer"},
                ],
                "Type": "H264Video",
            },
            {"Profile": "AACLC", "Channels": 2, "SamplingRate": 48000, "Bitrate": 128, "Type": "AACAudio"},
        ],
        "Outputs": [{"FileName": "{Basename}_{Width}x{Height}_{VideoBitrate}.mp4", "Format": {"Type": "MP4Format"}}],
    },
    indent=2,
)
_MES_XML_PRESET = (
    '<?xml version="1.0" encoding="utf-16"?>'
    '<Preset xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'Version="1.0" xmlns="http://www.windowsazure.com/media/encoding/Preset/2014/03">'
    "<Encoding><H264Video><KeyFrameInterval>00:00:02</KeyFrameInterval><H264Layers>"
    "<H264Layer><Bitrate>2200</Bitrate><Width>960</Width><Height>540</Height><Profile>Auto</Profile></H264Layer>"
    "</H264Layers></H264Video><AACAudio><Profile>AACLC</Profile><Channels>2</Channels><Bitrate>128</Bitrate></AACAudio></Encoding>"
    '<Outputs><Output FileName="{Basename}_{Width}x{Height}_{VideoBitrate}.mp4"><MP4Format /></Output></Outputs></Preset>'
)
_INDEXER_CONFIG = (
    '<?xml version="1.0" encoding="utf-8"?><configuration version="2.0"><input><metadata key="title" value="sandbox" /></input>'
    '<settings></settings><features><feature name="ASR"><settings><add key="Language" value="English" />'
    '<add key="CaptionFormats" value="ttml;sami;webvtt" /><add key="GenerateAIB" value="true" />'
    '<add key="GenerateKeywords" value="true" /></settings></feature></features></configuration>'
)
_PREMIUM_WORKFLOW_CONFIG = '<?xml version="1.0" encoding="utf-8"?><transcodeRequest><setRuntimeProperties /></transcodeRequest>'

# task kind -> (task name, processor key, configuration)
TASK_KINDS: dict[str, tuple[str, str, str]] = {
    "mes-builtin-adaptive": ("Adaptive Streaming", "mes", "Adaptive Streaming"),
    "mes-builtin-720p": ("H264 Multiple Bitrate 720p", "mes", "H264 Multiple Bitrate 720p"),
    "mes-custom-json": ("Custom JSON preset", "mes", _MES_JSON_PRESET),
    "mes-custom-xml": ("Custom XML preset", "mes", _MES_XML_PRESET),
    "mes-custom-xml-protected": ("Protected custom preset", "mes", _MES_XML_PRESET),
    "indexer-v1": ("Indexing", "indexer-v1", _INDEXER_CONFIG),
    "face-detector": ("Face detection", "face", json.dumps({"version": "1.0", "options": {"TrackingMode": "Fast"}})),
    "motion-detector": ("Motion detection", "motion", json.dumps({"version": "1.0", "options": {"sensitivityLevel": "medium"}})),
    "premium-workflow": ("Premium workflow", "premium", _PREMIUM_WORKFLOW_CONFIG),
}

ACCESS_POLICIES = (
    # name, minutes, permissions
    ("Streaming policy", 52596000.0, 1),
    ("Streaming 30 days", 43200.0, 1),
    ("Download policy", 5256000.0, 9),
    ("UploadPolicy", 60.0, 2),
    ("Full access (unused)", 1440.0, 15),
)
POLICY_BY_LOCATOR_KIND = {
    "streaming": 0,
    "future-streaming": 0,
    "expired-streaming": 1,
    "sas": 2,
    "expired-sas": 3,
}

FILTER_TEMPLATES: dict[str, tuple[dict, list, dict | None]] = {
    "audio-only": (
        {},
        [{"PropertyConditions": [{"Property": "Type", "Value": "audio", "Operator": "Equal"}]}],
        None,
    ),
    "hd-only": (
        {},
        [
            {"PropertyConditions": [{"Property": "Type", "Value": "video", "Operator": "Equal"}, {"Property": "Bitrate", "Value": "2000000-10000000", "Operator": "Equal"}]},
            {"PropertyConditions": [{"Property": "Type", "Value": "audio", "Operator": "Equal"}]},
        ],
        None,
    ),
    "first-quality": ({}, [], {"Bitrate": 1000000}),
    "last-5-minutes": (
        {"PresentationWindowDuration": 3000000000, "LiveBackoffDuration": 20000000},
        [],
        None,
    ),
    "Mobile (low) #1": (
        {"StartTimestamp": 0, "EndTimestamp": 6000000000},
        [{"PropertyConditions": [{"Property": "Bitrate", "Value": "0-1000000", "Operator": "Equal"}, {"Property": "FourCC", "Value": "avc1", "Operator": "Equal"}]}],
        None,
    ),
    "no-english": (
        {},
        [{"PropertyConditions": [{"Property": "Language", "Value": "en", "Operator": "NotEqual"}]}],
        None,
    ),
    "TTML captions": (
        {},
        [{"PropertyConditions": [{"Property": "Type", "Value": "text", "Operator": "Equal"}, {"Property": "Name", "Value": "English", "Operator": "Equal"}]}],
        {"Bitrate": 800000},
    ),
}
ACCOUNT_FILTERS = ("audio-only", "hd-only", "last-5-minutes", "no-english", "TTML captions", "Mobile (low) #1")


def presentation_time_range(overrides: dict) -> dict:
    # The reference does not say what v2 sent for unset timestamps; the sandbox uses the .NET
    # defaults a v2 client would have left in place (0 / Int64.MaxValue, 100 ns timescale).
    base = {
        "StartTimestamp": 0,
        "EndTimestamp": INT64_MAX,
        "PresentationWindowDuration": INT64_MAX,
        "LiveBackoffDuration": 0,
        "Timescale": 10000000,
        "ForceEndTimestamp": False,
    }
    return {**base, **overrides}


# ---------------------------------------------------------------------------------------------
# Templates inside authorization options


_PLAYREADY_NS = "http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/PlayReadyTemplate/v1"
_TOKEN_NS = "http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def _symmetric_key_xml(element: str, key_value: str) -> str:
    return f'<{element} i:type="SymmetricVerificationKey"><KeyValue>{key_value}</KeyValue></{element}>'


def token_restriction_template(
    token_type: str,
    *,
    primary_key: str | None,
    alternate_key: str | None = None,
    x509_raw_body: str | None = None,
    openid_uri: str | None = None,
    extra_claim: tuple[str, str] | None = None,
) -> str:
    """A TokenRestrictionTemplate (protocol.md §9): DataContract XML, children in alphabetical order."""
    parts = [f'<TokenRestrictionTemplate xmlns:i="{_XSI_NS}" xmlns="{_TOKEN_NS}">']
    if alternate_key:
        parts.append(f"<AlternateVerificationKeys>{_symmetric_key_xml('TokenVerificationKey', alternate_key)}</AlternateVerificationKeys>")
    parts.append("<Audience>urn:contoso:media</Audience><Issuer>https://sts.contoso.example/</Issuer>")
    if openid_uri:
        parts.append(f"<OpenIdConnectDiscoveryDocument><OpenIdDiscoveryUri>{openid_uri}</OpenIdDiscoveryUri></OpenIdConnectDiscoveryDocument>")
    if primary_key:
        parts.append(_symmetric_key_xml("PrimaryVerificationKey", primary_key))
    elif x509_raw_body:
        parts.append(f'<PrimaryVerificationKey i:type="X509CertTokenVerificationKey"><RawBody>{x509_raw_body}</RawBody></PrimaryVerificationKey>')
    claims = [f'<TokenClaim><ClaimType>{KEY_DELIVERY_CLAIM}</ClaimType><ClaimValue i:nil="true" /></TokenClaim>']
    if extra_claim:
        claims.append(f"<TokenClaim><ClaimType>{extra_claim[0]}</ClaimType><ClaimValue>{extra_claim[1]}</ClaimValue></TokenClaim>")
    parts.append(f"<RequiredClaims>{''.join(claims)}</RequiredClaims><TokenType>{token_type}</TokenType></TokenRestrictionTemplate>")
    return "".join(parts)


def playready_template(persistent: bool, key_id: str) -> str:
    if persistent:
        license_xml = (
            "<PlayReadyLicenseTemplate><AllowTestDevices>true</AllowTestDevices>"
            "<BeginDate>2019-01-01T00:00:00Z</BeginDate>"
            f'<ContentKey i:type="ContentEncryptionKeyFromKeyIdentifier"><KeyIdentifier>{key_id}</KeyIdentifier></ContentKey>'
            "<ExpirationDate>2034-01-01T00:00:00Z</ExpirationDate><GracePeriod>PT1H</GracePeriod>"
            "<LicenseType>Persistent</LicenseType>"
            "<PlayRight><AllowPassingVideoContentToUnknownOutput>Allowed</AllowPassingVideoContentToUnknownOutput>"
            "<DigitalVideoOnlyContentRestriction>false</DigitalVideoOnlyContentRestriction>"
            "<ImageConstraintForAnalogComponentVideoRestriction>true</ImageConstraintForAnalogComponentVideoRestriction>"
            "<ImageConstraintForAnalogComputerMonitorRestriction>false</ImageConstraintForAnalogComputerMonitorRestriction>"
            "</PlayRight></PlayReadyLicenseTemplate>"
        )
    else:
        license_xml = (
            '<PlayReadyLicenseTemplate><AllowTestDevices>false</AllowTestDevices><ContentKey i:type="ContentEncryptionKeyFromHeader" />'
            "<LicenseType>Nonpersistent</LicenseType><PlayRight /></PlayReadyLicenseTemplate>"
        )
    return (
        f'<PlayReadyLicenseResponseTemplate xmlns:i="{_XSI_NS}" xmlns="{_PLAYREADY_NS}">'
        f'<LicenseTemplates>{license_xml}</LicenseTemplates><ResponseCustomData i:nil="true" /></PlayReadyLicenseResponseTemplate>'
    )


def widevine_template(persistent: bool) -> str:
    return json.dumps(
        {
            "allowed_track_types": "SD_HD",
            "content_key_specs": [{"track_type": "SD", "key_id": None, "security_level": 1, "required_output_protection": {"hdcp": "HDCP_NONE"}}],
            "policy_overrides": {"can_play": True, "can_persist": persistent, "can_renew": False},
        }
    )


# Envelope (AES) keys are left unnamed: Name is nullable and readers must cope.
KEY_NAMES = {0: "ContentKey", 1: "Storage Encryption Key", 6: "CBCS ContentKey"}

OPTION_NAMES = {
    "playready-jwt": "PlayReady token option",
    "playready-swt": "PlayReady SWT option",
    "playready-open-persistent": "PlayReady persistent open option",
    "widevine-jwt": "Widevine token option",
    "widevine-open": "Widevine open option",
    "fairplay-jwt": "FairPlay token option",
    "clearkey-open": "Open Authorization Policy Option",
    "clearkey-jwt": "Token option",
    "clearkey-swt": "SWT token option",
    "clearkey-ip": "IP restricted option",
}

# Public certificate body (not a secret): a verification key is public by nature.
FAKE_CERTIFICATE = base64.b64encode(b"FAKE-PUBLIC-CERTIFICATE-for-token-verification-" + bytes(range(48))).decode("ascii")

CLIENT_ACCESS_POLICY = (
    '<?xml version="1.0" encoding="utf-8"?><access-policy><cross-domain-access><policy><allow-from http-request-headers="*">'
    '<domain uri="*"/></allow-from><grant-to><resource path="/" include-subpaths="true"/></grant-to></policy></cross-domain-access></access-policy>'
)
CROSS_DOMAIN_POLICY = '<?xml version="1.0"?><cross-domain-policy><allow-access-from domain="*" /></cross-domain-policy>'


def file_specs(kind: str) -> tuple[tuple[str, str, int, bool, int], ...]:
    """(name template, mime type, approximate size, primary, AssetFileOptions) of an asset's files."""
    adaptive = (
        ("{base}.ism", "application/octet-stream", 2_000, True, 0),
        ("{base}.ismc", "application/octet-stream", 4_000, False, 0),
        ("{base}_1280x720_3400.mp4", "video/mp4", 400_000_000, False, 1),
        ("{base}_640x360_1000.mp4", "video/mp4", 120_000_000, False, 1),
    )
    return {
        "adaptive": adaptive,
        "encrypted-adaptive": adaptive,
        "cenc-adaptive": adaptive,
        "envelope-adaptive": adaptive,
        "adaptive-output": adaptive + (("{base}_1920x1080_6000.mp4", "video/mp4", 700_000_000, False, 1), ("{base}_manifest.xml", "text/xml", 3_000, False, 0)),
        "mezzanine": (("{base}.mp4", "video/mp4", 900_000_000, True, 0),),
        "mezzanine-large": (("{base}.mov", "video/quicktime", 9_000_000_000, True, 0),),
        "encrypted-mezzanine": (("{base}.mp4", "video/mp4", 900_000_000, True, 0), ("{base}.srt", "text/plain", 20_000, False, 0)),
        "archive": (
            ("{base}.ism", "application/octet-stream", 2_000, True, 0),
            ("{base}.ismc", "application/octet-stream", 6_000, False, 0),
            ("video_3000000.ismv", "video/mp4", 2_500_000_000, False, 1),
            ("audio_128000.isma", "audio/mp4", 90_000_000, False, 1),
        ),
        "indexer-output": (
            ("{base}_aud_SpReco.vtt", "text/vtt", 40_000, True, 0),
            ("{base}_aud_SpReco.ttml", "application/ttml+xml", 60_000, False, 0),
            ("{base}_aud_SpReco.kw.xml", "text/xml", 8_000, False, 0),
        ),
        "face-output": (("{base}_faceDetection.json", "application/json", 120_000, True, 0),),
        "none": (),
    }[kind]


@dataclass(frozen=True)
class ChannelSpec:
    name: str
    description: str
    protocol: str
    state: str
    encoding: str
    ingest_allow: tuple[str, ...]
    fragments_per_segment: int | None
    programs: tuple[tuple[str, timedelta, str, str | None], ...] = ()


CHANNELS = (
    ChannelSpec(
        "news-fmp4", "24x7 news, pass-through Smooth ingest", "FragmentedMP4", "Running", "None", ("*",), 1,
        (("news-live", timedelta(hours=1), "Running", "news"), ("news-archive", timedelta(hours=25), "Stopped", None)),
    ),
    ChannelSpec("sports-rtmp", "Sports, standard encoding", "RTMP", "Stopped", "Standard", ("203.0.113.0/24",), 3,
                 (("match-day", timedelta(minutes=5), "Stopped", "matchday"),)),
    ChannelSpec("legacy-rtp-ts", "RTP/MPEG-TS contribution feed", "RTPMPEG2TS", "Running", "Standard", ("198.51.100.0/28", "198.51.100.77"), None,
                 (("ts-program", timedelta(hours=8), "Running", "tsprogram"),)),
    ChannelSpec("premium-rtmp", "Premium encoding", "RTMP", "Starting", "Premium", ("*",), 3,
                 (("premium-show", timedelta(hours=2), "Starting", None),)),
    ChannelSpec("events-fmp4", "Events", "FragmentedMP4", "Stopping", "None", (), None,
                 (("keynote", timedelta(minutes=30), "Stopping", "keynote"),)),
    ChannelSpec("retired-rtmp", "Being deleted", "RTMP", "Deleting", "None", ("*",), None),
)


@dataclass(frozen=True)
class StreamingEndpointSpec:
    name: str
    description: str
    state: str
    scale_units: int | None
    cdn_provider: str | None
    custom_hosts: tuple[str, ...]
    access_control: bool
    cache: bool
    version: str
    free_trial_end: datetime | None = None  # None = unset, served as the .NET minimum date


STREAMING_ENDPOINTS = (
    StreamingEndpointSpec("default", "", "Running", 0, None, (), False, False, "2.0", datetime(2016, 2, 3, 9, 30, tzinfo=timezone.utc)),
    StreamingEndpointSpec("cdnpremium", "Premium Verizon CDN", "Running", 1, "PremiumVerizon", (), False, True, "2.0"),
    StreamingEndpointSpec("customhost", "Custom host names and access control", "Stopped", 2, None, ("video.contoso.example", "media.contoso.example"), True, True, "2.0"),
    StreamingEndpointSpec("akamai", "Akamai CDN, scaling", "Scaling", 3, "StandardAkamai", ("cdn.contoso.example",), False, False, "1.0"),
)
