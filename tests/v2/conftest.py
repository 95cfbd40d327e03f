"""Wire fixtures for every v2 entity set, built from the reference schema.

``build_wire_entity(entity_set, fmt, **overrides)`` returns one entity object as the service
writes it (``fmt`` is ``"verbose"`` or ``"minimal"``) with every property of the set set to a
sample of the right wire type; ``overrides`` replace or add wire properties verbatim.
``build_wire_page`` wraps entity objects in the envelope of either format. ``expected_entity``
is the typed entity those samples mean, built directly from Python values (not through the
parser), so a parse can be compared against it. The same functions are exposed as fixtures for
other test modules under tests/v2.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from migrator.v2 import entities, enums, schema
from migrator.v2.schema import PropertyInfo

DATA_DIR = Path(__file__).parent / "data"
SERVICE_ROOT = "https://myaccount.restv2.westus.media.azure.net/api/"
FORMATS = ("verbose", "minimal")

SAMPLE_DATETIME = dt.datetime(2020, 4, 17, 0, 56, 31, 763000, tzinfo=dt.timezone.utc)
SAMPLE_EPOCH_MS = 1587084991763
SAMPLE_DURATION = dt.timedelta(hours=1)
SAMPLE_INT64 = 122992491

# Secret-bearing samples: tests prove none of them leaks through repr() or error messages.
CONTENT_KEY_SECRET = "U0VDUkVULWVuY3J5cHRlZC1jb250ZW50LWtleQ=="
TOKEN_KEY_SECRET = "U0VDUkVULXN5bW1ldHJpYy10b2tlbi1rZXk="
FAIRPLAY_PFX_SECRET = "U0VDUkVULWZhaXJwbGF5LXBmeA=="
ENDPOINT_CREDENTIAL_SECRET = "U0VDUkVULWVuZHBvaW50LWNyZWRlbnRpYWw="
AKAMAI_KEY_SECRET = "U0VDUkVULWFrYW1haS1zaWduYXR1cmUta2V5"
SECRET_SAMPLES = (
    CONTENT_KEY_SECRET,
    TOKEN_KEY_SECRET,
    FAIRPLAY_PFX_SECRET,
    ENDPOINT_CREDENTIAL_SECRET,
    AKAMAI_KEY_SECRET,
)

TOKEN_RESTRICTION_TEMPLATE = (
    '<TokenRestrictionTemplate xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1">'
    "<AlternateVerificationKeys /><Audience>urn:test</Audience><Issuer>http://testacs.com/</Issuer>"
    '<PrimaryVerificationKey i:type="SymmetricVerificationKey">'
    f"<KeyValue>{TOKEN_KEY_SECRET}</KeyValue></PrimaryVerificationKey>"
    "<RequiredClaims /><TokenType>JWT</TokenType></TokenRestrictionTemplate>"
)
FAIRPLAY_CONFIGURATION = json.dumps(
    {
        "ASkId": "8bc0e7b4-1aa0-4b40-a5ac-01c4e8bb8a5f",
        "FairPlayPfxPasswordId": "c5b1d3a4-98c0-4f50-bf5a-2b0e9b2f6a11",
        "FairPlayPfx": FAIRPLAY_PFX_SECRET,
        "ContentEncryptionIV": "0123456789ABCDEF0123456789ABCDEF",
        "RentalAndLeaseKeyType": 0,
        "RentalDuration": 0,
    }
)

# Strings whose content matters (secrets, XML, JSON); other strings get a generic sample.
SPECIAL_STRINGS: dict[tuple[str, str], str] = {
    ("AssetFilters", "Name"): "samplefilter",  # the name part of the composite key
    ("ContentKeys", "EncryptedContentKey"): CONTENT_KEY_SECRET,
    ("ContentKeyAuthorizationPolicyOptions", "KeyDeliveryConfiguration"): FAIRPLAY_CONFIGURATION,
    ("ContentKeyAuthorizationPolicyRestriction", "Requirements"): TOKEN_RESTRICTION_TEMPLATE,
    ("NotificationEndPoints", "EncryptedEndPointCredential"): ENDPOINT_CREDENTIAL_SECRET,
    ("AkamaiSignatureHeaderAuthenticationKey", "Base64Key"): AKAMAI_KEY_SECRET,
    ("AssetDeliveryPolicies", "AssetDeliveryConfiguration"): json.dumps(
        [{"Key": 2, "Value": "https://myaccount.keydelivery.mediaservices.windows.net/"}]
    ),
}

# Flags samples combine members, as the service does (7 = SmoothStreaming + Dash + HLS).
FLAG_SAMPLES = {
    "AssetDeliveryProtocol": 7,
    "AccessPermissions": 9,
    "TaskOptions": 3,
    "AssetCreationOptions": 1,
    "AssetFileOptions": 1,
}


def sample_key(entity_set: str) -> str:
    """The key of the sample entity of a set, in the set's documented id form."""
    info = schema.ENTITY_SET_INFO[entity_set]
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, entity_set))
    if entity_set == "AssetFilters":
        return f"{sample_key('Assets')}__###__samplefilter"
    if entity_set == "EncodingReservedUnitTypes":
        return guid
    if info.id_prefix is None:
        return f"sample{entity_set.lower()}"
    return f"{info.id_prefix}{guid}"


def _foreign_key_targets() -> dict[tuple[str, str], str]:
    """(owning set or complex type, property) -> target set, from schema.FOREIGN_KEYS."""
    targets = {}
    for fk in schema.FOREIGN_KEYS:
        owner, path = fk.from_set, fk.property.split(".")
        for segment in path[:-1]:
            owner = _property(owner, segment).edm_type
        targets[(owner, path[-1])] = fk.to_set
    return targets


def _property(owner: str, name: str) -> PropertyInfo:
    props = schema.ENTITY_SET_INFO[owner].properties if owner in schema.ENTITY_SET_INFO else schema.COMPLEX_TYPES[owner]
    return next(p for p in props if p.name == name)


FOREIGN_KEY_TARGETS = _foreign_key_targets()


def _enum_sample(enum_name: str) -> enum.IntEnum:
    cls = enums.ENUMS[enum_name]
    if enum_name in FLAG_SAMPLES:
        return cls(FLAG_SAMPLES[enum_name])
    members = list(cls.__members__.values())
    return next((m for m in members if int(m) == 1), members[0])


def sample_value(owner: str, prop: PropertyInfo) -> Any:
    """The Python value of a property's sample (one element for a collection)."""
    if (owner, prop.name) in FOREIGN_KEY_TARGETS:
        return sample_key(FOREIGN_KEY_TARGETS[(owner, prop.name)])
    if owner in schema.ENTITY_SET_INFO and prop.name == schema.ENTITY_SET_INFO[owner].key_property:
        return sample_key(owner)
    if prop.enum:
        return _enum_sample(prop.enum)
    if prop.is_complex:
        return expected_complex(prop.edm_type)
    return {
        "Edm.String": SPECIAL_STRINGS.get((owner, prop.name), f"sample {prop.name}"),
        "Edm.Guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{owner}.{prop.name}")),
        "Edm.Boolean": True,
        "Edm.Int16": 3,
        "Edm.Int32": 3,
        "Edm.Int64": SAMPLE_INT64,
        "Edm.Double": 1.5,
        "Edm.DateTime": SAMPLE_DATETIME,
        "Edm.Time": SAMPLE_DURATION,
    }[prop.edm_type]


def _typed(owner: str, prop: PropertyInfo) -> Any:
    value = sample_value(owner, prop)
    return (value,) if prop.collection else value


def expected_complex(type_name: str) -> entities.ComplexValue:
    props = schema.COMPLEX_TYPES[type_name]
    return entities.COMPLEX_CLASSES[type_name](**{p.attribute: _typed(type_name, p) for p in props})


def expected_entity(entity_set: str) -> entities.V2Entity:
    """The typed entity that ``build_wire_entity(entity_set, fmt)`` describes, in either format."""
    props = schema.ENTITY_SET_INFO[entity_set].properties
    return entities.ENTITY_CLASSES[entity_set](**{p.attribute: _typed(entity_set, p) for p in props})


# --------------------------------------------------------------------------------------------
# encoding samples the way the service writes them


def _wire_scalar(prop: PropertyInfo, value: Any, fmt: str) -> Any:
    if prop.enum:
        return enums.wire_name(value) if enums.WIRE_FORMS[prop.enum] == "name" else int(value)
    if isinstance(value, entities.ComplexValue):
        return _wire_complex(value, fmt)
    if prop.edm_type == "Edm.DateTime":
        if fmt == "verbose":
            return f"/Date({SAMPLE_EPOCH_MS})/"
        return "2020-04-17T00:56:31.7630000Z"  # .NET writes seven fraction digits
    if prop.edm_type == "Edm.Time":
        return "PT1H"
    if prop.edm_type == "Edm.Int64":
        return str(value)  # quoted in both formats (reference wire_formats)
    return value


def _wire_property(prop: PropertyInfo, value: Any, fmt: str) -> Any:
    if not prop.collection:
        return _wire_scalar(prop, value, fmt)
    items = [_wire_scalar(prop, item, fmt) for item in value]
    if fmt != "verbose":
        return items
    element = prop.edm_type if prop.edm_type.startswith("Edm.") else f"{schema.NAMESPACE}.{prop.edm_type}"
    return {"__metadata": {"type": f"Collection({element})"}, "results": items}


def _wire_complex(value: entities.ComplexValue, fmt: str) -> dict[str, Any]:
    body = {p.name: _wire_property(p, getattr(value, p.attribute), fmt) for p in schema.COMPLEX_TYPES[value.complex_type]}
    if fmt == "verbose":
        return {"__metadata": {"type": f"{schema.NAMESPACE}.{value.complex_type}"}, **body}
    return body


def build_wire_entity(entity_set: str, fmt: str = "minimal", **overrides: Any) -> dict[str, Any]:
    """One entity object in the given wire format; ``overrides`` are wire names and raw wire values."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    info = schema.ENTITY_SET_INFO[entity_set]
    entity = expected_entity(entity_set)
    body = {p.name: _wire_property(p, getattr(entity, p.attribute), fmt) for p in info.properties}
    body.update(overrides)
    if fmt == "minimal":
        return body
    key = body.get(info.key_property, sample_key(entity_set))
    literal = f"guid'{key}'" if info.properties[0].edm_type == "Edm.Guid" else f"'{key}'"
    uri = f"{SERVICE_ROOT}{entity_set}({literal})"
    stubs = {nav.name: {"__deferred": {"uri": f"{uri}/{nav.name}"}} for nav in info.navigation}
    return {"__metadata": {"id": uri, "uri": uri, "type": info.entity_type}, **stubs, **body}


def build_wire_page(
    entity_set: str, fmt: str, objects: list[dict[str, Any]], *, next_link: str | None = None
) -> dict[str, Any]:
    """Entity objects in the collection envelope of a format, with an optional next link."""
    if fmt == "verbose":
        body: dict[str, Any] = {"results": objects}
        if next_link:
            body["__next"] = next_link
        return {"d": body}
    page: dict[str, Any] = {"odata.metadata": f"{SERVICE_ROOT}$metadata#{entity_set}", "value": objects}
    if next_link:
        page["odata.nextLink"] = next_link
    return page


def load_response_examples() -> dict[str, Any]:
    """The reference's example pages (a copy of shared/reference/v2/v2-response-examples.json)."""
    return json.loads((DATA_DIR / "v2-response-examples.json").read_text(encoding="utf-8"))


@pytest.fixture(name="build_wire_entity")
def build_wire_entity_fixture():
    return build_wire_entity


@pytest.fixture(name="build_wire_page")
def build_wire_page_fixture():
    return build_wire_page


@pytest.fixture(name="expected_entity")
def expected_entity_fixture():
    return expected_entity


@pytest.fixture(name="response_examples")
def response_examples_fixture():
    return load_response_examples()


@pytest.fixture(name="sample_key")
def sample_key_fixture():
    return sample_key


@pytest.fixture(name="secret_samples")
def secret_samples_fixture():
    return SECRET_SAMPLES
