"""v2 key authorization options as the options of a v3 content key policy.

What the v3 face of an account shows of its own ContentKeyAuthorizationPolicyOptions
(``visibility.py``). The v2 side is protocol.md §9 (the XML and JSON inside an option); the
v3 side is v3-api.md §10 and the swagger ``ContentKeyPolicies.json``. Options come out *with*
their secrets, as ``getPolicyPropertiesWithSecrets`` answers them; a plain GET passes them
through ``v3store.blank_policy_secrets``. XML is parsed with defusedxml only. Anything
unreadable becomes the spec's read-side "unknown" configuration or restriction.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime, timezone
from typing import Any, Callable
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from migrator.sandbox.arm import iso

# v2 content key id (``nb:kid:UUID:<g>``) -> base64 clear value of that key.
ClearValue = Callable[[str], str]

MEDIA = "#Microsoft.Media."
OPEN_RESTRICTION = {"@odata.type": f"{MEDIA}ContentKeyPolicyOpenRestriction"}
UNKNOWN_RESTRICTION = {"@odata.type": f"{MEDIA}ContentKeyPolicyUnknownRestriction"}
UNKNOWN_CONFIGURATION = {"@odata.type": f"{MEDIA}ContentKeyPolicyUnknownConfiguration"}
CLEAR_KEY_CONFIGURATION = {"@odata.type": f"{MEDIA}ContentKeyPolicyClearKeyConfiguration"}

# ContentKeyDeliveryType and ContentKeyRestrictionType (v2-entities.json).
PLAYREADY_LICENSE, BASELINE_HTTP, WIDEVINE, FAIRPLAY = 1, 2, 3, 4
OPEN, TOKEN = 0, 1

KEY_ID_PREFIX = "nb:kid:UUID:"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def key_policy_option(option: dict, *, typed_drm: bool, clear_value: ClearValue) -> dict:
    """One v2 option as a v3 ``ContentKeyPolicyOption``, secrets included."""
    restrictions = option.get("Restrictions") or []
    return {
        "policyOptionId": option["Id"].rsplit(":", 1)[-1],
        "name": option.get("Name"),
        "configuration": key_configuration(option, typed_drm=typed_drm, clear_value=clear_value),
        "restriction": key_restriction(restrictions[0] if restrictions else None),
    }


def key_configuration(option: dict, *, typed_drm: bool, clear_value: ClearValue) -> dict:
    delivery = option.get("KeyDeliveryType")
    raw = option.get("KeyDeliveryConfiguration")
    if delivery == BASELINE_HTTP:  # AES envelope = v3 ClearKey configuration (guidance a.1)
        return dict(CLEAR_KEY_CONFIGURATION)
    if delivery == WIDEVINE:
        return {"@odata.type": f"{MEDIA}ContentKeyPolicyWidevineConfiguration", "widevineTemplate": raw or "{}"}
    translated = None
    if typed_drm and delivery == PLAYREADY_LICENSE:
        translated = playready_configuration(raw)
    elif typed_drm and delivery == FAIRPLAY:
        translated = fairplay_configuration(raw, clear_value)
    return translated or dict(UNKNOWN_CONFIGURATION)


def key_restriction(restriction: dict | None) -> dict:
    kind = restriction.get("KeyRestrictionType") if restriction else OPEN
    if kind == OPEN:
        return dict(OPEN_RESTRICTION)
    if kind == TOKEN:
        token = token_restriction(restriction.get("Requirements"))
        if token is not None:
            return token
    # IP restrictions (never enabled by the service) and unreadable templates.
    return dict(UNKNOWN_RESTRICTION)


# ---------------------------------------------------------------- XML helpers


def _parse(xml: str | None) -> Element | None:
    if not xml:
        return None
    try:
        return ElementTree.fromstring(xml)
    except Exception:  # defusedxml raises several unrelated classes for hostile or broken XML
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _fields(element: Element) -> dict[str, Element]:
    """Children by local name; DataContract writes unset members as ``i:nil``, so those are left out."""
    return {_local(child.tag): child for child in element if child.get(f"{XSI}nil") != "true"}


def _text(fields: dict[str, Element], name: str) -> str | None:
    element = fields.get(name)
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _flag(fields: dict[str, Element], name: str) -> bool:
    return (_text(fields, name) or "false").lower() == "true"


def _declared_type(element: Element) -> str:
    """The ``i:type`` of a DataContract member, without any namespace prefix."""
    return (element.get(f"{XSI}type") or "").rsplit(":", 1)[-1]


def _integer(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- token restrictions


TOKEN_TYPES = {"JWT": "Jwt", "SWT": "Swt"}


def token_restriction(xml: str | None) -> dict | None:
    """A v2 ``TokenRestrictionTemplate`` as a v3 token restriction with its key material."""
    root = _parse(xml)
    if root is None or _local(root.tag) != "TokenRestrictionTemplate":
        return None
    fields = _fields(root)
    primary_element = fields.get("PrimaryVerificationKey")
    primary = _token_key(primary_element) if primary_element is not None else None
    alternates = [_token_key(key) for key in fields.get("AlternateVerificationKeys", ())]
    if (primary_element is not None and primary is None) or None in alternates:
        return None
    restriction: dict[str, Any] = {
        "@odata.type": f"{MEDIA}ContentKeyPolicyTokenRestriction",
        "issuer": _text(fields, "Issuer") or "",
        "audience": _text(fields, "Audience") or "",
        # Required but nullable: a template verified by an OpenID discovery document alone has none.
        "primaryVerificationKey": primary,
        "alternateVerificationKeys": alternates,
        "requiredClaims": [_claim(claim) for claim in fields.get("RequiredClaims", ())],
        # The v2 SDK's template defaults to SWT.
        "restrictionTokenType": TOKEN_TYPES.get((_text(fields, "TokenType") or "SWT").upper(), "Unknown"),
    }
    discovery = _discovery_document(fields.get("OpenIdConnectDiscoveryDocument"))
    if discovery:
        restriction["openIdConnectDiscoveryDocument"] = discovery
    return restriction


def _claim(element: Element) -> dict:
    fields = _fields(element)
    claim = {"claimType": _text(fields, "ClaimType")}
    value = _text(fields, "ClaimValue")
    if value is not None:
        claim["claimValue"] = value
    return claim


def _discovery_document(element: Element | None) -> str | None:
    if element is None:
        return None
    uri = _text(_fields(element), "OpenIdDiscoveryUri")
    return uri or (element.text or "").strip() or None


def _token_key(element: Element) -> dict | None:
    """``SymmetricVerificationKey`` (``KeyValue``), ``X509CertTokenVerificationKey`` (``RawBody``)
    or ``RSATokenVerificationKey`` (``RawBody`` = UTF-8 JSON ``{"e", "n"}`` in the v2 SDK)."""
    fields = _fields(element)
    kind = (_declared_type(element) or "SymmetricVerificationKey").lower()
    if kind == "symmetricverificationkey":
        value = _text(fields, "KeyValue")
        return {"@odata.type": f"{MEDIA}ContentKeyPolicySymmetricTokenKey", "keyValue": value} if value else None
    if kind == "x509certtokenverificationkey":
        raw = _text(fields, "RawBody")
        return {"@odata.type": f"{MEDIA}ContentKeyPolicyX509CertificateTokenKey", "rawBody": raw} if raw else None
    if kind == "rsatokenverificationkey":
        parameters = _rsa_parameters(_text(fields, "RawBody"))
        if parameters:
            return {"@odata.type": f"{MEDIA}ContentKeyPolicyRsaTokenKey", "exponent": parameters[0], "modulus": parameters[1]}
    return None


def _rsa_parameters(raw: str | None) -> tuple[str, str] | None:
    try:
        parameters = json.loads(base64.b64decode(raw or "", validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(parameters, dict) or not all(isinstance(parameters.get(k), str) for k in ("e", "n")):
        return None
    return parameters["e"], parameters["n"]


# ---------------------------------------------------------------- PlayReady


LICENSE_TYPES = {"Nonpersistent": "NonPersistent", "Persistent": "Persistent"}
UNKNOWN_OUTPUT_PASSING = ("NotAllowed", "Allowed", "AllowedWithVideoConstriction")
LICENSE_DATES = {"BeginDate": "beginDate", "ExpirationDate": "expirationDate"}
LICENSE_DURATIONS = {
    "RelativeBeginDate": "relativeBeginDate",
    "RelativeExpirationDate": "relativeExpirationDate",
    "GracePeriod": "gracePeriod",
}
PLAY_RIGHT_FLAGS = {
    "DigitalVideoOnlyContentRestriction": "digitalVideoOnlyContentRestriction",
    "ImageConstraintForAnalogComponentVideoRestriction": "imageConstraintForAnalogComponentVideoRestriction",
    "ImageConstraintForAnalogComputerMonitorRestriction": "imageConstraintForAnalogComputerMonitorRestriction",
}
PLAY_RIGHT_CONTROL_BITS = {"ScmsRestriction": "scmsRestriction", "AgcAndColorStripeRestriction": "agcAndColorStripeRestriction"}
PLAY_RIGHT_LEVELS = {
    "UncompressedDigitalVideoOpl": "uncompressedDigitalVideoOpl",
    "CompressedDigitalVideoOpl": "compressedDigitalVideoOpl",
    "AnalogVideoOpl": "analogVideoOpl",
    "CompressedDigitalAudioOpl": "compressedDigitalAudioOpl",
    "UncompressedDigitalAudioOpl": "uncompressedDigitalAudioOpl",
}


def playready_configuration(xml: str | None) -> dict | None:
    """A ``PlayReadyLicenseResponseTemplate`` as a v3 PlayReady configuration."""
    root = _parse(xml)
    if root is None or _local(root.tag) != "PlayReadyLicenseResponseTemplate":
        return None
    fields = _fields(root)
    configuration: dict[str, Any] = {
        "@odata.type": f"{MEDIA}ContentKeyPolicyPlayReadyConfiguration",
        "licenses": [_playready_license(template) for template in fields.get("LicenseTemplates", ())],
    }
    custom_data = _text(fields, "ResponseCustomData")
    if custom_data is not None:
        configuration["responseCustomData"] = custom_data
    return configuration


def _playready_license(element: Element) -> dict:
    fields = _fields(element)
    allow_test_devices = _flag(fields, "AllowTestDevices")
    license_: dict[str, Any] = {
        "allowTestDevices": allow_test_devices,
        # v2 had no security level: AllowTestDevices set the license minimum to 150, else 2000 (v2 SDK).
        "securityLevel": "SL150" if allow_test_devices else "SL2000",
        # A DataContract enum left unset is its first member, Nonpersistent.
        "licenseType": LICENSE_TYPES.get(_text(fields, "LicenseType") or "Nonpersistent", "Unknown"),
        "contentKeyLocation": _content_key_location(fields.get("ContentKey")),
        # v2 templates had no content type.
        "contentType": "Unspecified",
    }
    for v2_name, v3_name in LICENSE_DATES.items():
        moment = _date_time(_text(fields, v2_name))
        if moment:
            license_[v3_name] = moment
    for v2_name, v3_name in LICENSE_DURATIONS.items():
        duration = _text(fields, v2_name)
        if duration:
            license_[v3_name] = duration
    if "PlayRight" in fields:
        license_["playRight"] = _play_right(fields["PlayRight"])
    return license_


def _content_key_location(element: Element | None) -> dict:
    if element is not None and _declared_type(element) == "ContentEncryptionKeyFromKeyIdentifier":
        key_id = _text(_fields(element), "KeyIdentifier")
        if key_id:
            return {"@odata.type": f"{MEDIA}ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier", "keyId": key_id}
    return {"@odata.type": f"{MEDIA}ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"}


def _play_right(element: Element) -> dict:
    fields = _fields(element)
    passing = _text(fields, "AllowPassingVideoContentToUnknownOutput") or "NotAllowed"
    right: dict[str, Any] = {v3: _flag(fields, v2) for v2, v3 in PLAY_RIGHT_FLAGS.items()}
    right["allowPassingVideoContentToUnknownOutput"] = passing if passing in UNKNOWN_OUTPUT_PASSING else "Unknown"
    first_play = _text(fields, "FirstPlayExpiration")
    if first_play:
        right["firstPlayExpiration"] = first_play
    for v2_name, v3_name in PLAY_RIGHT_CONTROL_BITS.items():
        bits = _control_bits(fields.get(v2_name))
        if bits is not None:
            right[v3_name] = bits
    analog = fields.get("ExplicitAnalogTelevisionOutputRestriction")
    analog_bits = _control_bits(analog)
    if analog is not None and analog_bits is not None:
        right["explicitAnalogTelevisionOutputRestriction"] = {
            "bestEffort": _flag(_fields(analog), "BestEffort"),
            "configurationData": analog_bits,
        }
    for v2_name, v3_name in PLAY_RIGHT_LEVELS.items():
        level = _integer(_text(fields, v2_name))
        if level is not None:
            right[v3_name] = level
    return right


def _control_bits(element: Element | None) -> int | None:
    """The SDK's restriction types wrap their bits in ``ConfigurationData``; a bare number is taken too."""
    if element is None:
        return None
    inner = _fields(element).get("ConfigurationData")
    return _integer((inner if inner is not None else element).text)


def _date_time(text: str | None) -> str | None:
    if not text:
        return None
    # Python reads at most six fraction digits; .NET writes seven.
    cleaned = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return iso(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))


# ---------------------------------------------------------------- FairPlay


# The v2 SDK's ``RentalAndLeaseKeyType`` (a uint, serialised as its number by Json.NET).
RENTAL_AND_LEASE_KEY_TYPES = {0: "Undefined", 0x3DF2D9FB: "PersistentUnlimited", 0x18F06048: "PersistentLimited"}


def fairplay_configuration(raw: str | None, clear_value: ClearValue) -> dict | None:
    """A v2 FairPlay JSON configuration as a v3 FairPlay configuration.

    ``ask`` is the value of the FairPlayASk content key ``ASkId`` names, ``fairPlayPfxPassword``
    the text held by the FairPlayPfxPassword key; ``ContentEncryptionIV`` has no v3 field (v3
    derives the IV from the key id, guidance a.1).
    """
    try:
        config = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(config, dict):
        return None
    ask_id, password_id, pfx = config.get("ASkId"), config.get("FairPlayPfxPasswordId"), config.get("FairPlayPfx")
    if not (ask_id and password_id and pfx):
        return None
    duration = _integer(config.get("RentalDuration") or 0)
    return {
        "@odata.type": f"{MEDIA}ContentKeyPolicyFairPlayConfiguration",
        "ask": clear_value(_key_id(ask_id)),
        "fairPlayPfxPassword": _password_text(clear_value(_key_id(password_id))),
        "fairPlayPfx": pfx,
        "rentalAndLeaseKeyType": _rental_and_lease(config.get("RentalAndLeaseKeyType")),
        "rentalDuration": duration if duration is not None and duration >= 0 else 0,
    }


def _key_id(guid: Any) -> str:
    return KEY_ID_PREFIX + str(guid).rsplit(":", 1)[-1].strip("{}")


def _password_text(key_value: str) -> str:
    """The v2 SDK stored the PFX password as the UTF-8 bytes of a content key."""
    try:
        text = base64.b64decode(key_value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return key_value
    return text if text.isprintable() else key_value


def _rental_and_lease(value: Any) -> str:
    if value is None:
        return "Undefined"
    if isinstance(value, str) and value in RENTAL_AND_LEASE_KEY_TYPES.values():
        return value
    number = _integer(value)
    return RENTAL_AND_LEASE_KEY_TYPES.get(number, "Unknown") if number is not None else "Unknown"
