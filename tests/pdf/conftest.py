"""Fixtures of the PDF tests: one national test PKI, its files, and the benign corpus signed
with pyHanko in Decree 30's order. Everything is real: keys, certificates, CRLs, CMS."""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.pki.export import write_pki
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from tests.pdf import corpus


@pytest.fixture(scope="session")
def pdf_pki() -> NationalPki:
    return corpus.build_pki()


@pytest.fixture(scope="session")
def validator(pdf_pki: NationalPki) -> PathValidator:
    return pdf_pki.validator()


@pytest.fixture(scope="session")
def pki_dir(pdf_pki: NationalPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdfpki") / "pki"
    write_pki(pdf_pki, folder)
    return folder


@pytest.fixture(scope="session")
def signer_pdf(pdf_pki: NationalPki) -> bytes:
    """Signed by the person only (revision 1)."""
    return corpus.signed_by_signer(pdf_pki)


@pytest.fixture(scope="session")
def both_pdf(pdf_pki: NationalPki, signer_pdf: bytes) -> bytes:
    """Signed by the person (revision 1), then the organ (revision 2)."""
    return corpus.sign(signer_pdf, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN),
                       "CoQuan", corpus.ORGAN_BOX)
