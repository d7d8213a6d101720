"""A small national-style PKI for the attack tests, built with docflow's own certificate builders.

One root, one provincial hub CA, and for each agency an organ certificate and a person (signer)
certificate, with the subjects docflow's national PKI gives them (the organ code in
``organizationIdentifier``, the role as docflow's policy OID). Keys are ECDSA P-256 unless a test
asks for RSA-2048, the Government CA's key type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from docflow.dsig import Signer
from docflow.pki import names
from docflow.pki.builder import Issuer, ca_certificate, leaf_certificate, sign
from docflow.pki.crl import Revocation, build_crl
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY, Role
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator

ISSUED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
"""When the PKI issued everything."""
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
"""The verification time of every test that does not choose its own."""
EXPIRES = dt.datetime(2028, 1, 1, tzinfo=dt.UTC)

AGENCY_A = "000.00.00.H49"
AGENCY_A_NAME = "Ủy ban nhân dân tỉnh Nghệ An"
AGENCY_B = "000.00.01.H49"
AGENCY_B_NAME = "Sở Tài chính tỉnh Nghệ An"
POLICIES = {Role.ORGAN: ORGAN_POLICY, Role.SIGNER: SIGNER_POLICY}

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass(frozen=True)
class Credential:
    """A key, its certificate, and the CA certificates to carry after it in X509Data."""

    key: Key
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    def signer(self) -> Signer:
        return Signer(self.key, [self.certificate, *self.chain])


@dataclass
class SmallPki:
    """The root, the hub CA, and a way to issue leaves and build validators."""

    root: x509.Certificate
    root_issuer: Issuer
    hub: x509.Certificate
    hub_issuer: Issuer
    _serials: list[int] = field(default_factory=lambda: [100])

    def serial(self) -> int:
        self._serials[0] += 1
        return self._serials[0]

    def issue(self, subject: x509.Name, key: Key, *,
              policies: Sequence[x509.ObjectIdentifier] = (),
              not_before: dt.datetime = ISSUED, not_after: dt.datetime = EXPIRES,
              issuer: Issuer | None = None,
              chain: tuple[x509.Certificate, ...] | None = None) -> Credential:
        """A leaf certificate for ``key`` asserting ``policies`` (none: a certificate of no
        role), issued by the hub CA unless ``issuer`` is given."""
        issuer = issuer or self.hub_issuer
        if len(policies) <= 1:
            cert = leaf_certificate(subject, key.public_key(), issuer, self.serial(), not_before,
                                    not_after, policy=policies[0] if policies else None)
        else:
            plain = leaf_certificate(subject, key.public_key(), issuer, self.serial(),
                                     not_before, not_after, policy=None)
            builder = (x509.CertificateBuilder().subject_name(plain.subject)
                       .issuer_name(plain.issuer).public_key(key.public_key())
                       .serial_number(plain.serial_number)
                       .not_valid_before(not_before).not_valid_after(not_after))
            for ext in plain.extensions:
                builder = builder.add_extension(ext.value, critical=ext.critical)
            builder = builder.add_extension(x509.CertificatePolicies(
                [x509.PolicyInformation(oid, None) for oid in policies]), critical=False)
            cert = sign(builder, issuer.key)
        return Credential(key, cert, (self.hub,) if chain is None else chain)

    def agency(self, code: str, name: str, role: Role, key: Key | None = None,
               **kwargs: object) -> Credential:
        """The certificate of agency ``code`` in ``role``, named as the national PKI names it."""
        subject = names.organ_name(code, name) if role is Role.ORGAN else \
            names.signer_name(code, name)
        return self.issue(subject, key or ec_key(), policies=(POLICIES[role],),
                          **kwargs)  # type: ignore[arg-type]

    def validator(self, *revoked: tuple[x509.Certificate, dt.datetime],
                  crl_at: dt.datetime = ISSUED) -> PathValidator:
        """Trust the root; the hub CA's CRL, issued at ``crl_at``, lists ``revoked``."""
        hub_crl = build_crl(self.hub_issuer, crl_at, EXPIRES,
                            [Revocation(cert.serial_number, when) for cert, when in revoked])
        root_crl = build_crl(self.root_issuer, ISSUED, EXPIRES, [])
        return PathValidator(TrustStore(anchors=(self.root,), crls=(hub_crl, root_crl)))


def make_pki() -> SmallPki:
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_issuer = Issuer.from_key(names.root_name(), root_key)
    root = ca_certificate(root_issuer.name, root_key.public_key(), root_issuer, 1, ISSUED,
                          EXPIRES, path_length=1)
    hub_key = ec_key()
    hub_issuer = Issuer.from_key(names.ca_name("H49", "Nghệ An"), hub_key)
    hub = ca_certificate(hub_issuer.name, hub_key.public_key(), root_issuer, 2, ISSUED, EXPIRES,
                         path_length=0)
    return SmallPki(root, root_issuer, hub, hub_issuer)
