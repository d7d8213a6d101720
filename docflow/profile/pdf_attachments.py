"""The PDF attachments of an edXML message, checked in Decree 30's profile.

On the national axis the envelope's own signature is often a placeholder; the signatures that
count are on the document's PDF. ``docflow validate`` and ``docflow audit`` therefore open every
``AttachmentEncoded/Attachment`` whose content is a PDF and check each of its signatures with
:func:`~docflow.profile.nd30.verify_document_pdf`, the organ code against the message's
``From/OrganId``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from lxml import etree

from docflow.envelope.model import NS
from docflow.pdf.verify import PdfSignature, PdfVerification, is_pdf
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import PDF_REQUIRED_ROLES, verify_document_pdf
from docflow.profile.sender import senders

__all__ = ["PdfAttachment", "pdf_attachments", "pdf_outcome_parts", "verify_pdf_attachments"]

_ENCODED = f"{{{NS}}}AttachmentEncoded"
_ATTACHMENT = f"{{{NS}}}Attachment"
_CID = f"{{{NS}}}ContentId"
_NAME = f"{{{NS}}}AttachmentName"
_DATA = f"{{{NS}}}ContentTransferEncoded"
_PDF_BASE64 = "JVBERi0"
_ASCII_WHITESPACE = bytes(c for c in range(128) if chr(c).isspace())
"""What ``str.split()`` splits on among ASCII characters (tab to CR, FS to US, space)."""
_ABSENCE = frozenset({"DF-PDF-070", "DF-PDF-089"})
"""A PDF without a signature, or without a required role's, is counted as such, not as a
reason."""


@dataclass(frozen=True, slots=True)
class PdfAttachment:
    """One PDF attachment and its verification."""

    content_id: str
    name: str | None
    result: PdfVerification

    @property
    def label(self) -> str:
        """How reports name it: ``Attachment[cid] (name)``."""
        return f"Attachment[{self.content_id}]" + (f" ({self.name})" if self.name else "")


def pdf_attachments(root: etree._Element) -> Iterator[tuple[str, str | None, bytes]]:
    """``(content id, file name, bytes)`` of each attachment that is a PDF with a signature.

    A PDF with a signature has a /ByteRange: without one it has nothing to verify, and is
    counted as unsigned (a draft, or a message signed in XML only, which is docflow's own
    profile). Taking that test first keeps unsigned PDFs, however broken, out of the
    signature check, and an attacker gains nothing by removing the key: the PDF then counts
    as unsigned. An attachment that is not base64 is skipped here: the business rules report
    it (``DF-ENV-067``).
    """
    for encoded in root.iterchildren(_ENCODED):
        for attachment in encoded.iterchildren(_ATTACHMENT):
            data_el = attachment.find(_DATA)
            if data_el is None or not data_el.text:
                continue
            # Speed: "%PDF-" is "JVBERi0" in base64; other attachments are never decoded.
            if not data_el.text.lstrip().startswith(_PDF_BASE64):
                continue
            data = _decoded(data_el.text)
            if data is None:
                continue
            if not is_pdf(data) or b"/ByteRange" not in data:
                continue
            cid = (attachment.findtext(_CID) or "").strip()
            name = (attachment.findtext(_NAME) or "").strip() or None
            yield cid, name, data


def _decoded(text: str) -> bytes | None:
    """The bytes of the base64 ``text`` (whitespace ignored), or ``None`` if it is not base64.

    Speed: an attachment written on one line (as the axis's senders write it) is decoded
    strictly as it stands, without a pass to remove whitespace; strict decoding refuses any
    whitespace, so a text that has some is compacted first and decoded strictly again. Both
    ways give the same bytes, and the same refusal of anything that is not base64."""
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError):
        pass
    try:
        return base64.b64decode(_compact(text), validate=True)
    except (binascii.Error, ValueError):
        return None


def _compact(text: str) -> str | bytes:
    """``text`` without the whitespace ``str.split`` splits on (line breaks in base64).

    Speed: an ASCII text (every base64 text) loses its whitespace in one C call on bytes;
    any other keeps the general ``split``, so that both give the same bytes."""
    try:
        return text.encode("ascii").translate(None, _ASCII_WHITESPACE)
    except UnicodeEncodeError:
        return "".join(text.split())


def verify_pdf_attachments(root: etree._Element, validator: PathValidator, *,
                           at: dt.datetime | None = None, legacy: bool = False,
                           required_roles: Collection[Role] = PDF_REQUIRED_ROLES,
                           describe: bool = True) -> tuple[PdfAttachment, ...]:
    """Verify every PDF attachment of the message ``root`` against its sender.

    A message that names no single sender checks the PDFs without the sender rule; the
    envelope rules report the sender itself.
    """
    named = senders(root)
    sender = named[0] if len(named) == 1 else None
    out = []
    for cid, name, data in pdf_attachments(root):
        label = f"Attachment[{cid}]"
        result = verify_document_pdf(data, validator, at=at, legacy=legacy,
                                     required_roles=required_roles, sender=sender, where=label,
                                     describe=describe)
        out.append(PdfAttachment(cid, name, result))
    return tuple(out)


def pdf_outcome_parts(checked: tuple[PdfAttachment, ...]
                      ) -> tuple[list[PdfSignature], list[str]]:
    """What the audit counts of the PDF attachments: every PDF signature, and the codes of
    the error findings that belong to no signature (a PDF that could not be read at all)."""
    signatures: list[PdfSignature] = []
    reasons: list[str] = []
    for attachment in checked:
        signatures += attachment.result.signatures
        if not attachment.result.signatures:
            reasons += [f.code for f in attachment.result.findings
                        if f.indication is not None and f.code not in _ABSENCE]
    return signatures, reasons
