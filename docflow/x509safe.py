"""Load X.509 certificates and CRLs from untrusted bytes, reading every field once, at load.

cryptography checks the outer structure of a certificate when it loads it, but decodes the
issuer and subject names, the public key and the extensions only when a caller first reads
them (a CRL: its issuer and its entries). Damage inside those fields gives an object that loads
and then raises wherever it is first read — in the middle of path building, while comparing
names, while printing a report — and not always a ``ValueError``: a name attribute of the wrong
string type raises ``TypeError``, a repeated extension ``DuplicateExtension``, a bad version
``InvalidVersion``. Which class comes out is not part of cryptography's API.

So docflow reads untrusted X.509 here and only here: the loaders read every field any part of
docflow uses, and turn any failure into :class:`UnreadableX509` (a ``ValueError``) that names
the field. Decoding is deterministic, so an object that passed reads without error everywhere
after; callers turn the error into a finding or an input error with a stable code
(``DF-SIG-027`` for a certificate in a signature's KeyInfo, ``DF-PKI-021``/``-022`` for trust
files). :func:`certificate_problem` and :func:`crl_problem` check objects built elsewhere.

A public key or signature algorithm that cryptography does not implement is *not* damage: the
certificate is well formed, and path validation reports the algorithm (``DF-PKI-019``).

Examples
--------
>>> load_certificate(b"0\\x00")
Traceback (most recent call last):
...
docflow.x509safe.UnreadableX509: not a DER X.509 certificate (...)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

__all__ = [
    "UnreadableX509",
    "certificate_problem",
    "crl_entries_problem",
    "crl_problem",
    "load_certificate",
    "load_crl",
    "load_pem_certificates",
    "load_pem_crl",
]


_T = TypeVar("_T")


class UnreadableX509(ValueError):
    """A certificate or CRL, or a field of one, that cannot be decoded."""


def _problem(what: str, read: Callable[[], object],
             tolerate: tuple[type[Exception], ...] = ()) -> str | None:
    """Why ``read()`` fails, as ``"<what> is malformed (...)"``, or ``None`` when it works."""
    try:
        read()
    except tolerate:
        return None
    # The exception classes cryptography's decoders raise are not part of its API (see the
    # module docstring): any failure of a read is damage, and what matters is which field.
    except Exception as exc:
        return f"{what} is malformed ({exc})"
    return None


def _extensions(extensions: x509.Extensions) -> None:
    for extension in extensions:
        _ = extension.oid.dotted_string, extension.critical, extension.value


def certificate_problem(cert: x509.Certificate) -> str | None:
    """Why a field of ``cert`` cannot be read, or ``None`` when every field docflow uses can.

    A name read here is decoded into attributes of the right types, which is all that can
    fail: formatting it (``rfc4514_string``) and comparing it work on those attributes.

    Examples
    --------
    >>> import datetime as dt
    >>> from cryptography.hazmat.primitives import hashes
    >>> from cryptography.hazmat.primitives.asymmetric import ec
    >>> key = ec.generate_private_key(ec.SECP256R1())
    >>> name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "A")])
    >>> cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
    ...         .public_key(key.public_key()).serial_number(1)
    ...         .not_valid_before(dt.datetime(2025, 1, 1))
    ...         .not_valid_after(dt.datetime(2026, 1, 1)).sign(key, hashes.SHA256()))
    >>> certificate_problem(cert) is None
    True
    """
    return (_problem("the serial number", lambda: cert.serial_number)
            or _problem("the issuer name", lambda: cert.issuer)
            or _problem("the subject name", lambda: cert.subject)
            or _problem("the validity", lambda: (cert.not_valid_before_utc,
                                                 cert.not_valid_after_utc))
            or _problem("the public key", cert.public_key, (UnsupportedAlgorithm,))
            or _problem("the extensions", lambda: _extensions(cert.extensions))
            or _problem("the signature algorithm", lambda: cert.signature_hash_algorithm,
                        (UnsupportedAlgorithm,))
            or _problem("the signature algorithm parameters",
                        lambda: cert.signature_algorithm_parameters, (UnsupportedAlgorithm,)))


def crl_problem(crl: x509.CertificateRevocationList) -> str | None:
    """Why ``crl`` cannot be indexed (its issuer or its dates cannot be read), or ``None``.

    A CRL that passes can be filed under its issuer; its extensions and entries may still be
    damaged (:func:`crl_entries_problem`), which makes it unusable but not unplaceable.
    """
    return (_problem("the issuer name", lambda: crl.issuer)
            or _problem("the update times", lambda: (crl.last_update_utc,
                                                     crl.next_update_utc)))


def crl_entries_problem(crl: x509.CertificateRevocationList) -> str | None:
    """Why the extensions or an entry of ``crl`` cannot be read, or ``None`` when all can."""
    found = _problem("the extensions", lambda: _extensions(crl.extensions))
    if found is not None:
        return found

    def entries() -> None:
        for entry in crl:
            _ = entry.serial_number, entry.revocation_date_utc
            _extensions(entry.extensions)
    return _problem("an entry", entries)


def _load(what: str, load: Callable[[], _T]) -> _T:
    try:
        return load()
    except Exception as exc:  # ValueError, InvalidVersion...: see the module docstring
        raise UnreadableX509(f"not a {what} ({exc})") from None


def _checked(value: _T, problem_of: Callable[[_T], str | None]) -> _T:
    """``value`` if ``problem_of`` finds nothing unreadable in it; else ``UnreadableX509``."""
    problem = problem_of(value)
    if problem is not None:
        raise UnreadableX509(problem)
    return value


def load_certificate(der: bytes) -> x509.Certificate:
    """The DER certificate ``der``, every field read (:func:`certificate_problem`).

    Raises
    ------
    UnreadableX509
        ``der`` is not a certificate, or a field of it cannot be read.
    """
    cert = _load("DER X.509 certificate", lambda: x509.load_der_x509_certificate(der))
    return _checked(cert, certificate_problem)


def load_pem_certificates(data: bytes) -> tuple[x509.Certificate, ...]:
    """Every certificate of the PEM bundle ``data``, each read in full.

    Raises
    ------
    UnreadableX509
        No PEM certificate in ``data``, or one of them cannot be read.
    """
    certs = _load("PEM X.509 certificate", lambda: x509.load_pem_x509_certificates(data))
    return tuple(_checked(c, certificate_problem) for c in certs)


def load_crl(der: bytes) -> x509.CertificateRevocationList:
    """The DER CRL ``der``, with its issuer and dates read (:func:`crl_problem`).

    Raises
    ------
    UnreadableX509
        ``der`` is not a CRL, or its issuer or dates cannot be read.
    """
    crl = _load("DER X.509 CRL", lambda: x509.load_der_x509_crl(der))
    return _checked(crl, crl_problem)


def load_pem_crl(block: bytes) -> x509.CertificateRevocationList:
    """The CRL of one PEM block, with its issuer and dates read (see :func:`load_crl`)."""
    crl = _load("PEM X.509 CRL", lambda: x509.load_pem_x509_crl(block))
    return _checked(crl, crl_problem)
