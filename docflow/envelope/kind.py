"""What an edXML message is: a document, or a status about a document.

Every layer asks this first (the schema to pick its XSD, the rules to pick their set, the archive
to file the message), so it is answered once, here, by local names only: a message with a
namespace or spelling variant is still classified, and the layer that cares reports the variant.
"""

from __future__ import annotations

import enum

from lxml import etree

__all__ = ["MessageKind", "message_kind"]


class MessageKind(enum.StrEnum):
    """The two kinds of edXML message; the values are stored in archives and reports."""

    DOCUMENT = "document"
    STATUS = "status"


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def message_kind(root: etree._Element) -> MessageKind:
    """Tell a status message (a ``Status`` block in the header) from a document message.

    ``root`` is the ``edXML`` element, or an ``edXMLEnvelope`` sent without the wrapper.

    >>> from docflow.xmlsafe import parse_xml
    >>> message_kind(parse_xml(b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
    ...                        b'<edXMLEnvelope><edXMLHeader><Status/></edXMLHeader>'
    ...                        b'</edXMLEnvelope></edXML>'))
    <MessageKind.STATUS: 'status'>
    >>> message_kind(parse_xml(b'<edXMLEnvelope><edXMLHeader><MessageHeader/>'
    ...                        b'</edXMLHeader></edXMLEnvelope>'))
    <MessageKind.DOCUMENT: 'document'>
    """
    for envelope in (root, *root):
        if _local(envelope) != "edXMLEnvelope":
            continue
        for header in envelope:
            if _local(header) == "edXMLHeader" and any(_local(c) == "Status" for c in header):
                return MessageKind.STATUS
    return MessageKind.DOCUMENT
