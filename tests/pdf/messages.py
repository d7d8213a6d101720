"""edXML messages carrying signed PDFs, as the national axis carries them from the field: the
document's PDF as an attachment, and (field style) a placeholder Signature in the QCVN
namespace instead of an XML-DSig one."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from docflow.envelope.builder import build
from docflow.envelope.model import Attachment
from docflow.envelope.samples import sample_document

SENT = dt.datetime(2025, 7, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
PLACEHOLDER = ("<edXML:Signature><edXML:SignatureValue>AAAA</edXML:SignatureValue>"
               "<edXML:SignatureMethod>rsa-sha1</edXML:SignatureMethod></edXML:Signature>")


def with_pdfs(pdfs: list[bytes], *, sender: str, serial: int = 1, receiver: str =
              "000.00.00.G22", placeholder: bool = True) -> bytes:
    """A document message from ``sender`` whose attachments are ``pdfs`` (the document, then
    its appendices); ``placeholder`` adds the field's QCVN-namespace Signature."""
    envelope = sample_document(np.random.default_rng([14, serial]), sender=sender,
                               receivers=[receiver], attachments=len(pdfs), size=64,
                               when=SENT, number=serial)
    refs, atts = [], []
    for i, (ref, att) in enumerate(zip(envelope.references, envelope.attachments,
                                       strict=True)):
        name = f"{serial}_{i + 1}.pdf"
        refs.append(dataclasses.replace(ref, content_type="application/pdf",
                                        attachment_name=name))
        atts.append(Attachment.from_bytes(pdfs[i], content_id=att.content_id,
                                          attachment_name=name, content_type="application/pdf",
                                          description=att.description, id=att.id))
    data = build(dataclasses.replace(envelope, references=tuple(refs),
                                     attachments=tuple(atts)))
    if placeholder:
        end = data.index(b"</edXML:edXMLHeader>")
        data = data[:end] + PLACEHOLDER.encode() + data[end:]
    return data
