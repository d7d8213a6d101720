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

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree

from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import NS as EDXML_NS
from docflow.envelope.model import DocumentTypeInfo, StatusMessage
from docflow.envelope.organ import OrganCode
from docflow.envelope.parser import parse_tree
from docflow.envelope.status import StatusCode
from docflow.levels import Level
from docflow.xmlsafe import parse_xml

__all__ = ["EDXML_NS", "EnvelopeMeta", "MessageKind", "StatusInfo", "infer_level",
           "read_metadata"]

_DATE = re.compile(r"^\s*(\d{4})/(\d{2})/(\d{2})")


class MessageKind(enum.StrEnum):
    """The two edXML messages; the value is what the archive stores."""

    DOCUMENT = "document"
    STATUS = "status"


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
        promulgation_date=_clean(model.promulgation_info.promulgation_date))


def read_metadata(data: bytes, levels: Mapping[str, Level] | None = None,
                  where: str | None = None) -> EnvelopeMeta:
    """Parse ``data`` with the hardened parser and read its metadata.

    Raises
    ------
    InputError
        Any ``DF-XML``/``DF-IO`` code of :func:`docflow.xmlsafe.parse_xml`, or ``DF-ENV-002``.
    """
    return metadata_of(parse_xml(data, where=where), levels, where)
