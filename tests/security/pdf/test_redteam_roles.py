"""Role confusion in a document PDF, outside an envelope (``docflow verify FILE.pdf``), where
no message's From names the sender: the signatures must agree among themselves.

Before the fix, agency B's organ could sign agency A's signed decision after A's organ, with
its seal drawn over the amount, and every signature PASSED; the same for A's organ sealing a
second time. Now a second organ signature is out of the Decree's order (``DF-PDF-082``) and
signatures of two agencies disagree (``DF-PDF-083``), for every signature of the file.
"""

from __future__ import annotations

import pytest

from docflow.errors import Indication
from docflow.pki.national import Credentials, NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.pdf import corpus

OVER_THE_AMOUNT = (60, 715, 300, 745)


def _codes(data: bytes, validator: PathValidator) -> set[str]:
    result = verify_document_pdf(data, validator)
    assert result.indication is not Indication.PASSED
    assert all(not s.passed for s in result.signatures), result.signatures
    return {f.code for f in result.findings}


@pytest.mark.parametrize(("agency", "codes"), [(corpus.OTHER_CODE, {"DF-PDF-082", "DF-PDF-083"}),
                                               (corpus.ORGAN_CODE, {"DF-PDF-082"})])
def test_a_second_organ_seal_over_the_page_fails(agency: str, codes: set[str], both_pdf: bytes,
                                                 pdf_pki: NationalPki,
                                                 validator: PathValidator) -> None:
    """A valid, trusted organ signature after the organ's, its seal over the amount."""
    sealed = corpus.sign(both_pdf, pdf_pki.credentials_for(agency, Role.ORGAN), "Khac",
                         OVER_THE_AMOUNT)
    assert codes <= _codes(sealed, validator)


def test_person_of_another_agency_fails(pdf_pki: NationalPki,
                                        validator: PathValidator) -> None:
    """Agency B's person signs, agency A's organ seals: one document, two issuers."""
    person = corpus.sign(corpus.plain_pdf(), pdf_pki.credentials_for(corpus.OTHER_CODE,
                                                                     Role.SIGNER),
                         "NguoiKy", corpus.SIGNER_BOX)
    both = corpus.sign(person, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN),
                       "CoQuan", corpus.ORGAN_BOX)
    assert "DF-PDF-083" in _codes(both, validator)


def test_the_ca_certificate_as_a_signer_is_not_trusted(both_pdf: bytes, pdf_pki: NationalPki,
                                                       validator: PathValidator) -> None:
    """The sub-CA's own key signs after the organ: a CA certificate is no document signer
    (its key usage and policy are a CA's), so that signature is not PASSED, nor the file."""
    hub = corpus.HUBS[0].hub_id
    organ = pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN)
    ca = pdf_pki.ca(hub)
    credentials = Credentials(pdf_pki.ca_key(hub), ca, tuple(c for c in organ.chain if c != ca))
    result = verify_document_pdf(corpus.sign(both_pdf, credentials, "CA", None), validator)
    assert result.indication is not Indication.PASSED
    ca_signature = [s for s in result.signatures if s.field == "CA"]
    assert ca_signature and ca_signature[0].role is None and not ca_signature[0].passed
    assert any(f.code.startswith("DF-PKI-") for f in ca_signature[0].findings)


def test_a_sha1_organ_signature_is_not_passed(pdf_pki: NationalPki,
                                              validator: PathValidator) -> None:
    """Digest downgrade: the organ's CMS over SHA-1 is refused by the default policy."""
    signed = corpus.sign(corpus.signed_by_signer(pdf_pki),
                         pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                         corpus.ORGAN_BOX, md_algorithm="sha1")
    result = verify_document_pdf(signed, validator)
    assert result.indication is not Indication.PASSED
    organ = [s for s in result.signatures if s.field == "CoQuan"]
    assert organ and not organ[0].passed
    assert "DF-PDF-080" in {f.code for f in organ[0].findings}
