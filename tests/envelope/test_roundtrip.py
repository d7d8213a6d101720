"""Property tests: what the builder writes, the parser reads back and the XSD accepts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from docflow.envelope.builder import build
from docflow.envelope.model import Envelope, StatusMessage
from docflow.envelope.parser import parse_envelope
from docflow.envelope.schema import schema_findings
from docflow.xmlsafe import parse_xml

from .strategies import envelopes, statuses

PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(envelopes())
def test_document_round_trips(envelope: Envelope) -> None:
    """parse(build(m)) == m for any document message, with no findings."""
    data = build(envelope)
    parsed = parse_envelope(data)
    assert parsed.model == envelope
    assert parsed.findings == ()
    assert build(parsed.model) == data


@PROPERTY
@given(statuses)
def test_status_round_trips(status: StatusMessage) -> None:
    """parse(build(m)) == m for any status message, known or unknown StatusCode."""
    parsed = parse_envelope(build(status))
    assert parsed.model == status
    assert parsed.findings == ()


@PROPERTY
@given(st.one_of(envelopes(), statuses))
def test_builder_output_is_schema_valid(message: Envelope | StatusMessage) -> None:
    """Everything the builder accepts validates against the XSD of its kind."""
    assert schema_findings(parse_xml(build(message))) == []


@PROPERTY
@given(envelopes(), st.randoms(use_true_random=False))
def test_shuffled_header_reads_the_same(envelope: Envelope, random: object) -> None:
    """Any order of MessageHeader's children reads as the same model, reported as a variant.

    Repeated elements (To, ResponseFor) keep their relative order, which is their meaning.
    """
    root = parse_xml(build(envelope))
    header = root[0][0][0]
    children = list(header)
    rank = {tag: random.random() for tag in {c.tag for c in children}}  # type: ignore[attr-defined]
    header[:] = sorted(children, key=lambda c: rank[c.tag])
    data = etree.tostring(root)
    parsed = parse_envelope(data)
    assert parsed.model == envelope
    assert {f.code for f in parsed.findings} <= {"DF-ENV-007"}
    assert [f.code for f in schema_findings(parse_xml(data))] == \
        [f.code for f in parsed.findings]
