"""What verification returns: immutable results that hold only what was checked.

Callers read these, never the input tree: :attr:`VerifyResult.signed` holds the canonical bytes
each Reference covered (the signed content, and all of it), parsed again on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from cryptography import x509
from lxml import etree

from docflow.dsig.algorithms import DigestMethod, SignatureMethod
from docflow.errors import Finding, Indication, Location, Severity
from docflow.xmlsafe import parse_xml

__all__ = ["DocumentResult", "SignedReference", "VerifyResult"]


@dataclass(frozen=True)
class SignedReference:
    """The content one Reference covered, exactly as it was digested."""

    uri: str
    """The Reference URI (``""`` for the whole document)."""
    canonical: bytes
    """The canonical bytes the digest was computed over: the signed content, and all of it."""
    digest_method: DigestMethod

    @cached_property
    def element(self) -> etree._Element | None:
        """The covered content as a tree, parsed from :attr:`canonical` on first use.

        Comments are gone and signatures the transforms removed are absent, so what a caller
        reads here is what was signed. ``None`` when the Reference covered nothing.
        """
        return parse_xml(self.canonical) if self.canonical.strip() else None


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of verifying one Signature; the only thing callers should read."""

    indication: Indication
    findings: tuple[Finding, ...] = ()
    """Every problem (errors decide :attr:`indication`; warnings do not)."""
    signed: tuple[SignedReference, ...] = ()
    """What the References covered, in Reference order. Filled only when the signature
    passed, or in the crypto-only :class:`~docflow.dsig.trust.EmbeddedKeyValue` mode when
    only trust is missing; empty otherwise, so that unverified content cannot be used."""
    certificate: x509.Certificate | None = None
    """The signing certificate (``None`` for a bare key or an HMAC)."""
    chain: tuple[x509.Certificate, ...] = ()
    """The path the trust source validated, signing certificate first."""
    role: str | None = None
    """The role the trust source gives the certificate; ``None`` when unknown."""
    signature_method: SignatureMethod | None = None
    rule: str | None = None
    """The layout rule whose kind of References the Signature has (``enveloped``, ``organ``,
    ``signer``...), decided before any cryptography so that a signature failing for any reason
    is reported in its own place; ``unknown`` when its References fit no rule of its place."""
    location: Location = field(default_factory=Location)
    """Where the Signature stands."""
    trusted: bool = False
    """Whether the trust source trusted the key (a pinned key, a valid chain, an HMAC secret)."""

    @property
    def passed(self) -> bool:
        """``indication is PASSED``: the signature is valid and its key trusted."""
        return self.indication is Indication.PASSED

    @property
    def sub_indications(self) -> tuple[str, ...]:
        """The codes of the error findings, in order, without repeats."""
        return tuple(dict.fromkeys(f.code for f in self.findings
                                   if f.effective_severity is Severity.ERROR))


@dataclass(frozen=True)
class DocumentResult:
    """The outcome of verifying every Signature of a document against a layout."""

    indication: Indication
    signatures: tuple[VerifyResult, ...]
    """One result per Signature found at an allowed place, in document order. A problem of
    the document as a whole (a Signature out of place, one too many) is copied into every
    result, so that no signature of a wrapped document passes. When the Signatures are too many
    for their place there is no result at all (none was read), and when one kind has too many,
    each result is FAILED unverified: counts are checked before any cryptography."""
    findings: tuple[Finding, ...] = ()
    """Problems of the document as a whole."""

    @property
    def passed(self) -> bool:
        """Every Signature passed and the layout holds."""
        return self.indication is Indication.PASSED

    def by_rule(self, name: str) -> tuple[VerifyResult, ...]:
        """The results of the Signatures that matched the layout rule ``name``."""
        return tuple(r for r in self.signatures if r.rule == name)
