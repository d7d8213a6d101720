"""Tests for docflow/envelope/builder.py: model → bytes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from docflow.envelope.builder import build, build_tree
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import NS, Organization
from docflow.envelope.samples import example_document, example_status, sample_document
from docflow.errors import UsageError


def test_same_model_gives_same_bytes() -> None:
    """Building is deterministic: equal models give identical bytes."""
    a = sample_document(np.random.default_rng(7), sender="000.00.00.H49",
                        receivers=["000.00.01.H49"], doc_type=DocumentType.KE_HOACH)
    b = sample_document(np.random.default_rng(7), sender="000.00.00.H49",
                        receivers=["000.00.01.H49"], doc_type=DocumentType.KE_HOACH)
    assert a == b
    assert build(a) == build(b)


def test_output_is_utf8_in_the_qcvn_namespace() -> None:
    """The output declares UTF-8, is in the QCVN namespace, and keeps Vietnamese text."""
    data = build(example_document())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = build_tree(example_document())
    assert root.tag == f"{{{NS}}}edXML"
    assert example_document().subject.encode("utf-8") in data


def test_missing_receivers_are_refused_by_name() -> None:
    """A required repeated field left empty raises DF-ENV-020 naming the field."""
    env = dataclasses.replace(example_document(), receivers=())
    with pytest.raises(UsageError) as caught:
        build(env)
    assert caught.value.code == "DF-ENV-020"
    assert caught.value.location.key == "receivers"


def test_blank_required_text_is_refused_by_path() -> None:
    """A required text that is blank raises with the dotted path of the field."""
    env = example_document()
    env = dataclasses.replace(env, sender=dataclasses.replace(env.sender, organ_id="  "))
    with pytest.raises(UsageError, match=r"sender\.organ_id"):
        build(env)


def test_check_off_writes_a_broken_message() -> None:
    """check=False writes what the model holds, for broken fixtures and simulated faults."""
    env = dataclasses.replace(example_document(), receivers=())
    assert b"<edXML:To>" not in build(env, check=False)


def test_control_characters_are_refused_even_unchecked() -> None:
    """Text that XML cannot carry is refused whatever check says, naming the field."""
    env = dataclasses.replace(example_document(), subject="a\x01b")
    with pytest.raises(UsageError, match="subject"):
        build(env, check=False)


def test_wrong_value_type_is_refused() -> None:
    """A non-text value in a text field raises instead of being silently converted."""
    env = example_document()
    bad = dataclasses.replace(env, sender=Organization(organ_id=123))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"sender\.organ_id"):
        build(bad)


def test_special_characters_are_escaped() -> None:
    """&, <, > and a carriage return survive the trip through XML text."""
    env = dataclasses.replace(example_document(), content="a & b < c > d\r\ne")
    root = build_tree(env)
    assert root.findtext(f".//{{{NS}}}Content") == "a & b < c > d\r\ne"


def test_status_message_has_no_body() -> None:
    """A status message is header-only: no edXMLBody, no AttachmentEncoded."""
    data = build(example_status())
    assert b"edXMLBody" not in data and b"AttachmentEncoded" not in data
    assert b"<edXML:StatusCode>03</edXML:StatusCode>" in data
