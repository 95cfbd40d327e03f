"""Projected content key policies give their v2 secrets exactly where v3 documents secrets:
``getPolicyPropertiesWithSecrets`` (v3-api.md "Content key policies") and ``listContentKeys``;
a plain GET blanks them as the official examples show (``keyValue: ""``). PlayReady and
FairPlay options are typed configurations unless assumed otherwise."""

from __future__ import annotations

import base64
import json
import logging
import re

import pytest

from migrator.openapi.validator import validate_response
from migrator.sandbox.app import Sandbox
from migrator.sandbox.seed import seeded_secret_values
from migrator.sandbox.v2keypolicies import fairplay_configuration, key_policy_option, playready_configuration
from migrator.sandbox.v3store import POLICY_SECRET_FIELDS
from migrator.sandbox.visibility import VisibilityAssumptions
from test_v3face_helpers import Arm

SEED, ASSETS = 7, 32  # one full period of profiles: every kind of option is there
MEDIA = "#Microsoft.Media."


def secret_fields(value, found=None) -> list[tuple[str, object]]:
    """(field, value) of every secret-bearing field anywhere in a body."""
    found = [] if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if key in POLICY_SECRET_FIELDS:
                found.append((key, item))
            else:
                secret_fields(item, found)
    elif isinstance(value, list):
        for item in value:
            secret_fields(item, found)
    return found


def every_page(arm: Arm, relative: str) -> list[dict]:
    page = arm.get(relative).json()
    items = list(page["value"])
    while "@odata.nextLink" in page:
        page = arm.session.get(page["@odata.nextLink"]).json()
        items += page["value"]
    return items


@pytest.fixture(scope="module")
def seeded():
    with Sandbox(seed=SEED, assets=ASSETS, page_size=50, retry_after=0) as sandbox:
        yield sandbox, Arm(sandbox.base_url, sandbox.source)


@pytest.fixture(scope="module")
def with_secrets(seeded) -> dict[str, dict]:
    """getPolicyPropertiesWithSecrets of every projected policy, each answer validated."""
    sandbox, arm = seeded
    answers = {}
    for policy in every_page(arm, "contentKeyPolicies"):
        relative = f"contentKeyPolicies/{policy['name']}/getPolicyPropertiesWithSecrets"
        response = arm.post(relative)
        assert response.status_code == 200
        assert validate_response("POST", f"{sandbox.source.id}/{relative}", 200, response.json()) == []
        answers[policy["name"]] = response.json()
    return answers


def options_named(answers: dict[str, dict], name: str) -> list[dict]:
    return [option for answer in answers.values() for option in answer["options"] if option["name"] == name]


def v2_option(sandbox: Sandbox, option: dict) -> dict:
    return sandbox.data.get("ContentKeyAuthorizationPolicyOptions", f"nb:ckpoid:UUID:{option['policyOptionId']}")


# ---------------------------------------------------------------- getPolicyPropertiesWithSecrets


def test_get_policy_properties_with_secrets_returns_only_seeded_secret_values(with_secrets):
    seeded_secrets = seeded_secret_values(SEED, ASSETS)
    found = [(field, value) for answer in with_secrets.values() for field, value in secret_fields(answer) if field != "rawBody"]
    assert {field for field, _ in found} == {"keyValue", "ask", "fairPlayPfx", "fairPlayPfxPassword"}
    assert all(isinstance(value, str) and value in seeded_secrets for _, value in found)


def test_token_keys_carry_the_primary_and_alternate_key_values_of_the_v2_template(seeded, with_secrets):
    sandbox, _arm = seeded
    options = options_named(with_secrets, "Token option")  # clear key + JWT with an alternate key
    assert options
    for option in options:
        xml = v2_option(sandbox, option)["Restrictions"][0]["Requirements"]
        primary, alternate = (re.search(rf"<{element}[^>]*><KeyValue>([^<]+)</KeyValue>", xml).group(1) for element in ("PrimaryVerificationKey", "TokenVerificationKey"))
        restriction = option["restriction"]
        assert restriction["primaryVerificationKey"] == {"@odata.type": f"{MEDIA}ContentKeyPolicySymmetricTokenKey", "keyValue": primary}
        assert restriction["alternateVerificationKeys"] == [{"@odata.type": f"{MEDIA}ContentKeyPolicySymmetricTokenKey", "keyValue": alternate}]
        assert {"claimType": "urn:contoso:entitlement", "claimValue": "premium"} in restriction["requiredClaims"]
        assert restriction["restrictionTokenType"] == "Jwt"


def test_fairplay_options_carry_the_ask_password_and_pfx_of_their_v2_keys(seeded, with_secrets):
    sandbox, _arm = seeded
    options = options_named(with_secrets, "FairPlay token option")
    assert options
    for option in options:
        v2_configuration = json.loads(v2_option(sandbox, option)["KeyDeliveryConfiguration"])
        configuration = option["configuration"]
        assert configuration["@odata.type"] == f"{MEDIA}ContentKeyPolicyFairPlayConfiguration"
        assert configuration["ask"] == sandbox.data.clear_key_value_of(f"nb:kid:UUID:{v2_configuration['ASkId']}")
        assert len(base64.b64decode(configuration["ask"])) == 16
        assert configuration["fairPlayPfxPassword"] == sandbox.data.fairplay_pfx_password()
        assert configuration["fairPlayPfx"] == v2_configuration["FairPlayPfx"] == sandbox.data.fairplay_pfx()
        assert (configuration["rentalAndLeaseKeyType"], configuration["rentalDuration"]) == ("Undefined", 0)
        # v3 cannot set the FairPlay IV (guidance a.1): the v2 ContentEncryptionIV is not projected.
        assert v2_configuration["ContentEncryptionIV"] not in json.dumps(configuration)


def test_playready_options_are_typed_configurations_translated_from_the_v2_template(with_secrets):
    persistent = options_named(with_secrets, "PlayReady persistent open option")[0]["configuration"]
    key_id = persistent["licenses"][0]["contentKeyLocation"]["keyId"]
    assert persistent == {
        "@odata.type": f"{MEDIA}ContentKeyPolicyPlayReadyConfiguration",
        "licenses": [
            {
                "allowTestDevices": True,
                "securityLevel": "SL150",
                "licenseType": "Persistent",
                "contentKeyLocation": {"@odata.type": f"{MEDIA}ContentKeyPolicyPlayReadyContentEncryptionKeyFromKeyIdentifier", "keyId": key_id},
                "contentType": "Unspecified",
                "beginDate": "2019-01-01T00:00:00Z",
                "expirationDate": "2034-01-01T00:00:00Z",
                "gracePeriod": "PT1H",
                "playRight": {
                    "digitalVideoOnlyContentRestriction": False,
                    "imageConstraintForAnalogComponentVideoRestriction": True,
                    "imageConstraintForAnalogComputerMonitorRestriction": False,
                    "allowPassingVideoContentToUnknownOutput": "Allowed",
                },
            }
        ],
    }
    streaming = options_named(with_secrets, "PlayReady SWT option")[0]["configuration"]["licenses"][0]
    assert (streaming["licenseType"], streaming["allowTestDevices"], streaming["securityLevel"]) == ("NonPersistent", False, "SL2000")
    assert streaming["contentKeyLocation"] == {"@odata.type": f"{MEDIA}ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader"}


# ---------------------------------------------------------------- plain GET and list


def test_plain_get_and_list_of_projected_policies_answer_every_secret_as_an_empty_string(seeded, with_secrets):
    sandbox, arm = seeded
    listed = every_page(arm, "contentKeyPolicies")
    assert validate_response("GET", f"{sandbox.source.id}/contentKeyPolicies", 200, {"value": listed}) == []
    for policy in listed:
        fetched = arm.get(f"contentKeyPolicies/{policy['name']}").json()
        assert fetched == policy
        assert validate_response("GET", f"{sandbox.source.id}/contentKeyPolicies/{policy['name']}", 200, fetched) == []
        assert all(value == "" for _, value in secret_fields(fetched))
        # Blanking is the only difference from the answer with secrets.
        assert len(secret_fields(fetched)) == len(secret_fields(with_secrets[policy["name"]]))
    listed_text = json.dumps(listed)
    assert not [secret for secret in seeded_secret_values(SEED, ASSETS) if secret in listed_text]


# ---------------------------------------------------------------- listContentKeys


def test_list_content_keys_of_projected_locators_returns_the_seeded_v2_key_values(seeded):
    sandbox, arm = seeded
    checked = 0
    for locator in every_page(arm, "streamingLocators"):
        relative = f"streamingLocators/{locator['name']}/listContentKeys"
        answer = arm.post(relative).json()
        assert validate_response("POST", f"{sandbox.source.id}/{relative}", 200, answer) == []
        for key in answer["contentKeys"]:
            assert key["value"] == sandbox.data.clear_key_value_of(f"nb:kid:UUID:{key['id']}")
            checked += 1
        assert all("value" not in key for key in locator["properties"].get("contentKeys", []))
    assert checked


# ---------------------------------------------------------------- never logged


def test_secrets_returned_by_the_actions_are_never_logged(caplog):
    logger = logging.getLogger("migrator")
    logger.addHandler(caplog.handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with Sandbox(seed=SEED, assets=ASSETS, page_size=50, retry_after=0) as sandbox:
            arm = Arm(sandbox.base_url, sandbox.source)
            answers = [arm.post(f"contentKeyPolicies/{p['name']}/getPolicyPropertiesWithSecrets").text for p in every_page(arm, "contentKeyPolicies")]
            answers += [arm.post(f"streamingLocators/{l['name']}/listContentKeys").text for l in every_page(arm, "streamingLocators")]
            request_log = repr(sandbox.request_log.entries("v3"))
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(previous)
    returned = {secret for secret in seeded_secret_values(SEED, ASSETS) if any(secret in answer for answer in answers)}
    assert returned  # the actions did answer secrets
    assert "getPolicyPropertiesWithSecrets" in request_log
    assert not [secret for secret in returned if secret in caplog.text or secret in request_log]


# ---------------------------------------------------------------- the switch


def test_unknown_configuration_assumption_restores_untyped_playready_and_fairplay_options():
    assumptions = VisibilityAssumptions(drm_configurations_typed=False)
    with Sandbox(seed=SEED, assets=ASSETS, page_size=50, retry_after=0, assumptions=assumptions) as sandbox:
        arm = Arm(sandbox.base_url, sandbox.source)
        options = [
            option
            for policy in every_page(arm, "contentKeyPolicies")
            for option in arm.post(f"contentKeyPolicies/{policy['name']}/getPolicyPropertiesWithSecrets").json()["options"]
        ]
    by_kind = {option["name"]: option for option in options}
    for name in ("PlayReady persistent open option", "PlayReady SWT option", "FairPlay token option"):
        assert by_kind[name]["configuration"] == {"@odata.type": f"{MEDIA}ContentKeyPolicyUnknownConfiguration"}
    # Only the configurations change: token keys still come with their values.
    assert by_kind["PlayReady SWT option"]["restriction"]["primaryVerificationKey"]["keyValue"]
    assert by_kind["Widevine open option"]["configuration"]["@odata.type"] == f"{MEDIA}ContentKeyPolicyWidevineConfiguration"


def test_cli_assume_drm_configurations_unknown_reaches_the_sandbox(monkeypatch):
    from click.testing import CliRunner

    import migrator.cli.sandbox as sandbox_command
    from migrator.cli import cli

    seen = []

    class Recorder:
        def __init__(self, **options):
            seen.append(options["assumptions"])

        def start(self):
            return self

        def describe(self):
            raise KeyboardInterrupt  # stands for the user's Ctrl-C

        def stop(self):
            pass

    monkeypatch.setattr(sandbox_command, "Sandbox", Recorder)
    for flag, typed in (([], True), (["--assume-drm-configurations-unknown"], False)):
        result = CliRunner().invoke(cli, ["sandbox", "serve", *flag])
        assert result.exit_code == 0, result.output
        assert seen[-1].drm_configurations_typed is typed


# ---------------------------------------------------------------- templates the seed does not hold


PLAYREADY_NS = "http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/PlayReadyTemplate/v1"
TOKEN_NS = "http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def test_playready_play_right_output_protection_and_relative_dates_are_translated():
    # DataContract XML as the v2 SDK wrote it (PlayReadyLicenseTemplate, PlayReadyPlayRight,
    # ScmsRestriction/AgcAndColorStripeRestriction/ExplicitAnalogTelevisionRestriction).
    xml = (
        f'<PlayReadyLicenseResponseTemplate xmlns:i="{XSI}" xmlns="{PLAYREADY_NS}"><LicenseTemplates><PlayReadyLicenseTemplate>'
        "<AllowTestDevices>false</AllowTestDevices><BeginDate i:nil=\"true\" />"
        '<ContentKey i:type="ContentEncryptionKeyFromHeader" /><GracePeriod>PT5M</GracePeriod>'
        "<LicenseType>Persistent</LicenseType>"
        "<PlayRight><AgcAndColorStripeRestriction><ConfigurationData>1</ConfigurationData></AgcAndColorStripeRestriction>"
        "<AllowPassingVideoContentToUnknownOutput>AllowedWithVideoConstriction</AllowPassingVideoContentToUnknownOutput>"
        "<AnalogVideoOpl>150</AnalogVideoOpl><CompressedDigitalAudioOpl>250</CompressedDigitalAudioOpl>"
        "<CompressedDigitalVideoOpl>400</CompressedDigitalVideoOpl><DigitalVideoOnlyContentRestriction>true</DigitalVideoOnlyContentRestriction>"
        "<ExplicitAnalogTelevisionOutputRestriction><BestEffort>true</BestEffort><ConfigurationData>2</ConfigurationData></ExplicitAnalogTelevisionOutputRestriction>"
        "<FirstPlayExpiration>PT2H</FirstPlayExpiration>"
        "<ImageConstraintForAnalogComponentVideoRestriction>false</ImageConstraintForAnalogComponentVideoRestriction>"
        "<ImageConstraintForAnalogComputerMonitorRestriction>true</ImageConstraintForAnalogComputerMonitorRestriction>"
        "<ScmsRestriction><ConfigurationData>3</ConfigurationData></ScmsRestriction>"
        "<UncompressedDigitalAudioOpl>100</UncompressedDigitalAudioOpl><UncompressedDigitalVideoOpl>270</UncompressedDigitalVideoOpl></PlayRight>"
        "<RelativeBeginDate>-PT10M</RelativeBeginDate><RelativeExpirationDate>P7D</RelativeExpirationDate>"
        "</PlayReadyLicenseTemplate></LicenseTemplates><ResponseCustomData>contoso-data</ResponseCustomData></PlayReadyLicenseResponseTemplate>"
    )
    configuration = playready_configuration(xml)
    license_ = configuration["licenses"][0]
    assert configuration["responseCustomData"] == "contoso-data"
    assert "beginDate" not in license_
    assert (license_["relativeBeginDate"], license_["relativeExpirationDate"], license_["gracePeriod"]) == ("-PT10M", "P7D", "PT5M")
    assert license_["playRight"] == {
        "digitalVideoOnlyContentRestriction": True,
        "imageConstraintForAnalogComponentVideoRestriction": False,
        "imageConstraintForAnalogComputerMonitorRestriction": True,
        "allowPassingVideoContentToUnknownOutput": "AllowedWithVideoConstriction",
        "firstPlayExpiration": "PT2H",
        "scmsRestriction": 3,
        "agcAndColorStripeRestriction": 1,
        "explicitAnalogTelevisionOutputRestriction": {"bestEffort": True, "configurationData": 2},
        "uncompressedDigitalVideoOpl": 270,
        "compressedDigitalVideoOpl": 400,
        "analogVideoOpl": 150,
        "compressedDigitalAudioOpl": 250,
        "uncompressedDigitalAudioOpl": 100,
    }


def option(delivery_type: int, configuration: str | None, requirements: str | None = None) -> dict:
    restriction = {"Name": "r", "KeyRestrictionType": 1 if requirements else 0, "Requirements": requirements}
    return {"Id": "nb:ckpoid:UUID:44444444-0000-4000-8000-000000000001", "Name": "o", "KeyDeliveryType": delivery_type, "KeyDeliveryConfiguration": configuration, "Restrictions": [restriction]}


def no_clear_value(key_id: str) -> str:
    raise AssertionError(f"no key should be read, asked for {key_id}")


def test_playready_template_with_entity_declarations_is_not_expanded():
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<PlayReadyLicenseResponseTemplate xmlns="{PLAYREADY_NS}"><ResponseCustomData>&b;</ResponseCustomData></PlayReadyLicenseResponseTemplate>'
    )
    projected = key_policy_option(option(1, hostile), typed_drm=True, clear_value=no_clear_value)
    assert projected["configuration"] == {"@odata.type": f"{MEDIA}ContentKeyPolicyUnknownConfiguration"}


def test_rsa_token_key_takes_exponent_and_modulus_from_the_v2_raw_body():
    raw_body = base64.b64encode(json.dumps({"e": "AQAB", "n": "RkFLRS1NT0RVTFVT"}).encode()).decode()
    requirements = (
        f'<TokenRestrictionTemplate xmlns:i="{XSI}" xmlns="{TOKEN_NS}"><Audience>urn:a</Audience><Issuer>urn:i</Issuer>'
        f'<PrimaryVerificationKey i:type="RSATokenVerificationKey"><RawBody>{raw_body}</RawBody></PrimaryVerificationKey>'
        "<RequiredClaims /><TokenType>JWT</TokenType></TokenRestrictionTemplate>"
    )
    restriction = key_policy_option(option(2, None, requirements), typed_drm=True, clear_value=no_clear_value)["restriction"]
    assert restriction["primaryVerificationKey"] == {"@odata.type": f"{MEDIA}ContentKeyPolicyRsaTokenKey", "exponent": "AQAB", "modulus": "RkFLRS1NT0RVTFVT"}
    unreadable = requirements.replace(raw_body, base64.b64encode(b"not json").decode())
    assert key_policy_option(option(2, None, unreadable), typed_drm=True, clear_value=no_clear_value)["restriction"] == {
        "@odata.type": f"{MEDIA}ContentKeyPolicyUnknownRestriction"
    }


@pytest.mark.parametrize(
    ("v2_value", "v3_value"),
    [(0, "Undefined"), (0x3DF2D9FB, "PersistentUnlimited"), (0x18F06048, "PersistentLimited"), ("PersistentLimited", "PersistentLimited"), (5, "Unknown")],
)
def test_fairplay_rental_and_lease_key_type_maps_the_v2_sdk_values(v2_value, v3_value):
    ask, password = base64.b64encode(b"FAKE-SECRET-ask!").decode(), base64.b64encode(b"FAKE-SECRET-pw").decode()
    values = {"nb:kid:UUID:aaaaaaaa-0000-4000-8000-000000000001": ask, "nb:kid:UUID:aaaaaaaa-0000-4000-8000-000000000002": password}
    raw = json.dumps(
        {
            "ASkId": "aaaaaaaa-0000-4000-8000-000000000001",
            "FairPlayPfxPasswordId": "aaaaaaaa-0000-4000-8000-000000000002",
            "FairPlayPfx": "RkFLRS1TRUNSRVQtcGZ4",
            "ContentEncryptionIV": "00112233445566778899AABBCCDDEEFF",
            "RentalAndLeaseKeyType": v2_value,
            "RentalDuration": 3600,
        }
    )
    configuration = fairplay_configuration(raw, values.__getitem__)
    assert configuration["rentalAndLeaseKeyType"] == v3_value and configuration["rentalDuration"] == 3600
    assert (configuration["ask"], configuration["fairPlayPfxPassword"]) == (ask, "FAKE-SECRET-pw")
