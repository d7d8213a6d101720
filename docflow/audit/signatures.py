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

The audit's :class:`~docflow.trust.Trust` is the one ``docflow validate`` and ``docflow verify``
take (anchors, CRLs, revocation mode, algorithm policy, role mapping); its
:meth:`~docflow.trust.Trust.fingerprint` tags every stored result, so results checked against
one trust store (or one role mapping) are never reused for another.
"""

from __future__ import annotations

from datetime import UTC, datetime

from docflow.archive.metadata import signing_time
from docflow.errors import InputError
from docflow.metrics.coverage import DocumentOutcome
from docflow.metrics.outcomes import message_outcome, outcome_of
from docflow.profile.edxml import EDXML_NS, verify_message
from docflow.profile.pdf_attachments import pdf_outcome_parts, verify_pdf_attachments
from docflow.profile.trusted import path_validator, signature_policy, trust_source
from docflow.trust import Trust
from docflow.xmlsafe import parse_xml

__all__ = ["DSIG_NS", "SignatureChecker", "signing_time"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

_LEGACY = f"{{{EDXML_NS}}}Signature"
_DSIG = f"{{{DSIG_NS}}}Signature"


class SignatureChecker:
    """Checks the signatures of envelopes against one trust configuration.

    Build one per process and reuse it: loading anchors and CRLs and the path validator's
    per-certificate cache behind them are paid once and shared by every envelope the process
    checks (one organ certificate signs thousands of documents). :meth:`check` keeps its
    per-call state in local variables.
    """

    def __init__(self, trust: Trust) -> None:
        self.trust = trust
        self._validator = trust_source(trust)  # the edXML profile: a key given is refused
        self._pdf_validator = path_validator(trust)  # the same cached validator
        self._policy = signature_policy(trust)

    def check(self, data: bytes, at: datetime | None = None) -> DocumentOutcome:
        """The per-role outcome of the signatures in ``data``.

        Parameters
        ----------
        data
            The raw bytes of one edXML message.
        at
            The validation time; ``None`` checks at the trust's time, else the envelope's
            signing time.

        Examples
        --------
        >>> checker = SignatureChecker(Trust())
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
        when = at or self.trust.at or signing_time(root) or datetime.now(UTC)
        pdf, pdf_reasons = pdf_outcome_parts(verify_pdf_attachments(
            root, self._pdf_validator, at=when, legacy=self.trust.legacy, required_roles=(),
            describe=False))
        if _DSIG not in tags:  # speed: no XML-DSig to verify, no verifier call
            return outcome_of((), legacy=legacy, extra_reasons=pdf_reasons, pdf=pdf)
        # The tree is this call's own and read no more: handed over, as verify_message
        # would own a tree it parsed from the bytes itself.
        return message_outcome(
            verify_message(root, trust=self._validator, at=when, policy=self._policy,
                           owned=True),
            legacy=legacy, pdf=pdf, pdf_reasons=pdf_reasons)
