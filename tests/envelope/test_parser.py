"""Tests for docflow/envelope/parser.py: bytes → model, tolerant of field variants."""

from __future__ import annotations

import pytest

from docflow.envelope.builder import build
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import Envelope, StatusCode
from docflow.envelope.parser import parse_envelope
from docflow.envelope.samples import example_document, example_status
from docflow.envelope.schema import schema_findings
from docflow.errors import InputError


def codes(data: bytes) -> list[str]:
    return [f.code for f in parse_envelope(data).findings]


def test_round_trip_document_and_status() -> None:
    """parse(build(m)) == m, with no findings, for both message kinds."""
    for message in (example_document(), example_status()):
        parsed = parse_envelope(build(message))
        assert parsed.model == message
        assert parsed.findings == ()


def test_not_edxml_raises_input_error() -> None:
    """XML whose root is not edXML cannot be read as a message: DF-ENV-002."""
    with pytest.raises(InputError) as caught:
        parse_envelope(b"<html><body/></html>")
    assert caught.value.code == "DF-ENV-002"


def test_business_spelling_is_accepted_and_reported() -> None:
    """'Business' is read as 'Bussiness' and reported as DF-ENV-008, not an error."""
    data = build(example_document()).replace(b"Bussiness>", b"Business>")
    parsed = parse_envelope(data)
    assert parsed.model == example_document()
    assert codes(data) == ["DF-ENV-008"]


def test_order_variant_is_accepted_and_reported_once() -> None:
    """DocumentId moved to the end of MessageHeader reads the same, with one DF-ENV-007."""
    original = build(example_document())
    start = original.index(b"<edXML:DocumentId>")
    end = original.index(b"</edXML:DocumentId>") + len(b"</edXML:DocumentId>")
    moved = original[start:end]
    data = (original[:start] + original[end:]).replace(
        b"</edXML:MessageHeader>", moved + b"</edXML:MessageHeader>")
    parsed = parse_envelope(data)
    assert parsed.model == example_document()
    assert [f.code for f in parsed.findings] == ["DF-ENV-007"]


def test_missing_required_element_is_a_finding_not_an_exception() -> None:
    """A missing Subject gives DF-ENV-004 and a model with an empty subject."""
    data = build(example_document())
    start = data.index(b"<edXML:Subject>")
    end = data.index(b"</edXML:Subject>") + len(b"</edXML:Subject>")
    parsed = parse_envelope(data[:start] + data[end:])
    assert parsed.model.subject == ""  # type: ignore[union-attr]
    assert [f.code for f in parsed.findings] == ["DF-ENV-004"]
    assert parsed.findings[0].location.path == "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader"


def test_unknown_status_code_is_kept_as_text() -> None:
    """An unknown StatusCode is carried as text for the rules to judge, not a crash."""
    data = build(example_status()).replace(b">03<", b">99<")
    parsed = parse_envelope(data)
    assert parsed.model.status_code == "99"  # type: ignore[union-attr]
    known = parse_envelope(build(example_status())).model
    assert known.status_code is StatusCode.ACCEPTED  # type: ignore[union-attr]


FIELD_MESSAGE = """<?xml version="1.0" encoding="utf-8"?>
<edXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.00.H40</edXML:OrganId>
          <edXML:OrganizationInCharge/><edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName>
          <edXML:OrganAdd/><edXML:Email/><edXML:Telephone/><edXML:Fax/><edXML:Website/>
        </edXML:To>
        <edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber>
          <edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>2025/09/30</edXML:PromulgationDate></edXML:PromulgationInfo>
        <edXML:DocumentType><edXML:Type>18</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName>
          <edXML:TypeDetail>0</edXML:TypeDetail></edXML:DocumentType>
        <edXML:Subject>V/v góp ý dự thảo</edXML:Subject>
        <edXML:Content>Góp ý dự thảo</edXML:Content>
        <edXML:SignerInfo><edXML:Competence>KT. BỘ TRƯỞNG</edXML:Competence>
          <edXML:Position>Phó Chủ nhiệm</edXML:Position>
          <edXML:FullName>Trần Văn Sơn</edXML:FullName></edXML:SignerInfo>
        <edXML:DueDate>2025/10/10</edXML:DueDate>
        <edXML:ToPlaces><edXML:Place>UBND tỉnh Nghệ An</edXML:Place></edXML:ToPlaces>
        <edXML:OtherInfo><edXML:Priority>0</edXML:Priority>
          <edXML:PageAmount>2</edXML:PageAmount>
          <edXML:Appendixes><edXML:Appendix/></edXML:Appendixes></edXML:OtherInfo>
        <edXML:SteeringType>0</edXML:SteeringType>
        <edXML:DocumentId>000.00.00.G22,2025/09/30,7816/VPCP-TTĐT</edXML:DocumentId>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList id="a1b2" version="1.0" mustUnderstand="1"
          actor="http://schemas.xmlsoap.org/soap/actor/next">
        <edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:TimeStamp>2025/09/30 10:15:00</edXML:TimeStamp></edXML:TraceHeader>
        <edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:BussinessDocReason>Văn bản mới</edXML:BussinessDocReason>
          <edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department></edXML:StaffInfo>
          <edXML:Paper>0</edXML:Paper></edXML:Bussiness>
      </edXML:TraceHeaderList>
      <edXML:DigitalSignature/>
      <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="cid:c-1"
            xlink:role="XLinkRole" xlink:type="simple">
          <edXML:Description>Văn bản</edXML:Description>
          <edXML:AttachmentName>7816.pdf</edXML:AttachmentName>
          <edXML:ContentType>application/pdf</edXML:ContentType>
          <edXML:ContentId>cid:c-1</edXML:ContentId>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentType>application/pdf</ContentType>
      <ContentId>c-1</ContentId>
      <Description>Văn bản</Description>
      <ContentTransferEncoded>JVBERi0x
LjcK</ContentTransferEncoded>
      <AttachmentName>7816.pdf</AttachmentName>
    </Attachment>
  </AttachmentEncoded>
</edXML>
""".encode()


def test_field_style_message_is_read_with_warnings_only() -> None:
    """A message laid out as field software writes it reads fully; only variants are reported.

    Default namespace on the root, prefixed envelope, SOAP attributes on TraceHeaderList,
    TimeStamp, DocumentId last, Reference and Attachment children in another order, wrapped
    base64, an empty DigitalSignature and an XML-DSig Signature in the header.
    """
    parsed = parse_envelope(FIELD_MESSAGE)
    env = parsed.model
    assert isinstance(env, Envelope)
    assert env.document_id == "000.00.00.G22,2025/09/30,7816/VPCP-TTĐT"
    assert env.document_type.decree_type is DocumentType.CONG_VAN
    assert env.trace_headers[0].timestamp == "2025/09/30 10:15:00"
    assert env.references[0].href == "cid:c-1"
    assert env.attachments[0].data == b"%PDF-1.7\n"
    assert env.other_info.appendixes == ("",)
    assert all(f.indication is None for f in parsed.findings)
    assert {f.code for f in parsed.findings} == {"DF-ENV-007", "DF-ENV-008"}
    schema = schema_findings(parsed.root)
    assert all(f.indication is None for f in schema), schema
    assert {f.code for f in schema} == {"DF-ENV-007", "DF-ENV-008"}


def test_elements_without_namespace_are_read_and_reported_once() -> None:
    """A message with no namespace at all is read; DF-ENV-003 is reported once, as an error."""
    data = build(example_document()).replace(
        b' xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"', b"").replace(b"edXML:", b"")
    parsed = parse_envelope(data)
    assert parsed.model == example_document()
    assert [f.code for f in parsed.findings] == ["DF-ENV-003"]
    assert parsed.findings[0].indication is not None


def test_repeated_and_unknown_elements() -> None:
    """A repeated single element keeps the first (DF-ENV-005); an unknown one is ignored (006)."""
    data = build(example_document())
    data = data.replace(b"<edXML:Subject>", b"<edXML:Subject>first</edXML:Subject>"
                        b"<edXML:Vendor>x</edXML:Vendor><edXML:Subject>", 1)
    parsed = parse_envelope(data)
    assert parsed.model.subject == "first"  # type: ignore[union-attr]
    assert [f.code for f in parsed.findings] == ["DF-ENV-006", "DF-ENV-005"]


def test_blank_required_value_is_df_env_010() -> None:
    """A required element present but blank is reported, and its text kept."""
    data = build(example_document()).replace(b"<edXML:FullName>", b"<edXML:FullName> ", 1)
    data = data.replace(b"> B\xc3\xb9i Xu\xc3\xa2n S\xc6\xa1n<", b"> <")
    parsed = parse_envelope(data)
    assert parsed.model.signer_info.full_name == " "  # type: ignore[union-attr]
    assert [f.code for f in parsed.findings] == ["DF-ENV-010"]


def test_empty_edxml_root_still_gives_a_model() -> None:
    """An edXML root with nothing in it yields an empty model (a document's, the layout of a
    kind that cannot be told), DF-ENV-080 for that kind and one DF-ENV-004."""
    parsed = parse_envelope(b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>')
    assert isinstance(parsed.model, Envelope)
    assert parsed.model.receivers == ()
    assert [f.code for f in parsed.findings] == ["DF-ENV-080", "DF-ENV-004"]


def test_malformed_input_raises_the_xml_code() -> None:
    """Bytes that are not XML raise the hardened parser's InputError, with the file name."""
    with pytest.raises(InputError) as caught:
        parse_envelope(build(example_document())[:500], where="cut.edxml")
    assert caught.value.code.startswith("DF-XML-")
    assert caught.value.location.file == "cut.edxml"


def test_leaf_text_spans_comments_and_reports_child_elements() -> None:
    """A comment inside a value does not cut it; an element inside a value is DF-ENV-009,
    and its text is part of the value, as it is of what a signature over it covered."""
    data = build(example_document()).replace(
        b"<edXML:CodeNumber>12<", b"<edXML:CodeNumber>1<!-- c -->2<", 1).replace(
        b"<edXML:PageAmount>8<", b"<edXML:PageAmount>8<edXML:X>9</edXML:X><", 1)
    parsed = parse_envelope(data)
    assert parsed.model.code.code_number == "12"  # type: ignore[union-attr]
    assert parsed.model.other_info.page_amount == "89"  # type: ignore[union-attr]
    assert [f.code for f in parsed.findings] == ["DF-ENV-009"]
