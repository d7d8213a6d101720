"""``docflow audit`` counts each role from the PDF signatures as well as from XML-DSig, and
says which: an archive of field-style messages (placeholder envelope Signature in the QCVN
namespace, signed PDFs inside) gets its true signing rates."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest

from docflow.audit import AuditConfig, audit
from docflow.dsig import Signer
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.profile.edxml import sign_message
from docflow.trust import Trust
from tests.pdf import corpus, messages


def _trust(pki_dir: Path) -> Trust:
    """The PKI's trust, checked now: the PKI is issued 30 days ago, the messages claim 2025."""
    return Trust.from_options(anchors=(pki_dir,), at=dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def archive_folder(pdf_pki: NationalPki, both_pdf: bytes, signer_pdf: bytes,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten field messages from the organ, with what each one's PDF holds:

    * 5 signed by the person and the organ (valid);
    * 2 signed by the person only;
    * 1 signed by both but changed in transit;
    * 1 sent by another agency with this organ's PDF;
    * 1 also signed in XML by the organ and the person (``both`` sources).
    """
    folder = tmp_path_factory.mktemp("field")
    tampered = both_pdf.replace(b"1.000.000", b"9.000.000")
    plan = [(both_pdf, corpus.ORGAN_CODE)] * 5 + [(signer_pdf, corpus.ORGAN_CODE)] * 2 + \
        [(tampered, corpus.ORGAN_CODE), (both_pdf, corpus.OTHER_CODE)]
    for serial, (pdf, sender) in enumerate(plan, start=1):
        (folder / f"{serial:03}.edxml").write_bytes(
            messages.with_pdfs([pdf], sender=sender, serial=serial))
    data = messages.with_pdfs([both_pdf], sender=corpus.ORGAN_CODE, serial=10,
                              placeholder=False)
    for role in (Role.SIGNER, Role.ORGAN):
        key, cert, chain = pdf_pki.credentials_for(corpus.ORGAN_CODE, role)
        data = sign_message(data, Signer(key, [cert, *chain]), role)
    (folder / "010.edxml").write_bytes(data)
    return folder


def test_field_archive_counts_pdf_signatures(archive_folder: Path, pki_dir: Path) -> None:
    """Organ valid on 6 of 10 (5 field + 1 XML-and-PDF), signer valid on 8 (the 2 person-only
    PDFs too); the tampered and the misattributed ones are present and invalid with their
    reasons; the sources say pdf for the field messages and both for the XML-signed one."""
    result = audit(archive_folder, AuditConfig(trust=_trust(pki_dir), jobs=1))
    total = result.total
    assert total.documents == 10
    assert (total.organ_present, total.organ_valid) == (10, 6)
    assert (total.signer_present, total.signer_valid) == (10, 6 + 2)
    assert total.both_valid == 6
    assert total.reasons.get("DF-PDF-076") == 1
    assert total.reasons.get("DF-PDF-083") == 1
    assert "DF-ENV-070" not in total.reasons or total.reasons["DF-ENV-070"] == 2
    assert result.sources == {"organ": {"xml": 2, "pdf": 7, "both": 1},
                              "signer": {"xml": 0, "pdf": 9, "both": 1}}
    assert result.to_dict()["sources"] == result.sources


def test_same_counts_in_a_process_pool(archive_folder: Path, pki_dir: Path) -> None:
    """Two worker processes count what one does, sources included."""
    one = audit(archive_folder, AuditConfig(trust=_trust(pki_dir), jobs=1))
    two = audit(archive_folder, AuditConfig(trust=_trust(pki_dir), jobs=2,
                                            chunk_size=3))
    assert one.total.to_dict() == two.total.to_dict()
    assert one.sources == two.sources


@pytest.mark.parametrize(("layout", "found"), [
    ("one line", True), ("wrapped", True), ("wrapped with a stray character", False),
    ("one line with a stray character", False)])
def test_pdf_attachment_base64_read_in_any_layout(both_pdf: bytes, layout: str,
                                                  found: bool) -> None:
    """A PDF attachment is found the same whether its base64 is on one line or wrapped at 76
    characters with CRLF (whitespace is ignored), and is not taken as a PDF when a character
    that is not base64 hides in it, on one line or wrapped."""
    from lxml import etree

    from docflow.envelope.model import NS
    from docflow.profile.pdf_attachments import pdf_attachments

    root = etree.fromstring(messages.with_pdfs([both_pdf], sender=corpus.ORGAN_CODE))
    element = root.find(f".//{{{NS}}}ContentTransferEncoded")
    text = base64.b64encode(both_pdf).decode("ascii")
    if "stray" in layout:
        text = text[:400] + "!" + text[400:]
    if "wrapped" in layout:
        text = "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76)) + "\r\n"
    element.text = text
    decoded = [data for _, _, data in pdf_attachments(root)]
    assert decoded == ([both_pdf] if found else [])
