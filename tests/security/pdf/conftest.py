"""Fixtures of the PDF attack tests: the PKI and the signed documents the attacks start from
(:mod:`tests.pdf.fixtures`), and the prepared document of the shadow attacks."""

from __future__ import annotations

import pytest

from docflow.pki.national import NationalPki
from tests.pdf.fixtures import both_pdf, pdf_pki, signer_pdf, validator
from tests.security.pdf import prepared

__all__ = ["both_pdf", "pdf_pki", "shadow_pdf", "signer_pdf", "validator"]


@pytest.fixture(scope="session")
def shadow_pdf(pdf_pki: NationalPki) -> bytes:
    """The prepared document (hidden layer, empty overlay, form field, spare content)
    signed by the person, then the organ: the starting point of every shadow attack."""
    return prepared.signed(pdf_pki)
