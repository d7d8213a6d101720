"""Fixtures of the PDF tests: the shared PKI and signed corpus (:mod:`tests.pdf.fixtures`),
and the PKI's files for the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from docflow.pki.export import write_pki
from docflow.pki.national import NationalPki
from tests.pdf.fixtures import both_pdf, pdf_pki, signer_pdf, validator

__all__ = ["both_pdf", "pdf_pki", "pki_dir", "signer_pdf", "validator"]


@pytest.fixture(scope="session")
def pki_dir(pdf_pki: NationalPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdfpki") / "pki"
    write_pki(pdf_pki, folder)
    return folder
