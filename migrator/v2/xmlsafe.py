"""Parse the XML documents v2 stores inside strings, refusing anything that can attack the parser.

Key authorization options carry XML written by whoever configured the account: token
restriction templates (``Requirements``) and PlayReady license templates
(``KeyDeliveryConfiguration``). The model keeps them as strings; code that needs their content
parses them here. DTDs are refused outright, which also stops entity expansion (billion laughs,
quadratic blowup) and external entities, none of which these documents use.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from migrator.exceptions import InputError, UnsafeXmlError


def parse_xml(text: str | bytes, *, what: str) -> Element:
    """The root element of ``text``; ``what`` names the document in errors (never its content).

    Raises ``UnsafeXmlError`` for a DTD, entity declaration or external reference and
    ``InputError`` for text that is not well-formed XML.
    """
    if text is None or not text.strip():
        raise InputError(f"{what} is empty, not an XML document", hint="the template was saved without content")
    try:
        return fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise UnsafeXmlError(
            f"{what} declares a DTD, entities or external references; refusing to parse it",
            hint="these templates never need a DTD; recreate the template without one",
        ) from None
    except ParseError:
        raise InputError(f"{what} is not well-formed XML", hint="fix or recreate the template") from None

