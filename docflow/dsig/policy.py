"""What a verifier accepts: one frozen policy, secure by default, and a named legacy variant.

The default refuses SHA-1, DSA, HMAC, RSA keys under 2048 bits and every transform but
enveloped-signature and canonicalization. Old documents (and most public test vectors) need
more; :data:`LEGACY` admits SHA-1, DSA, HMAC, RSA-1024 and the trivial XPath filter, and the
caller must name it. There are no scattered ``allow_*`` switches: a variant is made with
:func:`dataclasses.replace`.

Some limits hold under every policy and are not fields: an ``HMACOutputLength`` below
``max(80, L/2)`` bits is refused (CVE-2009-0217), an HMAC is never checked with a public key,
only same-document references are followed, and any XPath but the trivial filter is refused.

Examples
--------
>>> from docflow.dsig.algorithms import SignatureMethod
>>> SignatureMethod.RSA_SHA1 in DEFAULT_POLICY.signature_methods
False
>>> SignatureMethod.RSA_SHA1 in LEGACY.signature_methods
True
>>> from dataclasses import replace
>>> replace(DEFAULT_POLICY, id_attributes=("ID",)).id_attributes
('ID',)
"""

from __future__ import annotations

from dataclasses import dataclass

from docflow.dsig.algorithms import C14NMethod, DigestMethod, SignatureMethod, TransformMethod
from docflow.trust import AlgorithmPolicy

__all__ = ["DEFAULT_POLICY", "LEGACY", "VerifyPolicy", "verify_policy"]

_S = SignatureMethod
_D = DigestMethod


@dataclass(frozen=True, slots=True)
class VerifyPolicy:
    """The algorithms, key sizes and limits a verification accepts."""

    signature_methods: frozenset[SignatureMethod] = frozenset({
        _S.RSA_SHA256, _S.RSA_SHA384, _S.RSA_SHA512,
        _S.ECDSA_SHA256, _S.ECDSA_SHA384, _S.ECDSA_SHA512, _S.ED25519})
    """RSA PKCS#1 v1.5 and ECDSA with SHA-2, and Ed25519: what the Government CA's keys and
    current guidance (NIST SP 800-131A) allow. SHA-1 is broken for collisions, and DSA and
    HMAC are not used for documents between agencies."""
    digest_methods: frozenset[DigestMethod] = frozenset({_D.SHA256, _D.SHA384, _D.SHA512})
    """SHA-2 of at least 256 bits, for the same reason."""
    c14n_methods: frozenset[C14NMethod] = frozenset(C14NMethod)
    """All six canonicalizations are safe; docflow itself signs with exclusive C14N."""
    transforms: frozenset[TransformMethod] = frozenset({TransformMethod.ENVELOPED})
    """Besides canonicalization, only enveloped-signature: every other transform lets a
    signature cover something other than the element the caller sees."""
    min_rsa_bits: int = 2048
    """RSA-2048 is what the Government CA issues and the floor of NIST SP 800-131A."""
    min_dsa_bits: int = 2048
    """Only relevant when a policy admits DSA at all."""
    id_attributes: tuple[str, ...] = ("Id", "ID", "id")
    """Attribute names (without a namespace) that hold an XML ID for ``#id`` references.
    docflow reads no DTD or schema, so the caller names them; all three spellings are common
    and a value present twice under any of them is refused."""
    max_references: int = 64
    """An edXML message has one Reference per attachment plus one; more is an attack on
    the verifier's time, not a document."""
    max_transforms: int = 4
    """Enveloped-signature, at most one XPath filter and one canonicalization fit in 3."""


DEFAULT_POLICY = VerifyPolicy()
"""The policy for documents exchanged between agencies."""

LEGACY = VerifyPolicy(
    signature_methods=frozenset(SignatureMethod),
    digest_methods=frozenset(DigestMethod),
    transforms=frozenset({TransformMethod.ENVELOPED, TransformMethod.XPATH}),
    min_rsa_bits=1024,
    min_dsa_bits=1024,
)
"""Admits every algorithm docflow implements (SHA-1, SHA-224, DSA, HMAC), RSA-1024 and the
trivial XPath filter, for old documents and interoperability tests."""


_NAMED = {AlgorithmPolicy.DEFAULT: DEFAULT_POLICY, AlgorithmPolicy.LEGACY: LEGACY}


def verify_policy(name: AlgorithmPolicy) -> VerifyPolicy:
    """The XML-DSig side of the one named algorithm policy of a :class:`~docflow.trust.Trust`.

    >>> verify_policy(AlgorithmPolicy.LEGACY) is LEGACY
    True
    """
    return _NAMED[AlgorithmPolicy(name)]
