"""Certificate names are printed with X.520 attribute names, never as dotted OIDs."""

from __future__ import annotations

import re

from docflow.pki.national import Hub, NationalPki
from docflow.pki.roles import Role
from docflow.x509names import readable_name

from .conftest import AGENCIES, AT, HUBS

_RAW_OID = re.compile(r"\b\d+(?:\.\d+){3,}=")


def test_person_certificate_subject_is_readable() -> None:
    """A signer's certificate from docflow's PKI shows its organ code and title by name; the
    value is the certificate's, read back unchanged."""
    pki = NationalPki.build(AGENCIES[-1:], seed=7, at=AT, hubs=HUBS[-1:])
    cert = pki.credentials_for("000.00.00.H49", Role.SIGNER).certificate
    text = readable_name(cert.subject)
    assert "organizationIdentifier=000.00.00.H49" in text
    assert "title=" in text
    assert _RAW_OID.search(text) is None
    assert "2.5.4.97=000.00.00.H49" in cert.subject.rfc4514_string()  # what it replaces


def test_untrusted_issuer_message_names_the_issuer_readably() -> None:
    """DF-PKI-001 (no path to an anchor) names the leaf and its issuer as a reader reads them:
    a certificate of one PKI checked against another's trust store."""
    ours = NationalPki.build(AGENCIES[-1:], seed=7, at=AT, hubs=HUBS[-1:])
    # Another PKI whose CA has another name: no known CA issued the certificate.
    theirs = NationalPki.build(AGENCIES[-1:], seed=8, at=AT,
                               hubs=(Hub("lgsp-h49", "LGSP của một PKI khác"),))
    cert = theirs.credentials_for("000.00.00.H49", Role.ORGAN).certificate
    result = ours.validator().check(cert, [], AT)
    assert not result.trusted
    [problem] = result.problems
    assert problem.code == "DF-PKI-001"
    assert "organizationIdentifier=000.00.00.H49" in problem.message
    assert _RAW_OID.search(problem.message) is None, problem.message
