"""Read and write certificates, CRLs and private keys as PEM or DER.

``parse_*`` functions work on bytes and ``read_*`` functions only open the file and call them.
Everything cryptography refuses becomes an :class:`~docflow.errors.InputError` with a stable
``DF-PKI`` code and the file's name, never a traceback: a PEM that is not a certificate, a DER
that is garbage, a key whose passphrase is wrong. Certificates and CRLs are loaded through
:mod:`docflow.x509safe`, so a name or key damaged inside an otherwise well-formed certificate is
refused here too, not when path validation first reads it.
"""

from __future__ import annotations

import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from docflow.errors import InputError, Location
from docflow.pki.keys import PrivateKey
from docflow.x509safe import (
    UnreadableX509,
    load_certificate,
    load_crl,
    load_pem_certificates,
    load_pem_crl,
)

__all__ = [
    "key_pem",
    "parse_certificates",
    "parse_crls",
    "parse_private_key",
    "read_certificates",
    "read_crls",
    "read_passphrase",
    "read_private_key",
]

_PEM_CRL = re.compile(rb"-----BEGIN X509 CRL-----.+?-----END X509 CRL-----", re.DOTALL)


def parse_certificates(data: bytes, source: str | None = None) -> tuple[x509.Certificate, ...]:
    """Every certificate in ``data``: a PEM bundle of one or more, or one DER certificate.

    Parameters
    ----------
    data
        The file's bytes.
    source
        The file name, for error locations.

    Raises
    ------
    InputError
        ``DF-PKI-021`` when ``data`` holds no readable certificate.

    Examples
    --------
    >>> parse_certificates(b"not a certificate")
    Traceback (most recent call last):
    ...
    docflow.errors.InputError: DF-PKI-021: not a DER X.509 certificate (...)
    """
    where = Location(file=source)
    try:
        if b"-----BEGIN" in data:
            return load_pem_certificates(data)
        return (load_certificate(data),)
    except UnreadableX509 as exc:
        raise InputError("DF-PKI-021", str(exc), where) from None


def parse_crls(data: bytes, source: str | None = None
               ) -> tuple[x509.CertificateRevocationList, ...]:
    """Every CRL in ``data``: PEM blocks (one or more) or one DER CRL.

    Raises
    ------
    InputError
        ``DF-PKI-022`` when ``data`` holds no readable CRL.
    """
    where = Location(file=source)
    if b"-----BEGIN" in data:
        blocks = _PEM_CRL.findall(data)
        if not blocks:
            raise InputError("DF-PKI-022", "no 'BEGIN X509 CRL' block", where)
        try:
            return tuple(load_pem_crl(block) for block in blocks)
        except UnreadableX509 as exc:
            raise InputError("DF-PKI-022", f"unreadable PEM CRL: {exc}", where) from None
    try:
        return (load_crl(data),)
    except UnreadableX509 as exc:
        raise InputError("DF-PKI-022", str(exc), where) from None


def parse_private_key(data: bytes, passphrase: bytes | None = None,
                      source: str | None = None) -> PrivateKey:
    """The private key in ``data`` (PEM or DER; PKCS#8 or traditional), decrypted if needed.

    Raises
    ------
    InputError
        ``DF-PKI-024`` when the key is encrypted and the passphrase is missing or wrong (or a
        passphrase is given for a plain key); ``DF-PKI-023`` when ``data`` is not a key of a
        type docflow signs with (RSA, ECDSA, Ed25519).
    """
    where = Location(file=source)
    pem = b"-----BEGIN" in data
    try:
        key = serialization.load_pem_private_key(data, passphrase) if pem else \
            serialization.load_der_private_key(data, passphrase)
    except TypeError as exc:  # cryptography: passphrase missing, or given for a plain key
        raise InputError("DF-PKI-024", str(exc), where) from None
    except ValueError as exc:
        encrypted = b"ENCRYPTED" in data if pem else passphrase is not None
        if encrypted:
            raise InputError("DF-PKI-024", "the key cannot be decrypted: wrong passphrase?",
                             where) from None
        raise InputError("DF-PKI-023", f"not a private key ({exc})", where) from None
    except Exception as exc:
        raise InputError("DF-PKI-023", f"unsupported private key ({exc})", where) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey |
                      rsa.RSAPrivateKey):
        raise InputError("DF-PKI-023", f"unsupported key type {type(key).__name__}", where)
    return key


def key_pem(key: PrivateKey, passphrase: bytes | None = None) -> bytes:
    """``key`` as PKCS#8 PEM, encrypted with ``passphrase`` when one is given.

    Encryption is OpenSSL's best available PKCS#8 scheme (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC),
    so ``openssl pkey`` reads what this writes. Its random salt makes an encrypted key differ
    from run to run; an unencrypted one is byte-identical for the same key.
    """
    encryption: serialization.KeySerializationEncryption = \
        serialization.BestAvailableEncryption(passphrase) if passphrase else \
        serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption)


def read_certificates(path: str | Path) -> tuple[x509.Certificate, ...]:
    """The certificates of the file at ``path`` (see :func:`parse_certificates`)."""
    return parse_certificates(_read(path), str(path))


def read_crls(path: str | Path) -> tuple[x509.CertificateRevocationList, ...]:
    """The CRLs of the file at ``path`` (see :func:`parse_crls`)."""
    return parse_crls(_read(path), str(path))


def read_private_key(path: str | Path, passphrase: bytes | None = None) -> PrivateKey:
    """The private key of the file at ``path`` (see :func:`parse_private_key`)."""
    return parse_private_key(_read(path), passphrase, str(path))


def read_passphrase(path: str | Path) -> bytes:
    """The passphrase in the file at ``path``: its first line, without the line ending.

    Raises
    ------
    InputError
        ``DF-IO-001`` when the file cannot be read, ``DF-IO-003`` when the line is empty.
    """
    data = _read(path)
    line = data.splitlines()[0] if data else b""
    if not line:
        raise InputError("DF-IO-003", "the passphrase file is empty",
                         Location(file=str(path)))
    return line


def _read(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=str(path))) from None
