"""Tests for docflow/envelope/model.py and docflow/envelope/status.py."""

from __future__ import annotations

import dataclasses

import pytest

from docflow.envelope.doctypes import DocumentType
from docflow.envelope.model import Attachment, DocumentTypeInfo
from docflow.envelope.status import StatusCode


def test_attachment_data_decodes_wrapped_base64_and_refuses_garbage() -> None:
    """Line-wrapped base64 decodes; text that is not base64 is a ValueError naming the id."""
    wrapped = Attachment(content_id="c", encoded="aGVs\nbG8=\n")
    assert wrapped.data == b"hello"
    with pytest.raises(ValueError, match="'c'"):
        Attachment(content_id="c", encoded="not base64!").data  # noqa: B018


def test_attachment_repr_is_short() -> None:
    """A megabyte attachment prints in a few dozen characters, with its length."""
    big = Attachment.from_bytes(b"x" * 1_000_000, content_id="c")
    assert len(repr(big)) < 300 and "1,333,336 chars" in repr(big)


@pytest.mark.parametrize("doc_type", list(DocumentType))
def test_type_number_round_trips(doc_type: DocumentType) -> None:
    """Type numbers follow Decree 30/2020's list and map back to the same type."""
    info = DocumentTypeInfo.of(doc_type)
    assert info.decree_type is doc_type
    assert info.type_name == doc_type.value


@pytest.mark.parametrize("text", ["0", "30", "", "abc", "-1", "1.0"])
def test_type_number_out_of_range_is_none(text: str) -> None:
    """A Type that is not 1–29 names no Decree 30 type; the rules report it."""
    assert DocumentTypeInfo(type=text).decree_type is None


def test_models_are_frozen() -> None:
    """Blocks cannot be changed after creation; variants are made with replace."""
    info = DocumentTypeInfo.of(DocumentType.CONG_VAN)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.type = "1"  # type: ignore[misc]
    assert dataclasses.replace(info, type="1").decree_type is DocumentType.NGHI_QUYET


def test_status_codes_are_the_nine_of_qcvn_102() -> None:
    """The known codes are exactly 01–06, 13, 15 and 16, each with a label and description."""
    assert [c.value for c in StatusCode] == ["01", "02", "03", "04", "05", "06", "13", "15",
                                            "16"]
    assert all(c.label and c.description for c in StatusCode)
    assert StatusCode.lookup("7") is None and StatusCode.lookup("07") is None
