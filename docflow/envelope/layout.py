"""The wire layout of each edXML block: element names, order, cardinality and spellings.

One table drives both the builder and the parser, so the two cannot drift apart: the builder
writes the parts in the order listed here (the canonical order, which the XSDs in ``schemas/``
also follow), and the parser accepts them in any order, reporting a variant. ``aliases`` are
spellings found in field messages (``Business`` for QCVN's ``Bussiness``, ``Manifest`` for
``edXMLManifest``); the parser accepts and reports them, the builder never writes them.

A :class:`Part` is one child element (or attribute) of a block. ``GROUP`` parts are containers
whose children are fields of the *same* model object (``edXMLHeader``, ``MessageHeader``), so
the nesting of the wire does not leak into the model.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from docflow.envelope import model as m

__all__ = ["DOCUMENT", "PLACES", "STATUS", "Block", "Kind", "Part", "places"]


class Kind(enum.Enum):
    """How a part maps to the model."""

    TEXT = "text"
    """A leaf element whose text is a ``str`` field."""
    STATUS = "status"
    """A leaf holding a status code: :class:`~docflow.envelope.status.StatusCode` or text."""
    ATTR = "attr"
    """An attribute of the block's own element."""
    BLOCK = "block"
    """One nested block (a dataclass field)."""
    REPEAT = "repeat"
    """Repeated nested blocks directly under the parent (a tuple field)."""
    TEXTS = "texts"
    """A wrapper element holding repeated leaf items (``Appendixes/Appendix*``)."""
    BLOCKS = "blocks"
    """A wrapper element holding repeated blocks (``ReceiverList/Receiver*``)."""
    GROUP = "group"
    """A container whose children are fields of the same object."""
    SKIP = "skip"
    """A known element the model does not hold (a legacy ``Signature``): ignored silently."""


@dataclass(frozen=True, slots=True)
class Part:
    """One child element or attribute of a block, in canonical order."""

    tag: str
    """Local name (for ``ATTR``, the attribute name as lxml spells it, ``{ns}name``)."""
    kind: Kind
    attr: str | None = None
    """The model attribute it fills (``None`` for ``GROUP`` and ``SKIP``)."""
    required: bool = False
    """Must be present; for ``REPEAT``, at least once."""
    block: Block | None = None
    """Layout of the nested block (``BLOCK``, ``REPEAT``, ``BLOCKS``)."""
    item: str | None = None
    """Tag of the items of a ``TEXTS`` or ``BLOCKS`` wrapper."""
    parts: tuple[Part, ...] = ()
    """Children of a ``GROUP``."""
    aliases: tuple[str, ...] = ()
    """Other spellings accepted (and reported) by the parser."""
    empty_ok: bool = False
    """A required text that may be empty (``Content``)."""


@dataclass(frozen=True, slots=True)
class Block:
    """The layout of one model class: its element's attributes and children."""

    cls: type
    parts: tuple[Part, ...]
    index: dict[str, tuple[int, Part, bool]] = field(init=False, repr=False, compare=False)
    """Tag or alias → (position, part, is_alias), for the parser."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", _index(self.parts))


def _index(parts: tuple[Part, ...]) -> dict[str, tuple[int, Part, bool]]:
    index: dict[str, tuple[int, Part, bool]] = {}
    for pos, part in enumerate(parts):
        if part.kind is Kind.ATTR:
            continue
        index[part.tag] = (pos, part, False)
        for alias in part.aliases:
            index[alias] = (pos, part, True)
    return index


_GROUP_INDEX: dict[int, dict[str, tuple[int, Part, bool]]] = {}


def group_index(part: Part) -> dict[str, tuple[int, Part, bool]]:
    """The parser's index of a ``GROUP`` part's children (built once per part)."""
    found = _GROUP_INDEX.get(id(part))
    if found is None:
        found = _GROUP_INDEX[id(part)] = _index(part.parts)
    return found


def _t(tag: str, attr: str, required: bool = False, *aliases: str,
       empty_ok: bool = False) -> Part:
    return Part(tag, Kind.TEXT, attr, required, aliases=aliases, empty_ok=empty_ok)


ORGANIZATION = Block(m.Organization, (
    _t("OrganId", "organ_id", True),
    _t("OrganizationInCharge", "organization_in_charge"),
    _t("OrganName", "organ_name"),
    _t("OrganAdd", "organ_add"),
    _t("Email", "email"),
    _t("Telephone", "telephone"),
    _t("Fax", "fax"),
    _t("Website", "website"),
))
CODE = Block(m.Code, (_t("CodeNumber", "code_number", True),
                      _t("CodeNotation", "code_notation", True)))
PROMULGATION_INFO = Block(m.PromulgationInfo, (
    _t("Place", "place"), _t("PromulgationDate", "promulgation_date", True)))
DOCUMENT_TYPE = Block(m.DocumentTypeInfo, (
    _t("Type", "type", True), _t("TypeName", "type_name"), _t("TypeDetail", "type_detail")))
SIGNER_INFO = Block(m.SignerInfo, (
    _t("Competence", "competence"), _t("Position", "position"),
    _t("FullName", "full_name", True)))
OTHER_INFO = Block(m.OtherInfo, (
    _t("Priority", "priority"),
    _t("SphereOfPromulgation", "sphere_of_promulgation"),
    _t("TyperNotation", "typer_notation"),
    _t("PromulgationAmount", "promulgation_amount"),
    _t("PageAmount", "page_amount"),
    Part("Appendixes", Kind.TEXTS, "appendixes", item="Appendix", aliases=("Appendices",)),
))
RESPONSE_FOR = Block(m.ResponseFor, (
    _t("OrganId", "organ_id", True), _t("Code", "code", True),
    _t("PromulgationDate", "promulgation_date", True), _t("DocumentId", "document_id", True)))
STAFF_INFO = Block(m.StaffInfo, (
    _t("Department", "department"), _t("Staff", "staff"), _t("Mobile", "mobile"),
    _t("Email", "email")))
TRACE_HEADER = Block(m.TraceHeader, (
    _t("OrganId", "organ_id", True), _t("Timestamp", "timestamp", True, "TimeStamp")))
RECEIVER = Block(m.Receiver, (_t("ReceiverType", "receiver_type"), _t("OrganId", "organ_id")))
BUSINESS_DOCUMENT_INFO = Block(m.BusinessDocumentInfo, (
    _t("DocumentInfo", "document_info"),
    _t("DocumentReceiver", "document_receiver"),
    Part("ReceiverList", Kind.BLOCKS, "receivers", block=RECEIVER, item="Receiver"),
))
REPLACEMENT_INFO = Block(m.ReplacementInfo, (
    _t("DocumentId", "document_id", True),
    Part("OrganIdList", Kind.TEXTS, "organ_ids", item="OrganId"),
))
BUSINESS = Block(m.Business, (
    _t("BussinessDocType", "doc_type", True, "BusinessDocType"),
    _t("BussinessDocReason", "doc_reason", False, "BusinessDocReason"),
    _t("DocumentId", "document_id"),
    _t("BussinessInfo", "info", False, "BusinessInfo"),
    Part("BussinessDocumentInfo", Kind.BLOCK, "document_info", block=BUSINESS_DOCUMENT_INFO,
         aliases=("BusinessDocumentInfo",)),
    Part("ReplacementInfoList", Kind.BLOCKS, "replacements", block=REPLACEMENT_INFO,
         item="ReplacementInfo"),
    Part("StaffInfo", Kind.BLOCK, "staff_info", block=STAFF_INFO),
    _t("Paper", "paper"),
))
REFERENCE = Block(m.Reference, (
    Part(f"{{{m.XLINK_NS}}}href", Kind.ATTR, "href"),
    _t("ContentId", "content_id", True),
    _t("ContentType", "content_type"),
    _t("Description", "description"),
    _t("AttachmentName", "attachment_name"),
))
ATTACHMENT = Block(m.Attachment, (
    Part("Id", Kind.ATTR, "id"),
    _t("ContentId", "content_id", True),
    _t("AttachmentName", "attachment_name"),
    _t("ContentType", "content_type"),
    _t("Description", "description"),
    _t("ContentTransferEncoded", "encoded", True, empty_ok=True),
))

_SIGNATURES = (Part("Signature", Kind.SKIP), Part("DigitalSignature", Kind.SKIP))

MESSAGE_HEADER = Part("MessageHeader", Kind.GROUP, required=True, parts=(
    Part("From", Kind.BLOCK, "sender", True, ORGANIZATION),
    Part("To", Kind.REPEAT, "receivers", True, ORGANIZATION),
    _t("DocumentId", "document_id", True),
    Part("Code", Kind.BLOCK, "code", True, CODE),
    Part("PromulgationInfo", Kind.BLOCK, "promulgation_info", True, PROMULGATION_INFO),
    Part("DocumentType", Kind.BLOCK, "document_type", True, DOCUMENT_TYPE),
    _t("Subject", "subject", True),
    _t("Content", "content", True, empty_ok=True),
    Part("SignerInfo", Kind.BLOCK, "signer_info", True, SIGNER_INFO),
    _t("DueDate", "due_date"),
    Part("OtherInfo", Kind.BLOCK, "other_info", True, OTHER_INFO),
    Part("ResponseFor", Kind.REPEAT, "response_for", False, RESPONSE_FOR),
    _t("SteeringType", "steering_type"),
    Part("ToPlaces", Kind.TEXTS, "to_places", item="Place"),
))

#: The document message, from the root ``edXML`` element down.
DOCUMENT = Block(m.Envelope, (
    Part("edXMLEnvelope", Kind.GROUP, required=True, parts=(
        Part("edXMLHeader", Kind.GROUP, required=True, parts=(
            MESSAGE_HEADER,
            Part("TraceHeaderList", Kind.GROUP, parts=(
                Part("TraceHeader", Kind.REPEAT, "trace_headers", block=TRACE_HEADER),
                Part("Bussiness", Kind.BLOCK, "business", block=BUSINESS,
                     aliases=("Business",)),
            )),
            *_SIGNATURES,
        )),
        Part("edXMLBody", Kind.GROUP, required=True, parts=(
            Part("edXMLManifest", Kind.GROUP, required=True, aliases=("Manifest",), parts=(
                Part("Reference", Kind.REPEAT, "references", block=REFERENCE),
            )),
        )),
    )),
    Part("AttachmentEncoded", Kind.GROUP, parts=(
        Part("Attachment", Kind.REPEAT, "attachments", block=ATTACHMENT),
    )),
))

STATUS_BODY = Part("Status", Kind.GROUP, required=True, parts=(
    Part("ResponseFor", Kind.BLOCK, "response_for", True, RESPONSE_FOR),
    Part("From", Kind.BLOCK, "sender", True, ORGANIZATION),
    Part("StaffInfo", Kind.BLOCK, "staff_info", block=STAFF_INFO),
    Part("StatusCode", Kind.STATUS, "status_code", True),
    _t("Description", "description"),
    _t("Timestamp", "timestamp", True, "TimeStamp"),
))

#: The status message, from the root ``edXML`` element down.
STATUS = Block(m.StatusMessage, (
    Part("edXMLEnvelope", Kind.GROUP, required=True, parts=(
        Part("edXMLHeader", Kind.GROUP, required=True, parts=(STATUS_BODY, *_SIGNATURES)),
    )),
))


def default_for(part: Part) -> Any:
    """The value a missing part takes in a parsed model (the parser reports the absence).

    Required text becomes ``""`` and a required block an empty block, so that a broken message
    still yields a model the rules can inspect; optional parts become ``None``.
    """
    kind = part.kind
    if kind is Kind.REPEAT:
        return ()
    if not part.required:
        return None
    if kind in (Kind.TEXT, Kind.STATUS):
        return ""
    if kind is Kind.BLOCK:
        assert part.block is not None
        return empty(part.block)
    return None


def empty(block: Block) -> Any:
    """An instance of ``block.cls`` with every required part at its default."""
    values: dict[str, Any] = {}
    for attr, part in fields_of(block):
        if part.required or part.kind is Kind.REPEAT:
            values[attr] = default_for(part)
    return block.cls(**values)


_FIELDS: dict[int, tuple[tuple[str, Part], ...]] = {}


def fields_of(block: Block) -> tuple[tuple[str, Part], ...]:
    """Every (attribute, part) pair of a block, looking through its groups."""
    found = _FIELDS.get(id(block))
    if found is None:
        out: list[tuple[str, Part]] = []

        def walk(parts: tuple[Part, ...]) -> None:
            for part in parts:
                if part.kind is Kind.GROUP:
                    walk(part.parts)
                elif part.attr is not None:
                    out.append((part.attr, part))

        walk(block.parts)
        found = _FIELDS[id(block)] = tuple(out)
    return found


def places(*blocks: Block) -> dict[tuple[str, ...], bool]:
    """Every element path the parser reads, from the root down, mapped to whether it repeats.

    The one table of *where* fields stand, derived from the layouts the parser walks, so the
    business rules read exactly the elements the parser reads: a path missing here (inside a
    legacy ``Signature``'s any content, or a QCVN element out of place) is never read, and a
    second copy of a path that does not repeat is ignored by the parser (it reads the first).
    Paths are canonical local names (aliases map to the tag); the root is ``edXML``, and the
    paths below ``edXMLEnvelope`` are listed again from it, the root the rules also accept.
    """
    found: dict[tuple[str, ...], bool] = {}

    def walk(path: tuple[str, ...], parts: tuple[Part, ...]) -> None:
        for part in parts:
            if part.kind is Kind.ATTR:
                continue
            here = (*path, part.tag)
            found[here] = part.kind in (Kind.REPEAT, Kind.SKIP)
            if part.kind is Kind.GROUP:
                walk(here, part.parts)
            elif part.kind in (Kind.BLOCK, Kind.REPEAT):
                assert part.block is not None
                walk(here, part.block.parts)
            elif part.kind in (Kind.TEXTS, Kind.BLOCKS):
                assert part.item is not None
                item = (*here, part.item)
                found[item] = True
                if part.block is not None:
                    walk(item, part.block.parts)

    for block in blocks:
        found[("edXML",)] = False
        walk(("edXML",), block.parts)
    for path, repeats in list(found.items()):
        if len(path) > 1 and path[1] == "edXMLEnvelope":
            found[path[1:]] = repeats
    return found


#: Where the parser reads, for documents and status messages alike (:func:`places`).
PLACES = places(DOCUMENT, STATUS)
