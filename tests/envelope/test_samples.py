"""Tests for docflow/envelope/samples.py: realistic, valid, deterministic messages."""

from __future__ import annotations

import numpy as np
import pytest

from docflow.envelope.builder import build, build_tree
from docflow.envelope.dates import parse_date, parse_timestamp
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import document_id_of
from docflow.envelope.samples import sample_document, sample_status
from docflow.envelope.schema import schema_findings
from docflow.envelope.status import StatusCode

SENDERS = ["000.00.00.H49", "000.00.12.H49", "000.00.00.G22", "000.03.12.H01"]


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    """Messages depend only on the generator: same seed, same bytes; another seed differs."""
    def make(seed: int) -> bytes:
        return build(sample_document(np.random.default_rng(seed), sender="000.00.00.H49",
                                     receivers=["000.00.01.H49"], attachments=3, size=500))
    assert make(11) == make(11)
    assert make(11) != make(12)


@pytest.mark.parametrize("doc_type", list(DocumentType))
def test_every_type_is_valid_and_consistent(doc_type: DocumentType) -> None:
    """Each Decree 30 type gives a schema-valid message whose fields agree with each other."""
    rng = np.random.default_rng(list(DocumentType).index(doc_type))
    for sender in SENDERS:
        env = sample_document(rng, sender=sender, receivers=["000.00.01.H49", "000.00.00.G12"],
                              doc_type=doc_type, attachments=int(rng.integers(0, 4)), size=64)
        assert schema_findings(build_tree(env)) == []
        assert env.document_type.decree_type is doc_type
        assert env.document_id == document_id_of(
            sender, env.promulgation_info.promulgation_date, env.code)
        abbreviation = doc_type.abbreviation
        assert env.code.code_notation.startswith(f"{abbreviation}-") if abbreviation \
            else "-" in env.code.code_notation
        promulgated = parse_date(env.promulgation_info.promulgation_date)
        assert parse_timestamp(env.trace_headers[0].timestamp).date() == promulgated
        assert env.due_date is not None and parse_date(env.due_date) > promulgated
        assert 0 <= int(env.other_info.priority or "") <= 4
        assert [r.content_id for r in env.references] == \
            [a.content_id for a in env.attachments]
        assert len({a.id for a in env.attachments}) == len(env.attachments)


def test_attachment_size_and_vietnamese_subject() -> None:
    """Attachments have the requested size; the subject is Vietnamese text."""
    env = sample_document(np.random.default_rng(5), sender="000.00.00.H49",
                          receivers=["000.00.01.H49"], attachments=2, size=10_000)
    assert [len(a.data) for a in env.attachments] == [10_000, 10_000]
    assert env.subject.startswith("Về việc ")


@pytest.mark.parametrize("code", list(StatusCode))
def test_status_messages_of_every_code(code: StatusCode) -> None:
    """Every status code gives a valid status message answering the document, dated after it."""
    rng = np.random.default_rng(9)
    doc = sample_document(rng, sender="000.00.00.H49", receivers=["000.00.01.H49"])
    status = sample_status(rng, document=doc, receiver="000.00.01.H49", code=code)
    assert schema_findings(build_tree(status)) == []
    assert status.response_for.document_id == doc.document_id
    assert status.status_code is code
    assert parse_timestamp(status.timestamp).date() >= \
        parse_date(doc.promulgation_info.promulgation_date)
