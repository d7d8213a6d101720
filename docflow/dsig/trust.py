"""Where trust in a signing key comes from: never from the document itself.

A document can carry any certificate or key in its ``KeyInfo``; anyone can put one there. The
verifier therefore only *reads* the certificates and asks a trust source, chosen by the caller,
whether to believe them. Four sources exist, and the caller names the one it means:

* a :class:`CertificateChecker` — a path validator to trust anchors (docflow's ``pki`` package
  implements this protocol: anchors, CRLs, validity at a time, key usage, policy OIDs), or the
  :class:`PinnedKeyChecker` below for certificates known out of band;
* :class:`EmbeddedKeyValue` — check the cryptography with the key found in the document and
  establish **no** trust (the verdict stays INDETERMINATE, code ``DF-SIG-016``);
* :class:`PinnedPublicKey` — a bare public key known out of band (``xmlsec1 --pubkey-der``):
  the document's KeyInfo is ignored and the signature must verify with this key;
* :class:`HmacKey` — a shared secret (legacy policy only).

The role of a signature (``organ`` or ``signer``) is part of the trust decision: it comes from
the certificate, as the checker reads it, never from anything the document claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from docflow.dsig.algorithms import PublicKey
from docflow.errors import Finding
from docflow.x509names import readable_name
from docflow.x509safe import certificate_problem

__all__ = [
    "CertificateChecker",
    "ChainOutcome",
    "ChainResult",
    "EmbeddedKeyValue",
    "HmacKey",
    "PinnedKeyChecker",
    "PinnedPublicKey",
    "TrustSource",
    "as_utc",
]


def as_utc(at: datetime) -> datetime:
    """Return ``at`` as an aware UTC datetime; a naive datetime is taken to be UTC.

    An aware time within hours of the ends of ``datetime``'s range (midnight of 0001-01-01 at
    +07:00, which a document can claim as its signing time) has no UTC ``datetime``: it is
    returned as it is, still aware. All the verifier does with the time is compare it with
    certificate dates, and those comparisons stay exact, so the answer is the true one (no
    certificate is valid then) rather than an ``OverflowError``.

    >>> as_utc(datetime(2026, 1, 2, 3, 4, 5)).isoformat()
    '2026-01-02T03:04:05+00:00'
    >>> from datetime import timedelta, timezone
    >>> as_utc(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=7)))).isoformat()
    '0001-01-01T00:00:00+07:00'
    """
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    try:
        return at.astimezone(UTC)
    except OverflowError:
        return at


@dataclass(frozen=True, slots=True)
class ChainResult:
    """What a trust source concluded about a signing certificate.

    The verifier copies :attr:`problems` into its own findings and takes :attr:`role` as the
    signature's role; it adds ``DF-SIG-015`` itself when ``trusted`` is false and no problem says
    why.
    """

    trusted: bool
    """True when the certificate leads to a trust anchor and passes every check at the time."""
    chain: tuple[x509.Certificate, ...] = ()
    """The path that was validated, signing certificate first, trust anchor last."""
    role: str | None = None
    """The role the trust configuration gives the certificate (``organ``, ``signer``), or
    ``None`` when it gives none; the role is then reported as unknown, never guessed."""
    problems: tuple[Finding, ...] = ()
    """Why the certificate is not trusted, or warnings about it, with stable codes."""


class ChainOutcome(Protocol):
    """What the verifier reads from a checker's answer; :class:`ChainResult` is one.

    A protocol rather than a class, so that a path validator in another package (docflow's
    ``pki``) can return its own frozen result type without importing this module.
    """

    @property
    def trusted(self) -> bool: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...

    @property
    def role(self) -> str | None: ...

    @property
    def problems(self) -> tuple[Finding, ...]: ...


@runtime_checkable
class CertificateChecker(Protocol):
    """Decides whether a signing certificate is trusted at a given time, and its role.

    Implementations must be safe to share between calls and threads, and should cache their
    results per certificate: one certificate signs many documents.
    """

    def check(self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
              at: datetime) -> ChainOutcome:
        """Validate ``leaf`` with the untrusted ``intermediates`` the document carried.

        Parameters
        ----------
        leaf
            The certificate whose key verified (or is about to verify) the signature.
        intermediates
            The other certificates of the document's ``X509Data``, in document order; they are
            candidates for path building, never trust anchors.
        at
            The validation time (aware, UTC).
        """
        ...


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class PinnedKeyChecker:
    """Trust exactly these certificates, known out of band, and nothing else.

    This is the trust source for a key agreed outside any PKI: a partner's self-signed
    certificate, or a receipt format whose documents carry no ``KeyInfo`` at all (the verifier
    then tries the pinned certificates' keys). A document's certificate is trusted only when it
    is byte for byte one of the pinned ones; a certificate with the same subject but another key
    is not. The pinned certificate must still be valid at the verification time and, when it has
    a key usage extension, allow signatures. A pinned certificate with a field that cannot be
    read (:mod:`docflow.x509safe`) is refused with ``ValueError`` when the checker is made.
    """

    certificates: tuple[x509.Certificate, ...]
    """The pinned certificates. Usually one; several when a partner rolls its key."""
    role: str | None = None
    """The role the caller gives signatures made with these keys; ``None`` leaves it unknown."""
    check_validity: bool = True
    """Check notBefore/notAfter at the verification time. Turn off only for a bare key wrapped
    in a certificate of convenience whose dates mean nothing."""
    _pinned: frozenset[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "certificates", tuple(self.certificates))
        for number, cert in enumerate(self.certificates, 1):
            problem = certificate_problem(cert)
            if problem is not None:  # refused now, never when a document is checked
                raise ValueError(f"pinned certificate {number} cannot be read: {problem}")
        object.__setattr__(self, "_pinned", frozenset(_der(c) for c in self.certificates))

    def check(self, leaf: x509.Certificate, intermediates: Sequence[x509.Certificate],
              at: datetime) -> ChainResult:
        """Trust ``leaf`` if it is one of the pinned certificates and usable at ``at``."""
        if _der(leaf) not in self._pinned:
            return ChainResult(False, problems=(Finding(
                "DF-SIG-015", "the signing certificate is not one of the pinned certificates "
                f"(subject {readable_name(leaf.subject)!r})"),))
        problems = certificate_usage_problems(leaf, as_utc(at), self.check_validity)
        return ChainResult(not problems, (leaf,), self.role, problems)


def certificate_usage_problems(cert: x509.Certificate, at: datetime,
                               check_validity: bool = True) -> tuple[Finding, ...]:
    """Validity at ``at`` and a key usage that allows signing, as findings (DF-PKI codes).

    These are the checks a pinned certificate still needs: the pin replaces path building,
    not the certificate's own limits.
    """
    problems: list[Finding] = []
    if check_validity:
        if at > cert.not_valid_after_utc:
            problems.append(Finding("DF-PKI-003", "the pinned certificate expired on "
                                    f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC"))
        elif at < cert.not_valid_before_utc:
            problems.append(Finding("DF-PKI-004", "the pinned certificate is valid only from "
                                    f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC"))
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    except ValueError:  # a malformed extension: cryptography parses lazily
        usage = None
        problems.append(Finding("DF-PKI-007", "the pinned certificate's key usage extension "
                                "cannot be read"))
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        problems.append(Finding("DF-PKI-007", "the pinned certificate's key usage allows neither "
                                "digitalSignature nor nonRepudiation"))
    return tuple(problems)


@dataclass(frozen=True, slots=True)
class EmbeddedKeyValue:
    """Check only the cryptography, with the key the document carries; establish no trust.

    The key comes from ``KeyValue`` (RSA, EC, DSA) or, failing that, from the signing
    certificate in ``X509Data``, which is *not* validated. Anyone can embed their own key, so
    a result in this mode is at best INDETERMINATE with ``DF-SIG-016``: it tells the caller the
    signature is intact and which key made it, not who holds that key.
    """


@dataclass(frozen=True, slots=True)
class HmacKey:
    """A shared HMAC secret; usable only under a policy that admits HMAC (the legacy one).

    The secret is the trust: whoever holds it can sign. The verifier refuses an HMAC
    signature under any other trust source, so a public key is never used as an HMAC secret.
    """

    secret: bytes = field(repr=False)
    role: str | None = None


@dataclass(frozen=True)
class PinnedPublicKey:
    """Trust a signature made with one of these public keys, known out of band.

    For a partner who hands over a bare key, not a certificate (XML-DSig 1.1's interop files
    carry an ``ECKeyValue``, and xmlsec1 checks them with ``--pubkey-der``). What the document
    says about its key (``KeyInfo``: certificates, KeyValue) is ignored: the signature must
    verify with a pinned key, and that is the whole trust decision. There is no certificate,
    so no validity period, key usage or revocation applies; the role is the caller's.
    """

    keys: tuple[PublicKey, ...]
    """The pinned keys; usually one."""
    role: str | None = None
    """The role the caller gives signatures made with these keys; ``None`` leaves it unknown."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.keys))
        if not self.keys:
            raise ValueError("a pinned public key source needs at least one key")


#: What :func:`docflow.dsig.verify.verify` accepts as its ``trust`` argument.
TrustSource = CertificateChecker | EmbeddedKeyValue | HmacKey | PinnedPublicKey
