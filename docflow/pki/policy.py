"""What path validation requires: the revocation mode, the algorithms, the key usages.

One frozen :class:`ValidationPolicy` per deployment; the defaults are the secure choice, and
the one named variant, :data:`LEGACY_POLICY`, admits old certificates by name rather than by a
scattering of flags.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from docflow.pki.builder import DOCUMENT_SIGNING
from docflow.trust import AlgorithmPolicy, KeyUsageRule, RevocationMode

__all__ = ["DEFAULT_POLICY", "LEGACY_POLICY", "RevocationCheck", "ValidationPolicy",
           "validation_policy"]


RevocationCheck = RevocationMode
"""How revocation is checked: the one enum of :mod:`docflow.trust`, under its older name."""


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    """What path validation requires; the defaults are the secure choice.

    Make variants with :func:`dataclasses.replace`; :data:`LEGACY_POLICY` is the named policy
    for old certificates.
    """

    revocation: RevocationCheck = RevocationCheck.REQUIRE
    """CRLs required: a signature verifier cannot call a certificate good without knowing it is
    not revoked (ETSI EN 319 102-1 makes that INDETERMINATE, not PASSED)."""
    signature_hashes: frozenset[str] = frozenset({"sha256", "sha384", "sha512"})
    """Hashes a certificate's signature may use (Ed25519's, which has none, is always
    allowed). SHA-1 is out: chosen-prefix collisions on it are practical since 2020."""
    min_rsa_bits: int = 2048
    """RSA keys below 2048 bits are refused (NIST SP 800-131A: disallowed since 2014)."""
    allow_dsa: bool = False
    """DSA keys are refused: FIPS 186-5 withdrew DSA for signing."""
    require_key_usage: bool = True
    """A signing certificate without keyUsage is refused. RFC 5280 would read "no keyUsage" as
    "any usage", but every CA profile in use (the Government CA's included) sets it, so its
    absence means the certificate was not made for signing."""
    document_ekus: frozenset[x509.ObjectIdentifier] = frozenset({
        DOCUMENT_SIGNING,
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
        x509.ObjectIdentifier("1.3.6.1.4.1.311.10.3.12"),  # Microsoft document signing
        x509.ObjectIdentifier("1.2.840.113583.1.1.5"),  # Adobe authentic documents trust
    })
    """Extended key usages that allow signing documents, when the leaf has the extension:
    RFC 9336 documentSigning, emailProtection (what Vietnamese CAs' personal certificates
    carry for S/MIME and documents), anyExtendedKeyUsage, and the two vendor document-signing
    purposes."""
    max_path_length: int = 8
    """Longest path (certificates, leaf and anchor included) the builder explores; real
    national hierarchies are 3–4 deep, and the bound stops a crafted KeyInfo from making path
    building exponential."""
    max_paths: int = 8
    """How many complete paths are checked before giving up on finding a passing one."""
    max_presented: int = 16
    """Certificates taken from the document's KeyInfo as path-building candidates; the rest
    are ignored. A real X509Data carries the signer's chain (2–4 certificates, a few more with
    cross-certificates); every candidate more is work an unauthenticated document buys."""
    max_path_work: int = 64
    """Links tried while building paths (every issuer candidate of every partial path, each at
    most one signature check), over all paths of one validation. A national chain needs 2–4;
    past the budget, building stops with ``DF-PKI-030`` instead of exploring the orderings of
    crafted cross-certificates, which grow exponentially with their number."""


DEFAULT_POLICY = ValidationPolicy()
"""The secure default."""

LEGACY_POLICY = ValidationPolicy(
    signature_hashes=frozenset({"sha1", "sha224", "sha256", "sha384", "sha512"}),
    min_rsa_bits=1024, allow_dsa=True)
"""For certificates issued before SHA-1 and short RSA keys were retired; opt-in by name."""


_NAMED = {AlgorithmPolicy.DEFAULT: DEFAULT_POLICY, AlgorithmPolicy.LEGACY: LEGACY_POLICY}


def validation_policy(name: AlgorithmPolicy,
                      revocation: RevocationMode = RevocationMode.REQUIRE,
                      key_usage: KeyUsageRule = KeyUsageRule.REQUIRE) -> ValidationPolicy:
    """The certificate side of the one named algorithm policy of a
    :class:`~docflow.trust.Trust`, with its revocation mode and key usage rule.

    The stricter certificate rules (keyUsage required unless the trust says ``if-present``, a
    CA certificate never signs, MD5 never) hold under both names.

    >>> validation_policy(AlgorithmPolicy.LEGACY, RevocationMode.OFF).min_rsa_bits
    1024
    """
    return replace(_NAMED[AlgorithmPolicy(name)], revocation=RevocationMode(revocation),
                   require_key_usage=KeyUsageRule(key_usage) is KeyUsageRule.REQUIRE)
