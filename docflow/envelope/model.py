"""The edXML messages of QCVN 102:2016/BTTTT as frozen, typed values.

Two messages travel on the national document axis:

* the **document message** (:class:`Envelope`): a header (sender, receivers, number and
  notation, dates, type, subject, signer, …), a trace of the hubs it went through, a manifest
  of its attachments, and the attachments themselves, base64-encoded;
* the **status message** (:class:`StatusMessage`): a receiver's answer about one document
  (arrived, accepted, assigned, done, …).

Leaf values keep the **wire text**: a date is ``"2025/07/01"``, a priority ``"0"``. A field
message can hold a date that does not exist or a priority of ``"7"``; the parser must carry such
values to the rules, which judge them, instead of failing on them. :mod:`docflow.envelope.dates`
turns the text into values when a caller needs them. ``None`` means the element is absent and
``""`` that it is present but empty, so a message round-trips exactly.

Only :attr:`StatusMessage.status_code` is an enum when the code is known (and the raw text
when it is not), because callers branch on it.

Every class is keyword-only: a QCVN block has many optional parts, and positional arguments
would make ``Organization("000.00.00.H49", "UBND")`` ambiguous.
"""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass, field

from docflow.envelope.doctypes import DocumentType
from docflow.envelope.status import StatusCode

__all__ = [
    "NS",
    "XLINK_NS",
    "Attachment",
    "Business",
    "BusinessDocType",
    "BusinessDocumentInfo",
    "Code",
    "DocumentTypeInfo",
    "Envelope",
    "Message",
    "Organization",
    "OtherInfo",
    "Priority",
    "PromulgationInfo",
    "Receiver",
    "Reference",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusCode",
    "StatusMessage",
    "TraceHeader",
    "document_id_of",
]

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
"""The QCVN 102:2016 namespace of every edXML element (prefix ``edXML`` on the wire)."""

XLINK_NS = "http://www.w3.org/1999/xlink"
"""The namespace of ``xlink:href`` on a manifest ``Reference``."""


class Priority(enum.Enum):
    """``OtherInfo/Priority``: how urgent the document is (Decree 30/2020 urgency marks)."""

    NORMAL = "0"
    """Thường."""
    URGENT = "1"
    """Khẩn."""
    VERY_URGENT = "2"
    """Thượng khẩn."""
    FLASH = "3"
    """Hỏa tốc."""
    FLASH_TIMED = "4"
    """Hỏa tốc hẹn giờ."""


class BusinessDocType(enum.Enum):
    """``Bussiness/BussinessDocType``: what the message does to the document."""

    NEW = "0"
    """A new document."""
    REVOKE = "1"
    """Revokes a document sent before."""
    UPDATE = "2"
    """Updates a document sent before."""
    REPLACE = "3"
    """Replaces a document sent before."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """An agency: the ``From`` and ``To`` blocks (and ``From`` of a status message)."""

    organ_id: str
    """``OrganId``: the organ code, ``V1V2V3.Z1Z2.Y1Y2.M1M2M3``."""
    organization_in_charge: str | None = None
    """``OrganizationInCharge``: the body the agency belongs to."""
    organ_name: str | None = None
    """``OrganName``."""
    organ_add: str | None = None
    """``OrganAdd``: postal address."""
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    website: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """``Code``: the document's number and notation, ``12`` and ``QĐ-UBND`` in ``12/QĐ-UBND``."""

    code_number: str
    code_notation: str

    def __str__(self) -> str:
        return f"{self.code_number}/{self.code_notation}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PromulgationInfo:
    """``PromulgationInfo``: where and when the document was issued."""

    promulgation_date: str
    """``PromulgationDate``, ``yyyy/MM/dd``."""
    place: str | None = None
    """``Place``: the place name printed on the document (``Hà Nội``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentTypeInfo:
    """``DocumentType``: the Decree 30/2020 type as a number and a name.

    docflow writes ``Type`` as the type's position (1–29) in Decree 30/2020's list, the
    numbering field messages use (``18`` is Công văn), and ``TypeName`` as its Vietnamese name.
    """

    type: str
    """``Type``: the number of the type, as text."""
    type_name: str | None = None
    """``TypeName``: the Vietnamese name."""
    type_detail: str | None = None
    """``TypeDetail``: a sub-type some field software writes; carried, not interpreted."""

    @classmethod
    def of(cls, doc_type: DocumentType) -> DocumentTypeInfo:
        """The block for a Decree 30/2020 type.

        >>> DocumentTypeInfo.of(DocumentType.CONG_VAN)
        DocumentTypeInfo(type='18', type_name='Công văn', type_detail=None)
        """
        return cls(type=str(_TYPE_NUMBER[doc_type]), type_name=doc_type.value)

    @property
    def decree_type(self) -> DocumentType | None:
        """The Decree 30/2020 type named by ``Type``, ``None`` if the number is not one.

        >>> DocumentTypeInfo(type="2").decree_type
        <DocumentType.QUYET_DINH: 'Quyết định'>
        """
        text = self.type.strip()
        if not text.isdigit() or not 1 <= int(text) <= len(_TYPES):
            return None
        return _TYPES[int(text) - 1]


_TYPES: tuple[DocumentType, ...] = tuple(DocumentType)
_TYPE_NUMBER = {doc_type: i + 1 for i, doc_type in enumerate(_TYPES)}


@dataclass(frozen=True, slots=True, kw_only=True)
class SignerInfo:
    """``SignerInfo``: who signed the document and in what capacity."""

    full_name: str
    """``FullName``."""
    competence: str | None = None
    """``Competence``: the signing authority (``TM.``, ``KT.``, ``TL.``…)."""
    position: str | None = None
    """``Position``: the signer's title (``Chủ tịch``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherInfo:
    """``OtherInfo``: urgency, distribution and paper details."""

    priority: str | None = None
    """``Priority``: ``0``–``4``, see :class:`Priority`."""
    sphere_of_promulgation: str | None = None
    """``SphereOfPromulgation``: the scope of distribution."""
    typer_notation: str | None = None
    """``TyperNotation``: initials of the typist and the number of copies."""
    promulgation_amount: str | None = None
    """``PromulgationAmount``: number of copies issued."""
    page_amount: str | None = None
    """``PageAmount``: number of pages."""
    appendixes: tuple[str, ...] | None = None
    """``Appendixes/Appendix*``: ``None`` when the element is absent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseFor:
    """``ResponseFor``: the document a message answers."""

    organ_id: str
    """``OrganId``: the organ that issued the document answered."""
    code: str
    """``Code``: its number and notation, ``12/QĐ-UBND``."""
    promulgation_date: str
    """``PromulgationDate``, ``yyyy/MM/dd``."""
    document_id: str
    """``DocumentId`` of the document answered."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffInfo:
    """``StaffInfo``: the clerk who handled a message."""

    department: str | None = None
    staff: str | None = None
    mobile: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceHeader:
    """``TraceHeader``: one hop of the message (the sender, then each hub)."""

    organ_id: str
    """``OrganId`` of the organ or hub that handled the message."""
    timestamp: str
    """``Timestamp``, ``yyyy/MM/dd HH:mm:ss`` in Vietnam time."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Receiver:
    """``ReceiverList/Receiver``: a receiver of an updated document."""

    receiver_type: str | None = None
    organ_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessDocumentInfo:
    """``BussinessDocumentInfo``: what an update changes, and for whom."""

    document_info: str | None = None
    document_receiver: str | None = None
    receivers: tuple[Receiver, ...] | None = None
    """``ReceiverList/Receiver*``: ``None`` when the element is absent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplacementInfo:
    """``ReplacementInfoList/ReplacementInfo``: a document replaced, and who had it."""

    document_id: str
    organ_ids: tuple[str, ...] | None = None
    """``OrganIdList/OrganId*``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Business:
    """``Bussiness`` (spelled so in QCVN 102): why the message is sent."""

    doc_type: str
    """``BussinessDocType``: ``0`` new, ``1`` revoke, ``2`` update, ``3`` replace."""
    doc_reason: str | None = None
    """``BussinessDocReason``: the reason, for anything but a new document."""
    document_id: str | None = None
    """``DocumentId`` of the document revoked, updated or replaced."""
    info: str | None = None
    """``BussinessInfo``: free text some software adds."""
    document_info: BusinessDocumentInfo | None = None
    replacements: tuple[ReplacementInfo, ...] | None = None
    """``ReplacementInfoList/ReplacementInfo*``."""
    staff_info: StaffInfo | None = None
    paper: str | None = None
    """``Paper``: ``1`` if a paper copy follows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    """``edXMLManifest/Reference``: the header's description of one attachment."""

    content_id: str
    """``ContentId``: the attachment's content identifier."""
    content_type: str | None = None
    description: str | None = None
    attachment_name: str | None = None
    href: str | None = None
    """``xlink:href``, ``cid:{content_id}`` in the messages docflow writes."""


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Attachment:
    """``AttachmentEncoded/Attachment``: one file, base64-encoded.

    ``id`` is the ``Id`` attribute that a signature's Reference points at (``#att-1``).
    ``encoded`` keeps the wire text: a broken attachment must reach the rules, not crash the
    parser; :attr:`data` decodes it.
    """

    content_id: str
    """``ContentId``: matches a manifest ``Reference``."""
    encoded: str
    """``ContentTransferEncoded``: the base64 text."""
    attachment_name: str | None = None
    content_type: str | None = None
    description: str | None = None
    id: str | None = None
    """The ``Id`` attribute, for signatures."""

    @classmethod
    def from_bytes(cls, data: bytes, *, content_id: str, attachment_name: str | None = None,
                   content_type: str | None = "application/pdf",
                   description: str | None = None, id: str | None = None) -> Attachment:
        """An attachment holding ``data`` (base64 without line breaks).

        >>> Attachment.from_bytes(b"hi", content_id="c1").encoded
        'aGk='
        """
        return cls(content_id=content_id, encoded=base64.b64encode(data).decode("ascii"),
                   attachment_name=attachment_name, content_type=content_type,
                   description=description, id=id)

    @property
    def data(self) -> bytes:
        """The decoded bytes; ``ValueError`` if the text is not base64 (line breaks allowed)."""
        try:
            return base64.b64decode("".join(self.encoded.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"attachment {self.content_id!r} is not valid base64: {exc}") \
                from None

    def __repr__(self) -> str:
        # Attachments run to megabytes; a repr that prints them all is useless in a traceback.
        shown = self.encoded if len(self.encoded) <= 40 else \
            f"{self.encoded[:32]}…({len(self.encoded):,} chars)"
        return (f"Attachment(content_id={self.content_id!r}, encoded={shown!r}, "
                f"attachment_name={self.attachment_name!r}, content_type={self.content_type!r}, "
                f"description={self.description!r}, id={self.id!r})")


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """An edXML document message.

    The fields follow ``MessageHeader`` in QCVN 102's order, then ``TraceHeaderList``, the
    manifest and the attachments.
    """

    sender: Organization
    """``From``."""
    receivers: tuple[Organization, ...]
    """``To+``: at least one."""
    document_id: str
    """``DocumentId``: ``{From/OrganId},{PromulgationDate},{CodeNumber}/{CodeNotation}``."""
    code: Code
    promulgation_info: PromulgationInfo
    document_type: DocumentTypeInfo
    subject: str
    """``Subject``: the summary (trích yếu) of the document."""
    content: str
    """``Content``: the text of the document or a note; may be empty."""
    signer_info: SignerInfo
    other_info: OtherInfo = field(default_factory=OtherInfo)
    due_date: str | None = None
    """``DueDate``, ``yyyy/MM/dd``: when an answer is due."""
    response_for: tuple[ResponseFor, ...] = ()
    steering_type: str | None = None
    """``SteeringType``: ``0``/``1``, whether the document directs the receivers."""
    to_places: tuple[str, ...] | None = None
    """``ToPlaces/Place*``: the receivers as printed on the document (nơi nhận)."""
    trace_headers: tuple[TraceHeader, ...] = ()
    """``TraceHeaderList/TraceHeader*``, in hop order."""
    business: Business | None = None
    """``TraceHeaderList/Bussiness``."""
    references: tuple[Reference, ...] = ()
    """``edXMLBody/edXMLManifest/Reference*``."""
    attachments: tuple[Attachment, ...] = ()
    """``AttachmentEncoded/Attachment*``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusMessage:
    """An edXML status message: a receiver's answer about one document."""

    response_for: ResponseFor
    sender: Organization
    """``From``: the organ answering."""
    status_code: StatusCode | str
    """``StatusCode``: the enum member, or the wire text when the code is unknown."""
    timestamp: str
    """``Timestamp``, ``yyyy/MM/dd HH:mm:ss`` in Vietnam time."""
    staff_info: StaffInfo | None = None
    description: str | None = None


Message = Envelope | StatusMessage
"""Either edXML message."""


def document_id_of(organ_id: str, promulgation_date: str, code: Code) -> str:
    """The ``DocumentId`` QCVN 102 derives from the sender, the date and the number.

    >>> document_id_of("000.00.00.H49", "2025/07/01", Code(code_number="12",
    ...                 code_notation="QĐ-UBND"))
    '000.00.00.H49,2025/07/01,12/QĐ-UBND'
    """
    return f"{organ_id},{promulgation_date},{code}"
