"""The metadata the archive keeps beside each envelope: what the audit groups and filters by.

An envelope is stored once, by content hash, with a few header fields read at import time:
sender, receivers, their levels, document type, number and notation, promulgation date and
month, and whether it is a document or a status message. Keeping them as columns lets the audit
group millions of verification results by level, agency, type or month in SQL without parsing
a single envelope again, and lets the simulator write envelopes with metadata it already knows
(:class:`EnvelopeMeta` built directly) instead of paying for a parse.

Levels are not written in an envelope. They come from the caller (the simulator knows them, an
importer can pass an ``organ code → level`` mapping from a topology) or, failing that, from what
an organ code says without doubt (:func:`infer_level`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

from lxml import etree

from docflow.envelope.dates import VIETNAM, parse_date, parse_timestamp
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import NS as EDXML_NS
from docflow.envelope.model import DocumentTypeInfo, StatusMessage
from docflow.envelope.organ import OrganCode
from docflow.envelope.parser import parse_tree
from docflow.envelope.rules import MessageKind
from docflow.envelope.status import StatusCode
from docflow.levels import Level
from docflow.xmlsafe import parse_xml, text_content

__all__ = ["EDXML_NS", "EnvelopeMeta", "MessageKind", "StatusInfo", "infer_level",
           "read_metadata", "signing_time"]

# MessageKind is the envelope's own (its values, "document" and "status", are what every archive
# stores in ``envelopes.kind`` since schema version 1); it stays importable from here.

_DATE = re.compile(r"^\s*(\d{4})/(\d{2})/(\d{2})")


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What a status message says about a document."""

    document_id: str
    """``ResponseFor/DocumentId`` of the document it answers."""
    status_code: str
    """``StatusCode`` as on the wire (``03``), kept as text so an unknown code is recorded."""
    organ: str | None = None
    """``From/OrganId``: the agency that answers."""
    timestamp: str | None = None
    """``Timestamp``, ``yyyy/MM/dd HH:mm:ss``."""
    description: str | None = None


@dataclass(frozen=True, slots=True)
class EnvelopeMeta:
    """Header fields of one envelope, as stored beside it.

    Every field but ``kind`` may be ``None``: a message from the field can lack any of them and
    is still archived (and audited as coming from an ``unknown`` sender or type).
    """

    kind: MessageKind
    sender: str | None = None
    """``From/OrganId``."""
    sender_level: Level | None = None
    receivers: tuple[str, ...] = ()
    """``To/OrganId`` in document order."""
    receiver_levels: tuple[Level | None, ...] = ()
    """Levels of ``receivers``, same length (``None`` where unknown); empty means all unknown."""
    document_id: str | None = None
    """``DocumentId`` (``{OrganId},{yyyy/MM/dd},{CodeNumber}/{CodeNotation}``)."""
    doc_type: str | None = None
    """Vietnamese name of the Decree 30/2020 type (:class:`DocumentType` value) or, when the
    ``Type`` number is not one, the ``TypeName`` as written."""
    code: str | None = None
    """Number and notation, ``12/QĐ-UBND``."""
    promulgation_date: str | None = None
    """``PromulgationDate`` as written, ``yyyy/MM/dd``."""
    status: StatusInfo | None = None
    """For a status message, what it says."""
    signed_at: datetime | None = None
    """When the document was signed, as far as it says (:func:`signing_time`): the audit's
    default validation time, read once here so that an audit does not search every tree."""

    def __post_init__(self) -> None:
        if self.receiver_levels and len(self.receiver_levels) != len(self.receivers):
            raise ValueError("receiver_levels must be empty or as long as receivers")

    @property
    def month(self) -> str | None:
        """``yyyy-MM`` of the promulgation date (of the timestamp for a status message).

        >>> EnvelopeMeta(MessageKind.DOCUMENT, promulgation_date="2025/07/01").month
        '2025-07'
        """
        text = self.promulgation_date
        if text is None and self.status is not None:
            text = self.status.timestamp
        match = _DATE.match(text or "")
        if not match or not 1 <= int(match[2]) <= 12:
            return None
        return f"{match[1]}-{match[2]}"


def infer_level(organ: str | None, levels: Mapping[str, Level] | None = None) -> Level | None:
    """The level of an agency: from ``levels`` if it names it, else what the code alone proves.

    An organ code proves a level only in two cases: a body outside the provinces (``G..`` and the
    other non-``H`` groups) is central, and a provincial People's Committee (``000.00.00.Hnn``) is
    at province level. A unit under a province may be a department (province level), a district
    (before July 2025) or a commune, so it stays unknown unless a topology says which.

    >>> infer_level("000.00.00.G22"), infer_level("000.00.00.H49"), infer_level("000.00.12.H49")
    (<Level.CENTRAL: 'central'>, <Level.PROVINCE: 'province'>, None)
    """
    if organ is None:
        return None
    if levels is not None and organ in levels:
        return levels[organ]
    try:
        code = OrganCode.parse(organ)
    except ValueError:
        return None
    if code.is_central:
        return Level.CENTRAL
    return Level.PROVINCE if code.tier == 1 else None


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _doc_type(info: DocumentTypeInfo) -> str | None:
    decree = info.decree_type
    if decree is not None:
        return decree.value
    name = _clean(info.type_name)
    if name is None:
        return None
    try:
        return DocumentType.from_name(name).value
    except KeyError:
        return name


_ENVELOPE, _HEADER, _MESSAGE_HEADER, _FROM, _ORGAN_ID, _TRACES, _TRACE, _TIMESTAMP, \
    _TIMESTAMP_VARIANT, _PROMULGATION, _PROMULGATION_DATE = (
        f"{{{EDXML_NS}}}{name}" for name in (
            "edXMLEnvelope", "edXMLHeader", "MessageHeader", "From", "OrganId",
            "TraceHeaderList", "TraceHeader", "Timestamp", "TimeStamp", "PromulgationInfo",
            "PromulgationDate"))


def _child(parent: etree._Element | None, tag: str) -> etree._Element | None:
    if parent is None:
        return None
    for child in parent:
        if child.tag == tag:
            return child
    return None


def _text_of(parent: etree._Element | None, tag: str) -> str:
    found = _child(parent, tag)
    return text_content(found).strip() if found is not None else ""


def _timestamp(text: str) -> datetime:
    """``yyyy/MM/dd HH:mm:ss`` in Vietnam time; slicing first (speed), the strict reader else."""
    if len(text) == 19 and text[4] == text[7] == "/" and text[10] == " " and \
            text[13] == text[16] == ":" and \
            text.replace("/", "").replace(":", "").replace(" ", "").isdigit():
        return datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
                        int(text[14:16]), int(text[17:]), tzinfo=VIETNAM)
    return parse_timestamp(text)


def signing_time(root: etree._Element) -> datetime | None:
    """When a document message was signed, as far as it says.

    The ``Timestamp`` of the first ``TraceHeader`` written by the sender (the moment the message
    left it, after both signatures), else the end of the ``PromulgationDate`` (23:59:59 Vietnam
    time, so that a certificate revoked that day is reported), else ``None``. Walks the few
    children it needs by tag (speed: ElementPath is several times slower on the same tree).

    >>> from docflow.xmlsafe import parse_xml
    >>> root = parse_xml(b'<e:edXML xmlns:e="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
    ...     b'<e:edXMLEnvelope><e:edXMLHeader><e:MessageHeader>'
    ...     b'<e:From><e:OrganId>000.00.00.H49</e:OrganId></e:From>'
    ...     b'<e:PromulgationInfo><e:PromulgationDate>2025/07/01</e:PromulgationDate>'
    ...     b'</e:PromulgationInfo></e:MessageHeader></e:edXMLHeader></e:edXMLEnvelope>'
    ...     b'</e:edXML>')
    >>> signing_time(root).isoformat()
    '2025-07-01T23:59:59+07:00'
    """
    header = _child(_child(root, _ENVELOPE), _HEADER)
    message = _child(header, _MESSAGE_HEADER)
    sender = _text_of(_child(message, _FROM), _ORGAN_ID)
    traces = _child(header, _TRACES)
    if traces is not None:
        for trace in traces:
            if trace.tag != _TRACE or _text_of(trace, _ORGAN_ID) != sender:
                continue
            try:
                return _timestamp(_text_of(trace, _TIMESTAMP) or
                                  _text_of(trace, _TIMESTAMP_VARIANT))
            except ValueError:
                break
    try:
        date = parse_date(_text_of(_child(message, _PROMULGATION), _PROMULGATION_DATE))
    except ValueError:
        return None
    return datetime.combine(date, time(23, 59, 59), VIETNAM)


def metadata_of(root: etree._Element, levels: Mapping[str, Level] | None = None,
                where: str | None = None) -> EnvelopeMeta:
    """Read :class:`EnvelopeMeta` from a parsed edXML message with the envelope parser.

    The parser (:func:`docflow.envelope.parser.parse_tree`) accepts the order and spelling
    variants of field messages and fills what is missing with empty values, so a message with
    gaps is still archived, its missing fields ``None``.

    Raises
    ------
    InputError
        ``DF-ENV-002`` when the root element is not ``edXML``.
    """
    model = parse_tree(root, where=where).model
    sender = _clean(model.sender.organ_id)
    if isinstance(model, StatusMessage):
        code = model.status_code
        info = StatusInfo(
            document_id=model.response_for.document_id.strip(),
            status_code=code.value if isinstance(code, StatusCode) else code.strip(),
            organ=sender, timestamp=_clean(model.timestamp),
            description=_clean(model.description))
        return EnvelopeMeta(kind=MessageKind.STATUS, sender=sender,
                            sender_level=infer_level(sender, levels),
                            document_id=info.document_id or None, status=info)
    receivers = tuple(r for r in (_clean(o.organ_id) for o in model.receivers) if r)
    number, notation = _clean(model.code.code_number), _clean(model.code.code_notation)
    return EnvelopeMeta(
        kind=MessageKind.DOCUMENT, sender=sender, sender_level=infer_level(sender, levels),
        receivers=receivers, receiver_levels=tuple(infer_level(r, levels) for r in receivers),
        document_id=_clean(model.document_id), doc_type=_doc_type(model.document_type),
        code=f"{number or ''}/{notation or ''}" if number or notation else None,
        promulgation_date=_clean(model.promulgation_info.promulgation_date),
        signed_at=signing_time(root))


def read_metadata(data: bytes, levels: Mapping[str, Level] | None = None,
                  where: str | None = None) -> EnvelopeMeta:
    """Parse ``data`` with the hardened parser and read its metadata.

    Raises
    ------
    InputError
        Any ``DF-XML``/``DF-IO`` code of :func:`docflow.xmlsafe.parse_xml`, or ``DF-ENV-002``.
    """
    return metadata_of(parse_xml(data, where=where), levels, where)
