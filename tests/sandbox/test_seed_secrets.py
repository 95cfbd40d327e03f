"""Seeded secrets are obviously fake, all listed by seeded_secret_values, and the only ones served."""

from __future__ import annotations

import base64
import binascii
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, unquote

import pytest

from migrator.sandbox.seed import FULL_COVERAGE_ASSETS, SeededV2Data, seeded_secret_values
from migrator.sandbox.v2face import V2Face
from v2_sandbox_helpers import ENTITY_SETS, MINIMAL, TOKEN, VERBOSE, get, results

SEED, ASSETS = 4, FULL_COVERAGE_ASSETS * 2
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_TOKEN_NS = "{http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1}"


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    return seeded_secret_values(SEED, ASSETS)


@pytest.fixture(scope="module")
def data() -> SeededV2Data:
    return SeededV2Data(SEED, ASSETS)


def _is_recognisably_fake(value: str) -> bool:
    text = unquote(value)
    if text.startswith("FAKE-SECRET-"):
        return True
    try:
        return base64.b64decode(text, validate=True).startswith(b"FAKE-SECRET-")
    except (binascii.Error, ValueError):
        return False


def _secret_field_values(data: SeededV2Data) -> list[str]:
    """Every value the service held in a secret-bearing field, found by reading the records."""
    found = [k["EncryptedContentKey"] for k in data.iter("ContentKeys")]
    for option in data.iter("ContentKeyAuthorizationPolicyOptions"):
        if option["KeyDeliveryType"] == 4:
            found.append(json.loads(option["KeyDeliveryConfiguration"])["FairPlayPfx"])
        for restriction in option["Restrictions"]:
            if restriction["KeyRestrictionType"] == 1:
                template = ET.fromstring(restriction["Requirements"])
                found.extend(k.text for k in template.iter(f"{_TOKEN_NS}KeyValue"))
    for locator in data.iter("Locators"):
        if locator["Type"] == 1:
            found.extend(parse_qs(locator["ContentAccessComponent"].lstrip("?"))["sig"])
    for endpoint in data.iter("StreamingEndpoints"):
        akamai = (endpoint["AccessControl"] or {}).get("Akamai") or {}
        found.extend(k["Base64Key"] for k in akamai.get("AkamaiSignatureHeaderAuthenticationKeyList") or [])
    found.extend(e["EncryptedEndPointCredential"] for e in data.iter("NotificationEndPoints") if e["EncryptedEndPointCredential"])
    return found


def test_every_listed_secret_is_recognisably_fake(secrets):
    assert secrets and [s for s in secrets if not _is_recognisably_fake(s)] == []


def test_every_secret_field_holds_a_listed_secret(data, secrets):
    values = _secret_field_values(data)
    assert len(values) > 50
    assert [v for v in values if v not in secrets] == []


def test_each_kind_of_secret_is_listed(data, secrets):
    assert data.fairplay_pfx() in secrets and data.fairplay_pfx_password() in secrets
    assert {data.token_signing_key(t, 0) for t in ("JWT", "SWT")} <= secrets
    clear_values = {data.clear_key_value_of(k["Id"]) for k in data.iter("ContentKeys")}
    assert None not in clear_values and clear_values <= secrets
    assert all(len(base64.b64decode(v)) == 16 for v in clear_values if not v.startswith("RkFLRS1TRUNSRVQtcGZ4"))


@pytest.mark.parametrize("accept", [VERBOSE, MINIMAL], ids=["verbose", "minimal"])
def test_no_unlisted_fake_secret_appears_in_any_served_payload(secrets, accept):
    face = V2Face(SeededV2Data(SEED, ASSETS), token=TOKEN)
    unlisted = set()
    for entity_set in ENTITY_SETS:
        text = json.dumps(results(get(face, f"/api/{entity_set}?$top=1000", accept)))
        for run in _BASE64_RUN.findall(text.replace("\\/", "/")):
            if _is_recognisably_fake(run) and run not in secrets:
                unlisted.add(run)
    assert unlisted == set()


def test_secrets_depend_on_seed_and_assets_only(secrets):
    assert seeded_secret_values(SEED, ASSETS) == secrets
    assert seeded_secret_values(SEED + 1, ASSETS) != secrets


def test_every_content_key_of_an_account_has_its_own_value(data):
    keys = [k["Id"] for k in data.iter("ContentKeys")]
    assert len({data.clear_key_value_of(k) for k in keys}) == len(keys)
    assert len({k["EncryptedContentKey"] for k in data.iter("ContentKeys")}) == len(keys)
