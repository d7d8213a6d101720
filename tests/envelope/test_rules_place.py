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


def _tree_with(data: bytes, edit: str) -> bytes:
    """``data`` with one edit: ``signature`` hides a bad MessageHeader in a legacy QCVN
    ``Signature`` (any content); ``header`` puts a second, good MessageHeader after the real
    one; ``field`` puts a second DueDate after the real one."""
    root = parse_xml(data)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    assert header is not None
    message_header = header.find(f"{{{NS}}}MessageHeader")
    assert message_header is not None
    if edit == "signature":
        signature = etree.SubElement(header, f"{{{NS}}}Signature")
        signature.append(etree.fromstring(etree.tostring(message_header)))
    elif edit == "header":
        message_header.addnext(etree.fromstring(etree.tostring(message_header)))
    return etree.tostring(root)


def _bad_document() -> bytes:
    real = example_document()
    return build(dataclasses.replace(real, document_id=real.document_id.replace(
        real.document_id.split(",")[1], "1999/01/01")))


def test_a_copy_in_a_legacy_signature_is_not_read_by_the_rules() -> None:
    """A legacy QCVN Signature takes any content (xs:any skip); a bad MessageHeader in there is
    not what the parser reads, so no DocumentId rule finding may point into it, and the copy is
    reported (DF-ENV-091) at its own path."""
    good = build(example_document())
    data = _tree_with(good, "signature")
    findings = _findings(data)
    unread = [path for code, path in findings if code == "DF-ENV-091"]
    assert unread and all("Signature" in path for path in unread), findings
    assert all("Signature/" not in path for code, path in findings
               if code != "DF-ENV-091"), findings
    assert parse_envelope(data).model == example_document()


def test_a_second_message_header_is_a_finding_and_never_read() -> None:
    """The parser reads the first MessageHeader (the bad one); a good second copy must not be
    what the rules read: the bad DocumentId is still found, and the copy is DF-ENV-092."""
    bad = _bad_document()
    bad_codes = {code for code, _ in _findings(bad)}
    assert bad_codes
    root = parse_xml(bad)
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    good_header = parse_xml(build(example_document())).find(
        f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/{{{NS}}}MessageHeader")
    header.find(f"{{{NS}}}MessageHeader").addnext(good_header)
    data = etree.tostring(root)
    findings = _findings(data)
    assert ("DF-ENV-092", "/edXML/edXMLEnvelope/edXMLHeader/MessageHeader[2]") in findings, \
        findings
    assert bad_codes <= {code for code, _ in findings}
    assert all("MessageHeader[2]" not in path for code, path in findings
               if code != "DF-ENV-092"), findings


def test_a_second_good_copy_of_a_header_is_reported_on_a_good_message() -> None:
    """Even two identical MessageHeaders are a finding: the reader sees one."""
    data = _tree_with(build(example_document()), "header")
    codes = [code for code, _ in _findings(data)]
    assert codes.count("DF-ENV-092") == 1, codes
    assert not validate_bytes(data).passed  # the schema refuses it too (DF-ENV-005)
