"""Every rule reads an element's whole text, as the signature over it saw it.

Exclusive C14N drops comments, so a comment inside a signed value leaves the signature valid:
a rule that read only the first text node (``element.text``) then judged a value no one
signed, giving a false FAILED (half an organ code), or missing what follows the comment (an
attachment whose base64 goes bad after it). One helper (``docflow.xmlsafe.text_content``)
reads values for the parser, the rules and the signature profile alike; each rule class is
checked here with a comment splitting its value, then with the part after the comment broken.
"""

from __future__ import annotations

import pytest
from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.parser import parse_envelope
from docflow.envelope.rules import rule_findings
from docflow.envelope.samples import example_document, example_status
from docflow.xmlsafe import parse_xml, text_content

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DOCUMENT = build(example_document())
STATUS = build(example_status())


def _path(*steps: str) -> str:
    return "/".join(f"{{{NS}}}{step}" for step in steps)


_HEADER = ("edXMLEnvelope", "edXMLHeader", "MessageHeader")
#: (rule class, message, element path, a broken second half, the finding it must give)
FIELDS = [
    ("organ code of the sender", DOCUMENT, _path(*_HEADER, "From", "OrganId"), "00.h49",
     "DF-ENV-042"),
    ("organ code of a recipient", DOCUMENT, _path(*_HEADER, "To", "OrganId"), "0.00.H49",
     "DF-ENV-042"),
    ("organ code of a trace", DOCUMENT, _path("edXMLEnvelope", "edXMLHeader",
                                             "TraceHeaderList", "TraceHeader", "OrganId"),
     "x", "DF-ENV-042"),
    ("DocumentId", DOCUMENT, _path(*_HEADER, "DocumentId"), "5/07/02,12/QĐ-UBND",
     "DF-ENV-046"),
    ("code number", DOCUMENT, _path(*_HEADER, "Code", "CodeNumber"), "x", "DF-ENV-048"),
    ("code notation", DOCUMENT, _path(*_HEADER, "Code", "CodeNotation"), "-UBND",
     "DF-ENV-049"),
    ("document type", DOCUMENT, _path(*_HEADER, "DocumentType", "Type"), "99", "DF-ENV-052"),
    ("promulgation date", DOCUMENT, _path(*_HEADER, "PromulgationInfo", "PromulgationDate"),
     "13/45", "DF-ENV-053"),
    ("due date", DOCUMENT, _path(*_HEADER, "DueDate"), "06/01", "DF-ENV-055"),
    ("trace timestamp", DOCUMENT, _path("edXMLEnvelope", "edXMLHeader", "TraceHeaderList",
                                        "TraceHeader", "Timestamp"), "25:61:00",
     "DF-ENV-054"),
    ("priority", DOCUMENT, _path(*_HEADER, "OtherInfo", "Priority"), "7", "DF-ENV-060"),
    ("business type", DOCUMENT, _path("edXMLEnvelope", "edXMLHeader", "TraceHeaderList",
                                      "Bussiness", "BussinessDocType"), "7", "DF-ENV-074"),
    ("attachment base64", DOCUMENT, _path("AttachmentEncoded", "Attachment",
                                          "ContentTransferEncoded"), "***", "DF-ENV-067"),
    ("attachment ContentId", DOCUMENT, _path("AttachmentEncoded", "Attachment", "ContentId"),
     "-other", "DF-ENV-066"),
    ("status code", STATUS, _path("edXMLEnvelope", "edXMLHeader", "Status", "StatusCode"),
     "9", "DF-ENV-061"),
    ("status timestamp", STATUS, _path("edXMLEnvelope", "edXMLHeader", "Status",
                                       "Timestamp"), "99:00:00", "DF-ENV-054"),
]


def _split(data: bytes, path: str, second: str | None = None) -> bytes:
    """``data`` with the value at ``path`` split in two by a comment (and a processing
    instruction); ``second`` replaces the part after them."""
    root = parse_xml(data)
    element = root.find(path)
    assert element is not None and len(element) == 0, path
    value = element.text or ""
    half = max(1, len(value) // 2)
    element.text = value[:half]
    comment = etree.Comment(" split ")
    comment.tail = ""
    element.append(comment)
    pi = etree.ProcessingInstruction("keep", "on")
    pi.tail = value[half:] if second is None else second
    element.append(pi)
    return etree.tostring(root)


@pytest.mark.parametrize("rule, data, path, broken, code", FIELDS,
                         ids=[f[0] for f in FIELDS])
def test_a_comment_in_a_value_changes_no_rule(rule: str, data: bytes, path: str,
                                              broken: str, code: str) -> None:
    """A value split by a comment and a processing instruction reads whole: the rules find
    exactly what they find in the untouched message (nothing), and the parser reads the same
    model."""
    split = _split(data, path)
    assert rule_findings(parse_xml(split)) == rule_findings(parse_xml(data)) == []
    assert parse_envelope(split).model == parse_envelope(data).model


@pytest.mark.parametrize("rule, data, path, broken, code", FIELDS,
                         ids=[f[0] for f in FIELDS])
def test_what_follows_a_comment_is_checked(rule: str, data: bytes, path: str, broken: str,
                                           code: str) -> None:
    """The part of a value after a comment is checked like the rest: broken there, the rule
    reports it."""
    found = {f.code for f in rule_findings(parse_xml(_split(data, path, broken)))}
    assert code in found, found


def test_text_content_is_the_canonical_text() -> None:
    """The helper reads what exclusive C14N (without comments) writes as the element's text:
    comments and processing instructions out, CDATA and character references as text."""
    element = etree.fromstring("<v>000.<!-- a -->00.<?p x?>0<![CDATA[0.]]>&#x48;49</v>")
    canonical = etree.tostring(element, method="c14n", exclusive=True, with_comments=False)
    assert text_content(element) == "000.00.00.H49"
    assert etree.fromstring(canonical).xpath("string()") == text_content(element)
