"""The kind of a message comes from one function, from the structure at its exact place.

A document has one ``MessageHeader`` and a status one ``Status`` in
``edXML/edXMLEnvelope/edXMLHeader``, all in the message's namespace. Anything else is a kind
that cannot be told (``DF-ENV-080``), and the parser, the schema check and the validation engine
all say so from the same reading.
"""

from __future__ import annotations

import pytest
from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.kind import MessageKind, read_kind
from docflow.envelope.parser import parse_envelope
from docflow.envelope.samples import example_document, example_status
from docflow.envelope.schema import schema_findings
from docflow.validation import validate
from docflow.xmlsafe import parse_xml

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DOCUMENT = build(example_document())
STATUS = build(example_status())


def _q(local: str) -> str:
    return f"{{{NS}}}{local}"


def _header(root: etree._Element) -> etree._Element:
    found = root.find(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")
    assert found is not None
    return found


def _edited(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    root = parse_xml(data)
    change(root)
    return etree.tostring(root)


def _add_status(tag: str):  # type: ignore[no-untyped-def]
    return lambda root: etree.SubElement(_header(root), tag)


def _rename_message_header(tag: str):  # type: ignore[no-untyped-def]
    def change(root: etree._Element) -> None:
        _header(root).find(_q("MessageHeader")).tag = tag  # type: ignore[union-attr]
    return change


def _second(path: str):  # type: ignore[no-untyped-def]
    def change(root: etree._Element) -> None:
        element = root.find(path)
        assert element is not None
        element.addnext(etree.fromstring(etree.tostring(element)))
    return change


def test_the_two_kinds() -> None:
    """docflow's own document and status messages read as what they are."""
    assert read_kind(parse_xml(DOCUMENT)).kind is MessageKind.DOCUMENT
    assert read_kind(parse_xml(STATUS)).kind is MessageKind.STATUS


UNTOLD = {
    "Status in another namespace beside MessageHeader": (DOCUMENT, _add_status("{urn:x}Status")),
    "Status in no namespace beside MessageHeader": (DOCUMENT, _add_status("Status")),
    "both shapes": (DOCUMENT, _add_status(_q("Status"))),
    "MessageHeader in another namespace": (DOCUMENT, _rename_message_header("{urn:x}Mess"
                                                                           "ageHeader")),
    "neither": (DOCUMENT, _rename_message_header(_q("Other"))),
    "two MessageHeaders": (DOCUMENT, _second(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}/"
                                             f"{_q('MessageHeader')}")),
    "two Status": (STATUS, _second(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}/"
                                   f"{_q('Status')}")),
    "two envelopes": (STATUS, _second(_q("edXMLEnvelope"))),
    "two headers": (DOCUMENT, _second(f"{_q('edXMLEnvelope')}/{_q('edXMLHeader')}")),
    "MessageHeader in a status": (STATUS, lambda root: etree.SubElement(
        _header(root), _q("MessageHeader"))),
    "envelope in another namespace": (STATUS, lambda root: setattr(
        root[0], "tag", "{urn:x}edXMLEnvelope")),
}


@pytest.mark.parametrize("case", sorted(UNTOLD))
def test_a_kind_that_cannot_be_told_is_reported_by_every_reader(case: str) -> None:
    """Both shapes, neither, two of one, a look-alike in another namespace or no namespace,
    or the structure around them doubled: no kind, and the parser, the schema check (called
    alone) and validate each report DF-ENV-080, so the message fails."""
    data, change = UNTOLD[case]
    forged = _edited(data, change)
    reading = read_kind(parse_xml(forged))
    assert reading.kind is None and reading.problem
    assert "DF-ENV-080" in {f.code for f in parse_envelope(forged).findings}
    assert "DF-ENV-080" in {f.code for f in schema_findings(parse_xml(forged))}
    report = validate(forged)
    assert not report.passed
    assert report.kind is None
    assert [f.code for f in report.findings].count("DF-ENV-080") == 1


def test_an_edxml_envelope_root_has_no_kind() -> None:
    """The kind is read at its exact place under the edXML root; a bare edXMLEnvelope root
    is not a message of either kind."""
    root = parse_xml(DOCUMENT)
    assert read_kind(root[0]).kind is None
    assert "not <edXML>" in read_kind(root[0]).problem


def test_status_in_no_namespace_message_keeps_its_kind() -> None:
    """A message written wholly without a namespace (a field variant, reported DF-ENV-003) is
    read in its own namespace: its Status still makes it a status message."""
    data = STATUS.replace(f' xmlns:edXML="{NS}"'.encode(), b"").replace(b"edXML:", b"")
    assert read_kind(parse_xml(data)).kind is MessageKind.STATUS
    assert parse_envelope(data).is_status
