"""Certificate revocation lists: issue them, and index them for fast revocation look-ups.

A CRL is read once into a :class:`CrlInfo` — its issuer, its window of validity and a dict
from serial number to revocation date — so that checking a certificate costs one dict look-up
instead of a scan of the CRL's entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from docflow.pki.builder import Issuer
from docflow.pki.keys import signature_hash
from docflow.x509safe import UnreadableX509, crl_entries_problem, crl_problem

__all__ = ["CrlInfo", "Revocation", "build_crl"]

_SUPPORTED_CRITICAL: frozenset[x509.ObjectIdentifier] = frozenset()
"""Critical CRL extensions docflow processes: none. A critical deltaCRLIndicator or
issuingDistributionPoint makes the CRL partial (a delta, indirect or partitioned CRL), and a
partial CRL read as complete would hide revocations, so such a CRL is not used."""


@dataclass(frozen=True, slots=True)
class Revocation:
    """One entry of a CRL to issue."""

    serial: int
    revoked_at: dt.datetime
    """The revocationDate: the certificate is revoked from this instant on."""
    reason: x509.ReasonFlags | None = x509.ReasonFlags.key_compromise
    """Key compromise by default, the reason that invalidates past signatures too."""


def build_crl(issuer: Issuer, this_update: dt.datetime, next_update: dt.datetime,
              revoked: Iterable[Revocation], number: int = 1
              ) -> x509.CertificateRevocationList:
    """Issue a complete CRL, deterministically (entries sorted by serial, RFC 6979 ECDSA).

    Parameters
    ----------
    issuer
        The CA that signs the CRL (it must hold ``cRLSign``).
    this_update, next_update
        The CRL's window (timezone-aware).
    revoked
        The entries.
    number
        The cRLNumber (RFC 5280 §5.2.3), increasing with each CRL the CA issues.

    Returns
    -------
    cryptography.x509.CertificateRevocationList
    """
    builder = x509.CertificateRevocationListBuilder() \
        .issuer_name(issuer.name) \
        .last_update(this_update).next_update(next_update) \
        .add_extension(x509.CRLNumber(number), critical=False) \
        .add_extension(issuer.authority_key_id, critical=False)
    for entry in sorted(revoked, key=lambda r: r.serial):
        item = x509.RevokedCertificateBuilder() \
            .serial_number(entry.serial).revocation_date(entry.revoked_at)
        if entry.reason is not None:
            item = item.add_extension(x509.CRLReason(entry.reason), critical=False)
        builder = builder.add_revoked_certificate(item.build())
    if isinstance(issuer.key, ec.EllipticCurvePrivateKey):
        return builder.sign(issuer.key, signature_hash(issuer.key), ecdsa_deterministic=True)
    return builder.sign(issuer.key, signature_hash(issuer.key))


@dataclass(frozen=True, slots=True)
class CrlInfo:
    """A CRL read once for look-ups: issuer, window, and serial → revocation date."""

    crl: x509.CertificateRevocationList
    issuer: x509.Name
    this_update: dt.datetime
    next_update: dt.datetime | None
    """``None`` when the CRL has no nextUpdate (non-conforming; treated as never stale)."""
    revoked: dict[int, dt.datetime] = field(repr=False)
    unsupported: str | None = None
    """Why the CRL cannot be used as a complete CRL, or ``None`` when it can."""

    @classmethod
    def of(cls, crl: x509.CertificateRevocationList) -> CrlInfo:
        """Index ``crl``; entries with reason removeFromCRL (delta CRLs only) are skipped.

        A CRL whose extensions or entries cannot be read (:mod:`docflow.x509safe`) is indexed
        with no entries and marked unsupported: it is never used, and path validation reports
        it (``DF-PKI-020``) rather than reading a partial list of revocations.

        Raises
        ------
        docflow.x509safe.UnreadableX509
            The issuer or the dates cannot be read, so the CRL cannot even be filed.
        """
        problem = crl_problem(crl)
        if problem is not None:
            raise UnreadableX509(problem)
        damaged = crl_entries_problem(crl)
        if damaged is not None:
            return cls(crl, crl.issuer, crl.last_update_utc, crl.next_update_utc, {},
                       f"damaged content: {damaged}")
        unsupported = None
        for ext in crl.extensions:
            if ext.critical and ext.oid not in _SUPPORTED_CRITICAL:
                name = getattr(ext.oid, "_name", None) or ext.oid.dotted_string
                unsupported = f"critical extension {name} ({ext.oid.dotted_string})"
                break
        revoked: dict[int, dt.datetime] = {}
        for entry in crl:
            when = entry.revocation_date_utc
            try:
                reason = entry.extensions.get_extension_for_class(x509.CRLReason)
                if reason.value.reason is x509.ReasonFlags.remove_from_crl:
                    continue
            except x509.ExtensionNotFound:
                pass
            previous = revoked.get(entry.serial_number)
            revoked[entry.serial_number] = when if previous is None else min(previous, when)
        return cls(crl, crl.issuer, crl.last_update_utc, crl.next_update_utc, revoked,
                   unsupported)
