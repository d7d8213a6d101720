"""PAdES B-T: an RFC 3161 signature timestamp from a local TSA is checked (imprint of the
signature value, the TSA's signature, its certificate path with the timeStamping EKU) and its
time becomes the validation time."""

from __future__ import annotations

from docflow.errors import Indication
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.pdf import corpus


def _stamped(pki: NationalPki, stamper: object) -> bytes:
    return corpus.sign(corpus.signed_by_signer(pki),
                       pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                       corpus.ORGAN_BOX, timestamper=stamper)


def test_timestamped_signature_passes_with_its_time(pdf_pki: NationalPki,
                                                    validator: PathValidator) -> None:
    """A valid token from a trusted TSA: PASSED, and the timestamp is reported."""
    result = verify_document_pdf(_stamped(pdf_pki, corpus.timestamper(pdf_pki)), validator)
    assert result.indication is Indication.PASSED, result.findings
    organ = result.signatures[1]
    assert organ.timestamp is not None
    assert organ.claimed_time is not None
    assert abs((organ.timestamp - organ.claimed_time).total_seconds()) < 120


def test_tsa_without_timestamping_eku_is_not_trusted(pdf_pki: NationalPki,
                                                     validator: PathValidator) -> None:
    """A TSA certificate made for document signing: DF-PDF-086, INDETERMINATE."""
    result = verify_document_pdf(_stamped(pdf_pki, corpus.timestamper(pdf_pki, eku=False)),
                                 validator)
    assert result.signatures[1].indication is Indication.INDETERMINATE
    assert "DF-PDF-086" in {f.code for f in result.signatures[1].findings}


def test_tsa_of_another_pki_is_not_trusted(pdf_pki: NationalPki,
                                           validator: PathValidator) -> None:
    """A TSA whose CA the trust does not know: DF-PDF-086."""
    other = corpus.build_pki(seed=77)
    result = verify_document_pdf(_stamped(pdf_pki, corpus.timestamper(other)), validator)
    assert "DF-PDF-086" in {f.code for f in result.signatures[1].findings}


def test_token_of_another_signature_fails(pdf_pki: NationalPki,
                                          validator: PathValidator) -> None:
    """The timestamp token of one signature moved onto another (its imprint is of the other
    signature value): DF-PDF-085. The CMS's unsigned attributes are not covered by the
    signature, so the move leaves the signature itself intact."""
    from asn1crypto import cms

    from docflow.pdf.cms import der_length
    from docflow.pdf.syntax import Name, PdfDict, parse_pdf

    stamper = corpus.timestamper(pdf_pki)
    first, second = _stamped(pdf_pki, stamper), _stamped(pdf_pki, stamper)

    def organ_cms(data: bytes) -> tuple[cms.ContentInfo, int, int]:
        sigs = [v for _, v in parse_pdf(data).objects()
                if isinstance(v, PdfDict) and v.get(Name("Type")) == "Sig"]
        contents = sigs[-1][Name("Contents")]
        padded = contents.value  # type: ignore[union-attr]
        raw = padded[:der_length(padded)]  # the DER may itself end with zero bytes
        return cms.ContentInfo.load(raw), contents.start, contents.end  # type: ignore[union-attr]

    mine, start, end = organ_cms(first)
    theirs, _, _ = organ_cms(second)
    signer = mine["content"]["signer_infos"][0]
    signer["unsigned_attrs"] = theirs["content"]["signer_infos"][0]["unsigned_attrs"]
    hexed = mine.dump(force=True).hex().upper().encode()
    assert len(hexed) <= end - start - 2
    moved = first[:start + 1] + hexed.ljust(end - start - 2, b"0") + first[end - 1:]
    result = verify_document_pdf(moved, validator)
    assert "DF-PDF-085" in {f.code for f in result.signatures[1].findings}
    assert result.signatures[1].indication is Indication.FAILED
