"""Fixtures of the PDF attack tests: the PKI and the signed documents the attacks start from."""

from __future__ import annotations

import pytest

from docflow.pki.national import NationalPki
from docflow.pki.validate import PathValidator
from tests.pdf import corpus
from tests.security.pdf import prepared


@pytest.fixture(scope="session")
def pdf_pki() -> NationalPki:
    return corpus.build_pki()


@pytest.fixture(scope="session")
def validator(pdf_pki: NationalPki) -> PathValidator:
    return pdf_pki.validator()


@pytest.fixture(scope="session")
def both_pdf(pdf_pki: NationalPki) -> bytes:
    """The plain document signed by the person, then the organ."""
    return corpus.signed_by_both(pdf_pki)


@pytest.fixture(scope="session")
def shadow_pdf(pdf_pki: NationalPki) -> bytes:
    """The prepared document (hidden layer, empty overlay, form field, spare content)
    signed by the person, then the organ: the starting point of every shadow attack."""
    return prepared.signed(pdf_pki)
