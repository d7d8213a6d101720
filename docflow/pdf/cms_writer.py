"""CMS SignedData for PAdES baseline signatures and RFC 3161 tokens (RFC 5652, ETSI EN 319 122).

One function, :func:`signed_data`, builds the SignedData of a detached PAdES signature (the
content is the document's signed byte ranges, hashed by the caller) and of a timestamp token
(the content is the TSTInfo, encapsulated). The signed attributes are those PAdES B-B asks
for: content-type, message-digest and ESS signing-certificate-v2 (the hash of the signing
certificate, so it cannot be swapped); no signing-time — for PAdES the time is the signature
dictionary's ``/M`` (ETSI EN 319 142-1 §5.2.2). The one private-key operation signs the DER of
the attributes. ECDSA is deterministic (RFC 6979), so the same inputs give the same bytes.

The encoding is written with :mod:`docflow.pdf.der` around the certificates' own DER; a
:class:`SignedCms` keeps the parts so that an unsigned attribute (the signature timestamp of
B-T, which stamps the signature value) is added without re-encoding anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from docflow.errors import UsageError
from docflow.pdf.der import (
    explicit,
    implicit,
    integer,
    null,
    octet_string,
    oid,
    sequence,
    set_of,
)
from docflow.pki.keys import PrivateKey

__all__ = ["DATA", "SIGNATURE_TIMESTAMP", "TST_INFO", "SignedCms", "digest_name",
           "signed_data", "signer_digest"]

DATA = "1.2.840.113549.1.7.1"
TST_INFO = "1.2.840.113549.1.9.16.1.4"
SIGNATURE_TIMESTAMP = "1.2.840.113549.1.9.16.2.14"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
_DIGESTS = {"sha256": "2.16.840.1.101.3.4.2.1", "sha512": "2.16.840.1.101.3.4.2.3"}


def digest_name(key: PrivateKey) -> str:
    """The digest the key's signature uses: SHA-512 for Ed25519 (RFC 8419), else SHA-256."""
    return "sha512" if isinstance(key, ed25519.Ed25519PrivateKey) else "sha256"


def signer_digest(key: PrivateKey, data: Sequence[bytes | memoryview]) -> bytes:
    """The message digest of the concatenated ``data`` with the key's digest."""
    h = hashlib.new(digest_name(key))
    for part in data:
        h.update(part)
    return h.digest()


def _algorithm(key: PrivateKey) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return sequence(oid("1.2.840.10045.4.3.2"))  # ecdsa-with-SHA256
    if isinstance(key, rsa.RSAPrivateKey):
        return sequence(oid("1.2.840.113549.1.1.1"), null())  # rsaEncryption
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return sequence(oid("1.3.101.112"))
    raise UsageError("DF-PDF-012", f"a {type(key).__name__} cannot sign PAdES")


def _sign(key: PrivateKey, message: bytes) -> bytes:
    try:
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(message, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return key.sign(message)
    except UnsupportedAlgorithm as exc:
        raise UsageError("DF-PDF-012", f"the key cannot sign: {exc}") from None
    raise UsageError("DF-PDF-012", f"a {type(key).__name__} cannot sign PAdES")


def attribute(kind: str, value: bytes) -> bytes:
    """An Attribute: its type and a SET holding the one encoded ``value``."""
    return sequence(oid(kind), set_of([value]))


@dataclass(frozen=True, slots=True)
class SignedCms:
    """A SignedData with one signer, kept in parts so unsigned attributes can be added."""

    digest_algorithm: bytes
    encap: bytes
    certificates: tuple[bytes, ...]
    signer_head: bytes
    """version, sid, digestAlgorithm, signedAttrs, signatureAlgorithm."""
    signature: bytes
    unsigned: tuple[bytes, ...] = ()
    version: int = 1

    def with_unsigned(self, encoded_attribute: bytes) -> SignedCms:
        """This CMS with one more unsigned attribute (already encoded)."""
        return replace(self, unsigned=(*self.unsigned, encoded_attribute))

    def without_certificates(self) -> SignedCms:
        """This CMS without its certificates (a timestamp token asked for without them)."""
        return replace(self, certificates=())

    def dump(self) -> bytes:
        """The DER of the ContentInfo."""
        signer = self.signer_head + octet_string(self.signature)
        if self.unsigned:
            signer += implicit(1, set_of(self.unsigned))
        certificates = implicit(0, set_of(self.certificates)) if self.certificates else b""
        return sequence(oid(_SIGNED_DATA), explicit(0, sequence(
            integer(self.version), set_of([self.digest_algorithm]), self.encap,
            certificates, set_of([sequence(signer)]))))


def signed_data(key: PrivateKey, certificates: Sequence[x509.Certificate], digest: bytes, *,
                content_type: str = DATA, content: bytes | None = None) -> SignedCms:
    """A CMS SignedData with one SignerInfo over ``digest``.

    Parameters
    ----------
    key
        The private key of ``certificates[0]``.
    certificates
        The signing certificate first, then CA certificates to carry.
    digest
        The hash (:func:`signer_digest`) of the content: the signed byte ranges of a PDF, or
        the DER of a TSTInfo.
    content_type
        :data:`DATA` for PAdES, :data:`TST_INFO` for a timestamp token.
    content
        Encapsulated content (the TSTInfo); ``None`` for a detached signature.

    Raises
    ------
    UsageError
        ``DF-PDF-012`` when the key is not the certificate's or cannot sign.
    """
    if not certificates:
        raise UsageError("DF-PDF-012", "no signing certificate")
    leaf = certificates[0]
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != leaf.public_key().public_bytes(*spki):
        raise UsageError("DF-PDF-012", "the private key does not belong to the certificate "
                         f"{leaf.subject.rfc4514_string()}")
    ders = tuple(c.public_bytes(Encoding.DER) for c in certificates)
    issuer = leaf.issuer.public_bytes()
    serial = integer(leaf.serial_number)
    digest_algorithm = sequence(oid(_DIGESTS[digest_name(key)]))
    # ESSCertIDv2 with the default hash (SHA-256) left out, as DER requires for a default;
    # IssuerSerial names the issuer as a directoryName ([4], explicit since Name is a CHOICE).
    ess = sequence(sequence(sequence(
        octet_string(hashlib.sha256(ders[0]).digest()),
        sequence(sequence(explicit(4, issuer)), serial))))
    signed_attrs = set_of([
        attribute(_CONTENT_TYPE, oid(content_type)),
        attribute(_MESSAGE_DIGEST, octet_string(digest)),
        attribute(_SIGNING_CERTIFICATE_V2, ess)])
    signature = _sign(key, signed_attrs)  # signed as a SET (0x31), stored as [0] IMPLICIT
    head = integer(1) + sequence(issuer, serial) + digest_algorithm \
        + implicit(0, signed_attrs) + _algorithm(key)
    encap = sequence(oid(content_type), *(
        [explicit(0, octet_string(content))] if content is not None else []))
    return SignedCms(digest_algorithm, encap, ders, head, signature,
                     version=1 if content_type == DATA else 3)
