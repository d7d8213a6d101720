"""The PDF fixtures the PDF tests and the PDF attack tests share: one national test PKI and
the benign document signed with pyHanko in Decree 30's order (the person, then the organ).
Everything is real: keys, certificates, CRLs, CMS. Each conftest imports them by name."""

from __future__ import annotations

import pytest

from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from tests.pdf import corpus

__all__ = ["both_pdf", "pdf_pki", "signer_pdf", "validator"]


@pytest.fixture(scope="session")
def pdf_pki() -> NationalPki:
    return corpus.build_pki()


@pytest.fixture(scope="session")
def validator(pdf_pki: NationalPki) -> PathValidator:
    return pdf_pki.validator()


@pytest.fixture(scope="session")
def signer_pdf(pdf_pki: NationalPki) -> bytes:
    """Signed by the person only (revision 1)."""
    return corpus.signed_by_signer(pdf_pki)


@pytest.fixture(scope="session")
def both_pdf(pdf_pki: NationalPki, signer_pdf: bytes) -> bytes:
    """Signed by the person (revision 1), then the organ (revision 2)."""
    return corpus.sign(signer_pdf, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN),
                       "CoQuan", corpus.ORGAN_BOX)
