"""The edXML business rules read the tree tolerantly and locate every finding.

The fixture corpus (``tests/validation/test_fixtures.py``) shows one broken field per code; these
tests cover what it cannot: field variants, messages without the usual wrapper, and that random
valid messages never raise a finding.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import Code, document_id_of
from docflow.envelope.rules import MessageKind, message_kind, rule_findings
from docflow.envelope.samples import example_document, sample_document, sample_status
from docflow.envelope.status import StatusCode
from docflow.xmlsafe import parse_xml

DOCUMENT = build(example_document())
ORGANS = ["000.00.00.H49", "000.00.00.G22", "000.00.12.H01", "000.05.12.H79", "000.00.00.G12",
          "001.05.12.H79"]


def _codes(data: bytes, **kw: bool) -> list[str]:
    return [f.code for f in rule_findings(parse_xml(data), **kw)]


def _move_to_end(data: bytes, tag: bytes, parent: bytes) -> bytes:
    """Move the first <edXML:tag> line to the end of <edXML:parent>."""
    match = re.search(rb"\n *<edXML:" + tag + rb">[^\n]*", data)
    assert match is not None
    line = match.group(0)
    data = data[:match.start()] + data[match.end():]
    close = b"\n" + data.split(b"</edXML:" + parent + b">")[0].rsplit(b"\n", 1)[1]
    return data.replace(close + b"</edXML:" + parent + b">",
                        line + close + b"</edXML:" + parent + b">", 1)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), doc_type=st.sampled_from(list(DocumentType)),
       sender=st.sampled_from(ORGANS), receivers=st.lists(st.sampled_from(ORGANS), min_size=1,
                                                          max_size=3, unique=True),
       attachments=st.integers(0, 3), code=st.sampled_from(list(StatusCode)))
def test_sample_messages_raise_no_finding(seed: int, doc_type: DocumentType, sender: str,
                                          receivers: list[str], attachments: int,
                                          code: StatusCode) -> None:
    """Whatever the type, tier, recipients and attachments, a sample document is clean, and
    so is any status about it."""
    receivers = [r for r in receivers if r != sender] or ["000.00.00.H01"]
    rng = np.random.default_rng(seed)
    doc = sample_document(rng, sender=sender, receivers=receivers, doc_type=doc_type,
                          attachments=attachments, size=64)
    assert rule_findings(parse_xml(build(doc))) == []
    status = sample_status(rng, document=doc, receiver=receivers[0], code=code)
    assert rule_findings(parse_xml(build(status))) == []


def test_every_finding_has_a_line_and_a_path() -> None:
    """A message broken in many fields at once: each finding points at its element."""
    data = DOCUMENT
    for tag, value in ((b"CodeNumber", b"x"), (b"Priority", b"9"), (b"DueDate", b"2025/02/30"),
                       (b"OrganId", b"bad"), (b"Type", b"99")):
        data = re.sub(rb"(<edXML:" + tag + rb">)[^<]*", rb"\g<1>" + value, data, count=1)
    findings = rule_findings(parse_xml(data))
    assert {f.code for f in findings} >= {"DF-ENV-042", "DF-ENV-048", "DF-ENV-052",
                                          "DF-ENV-053", "DF-ENV-060"}
    for finding in findings:
        assert finding.location.line and finding.location.path
        assert finding.location.path.startswith("/edXML/edXMLEnvelope/")


def test_order_variants_are_read_like_the_canonical_order() -> None:
    """DocumentId last in MessageHeader is still checked against From, date and Code."""
    moved = _move_to_end(DOCUMENT, b"DocumentId", b"MessageHeader")
    assert moved != DOCUMENT and _codes(moved) == []
    wrong = moved.replace(b",12/Q", b",13/Q")
    assert _codes(wrong) == ["DF-ENV-047"]


def test_aliases_and_missing_namespaces_are_read() -> None:
    """TimeStamp and Business spellings, and an element without namespace, are still judged."""
    variant = DOCUMENT.replace(b"edXML:Timestamp>", b"edXML:TimeStamp>")
    variant = variant.replace(b"edXML:Bussiness>", b"edXML:Business>")
    assert _codes(variant) == []
    bad_time = re.sub(rb"(<edXML:TimeStamp>)[^<]*", rb"\g<1>2025/07/01 9:30", variant)
    assert _codes(bad_time) == ["DF-ENV-054"]
    bad_type = variant.replace(b"<edXML:BussinessDocType>0<", b"<edXML:BussinessDocType>5<")
    assert _codes(bad_type) == ["DF-ENV-074"]
    no_ns = re.sub(rb"<edXML:Priority>\d</edXML:Priority>",
                   b'<Priority xmlns="">8</Priority>', DOCUMENT)
    assert _codes(no_ns) == ["DF-ENV-060"]


def test_a_root_without_the_edxml_wrapper_is_checked() -> None:
    """Some field messages start at edXMLEnvelope: the rules run all the same."""
    inner = DOCUMENT.split(b"<edXML:edXMLEnvelope>", 1)[1].split(b"</edXML:edXMLEnvelope>")[0]
    data = (b'<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink">'
            + inner.replace(b"<edXML:Priority>", b"<edXML:Priority>7", 1)
            + b"</edXML:edXMLEnvelope>")
    codes = _codes(data)
    assert "DF-ENV-060" in codes
    assert "DF-ENV-064" in codes  # the attachments stood outside the envelope


def test_missing_fields_are_reported_only_when_asked() -> None:
    """Without the schema the rules say what they could not check; with it they stay quiet."""
    data = re.sub(rb"\s*<edXML:Code>.*?</edXML:Code>", b"", DOCUMENT, count=1, flags=re.S)
    assert _codes(data) == ["DF-ENV-041"]
    assert _codes(data, report_missing=False) == []


def test_a_missing_field_is_located_at_its_empty_parent() -> None:
    """A parent present but empty (``<PromulgationInfo/>``, an empty ``edXMLHeader``) is where
    the missing field is reported, not the element above it."""
    data = re.sub(rb"<edXML:PromulgationInfo>.*?</edXML:PromulgationInfo>",
                  b"<edXML:PromulgationInfo/>", DOCUMENT, count=1, flags=re.S)
    found = [f for f in rule_findings(parse_xml(data)) if f.code == "DF-ENV-041"]
    assert [f.location.path for f in found] == \
        ["/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo"]
    data = re.sub(rb"<edXML:edXMLHeader>.*?</edXML:edXMLHeader>", b"<edXML:edXMLHeader/>",
                  DOCUMENT, count=1, flags=re.S)
    found = [f for f in rule_findings(parse_xml(data)) if f.code == "DF-ENV-041"]
    assert [f.location.path for f in found] == ["/edXML/edXMLEnvelope/edXMLHeader"]


def test_content_ids_match_whatever_their_decoration() -> None:
    """``cid:x`` and ``<x>`` name the same attachment as ``x``."""
    cid = re.search(rb"<edXML:ContentId>([^<]+)<", DOCUMENT)
    assert cid is not None
    decorated = DOCUMENT.replace(b">" + cid.group(1) + b"<", b">cid:" + cid.group(1) + b"<", 1)
    assert _codes(decorated) == []


def test_normative_notation_with_a_year() -> None:
    """``12/2025/QĐ-UBND``: a normative decision keeps its year in the notation."""
    env = example_document()
    code = Code(code_number="12", code_notation="2025/QĐ-UBND")
    env = dataclasses.replace(env, code=code, document_id=document_id_of(
        env.sender.organ_id, env.promulgation_info.promulgation_date, code))
    assert rule_findings(parse_xml(build(env))) == []


def test_type_may_be_written_as_a_name() -> None:
    """A Type holding the type's name instead of its number is understood."""
    data = DOCUMENT.replace(b"<edXML:Type>2<", "<edXML:Type>Quyết định<".encode())
    assert _codes(data) == []
    wrong = data.replace("<edXML:Type>Quyết định<".encode(), "<edXML:Type>Nghị quyết<".encode())
    assert _codes(wrong) == ["DF-ENV-073"]


def test_only_qcvn_signatures_are_legacy() -> None:
    """An XML-DSig Signature is the signature checks' business; a QCVN DigitalSignature is
    reported as present and unverifiable."""
    dsig = DOCUMENT.replace(b"    </edXML:edXMLHeader>",
                            b'      <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>'
                            b"\n    </edXML:edXMLHeader>")
    assert _codes(dsig) == []
    legacy = DOCUMENT.replace(b"    </edXML:edXMLHeader>",
                              b"      <edXML:DigitalSignature>MIIB</edXML:DigitalSignature>\n"
                              b"    </edXML:edXMLHeader>")
    (finding,) = rule_findings(parse_xml(legacy))
    assert finding.code == "DF-ENV-070" and finding.indication is not None
    assert finding.indication.value == "INDETERMINATE"
    assert "SHA-1" not in finding.message


def test_message_kind() -> None:
    """A Status block in the header makes a status message, in a message written in no
    namespace too (the whole of it: a field variant the schema reports)."""
    assert message_kind(parse_xml(DOCUMENT)) is MessageKind.DOCUMENT
    status = (b"<edXML><edXMLEnvelope><edXMLHeader><Status/></edXMLHeader></edXMLEnvelope>"
              b"</edXML>")
    assert message_kind(parse_xml(status)) is MessageKind.STATUS
