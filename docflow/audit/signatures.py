"""The audit's one seam to signature verification: envelope bytes in, per-role outcome out.

The audit does not verify signatures itself. It asks :meth:`SignatureChecker.check` what the
signatures of one envelope come to — for each role (organ, signer) whether a signature is present
and whether it is valid, and the finding codes of the invalid ones — and counts the answer with
:mod:`docflow.metrics.coverage`, exactly as the simulator counts its own. Everything about
XML-DSig, certificates and the edXML signature profile stays behind this seam, so the counting
does not change when the verifier does.

What is counted, and how
------------------------
* A **legacy QCVN** ``Signature`` (in the edXML namespace, often with placeholder values and
  rsa-sha1) signs the message, so it counts as an organ signature that is *present* and never
  valid, with the reason ``DF-ENV-070``.
* An **XML-DSig** ``Signature`` counts for the role its certificate gives it. A signature whose
  role cannot be established counts toward neither role; its reasons are still recorded.
* A message with neither counts as a document with no signature (coverage 0).
* Bytes that cannot be parsed count as a document with no signature, with the parser's code as
  the reason, so a damaged envelope lowers coverage instead of vanishing from it.

``TrustConfig`` names the trust anchors, CRLs and policy; its :meth:`~TrustConfig.fingerprint`
tags every stored result, so results checked against one trust store are never reused for
another.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from docflow.errors import InputError, Location
from docflow.metrics.coverage import DocumentOutcome
from docflow.metrics.outcomes import outcome_of
from docflow.xmlsafe import parse_xml

__all__ = ["DSIG_NS", "EDXML_NS", "SignatureChecker", "TrustConfig"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

_LEGACY = f"{{{EDXML_NS}}}Signature"
_DSIG = f"{{{DSIG_NS}}}Signature"


@dataclass(frozen=True, slots=True)
class TrustConfig:
    """What signatures are checked against: trust anchors, CRLs and a named policy.

    The default (no anchors) trusts nothing, so no signature can be valid: an audit that forgot
    its trust store reports zero valid signatures rather than a false 100%.
    """

    anchors: tuple[Path, ...] = ()
    """PEM or DER files of trust anchors (``--trust``)."""
    crls: tuple[Path, ...] = ()
    """PEM or DER CRL files (``--crl``)."""
    policy: str = "default"
    """The name of the verification policy; ``default`` refuses SHA-1, DSA and HMAC."""

    def fingerprint(self) -> str:
        """SHA-256 over the policy name and the bytes of every anchor and CRL, order-free.

        Two configurations with the same files in another order, or under other names, have
        the same fingerprint; changing one byte of a CRL changes it.

        Raises
        ------
        InputError
            ``DF-IO-001`` when a file cannot be read.
        """
        digest = hashlib.sha256(f"policy={self.policy}\n".encode())
        for label, paths in (("anchor", self.anchors), ("crl", self.crls)):
            for item in sorted(_file_digest(p) for p in paths):
                digest.update(f"{label}={item}\n".encode())
        return digest.hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=os.fspath(path))) from None


class SignatureChecker:
    """Checks the signatures of envelopes against one trust configuration.

    Build one per process and reuse it: loading anchors and CRLs, and the certificate-path
    cache behind them, is paid once and shared by every envelope the process checks. Holds only
    configuration and caches; :meth:`check` keeps its per-call state in local variables.
    """

    def __init__(self, trust: TrustConfig) -> None:
        self.trust = trust

    def check(self, data: bytes, at: datetime | None = None) -> DocumentOutcome:
        """The per-role outcome of the signatures in ``data``.

        Parameters
        ----------
        data
            The raw bytes of one edXML message.
        at
            The validation time; ``None`` checks each signature at its own signing time, which
            is what an audit of old documents asks ("was it valid when signed?").

        Examples
        --------
        >>> checker = SignatureChecker(TrustConfig())
        >>> checker.check(b"<x/>")
        DocumentOutcome(organ_present=False, organ_valid=False, signer_present=False, \
signer_valid=False, reasons=())
        >>> checker.check(b"not xml").reasons
        ('DF-XML-001',)
        """
        try:
            root = parse_xml(data)
        except InputError as exc:
            return DocumentOutcome(reasons=(exc.code,))
        return self._check_tree(root, at)

    def _check_tree(self, root: etree._Element, at: datetime | None) -> DocumentOutcome:
        legacy = next(root.iter(_LEGACY), None) is not None
        if next(root.iter(_DSIG), None) is None:
            return outcome_of((), legacy=legacy)
        # No verifier of the docflow signature profile is wired in yet: an XML-DSig signature
        # cannot be given a role or checked, so it counts toward neither role.
        return outcome_of((), legacy=legacy, extra_reasons=("DF-AUD-001",))
