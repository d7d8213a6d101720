"""Real keys and certificates for the signature tests, built with docflow's own PKI builders.

RSA keys are slow to generate, so each test session makes a few and shares them; EC and
Ed25519 keys are made per test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from docflow.pki.builder import Issuer, ca_certificate, leaf_certificate
from docflow.pki.crl import Revocation, build_crl
from docflow.pki.roles import ORGAN_POLICY, SIGNER_POLICY
from docflow.pki.store import TrustStore
from docflow.pki.validate import PathValidator

DATA = Path(__file__).resolve().parents[1] / "data"
"""The test data copied into the repository (vectors with their MANIFEST and licences)."""
VECTORS = DATA / "vectors" / "xmldsig"

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
"""The clock of every test that does not read a vector's pinned time."""
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
END = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


AGENCY = "000.00.00.H49"
"""The organ code of the sample agency, in its certificates' organizationIdentifier as docflow's
PKI writes it (the edXML profile matches it with a message's sender)."""


def name(cn: str, organ_code: str | None = None) -> x509.Name:
    """``CN=cn,O=docflow tests,C=VN``, with ``organizationIdentifier`` when ``organ_code``."""
    code = f"2.5.4.97={organ_code}," if organ_code else ""
    return x509.Name.from_rfc4514_string(f"CN={cn},{code}O=docflow tests,C=VN")


def self_signed(key: Key, cn: str = "pinned partner", *, not_before: dt.datetime = START,
                not_after: dt.datetime = END,
                key_usage: x509.KeyUsage | None = None) -> x509.Certificate:
    """A self-signed end-entity certificate, as a partner pins out of band."""
    issuer = Issuer.from_key(name(cn), key)
    kwargs = {} if key_usage is None else {"key_usage": key_usage}
    return leaf_certificate(name(cn), key.public_key(), issuer, 7, not_before, not_after,
                            policy=None, **kwargs)  # type: ignore[arg-type]


@dataclass
class SamplePki:
    """A root, one sub-CA, and an organ and a signer certificate under it."""

    root: x509.Certificate
    sub: x509.Certificate
    sub_issuer: Issuer
    organ_key: rsa.RSAPrivateKey
    organ: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey
    signer: x509.Certificate
    root_crl: x509.CertificateRevocationList

    def issue(self, key: Key, cn: str = "000.00.00.H49", serial: int = 100) -> x509.Certificate:
        """An organ certificate for ``key`` from the hub CA."""
        return leaf_certificate(name(cn, AGENCY), key.public_key(), self.sub_issuer, serial,
                                START, END, policy=ORGAN_POLICY)

    def validator(self, *revoked: x509.Certificate) -> PathValidator:
        """A path validator trusting the root, with a CRL of the sub-CA listing ``revoked``."""
        crl = build_crl(self.sub_issuer, START, END,
                        [Revocation(c.serial_number, START + dt.timedelta(days=1))
                         for c in revoked])
        return PathValidator(TrustStore(anchors=(self.root,), crls=(crl, self.root_crl)))


def make_pki(organ_key: rsa.RSAPrivateKey) -> SamplePki:
    root_key = ec.generate_private_key(ec.SECP384R1())
    root_issuer = Issuer.from_key(name("Root CA"), root_key)
    root = ca_certificate(name("Root CA"), root_key.public_key(), root_issuer, 1, START, END,
                          path_length=1)
    sub_key = ec.generate_private_key(ec.SECP256R1())
    sub = ca_certificate(name("Hub CA"), sub_key.public_key(), root_issuer, 2, START, END,
                         path_length=0)
    sub_issuer = Issuer(name("Hub CA"), sub_key,
                        x509.AuthorityKeyIdentifier.from_issuer_public_key(sub_key.public_key()))
    organ = leaf_certificate(name(AGENCY, AGENCY), organ_key.public_key(), sub_issuer, 10,
                             START, END, policy=ORGAN_POLICY)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = leaf_certificate(name("Nguyen Van A", AGENCY), signer_key.public_key(),
                              sub_issuer, 11, START, END, policy=SIGNER_POLICY)
    return SamplePki(root, sub, sub_issuer, organ_key, organ, signer_key, signer,
                     build_crl(root_issuer, START, END, []))
