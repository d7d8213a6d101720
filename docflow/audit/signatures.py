"""The audit's one seam to signature verification: envelope bytes in, per-role outcome out.

The audit does not verify signatures itself. :meth:`SignatureChecker.check` parses an envelope
once, hands the tree to the edXML signature profile (:func:`docflow.profile.edxml.verify_message`:
XML-DSig from :mod:`docflow.dsig`, certificate paths from :mod:`docflow.pki`), and turns what
it returns into a :class:`~docflow.metrics.coverage.DocumentOutcome` with
:func:`docflow.metrics.outcomes.message_outcome` — the rule the simulator's ``real`` and ``sample``
modes use too, so an audit of a simulated archive counts exactly what the simulation counted.

What is counted, and how
------------------------
* An **XML-DSig** signature counts for the role its certificate gives it (``organ``,
  ``signer``); when no certificate role can be established, the place it stands in the profile
  gives its role for presence only (see :mod:`docflow.metrics.outcomes`).
* A **legacy QCVN** ``Signature`` (in the edXML namespace, often with placeholder values and
  rsa-sha1) signs the message, so it counts as an organ signature that is *present* and never
  valid, with the reason ``DF-ENV-070``.
* A **PDF signature** (PAdES, Decree 30) on an attachment counts for its certificate's role
  exactly as an XML-DSig one does (:mod:`docflow.profile.pdf_attachments`), its organ code
  checked against the sender; each role's ``source`` says ``xml``, ``pdf`` or ``both``. Field
  messages carry a placeholder envelope signature and the real ones on the PDF: a valid PDF
  organ signature makes the placeholder's ``DF-ENV-070`` no reason.
* A message with none counts as a document with no signature (coverage 0).
* Bytes that cannot be parsed count as a document with no signature, with the parser's code as
  the reason, so a damaged envelope lowers coverage instead of vanishing from it.

The validation time
-------------------
``at=None`` checks every signature at its **signing time**, which an audit of past documents
asks about ("was the certificate good when the document was signed?"), and which does not
change from one audit to the next, so stored results stay reusable. docflow takes it from the
envelope (:func:`docflow.archive.metadata.signing_time`: the sender's ``TraceHeader``
timestamp, else the end of the ``PromulgationDate``), else the time of the audit.

``TrustConfig`` names the trust anchors, CRLs, revocation mode, policy and role mapping; its
:meth:`~TrustConfig.fingerprint` tags every stored result, so results checked against one trust
store (or one role mapping) are never reused for another.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docflow.archive.metadata import signing_time
from docflow.dsig import DEFAULT_POLICY, LEGACY
from docflow.errors import InputError, Location
from docflow.metrics.coverage import DocumentOutcome
from docflow.metrics.outcomes import message_outcome, outcome_of
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import EDXML_NS, verify_message
from docflow.profile.files import trust_validator
from docflow.profile.pdf_attachments import pdf_outcome_parts, verify_pdf_attachments
from docflow.xmlsafe import parse_xml

__all__ = ["DSIG_NS", "SignatureChecker", "TrustConfig", "signing_time"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

_LEGACY = f"{{{EDXML_NS}}}Signature"
_DSIG = f"{{{DSIG_NS}}}Signature"
_REVOCATION = ("require", "if-available", "off")


@dataclass(frozen=True, slots=True)
class TrustConfig:
    """What signatures are checked against, as ``docflow verify`` takes it.

    The default (no anchors) trusts nothing, so no signature can be valid: an audit that forgot
    its trust store reports zero valid signatures rather than a false 100%.
    """

    anchors: tuple[Path, ...] = ()
    """Trust anchor files (PEM or DER), or ``docflow pki init`` folders (``--trust``)."""
    crls: tuple[Path, ...] = ()
    """CRL files (``--crl``)."""
    revocation: str = "require"
    """``require`` a CRL in force for every CA (the default: an unknown revocation status is
    not a valid signature), ``if-available`` or ``off``."""
    legacy: bool = False
    """Admit SHA-1, DSA and RSA-1024 (the named legacy policy); off by default."""
    roles: Path | None = None
    """A role mapping (TOML, :func:`docflow.pki.roles.read_role_mapping`) for certificates of
    other CAs (``--roles``). ``None``: only docflow's own policy OIDs give a role, so a
    certificate of another CA is never valid for a role it was not shown to have."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "anchors", tuple(Path(p) for p in self.anchors))
        object.__setattr__(self, "crls", tuple(Path(p) for p in self.crls))
        if self.roles is not None:
            object.__setattr__(self, "roles", Path(self.roles))
        if self.revocation not in _REVOCATION:
            raise ValueError(f"revocation {self.revocation!r} is not one of "
                             f"{', '.join(_REVOCATION)}")

    @property
    def policy(self) -> str:
        """The name results are stored under: ``default`` or ``legacy``, with the revocation
        mode when it is not ``require``."""
        name = "legacy" if self.legacy else "default"
        return name if self.revocation == "require" else f"{name}+revocation={self.revocation}"

    def fingerprint(self) -> str:
        """SHA-256 over the policy and the bytes of every anchor, CRL and role mapping,
        order-free.

        Two configurations with the same files in another order, or under other names, have
        the same fingerprint; changing one byte of a CRL or of the role mapping changes it. A
        folder counts with every file in it.

        Raises
        ------
        InputError
            ``DF-IO-001`` when a file cannot be read.
        """
        digest = hashlib.sha256(f"policy={self.policy}\n".encode())
        # What the audit checks: results stored before PDF attachments were checked are not
        # reused for an audit that checks them.
        digest.update(b"checks=xml-dsig+pdf\n")
        roles = () if self.roles is None else (self.roles,)
        for label, paths in (("anchor", self.anchors), ("crl", self.crls), ("roles", roles)):
            for item in sorted(d for p in paths for d in _digests(p)):
                digest.update(f"{label}={item}\n".encode())
        return digest.hexdigest()

    def validator(self) -> PathValidator:
        """The path validator for these anchors, CRLs and role mapping (built once per worker
        process).

        Raises
        ------
        InputError
            An anchor, CRL or role mapping that cannot be read (``DF-IO``, ``DF-PKI`` codes).
        ConfigError
            ``DF-PKI-026``: the role mapping is not TOML or a rule is invalid.
        """
        return trust_validator([str(p) for p in self.anchors], [str(p) for p in self.crls],
                               revocation=self.revocation, legacy=self.legacy,
                               roles=None if self.roles is None else str(self.roles))


def _digests(path: Path) -> list[str]:
    try:
        if path.is_dir():
            return [f"{f.relative_to(path).as_posix()}:"
                    f"{hashlib.sha256(f.read_bytes()).hexdigest()}"
                    for f in sorted(path.rglob("*")) if f.is_file()]
        return [hashlib.sha256(path.read_bytes()).hexdigest()]
    except OSError as exc:
        raise InputError("DF-IO-001", f"cannot read: {exc.strerror or exc}",
                         Location(file=os.fspath(path))) from None


class SignatureChecker:
    """Checks the signatures of envelopes against one trust configuration.

    Build one per process and reuse it: loading anchors and CRLs and the path validator's
    per-certificate cache behind them are paid once and shared by every envelope the process
    checks (one organ certificate signs thousands of documents). :meth:`check` keeps its
    per-call state in local variables.
    """

    def __init__(self, trust: TrustConfig) -> None:
        self.trust = trust
        self._validator = trust.validator()
        self._policy = LEGACY if trust.legacy else DEFAULT_POLICY

    def check(self, data: bytes, at: datetime | None = None) -> DocumentOutcome:
        """The per-role outcome of the signatures in ``data``.

        Parameters
        ----------
        data
            The raw bytes of one edXML message.
        at
            The validation time; ``None`` checks at the envelope's signing time.

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
        tags = {element.tag for element in root.iter(_LEGACY, _DSIG)}  # one walk for both
        legacy = _LEGACY in tags
        when = at or signing_time(root) or datetime.now(UTC)
        pdf, pdf_reasons = pdf_outcome_parts(verify_pdf_attachments(
            root, self._validator, at=when, legacy=self.trust.legacy, required_roles=(),
            describe=False))
        if _DSIG not in tags:  # speed: no XML-DSig to verify, no verifier call
            return outcome_of((), legacy=legacy, extra_reasons=pdf_reasons, pdf=pdf)
        # The tree is this call's own and read no more: handed over, as verify_message
        # would own a tree it parsed from the bytes itself.
        return message_outcome(
            verify_message(root, trust=self._validator, at=when, policy=self._policy,
                           owned=True),
            legacy=legacy, pdf=pdf, pdf_reasons=pdf_reasons)
