"""docflow.pki's PathValidator is the certificate checker docflow.dsig expects.

pki and dsig are siblings and never import each other; the match is structural. This test
holds them together: the validator is accepted where dsig wants a CertificateChecker, and a
document signed with the national test PKI's credentials verifies through it, with the role
the certificate gives and the revocation the CRL records.
"""

from __future__ import annotations

import datetime as dt

import pytest

dsig = pytest.importorskip("docflow.dsig")

from docflow.dsig.trust import CertificateChecker  # noqa: E402
from docflow.pki.national import Agency, NationalPki  # noqa: E402
from docflow.pki.roles import Role  # noqa: E402
from docflow.pki.validate import ChainResult, PathValidator  # noqa: E402

AT = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
CODE = "000.00.00.H38"
DOCUMENT = "<Document><Subject>Kế hoạch năm 2025</Subject></Document>".encode()


@pytest.fixture(scope="module")
def pki() -> NationalPki:
    return NationalPki.build([Agency(CODE, "Ủy ban nhân dân tỉnh Thanh Hóa", "province",
                                     "lgsp-h38")], seed=3, at=AT,
                             revoked={(CODE, Role.SIGNER): AT + dt.timedelta(days=10)})


def test_path_validator_is_a_certificate_checker(pki: NationalPki) -> None:
    validator: CertificateChecker = pki.validator()  # what mypy checks in docflow/
    assert isinstance(validator, CertificateChecker)
    assert isinstance(validator, PathValidator)
    _, cert, chain = pki.credentials_for(CODE, Role.ORGAN)
    outcome = validator.check(cert, chain, AT)
    assert isinstance(outcome, ChainResult)
    for field in ("trusted", "chain", "role", "problems"):
        assert hasattr(outcome, field)


@pytest.mark.parametrize("role", list(Role))
def test_signed_document_verifies_with_the_role_of_its_certificate(pki: NationalPki,
                                                                  role: Role) -> None:
    key, cert, chain = pki.credentials_for(CODE, role)
    signed = dsig.Signer(key, [cert, *chain]).sign(DOCUMENT)
    result = dsig.verify_at(signed, AT + dt.timedelta(days=1), trust=pki.validator())
    assert result.passed, result.findings
    assert result.role == role and result.certificate == cert


def test_revoked_signer_fails_through_dsig(pki: NationalPki) -> None:
    key, cert, chain = pki.credentials_for(CODE, Role.SIGNER)
    signed = dsig.Signer(key, [cert, *chain]).sign(DOCUMENT)
    validator = pki.validator()
    assert dsig.verify_at(signed, AT + dt.timedelta(days=9), trust=validator).passed
    late = dsig.verify_at(signed, AT + dt.timedelta(days=11), trust=validator)
    assert not late.passed and "DF-PKI-005" in late.sub_indications
