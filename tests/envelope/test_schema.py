"""Tests for docflow/envelope/schema.py and the XSDs in schemas/."""

from __future__ import annotations

from docflow.envelope.builder import build, build_tree
from docflow.envelope.samples import example_document, example_status
from docflow.envelope.schema import schema_findings
from docflow.xmlsafe import parse_xml


def test_builder_output_validates() -> None:
    """What the builder writes is valid against the XSD of its kind."""
    assert schema_findings(build_tree(example_document())) == []
    assert schema_findings(build_tree(example_status())) == []


def test_repeated_single_element_is_df_env_005() -> None:
    """A second Subject is reported as a repeat with its line and path."""
    data = build(example_document()).replace(
        b"<edXML:Subject>", b"<edXML:Subject>x</edXML:Subject>\n<edXML:Subject>", 1)
    findings = schema_findings(parse_xml(data))
    assert [f.code for f in findings] == ["DF-ENV-005"]
    assert findings[0].location.path.endswith("/MessageHeader/Subject[2]")
    assert findings[0].location.line is not None


def test_variants_are_warnings_not_errors() -> None:
    """An order variant and the Business spelling validate, reported as warnings only."""
    data = build(example_document()).replace(b"Bussiness>", b"Business>")
    start = data.index(b"<edXML:DocumentId>")
    end = data.index(b"</edXML:DocumentId>") + len(b"</edXML:DocumentId>")
    data = (data[:start] + data[end:]).replace(
        b"</edXML:MessageHeader>", data[start:end] + b"</edXML:MessageHeader>")
    findings = schema_findings(parse_xml(data))
    assert sorted(f.code for f in findings) == ["DF-ENV-007", "DF-ENV-008"]
    assert all(f.indication is None for f in findings)


def _schema_codes(data: bytes) -> list[str]:
    return [f.code for f in schema_findings(parse_xml(data))]


def _drop(data: bytes, element: bytes) -> bytes:
    start = data.index(b"<edXML:" + element + b">")
    end = data.index(b"</edXML:" + element + b">") + len(element) + 9
    return data[:start] + data[end:]


def test_missing_elements_are_df_env_004() -> None:
    """A required element missing in the middle or at the end of a block is DF-ENV-004."""
    data = build(example_document())
    assert _schema_codes(_drop(data, b"CodeNumber")) == ["DF-ENV-004"]
    assert _schema_codes(_drop(data, b"FullName")) == ["DF-ENV-004"]
    status = build(example_status())
    assert _schema_codes(_drop(status, b"Timestamp")) == ["DF-ENV-004"]


def test_leaf_with_children_and_blank_required_value() -> None:
    """An element in a leaf is DF-ENV-009; a blank required value is DF-ENV-010."""
    data = build(example_document())
    assert _schema_codes(data.replace(b"<edXML:PageAmount>8", b"<edXML:PageAmount>8<edXML:X/>",
                                      1)) == ["DF-ENV-009"]
    assert _schema_codes(data.replace(b"<edXML:Code>", b"<edXML:Code>text", 1)) == ["DF-ENV-009"]
    assert _schema_codes(data.replace(b">12</edXML:CodeNumber>", b"> </edXML:CodeNumber>")) == \
        ["DF-ENV-010"]


def test_unknown_element_and_duplicate_id_are_errors() -> None:
    """An element QCVN 102 does not have, or two Attachments with one Id, fail (DF-ENV-001)."""
    data = build(example_document())
    unknown = schema_findings(parse_xml(data.replace(b"<edXML:Fax>", b"<edXML:Vendor/><edXML:Fax>",
                                                     1)))
    assert [f.code for f in unknown] == ["DF-ENV-001"]
    assert unknown[0].indication is not None
    assert _schema_codes(data.replace(b'Id="att-2"', b'Id="att-1"')) == ["DF-ENV-001"]


def test_signatures_in_the_header_are_allowed() -> None:
    """An XML-DSig Signature and a legacy QCVN Signature after the header are schema-valid."""
    data = build(example_document()).replace(
        b"</edXML:TraceHeaderList>",
        b'</edXML:TraceHeaderList><edXML:Signature><edXML:Anything a="1"/></edXML:Signature>'
        b'<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/>'
        b"</ds:Signature>", 1)
    assert _schema_codes(data) == []


def test_findings_on_a_reordered_message_keep_its_lines() -> None:
    """After reordering a copy, an XSD error still points at the line in the original file."""
    data = build(example_document())
    data = data.replace(b"<edXML:SteeringType>0</edXML:SteeringType>", b"", 1).replace(
        b"<edXML:Subject>", b"<edXML:SteeringType>0</edXML:SteeringType>\n<edXML:Subject>", 1)
    data = data.replace(b"<edXML:Fax>024 3825 0001</edXML:Fax>", b"<edXML:Faks/>", 1)
    findings = schema_findings(parse_xml(data))
    assert [f.code for f in findings] == ["DF-ENV-007", "DF-ENV-001"]
    faks_line = data[:data.index(b"<edXML:Faks/>")].count(b"\n") + 1
    assert findings[1].location.line == faks_line


def test_status_order_variant_is_a_warning() -> None:
    """A status message with StaffInfo last (as some SDKs write it) validates with a warning."""
    data = build(example_status())
    start = data.index(b"<edXML:StaffInfo>")
    end = data.index(b"</edXML:StaffInfo>") + len(b"</edXML:StaffInfo>")
    moved = (data[:start] + data[end:]).replace(b"</edXML:Status>",
                                                 data[start:end] + b"</edXML:Status>")
    assert _schema_codes(moved) == ["DF-ENV-007"]


def test_wrong_root_is_one_finding() -> None:
    """A root in another namespace, or not edXML at all, gives one finding, not an exception."""
    assert _schema_codes(b'<edXML xmlns="urn:other"><edXMLEnvelope/></edXML>') == ["DF-ENV-003"]
    assert _schema_codes(b"<html/>") == ["DF-ENV-002"]
