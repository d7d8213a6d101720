"""docflow.x509safe: untrusted certificates and CRLs are read in full when they are loaded.

Each case is a real certificate or CRL with one field damaged so that cryptography still loads
it and fails only when the field is read (checked here first, so that a case cannot go stale if
cryptography starts decoding that field eagerly); the loader must refuse it at once, naming the
field.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding
from pki import damaged
from pki.factory import T0, YEAR, Ca

from docflow.x509safe import (
    UnreadableX509,
    certificate_problem,
    crl_entries_problem,
    crl_problem,
    load_certificate,
    load_crl,
    load_pem_certificates,
    load_pem_crl,
)

ROOT = Ca.root("x509safe Root")

CASES: dict[str, tuple[bytes, Callable[[x509.Certificate], object], str]] = {
    "issuer tagged as a constructed string": (damaged.issuer_der(ROOT.cert),
                                              lambda c: c.issuer, "issuer name"),
    "subject attribute as a BIT STRING (TypeError)": (damaged.subject_der(ROOT.cert),
                                                      lambda c: c.subject, "subject name"),
    "public key not a curve point": (damaged.key_der(ROOT.cert), lambda c: c.public_key(),
                                     "public key"),
    "an extension twice (DuplicateExtension)": (damaged.extensions_der(ROOT.cert),
                                                lambda c: c.extensions, "extensions"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_field_read_late_is_read_at_load(case: str) -> None:
    """A certificate that loads and fails when a field is read is refused by the loader,
    which names the field; certificate_problem says the same of the loaded object."""
    data, read, field = CASES[case]
    loaded = x509.load_der_x509_certificate(data)  # cryptography itself loads it...
    with pytest.raises(Exception):  # noqa: B017  ...and fails later, with its own class
        read(loaded)
    with pytest.raises(UnreadableX509, match=field):
        load_certificate(data)
    assert field in (certificate_problem(loaded) or "")


def test_a_bad_version_is_unreadable_not_another_exception() -> None:
    """Version 32: cryptography raises InvalidVersion, which is no ValueError."""
    data = damaged.version_der(ROOT.cert)
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_certificate(data)
    with pytest.raises(UnreadableX509, match=r"not a DER X\.509 certificate"):
        load_certificate(data)


def test_a_key_of_an_unknown_algorithm_is_not_damage() -> None:
    """A well-formed key of an algorithm cryptography does not implement loads: path
    validation reports the algorithm (DF-PKI-019), which is not a decoding error."""
    cert = load_certificate(damaged.der(damaged.unknown_key_algorithm(ROOT.cert)))
    with pytest.raises(UnsupportedAlgorithm):
        cert.public_key()


def test_a_good_certificate_and_bundle_load() -> None:
    """The loaders return what cryptography returns for intact input, and refuse a bundle
    with one damaged certificate."""
    assert load_certificate(damaged.der(ROOT.cert)) == ROOT.cert
    assert certificate_problem(ROOT.cert) is None
    pem = ROOT.cert.public_bytes(Encoding.PEM)
    assert load_pem_certificates(pem * 2) == (ROOT.cert, ROOT.cert)
    bad = x509.load_der_x509_certificate(damaged.key_der(ROOT.cert))
    with pytest.raises(UnreadableX509, match="public key"):
        load_pem_certificates(pem + bad.public_bytes(Encoding.PEM))


def test_crl_with_a_damaged_issuer_cannot_be_filed() -> None:
    """A CRL whose issuer cannot be read has no CA to belong to: refused at load."""
    crl = damaged.crl_issuer(ROOT.crl())
    assert "issuer" in (crl_problem(crl) or "")
    with pytest.raises(UnreadableX509, match="issuer"):
        load_crl(crl.public_bytes(Encoding.DER))
    with pytest.raises(UnreadableX509, match="issuer"):
        load_pem_crl(crl.public_bytes(Encoding.PEM))


def test_crl_with_a_damaged_entry_loads_and_says_so() -> None:
    """A CRL whose entry has a reason code out of range can be filed under its issuer, and
    crl_entries_problem tells the caller it cannot be used."""
    intact = ROOT.crl([(ROOT.cert, T0 + YEAR)])
    crl = load_crl(damaged.crl_entry(intact).public_bytes(Encoding.DER))
    assert crl_problem(crl) is None
    assert "entry" in (crl_entries_problem(crl) or "")
    assert crl_entries_problem(intact) is None
