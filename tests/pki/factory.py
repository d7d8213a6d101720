"""A small CA factory for certificates the national PKI never issues: broken on purpose.

Built on docflow's own builder functions (the profile under test elsewhere) and, for what they
refuse to make, on cryptography's builders directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from docflow.pki.builder import (
    CA_KEY_USAGE,
    DOCUMENT_SIGNING,
    LEAF_KEY_USAGE,
    Issuer,
    ca_certificate,
    leaf_certificate,
    sign,
)
from docflow.pki.crl import Revocation, build_crl
from docflow.pki.keys import KeyAlgorithm, PrivateKey, derive_key
from docflow.pki.roles import SIGNER_POLICY

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)

_serials = iter(range(1000, 10**9))


def name(cn: str, organ_code: str | None = None) -> x509.Name:
    """A subject with ``cn`` (and an organ code in organizationIdentifier)."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if organ_code:
        attrs.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organ_code))
    return x509.Name(attrs)


def key(label: str, algorithm: KeyAlgorithm = KeyAlgorithm.ECDSA_P256) -> PrivateKey:
    """A deterministic test key."""
    return derive_key(99, label, algorithm)


@dataclass(frozen=True)
class Ca:
    """A CA of the test factory: its certificate and what it signs with."""

    cert: x509.Certificate
    issuer: Issuer

    @property
    def key(self) -> PrivateKey:
        return self.issuer.key

    @classmethod
    def root(cls, cn: str = "Test Root", label: str | None = None, *,
             not_before: dt.datetime = T0, not_after: dt.datetime = T0 + 20 * YEAR,
             path_length: int | None = None) -> Ca:
        k = key(label or cn)
        issuer = Issuer.from_key(name(cn), k)
        return cls(ca_certificate(issuer.name, k.public_key(), issuer, next(_serials),
                                  not_before, not_after, path_length=path_length, policies=()),
                   issuer)

    def sub_ca(self, cn: str, label: str | None = None, *, path_length: int | None = 0,
               key_usage: x509.KeyUsage = CA_KEY_USAGE, not_before: dt.datetime = T0,
               not_after: dt.datetime = T0 + 10 * YEAR) -> Ca:
        k = key(label or cn)
        cert = ca_certificate(name(cn), k.public_key(), self.issuer, next(_serials),
                              not_before, not_after, path_length=path_length,
                              key_usage=key_usage)
        return Ca(cert, Issuer.from_key(cert.subject, k))

    def leaf(self, cn: str = "Người ký", label: str | None = None, *,
             policy: x509.ObjectIdentifier | None = SIGNER_POLICY,
             key_usage: x509.KeyUsage | None = LEAF_KEY_USAGE,
             eku: Sequence[x509.ObjectIdentifier] | None = (DOCUMENT_SIGNING,),
             not_before: dt.datetime = T0, not_after: dt.datetime = T0 + 3 * YEAR,
             algorithm: KeyAlgorithm = KeyAlgorithm.ECDSA_P256,
             ) -> tuple[PrivateKey, x509.Certificate]:
        k = key(label or cn, algorithm)
        return k, leaf_certificate(name(cn), k.public_key(), self.issuer, next(_serials),
                                   not_before, not_after, policy=policy, key_usage=key_usage,
                                   extended_key_usage=eku)

    def leaf_with(self, cn: str, *extensions: tuple[x509.ExtensionType, bool],
                  subject_key: PrivateKey | None = None) -> x509.Certificate:
        """A leaf with exactly ``extensions`` (value, critical), for shapes builders refuse."""
        k = subject_key or key(cn)
        builder = x509.CertificateBuilder().subject_name(name(cn)) \
            .issuer_name(self.issuer.name).public_key(k.public_key()) \
            .serial_number(next(_serials)).not_valid_before(T0) \
            .not_valid_after(T0 + 3 * YEAR)
        for value, critical in extensions:
            builder = builder.add_extension(value, critical)
        return sign(builder, self.key)

    def crl(self, revoked: Sequence[tuple[x509.Certificate, dt.datetime]] = (), *,
            this_update: dt.datetime = T0, next_update: dt.datetime = T0 + 2 * YEAR,
            number: int = 1) -> x509.CertificateRevocationList:
        return build_crl(self.issuer, this_update, next_update,
                         [Revocation(c.serial_number, when) for c, when in revoked], number)
