"""The business rules check the fields the parser reads, never a hidden copy of them.

The schema lets elements of another namespace stand in the envelope (``xs:any ##other lax``),
and lax validation does not look inside them; a copy of ``MessageHeader`` in there used to be
indexed by the rules like the real one, so a rule could check the copy while the parser (what
the reader sees) read the other.
"""

from __future__ import annotations

import dataclasses

from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.model import NS
from docflow.envelope.parser import parse_envelope
from docflow.envelope.rules import rule_findings
from docflow.envelope.samples import example_document
from docflow.validation.engine import validate_bytes
from docflow.xmlsafe import parse_xml

_X = "urn:example:extension"


def _with_hidden_header(data: bytes, *, where: str) -> bytes:
    """``data`` with a copy of its edXMLHeader inside a foreign element, placed at ``where``
    (``first``: first child of edXMLEnvelope; ``last``: last child of the root)."""
    root = parse_xml(data)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header is not None
    wrapper = etree.Element(f"{{{_X}}}Extension")
    wrapper.append(etree.fromstring(etree.tostring(header)))
    if where == "first":
        envelope = root.find(f"{{{NS}}}edXMLEnvelope")
        assert envelope is not None
        envelope.insert(0, wrapper)
    else:
        root.append(wrapper)
    return etree.tostring(root)


def _findings(data: bytes) -> list[tuple[str, str]]:
    return [(f.code, f.location.path or "") for f in rule_findings(parse_xml(data))]


def test_a_hidden_good_copy_does_not_hide_a_bad_field() -> None:
    """The real DocumentId disagrees with the real date; a correct copy hidden before it in an
    extension must not be what the DocumentId rule checks (a false PASSED)."""
    good = build(example_document())
    real = example_document()
    bad = build(dataclasses.replace(real, document_id=real.document_id.replace(
        real.document_id.split(",")[1], "1999/01/01")))
    # The hidden copy is the good header; the message's own header is the bad one.
    hidden_header = parse_xml(good).find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    root = parse_xml(bad)
    wrapper = etree.SubElement(root.find(f"{{{NS}}}edXMLEnvelope"), f"{{{_X}}}Extension")
    wrapper.append(hidden_header)
    root.find(f"{{{NS}}}edXMLEnvelope").insert(0, wrapper)
    codes = [code for code, _ in _findings(etree.tostring(root))]
    assert "DF-ENV-090" in codes
    bad_codes = [code for code, _ in _findings(bad)]
    assert bad_codes, "the bad DocumentId must be a finding on its own"
    assert set(bad_codes) <= set(codes), (bad_codes, codes)


def test_a_hidden_copy_is_itself_a_finding_with_its_path() -> None:
    """Every field copy below a foreign element is reported (DF-ENV-090) at its own path, and
    no other rule's finding points into the extension."""
    data = _with_hidden_header(build(example_document()), where="last")
    findings = _findings(data)
    hidden = [path for code, path in findings if code == "DF-ENV-090"]
    assert hidden and all("Extension" in path for path in hidden)
    assert all("Extension" not in path for code, path in findings if code != "DF-ENV-090")
    # The parser reads the real header, unchanged by the copy.
    assert parse_envelope(data).model == example_document()


def test_validate_fails_a_message_with_a_hidden_copy() -> None:
    """validate (schema and rules) does not pass a message carrying a hidden header copy."""
    data = _with_hidden_header(build(example_document()), where="last")
    assert validate_bytes(build(example_document())).passed
    report = validate_bytes(data)
    assert not report.passed
    assert "DF-ENV-090" in {f.code for f in report.findings}
