"""CRL issue and indexing."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from docflow.pki.crl import CrlInfo, Revocation, build_crl

from . import damaged
from .factory import T0, YEAR, Ca

ROOT = Ca.root("CRL Root", "crl-root")


def test_crl_is_deterministic_and_indexed() -> None:
    entries = [Revocation(7, T0 + dt.timedelta(days=3)), Revocation(5, T0)]
    one = build_crl(ROOT.issuer, T0, T0 + YEAR, entries, number=4)
    assert one == build_crl(ROOT.issuer, T0, T0 + YEAR, list(reversed(entries)), number=4)
    assert [e.serial_number for e in one] == [5, 7]
    info = CrlInfo.of(one)
    assert info.revoked == {5: T0, 7: T0 + dt.timedelta(days=3)}
    assert (info.this_update, info.next_update, info.unsupported) == (T0, T0 + YEAR, None)
    assert one.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 4


def test_remove_from_crl_entries_are_skipped() -> None:
    crl = build_crl(ROOT.issuer, T0, T0 + YEAR,
                    [Revocation(9, T0, x509.ReasonFlags.remove_from_crl), Revocation(8, T0)])
    assert CrlInfo.of(crl).revoked == {8: T0}


def test_critical_issuing_distribution_point_makes_a_crl_unsupported() -> None:
    idp = x509.IssuingDistributionPoint(None, None, False, False, None, True, False)
    crl = x509.CertificateRevocationListBuilder().issuer_name(ROOT.cert.subject) \
        .last_update(T0).next_update(T0 + YEAR).add_extension(idp, critical=True) \
        .sign(ROOT.key, hashes.SHA256())  # type: ignore[arg-type]
    assert "critical extension" in (CrlInfo.of(crl).unsupported or "")


def test_crl_with_an_unreadable_entry_is_unsupported_with_no_entries() -> None:
    """A CRL whose entry cannot be read is indexed as unusable, with no entries: a partial
    list of revocations must never be read as the CA's list."""
    crl = damaged.crl_entry(build_crl(ROOT.issuer, T0, T0 + YEAR, [Revocation(5, T0),
                                                                     Revocation(6, T0)]))
    info = CrlInfo.of(crl)
    assert info.revoked == {} and "an entry is malformed" in (info.unsupported or "")
    assert info.issuer == ROOT.cert.subject
