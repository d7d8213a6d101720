"""The Decree 30/2020 profile of a document's PDF: what it prints, and who signs it in what order.

:func:`official_document` fills an :class:`~docflow.pdf.document.OfficialDocument` from an
organ code and a document type the way ``docflow envelope new`` fills an envelope: the organ's
name, place and symbol (``12/QĐ-UBND``) come from the organ code, the signing block from the
organ's tier. :func:`new_document` is ``docflow pdf new``. The signing order and the roles are
in :mod:`docflow.profile.nd30_sign`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from docflow.atomic import write_atomic
from docflow.envelope.compose import default_notation, document_type_of
from docflow.envelope.doctypes import DocumentType
from docflow.envelope.organ import OrganCode
from docflow.envelope.samples import organization, place_of
from docflow.errors import InputError, Location, UsageError
from docflow.pdf.document import OfficialDocument, layout_document

__all__ = ["new_document", "official_document", "write_document"]


def _signing_block(code: OrganCode) -> tuple[str, str, str | None]:
    """(authority, title, governing organ) for an organ of this code's tier."""
    if code.is_central:
        return ("", "Bộ trưởng" if code.tier == 1 else "Thủ trưởng", None)
    if code.tier == 2:  # a department of the province: its director signs for it
        return ("", "Giám đốc", organization(str(code.root)).organ_name)
    return ("TM. Ủy ban nhân dân", "Chủ tịch", None)


def official_document(*, organ: str, doc_type: str | DocumentType, number: int, subject: str,
                      date: dt.date, body: Sequence[str] = (), signer: str = "Nguyễn Văn An",
                      notation: str | None = None, recipients: Sequence[str] = (),
                      appendix: bool = False) -> OfficialDocument:
    """The official document ``number`` of type ``doc_type`` issued by the organ ``organ``.

    Parameters
    ----------
    organ
        The issuing organ's code (``000.00.00.H49``); its name and place come from it.
    doc_type
        A Decree 30 type, by name or abbreviation (``Quyết định``, ``QĐ``).
    number, subject, date, body, signer
        As printed; ``body`` is a list of paragraphs.
    notation
        The symbol after the number; ``QĐ-UBND`` style by default.
    recipients
        Nơi nhận; by default the addressees of the type and ``Lưu: VT.``.
    appendix
        Lay out an appendix to this document instead of the document itself.

    Raises
    ------
    UsageError
        ``DF-PDF-003`` for an organ code or document type that does not parse.
    """
    try:
        code = OrganCode.parse(organ)
    except ValueError as exc:
        raise UsageError("DF-PDF-003", str(exc), Location(key="--from")) from None
    try:
        kind = doc_type if isinstance(doc_type, DocumentType) else document_type_of(doc_type)
    except ValueError as exc:
        raise UsageError("DF-PDF-003", str(exc), Location(key="--type")) from None
    authority, title, superior = _signing_block(code)
    return OfficialDocument(
        organ=organization(str(code)).organ_name or str(code), superior=superior, number=number,
        notation=notation or default_notation(kind, str(code)), place=place_of(code),
        date=date, subject=subject,
        type_name=None if kind is DocumentType.CONG_VAN else kind.value,
        body=tuple(body), authority=authority, title=title, signer=signer,
        recipients=tuple(recipients) or ("Như trên;", "Lưu: VT."), organ_code=str(code),
        appendix=appendix, main_type_name=kind.value)


def new_document(*, organ: str, doc_type: str, number: int, subject: str, date: dt.date,
                 body_text: str | None = None, signer: str = "Nguyễn Văn An",
                 appendix: bool = False) -> bytes:
    """The PDF of ``docflow pdf new``: paragraphs of ``body_text`` are separated by blank
    lines (a single newline is a space, as in Markdown).

    Raises
    ------
    InputError
        ``DF-PDF-001`` when a character cannot be drawn, ``DF-PDF-002`` for an empty field.
    """
    body: list[str] = []
    if body_text:
        if "\x00" in body_text:
            raise InputError("DF-PDF-001", "the body holds a NUL character",
                             Location(key="--body"))
        body = [" ".join(p.split()) for p in body_text.replace("\r\n", "\n").split("\n\n")
                if p.strip()]
    if not body:
        body = [f"Căn cứ chức năng, nhiệm vụ, quyền hạn của {organization(organ).organ_name}"
                if _parses(organ) else "Căn cứ chức năng, nhiệm vụ, quyền hạn được giao;"]
    return layout_document(official_document(
        organ=organ, doc_type=doc_type, number=number, subject=subject, date=date, body=body,
        signer=signer, appendix=appendix))


def _parses(organ: str) -> bool:
    try:
        OrganCode.parse(organ)
    except ValueError:
        return False
    return True


def write_document(output: str, *, body_file: str | None = None, **options: Any) -> int:
    """:func:`new_document` from a body file to the file ``output`` (written to a temporary
    name and renamed by :func:`docflow.atomic.write_atomic`, so a reader never sees half a
    PDF); returns the size written.

    Raises
    ------
    InputError
        ``DF-IO-001`` for an unreadable body, ``DF-PDF-001`` for one that is not UTF-8,
        ``DF-IO-004`` when the output cannot be written; and those of :func:`new_document`.
    """
    body_text = None
    if body_file is not None:
        try:
            with open(body_file, "rb") as handle:
                raw = handle.read(4 << 20)
        except OSError as exc:
            raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                             Location(file=body_file)) from None
        try:
            body_text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("DF-PDF-001", f"the body is not UTF-8 (byte {exc.start})",
                             Location(file=body_file)) from None
    data = new_document(body_text=body_text, **options)
    write_atomic(output, data)
    return len(data)
