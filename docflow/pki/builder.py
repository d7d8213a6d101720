"""Issue CA and end-entity certificates with cryptography's builders, deterministically.

Every function takes everything that ends up in the certificate as an argument: names, keys,
serial number and validity. Nothing reads the clock or draws random numbers, so the same
arguments give the same bytes. ECDSA signatures are deterministic (RFC 6979) for that reason;
Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic by construction.

The profiles follow RFC 5280 as the Government CA applies it:

* a CA certificate has a critical basicConstraints ``cA=TRUE`` (with a pathLenConstraint where
  given) and a critical keyUsage of ``keyCertSign, cRLSign``;
* an end-entity certificate has a critical basicConstraints ``cA=FALSE``, a critical keyUsage of
  ``digitalSignature, nonRepudiation`` and an extendedKeyUsage of ``documentSigning``
  (RFC 9336), and asserts the certificate policy that gives it its role;
* every certificate carries subject and authority key identifiers, so paths are built by key
  and not only by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from docflow.pki.keys import PrivateKey, signature_hash

__all__ = [
    "ANY_POLICY",
    "CA_KEY_USAGE",
    "DOCUMENT_SIGNING",
    "LEAF_KEY_USAGE",
    "TIME_STAMPING",
    "Issuer",
    "ca_certificate",
    "leaf_certificate",
    "sign",
    "tsa_certificate",
]

ANY_POLICY = x509.ObjectIdentifier("2.5.29.32.0")
"""anyPolicy (RFC 5280 §4.2.1.4): a CA asserting it lets its subordinates assert any policy."""

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336): the key signs human-readable documents."""

TIME_STAMPING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.8")
"""id-kp-timeStamping (RFC 5280): the key signs RFC 3161 timestamp tokens, nothing else."""

CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
    encipher_only=False, decipher_only=False)
"""keyCertSign and cRLSign: a CA signs certificates and its own CRLs, nothing else."""

LEAF_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=True, key_encipherment=False,
    data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
    encipher_only=False, decipher_only=False)
"""digitalSignature and nonRepudiation (contentCommitment): the key signs documents."""


@dataclass(frozen=True, slots=True)
class Issuer:
    """A CA that issues: its name, its key, and its authority key identifier, computed once.

    Computing the identifier once per CA rather than once per issued certificate saves a public
    key encoding and a hash per certificate, a few percent of a national build.
    """

    name: x509.Name
    key: PrivateKey
    authority_key_id: x509.AuthorityKeyIdentifier

    @classmethod
    def from_key(cls, name: x509.Name, key: PrivateKey) -> Issuer:
        """An issuer with ``name`` signing with ``key`` (also for a self-signed root)."""
        return cls(name, key,
                   x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()))


def sign(builder: x509.CertificateBuilder, key: PrivateKey) -> x509.Certificate:
    """Sign ``builder`` with ``key``, deterministically, with the hash the key calls for.

    Examples
    --------
    >>> import datetime as dt
    >>> from docflow.pki.keys import KeyAlgorithm, derive_key
    >>> key = derive_key(1, "doc", KeyAlgorithm.ECDSA_P256)
    >>> name = x509.Name.from_rfc4514_string("CN=example")
    >>> t = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    >>> b = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
    ...      .public_key(key.public_key()).serial_number(1)
    ...      .not_valid_before(t).not_valid_after(t + dt.timedelta(days=1)))
    >>> sign(b, key) == sign(b, key)
    True
    """
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return builder.sign(key, signature_hash(key), ecdsa_deterministic=True)
    return builder.sign(key, signature_hash(key))


def ca_certificate(subject: x509.Name, public_key: CertificatePublicKeyTypes,
                   issuer: Issuer, serial: int, not_before: dt.datetime,
                   not_after: dt.datetime, *, path_length: int | None,
                   policies: Sequence[x509.ObjectIdentifier] = (ANY_POLICY,),
                   key_usage: x509.KeyUsage = CA_KEY_USAGE) -> x509.Certificate:
    """Issue a CA certificate (a root when ``issuer`` is its own subject and key).

    Parameters
    ----------
    subject
        The CA's name.
    public_key
        The CA's public key.
    issuer
        Who signs it; pass ``Issuer.from_key(subject, own_key)`` for a self-signed root.
    serial
        A positive serial number of at most 159 bits (RFC 5280 §4.1.2.2 allows 20 octets).
    not_before, not_after
        The validity period (timezone-aware).
    path_length
        The pathLenConstraint: how many CAs may stand below this one (``None``: no limit).
    policies
        Certificate policies to assert; anyPolicy by default, empty for none.
    key_usage
        The key usage; :data:`CA_KEY_USAGE` unless a test needs a broken CA.

    Returns
    -------
    cryptography.x509.Certificate
    """
    builder = _base(subject, public_key, issuer, serial, not_before, not_after) \
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True) \
        .add_extension(key_usage, critical=True)
    if policies:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(p, None) for p in policies]),
            critical=False)
    return sign(builder, issuer.key)


def leaf_certificate(subject: x509.Name, public_key: CertificatePublicKeyTypes, issuer: Issuer,
                     serial: int, not_before: dt.datetime, not_after: dt.datetime, *,
                     policy: x509.ObjectIdentifier | None,
                     key_usage: x509.KeyUsage | None = LEAF_KEY_USAGE,
                     extended_key_usage: Sequence[x509.ObjectIdentifier] | None = (
                         DOCUMENT_SIGNING,)) -> x509.Certificate:
    """Issue an end-entity (signing) certificate.

    Parameters
    ----------
    subject, public_key, issuer, serial, not_before, not_after
        As for :func:`ca_certificate`.
    policy
        The certificate policy that gives the certificate its role
        (:data:`~docflow.pki.roles.ORGAN_POLICY` or :data:`~docflow.pki.roles.SIGNER_POLICY`);
        ``None`` for a certificate whose role a mapping must decide.
    key_usage
        :data:`LEAF_KEY_USAGE` by default; ``None`` omits the extension.
    extended_key_usage
        documentSigning by default; ``None`` omits the extension.

    Returns
    -------
    cryptography.x509.Certificate
    """
    builder = _base(subject, public_key, issuer, serial, not_before, not_after) \
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    if extended_key_usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_key_usage)),
                                        critical=False)
    if policy is not None:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(policy, None)]), critical=False)
    return sign(builder, issuer.key)


def _base(subject: x509.Name, public_key: CertificatePublicKeyTypes, issuer: Issuer, serial: int,
          not_before: dt.datetime, not_after: dt.datetime) -> x509.CertificateBuilder:
    if not 0 < serial < 1 << 159:
        raise ValueError(f"serial number {serial} is not a positive 159-bit integer")
    if not_before.tzinfo is None or not_after.tzinfo is None:
        raise ValueError("validity times must be timezone-aware")
    if not_after <= not_before:
        raise ValueError("not_after must be after not_before")
    return x509.CertificateBuilder() \
        .subject_name(subject).issuer_name(issuer.name) \
        .public_key(public_key) \
        .serial_number(serial) \
        .not_valid_before(not_before).not_valid_after(not_after) \
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False) \
        .add_extension(issuer.authority_key_id, critical=False)


def tsa_certificate(subject: x509.Name, public_key: CertificatePublicKeyTypes, issuer: Issuer,
                    serial: int, not_before: dt.datetime,
                    not_after: dt.datetime) -> x509.Certificate:
    """Issue a timestamp authority's certificate (RFC 3161 §2.3).

    Its extendedKeyUsage is timeStamping alone and critical, as RFC 3161 requires, so the key
    can sign nothing but timestamp tokens; keyUsage is digitalSignature and nonRepudiation.
    """
    builder = _base(subject, public_key, issuer, serial, not_before, not_after) \
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True) \
        .add_extension(LEAF_KEY_USAGE, critical=True) \
        .add_extension(x509.ExtendedKeyUsage([TIME_STAMPING]), critical=True)
    return sign(builder, issuer.key)
