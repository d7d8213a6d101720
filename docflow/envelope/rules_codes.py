"""Business rules on identifiers: organ codes, number and notation, DocumentId, coded values.

``DocumentId`` is not free text: QCVN 102 derives it as
``{From/OrganId},{PromulgationDate},{CodeNumber}/{CodeNotation}``, and Decree 30/2020 fixes the
notation as the document type's abbreviation, a hyphen and the issuing organ's abbreviation
(``12/QĐ-UBND``), except for a Công văn, which has no type abbreviation (``123/UBND-VP``).
A receiver files the document under that identifier and answers with it in ``ResponseFor``, so a
message whose parts disagree gets filed twice or answered into the void.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from lxml import etree

from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import BusinessDocType, DocumentTypeInfo, Priority
from docflow.envelope.rules_dates import date_of
from docflow.envelope.rules_tree import Rule, Tree, at, missing, text_of
from docflow.errors import Finding

__all__ = ["code_findings", "document_id_findings", "organ_findings", "other_info_findings",
           "recipient_findings", "response_for_findings"]

_TOKEN = r"[^\s/,\-]+"
#: TYPE-ORGAN[-UNIT…], after an optional year for normative documents (``2020/QĐ-UBND``).
_NOTATION = re.compile(rf"^(?:(?P<year>\d{{4}})/)?(?P<first>{_TOKEN})(?:-{_TOKEN})+$")
_DOCUMENT_ID = re.compile(r"^(?P<organ>[^,\s]+),(?P<date>\d{4}/\d{2}/\d{2}),"
                          r"(?P<number>[^,/\s]+)/(?P<notation>[^,\s]+)$")
_ABBREVIATIONS = {t.abbreviation: t for t in DocumentType if t.abbreviation}
_PRIORITIES = {p.value for p in Priority}
_BUSINESS_TYPES = {b.value: b for b in BusinessDocType}


def organ_findings(tree: Tree, blocks: list[etree._Element], report_missing: bool
                   ) -> Rule[list[str | None]]:
    """Check the ``OrganId`` of each block; return their texts (``None`` where unusable)."""
    ids: list[str | None] = []
    for block in blocks:
        element = tree.child(block, "OrganId")
        if element is None or not text_of(element):
            if report_missing:
                yield missing(block, "OrganId")
            ids.append(None)
            continue
        code = yield from tree.organ_code(element)
        ids.append(str(code) if code is not None else None)
    return ids


def recipient_findings(tree: Tree, sender: str | None, receivers: list[etree._Element],
                       receiver_ids: list[str | None]) -> Iterator[Finding]:
    """A recipient listed twice (``DF-ENV-071``) or the sender listed as one (``DF-ENV-072``)."""
    seen: set[str] = set()
    for block, organ in zip(receivers, receiver_ids, strict=True):
        if organ is None:
            continue
        if organ in seen:
            yield Finding("DF-ENV-071", f"{organ} is listed in <To> more than once; it would "
                          "receive the document twice", at(block))
        seen.add(organ)
        if organ == sender:
            yield Finding("DF-ENV-072", f"the sender {organ} is also listed in <To>", at(block))


def _decree_type(tree: Tree, info: etree._Element, report_missing: bool
                 ) -> Rule[DocumentType | None]:
    """The Decree 30/2020 type that ``DocumentType`` names (``DF-ENV-052``/``073``)."""
    type_el = tree.child(info, "Type")
    name_el = tree.child(info, "TypeName")
    by_number: DocumentType | None = None
    text = text_of(type_el) if type_el is not None else ""
    if type_el is None or not text:
        if report_missing:
            yield missing(info, "Type")
    else:
        by_number = DocumentTypeInfo(type=text).decree_type
        if by_number is None:
            try:  # some field software writes the name in Type
                by_number = DocumentType.from_name(text)
            except KeyError:
                yield Finding("DF-ENV-052", f"Type {text!r} is neither the number (1-29) nor "
                              "the name of a Decree 30/2020 document type", at(type_el))
    by_name: DocumentType | None = None
    name = text_of(name_el) if name_el is not None else ""
    if name_el is not None and name:
        try:
            by_name = DocumentType.from_name(name)
        except KeyError:
            yield Finding("DF-ENV-052", f"TypeName {name!r} is not one of the 29 "
                          "document types of Decree 30/2020", at(name_el))
    if by_number is not None and by_name is not None and by_number is not by_name:
        assert name_el is not None
        yield Finding("DF-ENV-073", f"Type names a {by_number.value} but TypeName a "
                      f"{by_name.value}", at(name_el))
        return None  # which one is meant cannot be told; don't judge the notation by either
    return by_number or by_name


def code_findings(tree: Tree, header: etree._Element, report_missing: bool
                  ) -> Rule[DocumentType | None]:
    """CodeNumber (``DF-ENV-048``), CodeNotation (``049``) and its type (``050``/``051``)."""
    info = tree.first("MessageHeader", "DocumentType")
    doc_type = None
    if info is None:
        if report_missing:
            yield missing(header, "DocumentType")
    else:
        doc_type = yield from _decree_type(tree, info, report_missing)
    code = tree.first("MessageHeader", "Code")
    if code is None:
        if report_missing:
            yield missing(header, "Code")
        return doc_type
    number = tree.child(code, "CodeNumber")
    digits = text_of(number) if number is not None else ""
    if number is None or not digits:
        if report_missing:
            yield missing(code, "CodeNumber")
    elif not digits.isdigit() or int(digits) == 0:
        yield Finding("DF-ENV-048", f"CodeNumber {digits!r} is not a positive whole "
                      "number (Decree 30/2020 numbers documents 01, 02, …)", at(number))
    notation = tree.child(code, "CodeNotation")
    text = text_of(notation) if notation is not None else ""
    if notation is None or not text:
        if report_missing:
            yield missing(code, "CodeNotation")
        return doc_type
    match = _NOTATION.match(text)
    if match is None:
        yield Finding("DF-ENV-049", f"CodeNotation {text!r} is not TYPE-ORGAN (such as "
                      "QĐ-UBND) or, for a Công văn, ORGAN-UNIT (such as UBND-VP)", at(notation))
        return doc_type
    if doc_type is None:
        return doc_type
    first = match["first"]
    expected = doc_type.abbreviation
    if expected is None:
        if first in _ABBREVIATIONS:
            yield Finding("DF-ENV-051", f"a {doc_type.value} has no type abbreviation, but the "
                          f"notation {text!r} starts with {first!r}, the abbreviation of "
                          f"{_ABBREVIATIONS[first].value}; write ORGAN-UNIT (such as UBND-VP)",
                          at(notation))
    elif first != expected:
        yield Finding("DF-ENV-050", f"a {doc_type.value} is notated {expected}-…, but the "
                      f"notation is {text!r}", at(notation))
    return doc_type


def _split_document_id(tree: Tree, element: etree._Element) -> Rule[re.Match[str] | None]:
    text = text_of(element)
    match = _DOCUMENT_ID.match(text)
    if match is None:
        yield Finding("DF-ENV-044", f"DocumentId {text!r} is not {{OrganId}},{{yyyy/MM/dd}},"
                      "{CodeNumber}/{CodeNotation} (such as "
                      "000.00.00.H49,2025/07/01,12/QĐ-UBND)", at(element))
        return None
    return match


def document_id_findings(tree: Tree, header: etree._Element, report_missing: bool
                         ) -> Iterator[Finding]:
    """``DocumentId`` against From, PromulgationDate and Code (``DF-ENV-044``…``047``)."""
    element = tree.first("MessageHeader", "DocumentId")
    if element is None or not text_of(element):
        if report_missing:
            yield missing(header, "DocumentId")
        return None
    parts = yield from _split_document_id(tree, element)
    if parts is None:
        return None
    text = parts.string
    sender = tree.first("From", "OrganId")
    sender_id = text_of(sender) if sender is not None else ""
    if sender_id and parts["organ"] != sender_id:
        yield Finding("DF-ENV-045", f"DocumentId {text!r} names organ {parts['organ']}, but the "
                      f"sender (From/OrganId) is {sender_id}", at(element))
    date = tree.first("PromulgationInfo", "PromulgationDate")
    date_text = text_of(date) if date is not None else ""
    if date_text and parts["date"] != date_text:
        yield Finding("DF-ENV-046", f"DocumentId {text!r} is dated {parts['date']}, but "
                      f"PromulgationDate is {date_text}", at(element))
    number = tree.first("Code", "CodeNumber")
    notation = tree.first("Code", "CodeNotation")
    if number is not None and notation is not None:
        code = f"{text_of(number)}/{text_of(notation)}"
        if f"{parts['number']}/{parts['notation']}" != code:
            yield Finding("DF-ENV-047", f"DocumentId {text!r} carries the number "
                          f"{parts['number']}/{parts['notation']}, but Code is {code}",
                          at(element))
    return None


def response_for_findings(tree: Tree, response: etree._Element, report_missing: bool
                          ) -> Rule[dt.date | None]:
    """A ``ResponseFor`` block; returns its PromulgationDate as a date when it is one."""
    fields = {name: tree.child(response, name)
              for name in ("OrganId", "Code", "PromulgationDate", "DocumentId")}
    texts = {name: text_of(el) if el is not None else "" for name, el in fields.items()}
    for name, text in texts.items():
        if not text and report_missing:
            yield missing(response, name)
    organ = fields["OrganId"]
    if organ is not None and texts["OrganId"]:
        yield from tree.organ_code(organ)
    promulgated = None
    date_el = fields["PromulgationDate"]
    if date_el is not None and texts["PromulgationDate"]:
        promulgated = yield from date_of(date_el)
    id_el = fields["DocumentId"]
    if id_el is None or not texts["DocumentId"]:
        return promulgated
    parts = yield from _split_document_id(tree, id_el)
    if parts is None:
        return promulgated
    code = f"{parts['number']}/{parts['notation']}"
    for name, part in (("OrganId", parts["organ"]), ("PromulgationDate", parts["date"]),
                       ("Code", code)):
        if texts[name] and texts[name] != part:
            yield Finding("DF-ENV-062", f"ResponseFor/DocumentId {texts['DocumentId']!r} has "
                          f"{part!r} where ResponseFor/{name} is {texts[name]!r}", at(id_el))
    return promulgated


def other_info_findings(tree: Tree) -> Iterator[Finding]:
    """Priority 0-4 (``DF-ENV-060``) and what a Bussiness block does (``074``/``075``)."""
    for priority in tree.all("OtherInfo", "Priority"):
        if text_of(priority) not in _PRIORITIES:
            yield Finding("DF-ENV-060", f"Priority {text_of(priority)!r} is not 0 (normal), "
                          "1 (urgent), 2 (very urgent), 3 (flash) or 4 (flash, timed)",
                          at(priority))
    for business in tree.all("TraceHeaderList", "Bussiness"):
        kind_el = tree.child(business, "BussinessDocType")
        if kind_el is None:
            continue
        kind = _BUSINESS_TYPES.get(text_of(kind_el))
        if kind is None:
            yield Finding("DF-ENV-074", f"BussinessDocType {text_of(kind_el)!r} is not 0 (new), "
                          "1 (revoke), 2 (update) or 3 (replace)", at(kind_el))
            continue
        target = tree.child(business, "DocumentId")
        if target is not None and text_of(target):
            yield from _split_document_id(tree, target)
        elif kind is not BusinessDocType.NEW and not tree.all("ReplacementInfo", "DocumentId"):
            yield Finding("DF-ENV-075", f"the message is a {kind.name.lower()} "
                          f"(BussinessDocType {kind.value}) but names no DocumentId of the "
                          "document it acts on", at(business))
        for replaced in tree.all("ReplacementInfo", "DocumentId"):
            if text_of(replaced):
                yield from _split_document_id(tree, replaced)
