"""verify_pdf and the Decree 30 profile on real pyHanko-signed PDFs: integrity, trust, roles,
order, sender, and what each update changed."""

from __future__ import annotations

import datetime as dt

from docflow.errors import Indication
from docflow.pdf.verify import verify_pdf
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import check_nd30, verify_document_pdf
from tests.pdf import corpus


def _codes(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in result.findings}


def test_two_signatures_in_decree_order_pass(both_pdf: bytes, validator: PathValidator) -> None:
    """The person's signature covers revision 1, the organ's the whole file; both pass, each
    with the role and organ code of its certificate."""
    result = verify_document_pdf(both_pdf, validator)
    assert result.indication is Indication.PASSED, result.findings
    signer, organ = result.signatures
    assert (signer.role, signer.revision, signer.covers_whole_file) == ("signer", 1, False)
    assert (organ.role, organ.revision, organ.covers_whole_file) == ("organ", 2, True)
    assert organ.organ_code == signer.organ_code == corpus.ORGAN_CODE
    assert organ.signed_bytes == len(both_pdf)
    assert [u.signed for u in result.updates] == [True, True]
    assert any("'CoQuan' added and signed" in c for c in result.updates[1].changes)


def test_signer_only_lacks_the_organ(signer_pdf: bytes, validator: PathValidator) -> None:
    """An organ signature is required by default (DF-PDF-089); requiring only the signer
    passes the same file."""
    assert "DF-PDF-089" in _codes(verify_document_pdf(signer_pdf, validator))
    assert verify_document_pdf(signer_pdf, validator,
                               required_roles={Role.SIGNER}).passed


def test_organ_before_person_breaks_the_order(pdf_pki: NationalPki,
                                              validator: PathValidator) -> None:
    """A person's signature after the organ's: DF-PDF-082 on it and on the organ's, whose
    sealed page now carries an appearance it does not cover."""
    organ_first = corpus.sign(corpus.plain_pdf(),
                              pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                              corpus.ORGAN_BOX)
    late = corpus.sign(organ_first, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER),
                       "NguoiKy", corpus.SIGNER_BOX)
    result = verify_document_pdf(late, validator)
    assert result.indication is Indication.FAILED
    assert [f.code for f in result.signatures[1].findings] == ["DF-PDF-082"]
    assert [f.code for f in result.signatures[0].findings] == ["DF-PDF-082"]
    assert not result.signatures[0].passed


def test_sender_must_be_the_certificates_agency(both_pdf: bytes,
                                                validator: PathValidator) -> None:
    """Inside a message from another agency, both signatures are DF-PDF-083."""
    assert verify_document_pdf(both_pdf, validator, sender=corpus.ORGAN_CODE).passed
    result = check_nd30(verify_pdf(both_pdf, validator), sender=corpus.OTHER_CODE)
    assert [s.indication for s in result.signatures] == [Indication.FAILED] * 2
    assert _codes(result) == {"DF-PDF-083"}


def test_untrusted_pki_is_indeterminate(both_pdf: bytes) -> None:
    """Another PKI's root of the same name: the CA's signature does not verify (DF-PKI-002),
    INDETERMINATE, never PASSED."""
    other = corpus.build_pki(seed=99)
    result = verify_document_pdf(both_pdf, other.validator())
    assert result.indication is Indication.INDETERMINATE
    assert _codes(result) == {"DF-PKI-002"}


def test_revoked_organ_certificate_fails(both_pdf: bytes, pdf_pki: NationalPki) -> None:
    """The organ's certificate revoked before the validation time: DF-PKI-005, FAILED."""
    revoked = pdf_pki.with_revocations({(corpus.ORGAN_CODE, Role.ORGAN):
                                        pdf_pki.at + dt.timedelta(days=1)})
    result = verify_document_pdf(both_pdf, revoked.validator())
    assert result.signatures[1].indication is Indication.FAILED
    assert "DF-PKI-005" in {f.code for f in result.signatures[1].findings}
    assert result.signatures[0].passed


def test_unsigned_pdf_has_no_signature(validator: PathValidator) -> None:
    """A PDF with no signature is INDETERMINATE with DF-PDF-070."""
    result = verify_document_pdf(corpus.plain_pdf(), validator)
    assert result.indication is Indication.INDETERMINATE
    assert "DF-PDF-070" in _codes(result)


def test_signed_linearized_pdf_passes(pdf_pki: NationalPki, validator: PathValidator) -> None:
    """A linearized original signed by the person and the organ (pyHanko): three revisions,
    the first made of both sections of the linearized file; pdfsig's ranges agree."""
    from tests.pdf.syntax.handmade import linearized

    signed = corpus.sign(corpus.sign(linearized(),
                                     pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER),
                                     "NguoiKy", corpus.SIGNER_BOX),
                         pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                         corpus.ORGAN_BOX)
    result = verify_document_pdf(signed, validator)
    assert result.indication is Indication.PASSED, result.findings
    assert result.revisions == 3
    assert [s.revision for s in result.signatures] == [1, 2]


def test_describe_off_gives_the_same_verdict(both_pdf: bytes, signer_pdf: bytes,
                                             validator: PathValidator) -> None:
    """The audit's shortcut (describe=False skips describing the updates up to the first
    signature) changes no verdict and no finding."""
    tampered = both_pdf.replace(b"1.000.000", b"9.000.000")
    for data in (both_pdf, signer_pdf, tampered, corpus.plain_pdf()):
        full = verify_document_pdf(data, validator)
        short = verify_document_pdf(data, validator, describe=False)
        assert full.indication is short.indication
        assert full.findings == short.findings
        assert [s.indication for s in full.signatures] == \
            [s.indication for s in short.signatures]
