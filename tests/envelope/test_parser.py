"""Tests for docflow/envelope/parser.py: bytes → model, tolerant of field variants."""

from __future__ import annotations

import pytest

from docflow.envelope.builder import build
from docflow.envelope.model import StatusCode
from docflow.envelope.parser import parse_envelope
from docflow.envelope.samples import example_document, example_status
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
