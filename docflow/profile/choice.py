"""Which profile checks a document: the edXML profile for whatever reads as edXML.

The edXML profile gives a message its meaning (the organ's and the signer's roles, the
sender's agency, the organ's signature required); plain XML-DSig checks only that some key
signed some bytes. Choosing plain XML-DSig for a message that any part of docflow reads as an
edXML message would let a person's certificate, or anyone's, vouch for a document from an
agency: the parser reads an ``edXML`` root in any namespace, the rules and
:func:`~docflow.envelope.kind.message_kind` an ``edXMLEnvelope`` without the wrapper. So the
choice is not made from the document at all: the edXML profile is the default, and it accepts
only a message whose root is exactly the QCVN ``edXML`` element. Plain XML-DSig is checked when
the caller asks for it (:attr:`Profile.XMLDSIG`, ``--profile xmldsig``), and its verdict then
says that no edXML meaning was checked (``DF-TRU-003``).

Examples
--------
>>> from docflow.xmlsafe import parse_xml
>>> edxml_claim(parse_xml(b'<edXMLEnvelope><edXMLHeader/></edXMLEnvelope>'))
"an element named 'edXMLEnvelope'"
>>> edxml_claim(parse_xml(b'<invoice><total>5</total></invoice>')) is None
True
"""

from __future__ import annotations

import enum

from lxml import etree

from docflow.envelope.model import NS

__all__ = ["EDXML_ROOT", "Profile", "edxml_claim"]

EDXML_ROOT = f"{{{NS}}}edXML"
"""The one root the edXML profile checks."""

_NAMES = frozenset({"edXML", "edXMLEnvelope", "edXMLHeader", "edXMLBody", "MessageHeader",
                    "AttachmentEncoded", "TraceHeaderList"})
"""Local names of edXML's structure: an element named so, in any namespace or none, is what
docflow's readers look for (the parser, the rules, the message kind, the archive's metadata)."""


class Profile(enum.StrEnum):
    """How a document's signatures are checked; the values are the ``--profile`` words."""

    EDXML = "edxml"
    """docflow's edXML profile (the default): roles, sender binding, required organ."""
    XMLDSIG = "xmldsig"
    """Plain XML-DSig, one enveloped or enveloping Signature; no edXML meaning checked."""


def edxml_claim(root: etree._Element) -> str | None:
    """What makes ``root`` read as an edXML message, or ``None`` when nothing does.

    Anything in the QCVN namespace, or an element named like one of edXML's structural
    elements in any namespace (one walk of the tree).
    """
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag.startswith(f"{{{NS}}}"):
            return "an element in the QCVN 102 namespace"
        local = tag.rpartition("}")[2]
        if local in _NAMES:
            return f"an element named {local!r}"
    return None
