"""Certificates and CRLs damaged where cryptography reads last: they load, then fail to read.

Each function takes a real certificate or CRL and damages one field of its DER with the tools of
:mod:`security.der`, leaving the outer structure intact, so that the object loads and a read of
that field raises. The CA's signature no longer verifies, as after any damage.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from security.der import (
    certificate_fields,
    children,
    crl_fields,
    values,
    with_byte,
    with_extension_twice,
    with_tag,
)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def issuer_der(cert: x509.Certificate) -> bytes:
    """The issuer's first attribute value tagged as a constructed UTF8String (ValueError)."""
    data = der(cert)
    return with_tag(data, values(data, certificate_fields(data)["issuer"])[1], 0x3C)


def subject_der(cert: x509.Certificate) -> bytes:
    """The subject's first attribute value tagged BIT STRING, which X.500 allows only for a
    unique identifier (cryptography raises TypeError)."""
    data = der(cert)
    return with_tag(data, values(data, certificate_fields(data)["subject"])[1], 0x03)


def key_der(cert: x509.Certificate) -> bytes:
    """An EC certificate's point format byte (0x04) set to 0x05, which no encoding uses
    (0x06 and 0x07 are the hybrid forms)."""
    data = der(cert)
    _, bits = children(data, certificate_fields(data)["spki"])
    return with_byte(data, bits.content + 1, 0x05)


def extensions_der(cert: x509.Certificate) -> bytes:
    """The first extension repeated (cryptography raises DuplicateExtension)."""
    return with_extension_twice(der(cert))


def version_der(cert: x509.Certificate) -> bytes:
    """Version 32 (cryptography refuses it at load with InvalidVersion, not ValueError)."""
    data = der(cert)
    return with_byte(data, values(data, certificate_fields(data)["version"])[0].content, 0x1F)


def unknown_key_algorithm(cert: x509.Certificate) -> x509.Certificate:
    """An EC certificate whose key algorithm OID is 1.2.840.10045.2.9 instead of id-ecPublicKey
    (…2.1): well formed, every field readable, and a key cryptography does not implement."""
    data = der(cert)
    algorithm, _ = children(data, certificate_fields(data)["spki"])
    oid = values(data, algorithm)[0]
    return x509.load_der_x509_certificate(with_byte(data, oid.end - 1, 0x09))


def subject(cert: x509.Certificate) -> x509.Certificate:
    """``cert`` loaded from :func:`subject_der`."""
    return x509.load_der_x509_certificate(subject_der(cert))


def crl_issuer(crl: x509.CertificateRevocationList) -> x509.CertificateRevocationList:
    """``crl`` with its issuer's first attribute value tagged BIT STRING (TypeError)."""
    data = crl.public_bytes(Encoding.DER)
    return x509.load_der_x509_crl(
        with_tag(data, values(data, crl_fields(data)["issuer"])[1], 0x03))


def crl_entry(crl: x509.CertificateRevocationList) -> x509.CertificateRevocationList:
    """``crl`` (with at least one entry that has a reason code) with the first entry's reason
    set to 0x55, which no CRLReason has (ValueError when the entry's extensions are read)."""
    data = crl.public_bytes(Encoding.DER)
    entry = children(data, crl_fields(data)["revoked"])[0]
    reason = values(data, entry)[-1]  # OCTET STRING { ENUMERATED reason }
    return x509.load_der_x509_crl(with_byte(data, reason.content + 2, 0x55))
