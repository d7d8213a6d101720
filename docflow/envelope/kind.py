"""What an edXML message is: a document, or a status about a document.

Every layer asks this first (the parser and the schema to pick their layout and XSD, the rules
to pick their set, the signature profile to know which roles must have signed, the archive to
file the message), so it is answered once, here, by :func:`read_kind`, and every layer takes
that one answer.

The answer comes from the structure the XSDs require, at its exact place: the ``edXML`` root,
its one ``edXMLEnvelope``, that envelope's one ``edXMLHeader``, and in the header either one
``MessageHeader`` (a document) or one ``Status`` (a status), every one of them in the message's
namespace (QCVN 102's, or none at all for a field message written without one, which the
parser reads and reports). Anything else is not guessed at: both shapes, neither, two of
either, two envelopes or headers, or a look-alike (an element of one of those names in another
namespace) make the kind one that cannot be told, ``DF-ENV-080``. A status message needs no
role's signature, so taking a document for a status would let a stripped document pass; an
element named ``Status`` in any namespace once did exactly that.

Examples
--------
>>> from docflow.xmlsafe import parse_xml
>>> Q = b'xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"'
>>> read_kind(parse_xml(b'<edXML ' + Q + b'><edXMLEnvelope><edXMLHeader><Status/>'
...                     b'</edXMLHeader></edXMLEnvelope></edXML>')).kind
<MessageKind.STATUS: 'status'>
>>> read_kind(parse_xml(b'<edXML ' + Q + b'><edXMLEnvelope><edXMLHeader><MessageHeader/>'
...                     b'<x:Status xmlns:x="urn:x"/></edXMLHeader></edXMLEnvelope></edXML>'
...                     )).problem
"<edXMLHeader> holds <Status> in the namespace 'urn:x', which edXML does not have there"
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lxml import etree

from docflow.envelope.model import NS
from docflow.errors import Finding, Location
from docflow.xmlsafe import element_path

__all__ = ["KIND_CODE", "KindReading", "MessageKind", "kind_finding", "message_kind",
           "read_kind"]

KIND_CODE = "DF-ENV-080"
"""The finding of a message whose kind cannot be told."""


class MessageKind(enum.StrEnum):
    """The two kinds of edXML message; the values are stored in archives and reports."""

    DOCUMENT = "document"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class KindReading:
    """The kind a message's structure gives it, or why it gives none."""

    kind: MessageKind | None
    """``None`` when the kind cannot be told (see :attr:`problem`)."""
    problem: str = ""
    """Why the kind cannot be told; empty when it can."""
    element: etree._Element | None = None
    """Where the problem is (the element holding the offending children)."""

    @property
    def layout(self) -> MessageKind:
        """The kind whose layout a tolerant reader applies: :attr:`kind`, or a document when it
        cannot be told (the reader then reports :data:`KIND_CODE`, and nothing passes)."""
        return self.kind or MessageKind.DOCUMENT


_CLAIMS = {"MessageHeader": MessageKind.DOCUMENT, "Status": MessageKind.STATUS}


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _one(parent: etree._Element, tag: str) -> etree._Element | str:
    """The one child of ``parent`` called ``tag``, or why there is not exactly one (a count
    other than one, or a child of that local name in another namespace)."""
    local = _local(tag)
    found = []
    for child in parent:
        child_tag = child.tag
        if child_tag == tag:
            found.append(child)
        elif _local(child_tag) == local:
            return _stray(parent, child)
    if len(found) != 1:
        return f"<{_local(parent.tag)}> holds {len(found)} <{local}>, not one"
    return found[0]


def _stray(parent: etree._Element, child: etree._Element) -> str:
    namespace = etree.QName(child).namespace
    where = f"the namespace {namespace!r}" if namespace else "no namespace"
    return (f"<{_local(parent.tag)}> holds <{_local(child.tag)}> in {where}, which edXML does "
            "not have there")


def read_kind(root: etree._Element) -> KindReading:
    """Tell a document message from a status message by the structure, or say why not.

    Parameters
    ----------
    root
        The root element of the message as parsed.

    Returns
    -------
    KindReading
        The kind, or ``None`` with the problem and where it is.
    """
    tag = root.tag
    if not isinstance(tag, str) or _local(tag) != "edXML":
        return KindReading(None, f"the root element is <{_local(tag)}>, not <edXML>", root)
    namespace = etree.QName(root).namespace
    if namespace not in (NS, None):
        return KindReading(None, f"the root element is in the namespace {namespace!r}, not "
                           f"QCVN 102's", root)
    prefix = f"{{{namespace}}}" if namespace else ""
    envelope = _one(root, prefix + "edXMLEnvelope")
    if isinstance(envelope, str):
        return KindReading(None, envelope, root)
    header = _one(envelope, prefix + "edXMLHeader")
    if isinstance(header, str):
        return KindReading(None, header, envelope)
    kinds = []
    for child in header:
        child_tag = child.tag
        claimed = _CLAIMS.get(_local(child_tag))
        if claimed is None:
            continue
        if child_tag != prefix + _local(child_tag):
            return KindReading(None, _stray(header, child), header)
        kinds.append(claimed)
    if len(kinds) == 1:
        return KindReading(kinds[0])
    if not kinds:
        problem = "<edXMLHeader> holds neither a <MessageHeader> (a document) nor a <Status>"
    elif len(set(kinds)) == 2:
        problem = "<edXMLHeader> holds both a <MessageHeader> (a document) and a <Status>"
    else:
        name = next(n for n, k in _CLAIMS.items() if k is kinds[0])
        problem = f"<edXMLHeader> holds {len(kinds)} <{name}>, not one"
    return KindReading(None, problem, header)


def message_kind(root: etree._Element) -> MessageKind:
    """The layout a tolerant reader applies to ``root``: its kind, or a document when the kind
    cannot be told (``DF-ENV-080``, which :func:`kind_finding` gives).

    >>> from docflow.xmlsafe import parse_xml
    >>> message_kind(parse_xml(b'<edXMLEnvelope><edXMLHeader><MessageHeader/>'
    ...                        b'</edXMLHeader></edXMLEnvelope>'))
    <MessageKind.DOCUMENT: 'document'>
    """
    return read_kind(root).layout


def kind_finding(reading: KindReading, where: str | None = None) -> Finding | None:
    """``DF-ENV-080`` for a kind that cannot be told, located at the offending element."""
    if reading.kind is not None:
        return None
    element = reading.element
    location = Location(file=where) if element is None else Location(
        file=where, line=element.sourceline, path=element_path(element))
    return Finding(KIND_CODE, f"the kind of the message cannot be told: {reading.problem}; "
                   "a message is a document (one MessageHeader) or a status (one Status) in "
                   "edXML/edXMLEnvelope/edXMLHeader", location)
