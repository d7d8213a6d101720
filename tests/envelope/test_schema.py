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
