"""The signature check of ``docflow validate``: every XML-DSig signature, against one trust.

It runs the edXML signature profile (:func:`docflow.profile.edxml.verify_message`: the signer's
signature over the attachments, the organ's over the whole message, each role taken from its
certificate) on the message the engine has already parsed, with the trust source, algorithm
policy and time of the configuration's :class:`~docflow.trust.Trust`, and turns the outcome
into the report's per-signature results, so that a report says which signature failed and why.

Giving a trust means checking signatures: a document message must then hold a signature of
every required role (the organ by default, as ``docflow verify`` asks; ``DF-SIG-028``), so a
message whose Signatures were stripped in transit fails, with its ``DF-SIG-022`` an error. Only
when no role is required (``--require none``, the draft workflow) — or for a status message,
which needs none — is a message with no signature at all a draft, warned about
(``DF-SIG-022`` as a warning). A signature that is present is never passed without a trusted
path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from docflow.dsig.verify import VerifyResult
from docflow.errors import Finding, Location, Severity
from docflow.metrics.outcomes import ABSENCE_CODES
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import REQUIRED_ROLES, verify_message
from docflow.profile.pdf_attachments import pdf_attachments, verify_pdf_attachments
from docflow.profile.trusted import signature_policy, trust_source
from docflow.trust import Trust
from docflow.validation.checks import CheckOutcome, Message
from docflow.validation.report import SignatureResult
from docflow.x509names import readable_name

if TYPE_CHECKING:
    from docflow.validation.config import ValidationConfig

__all__ = ["SignatureCheck"]

_UNSIGNED = "DF-SIG-022"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Verify every signature of a message against ``trust``.

    Holds only configuration (the trust source, built once per trust value, caches
    certificate checks itself), so one instance serves every message of a run.
    """

    trust: Trust
    """Anchors, CRLs, time (``None``: now), role mapping and algorithm policy."""
    required_roles: frozenset[Role] = REQUIRED_ROLES
    """The roles a document message must have been signed by: the organ by default. Empty,
    an unsigned message is a draft, only warned about."""
    name: str = "signatures"

    def run(self, message: Message, config: ValidationConfig) -> CheckOutcome:
        outcome = verify_message(message.root, trust=trust_source(self.trust),
                                 at=self.trust.at, policy=signature_policy(self.trust),
                                 required_roles=self.required_roles)
        findings = outcome.findings
        # The roles applied (none to a status message, or with --require none) decide.
        lenient = not outcome.required_roles
        if lenient and any(f.code == _UNSIGNED for f in findings):
            findings = tuple(  # a draft, not yet signed
                dataclasses.replace(f, severity=Severity.WARNING) if f.code == _UNSIGNED else f
                for f in findings if f.code not in ABSENCE_CODES)
        results = tuple(_result(r) for r in outcome.signatures)
        pdf_findings, pdf_results = self._pdf_attachments(message, lenient)
        return CheckOutcome(findings + pdf_findings, results + pdf_results)

    def _pdf_attachments(self, message: Message, lenient: bool
                         ) -> tuple[tuple[Finding, ...], tuple[SignatureResult, ...]]:
        """Each PDF attachment's signatures as results, its document findings as findings.

        An unsigned PDF of an unsigned draft is warned about as the draft's XML is."""
        validator = trust_source(self.trust)
        if not isinstance(validator, PathValidator):
            if any(True for _ in pdf_attachments(message.root)):
                return (Finding("DF-SIG-015", "the PDF attachments' signatures need a trust "
                                "store of anchors (--trust), not a pinned key"),), ()
            return (), ()
        checked = verify_pdf_attachments(message.root, validator, at=self.trust.at,
                                         legacy=self.trust.legacy,
                                         required_roles=self.required_roles)
        findings: list[Finding] = []
        results: list[SignatureResult] = []
        for attachment in checked:
            per_signature = {f for s in attachment.result.signatures for f in s.findings}
            for finding in attachment.result.findings:
                if finding in per_signature:
                    continue
                if lenient and finding.code == "DF-PDF-070":
                    finding = dataclasses.replace(finding, severity=Severity.WARNING)
                findings.append(finding)
            for signature in attachment.result.signatures:
                subject = readable_name(signature.certificate.subject) \
                    if signature.certificate else None
                when = signature.timestamp or signature.claimed_time
                results.append(SignatureResult(
                    verdict=signature.indication, role=signature.role, signer=subject,
                    signed_at=when.isoformat() if when else None,
                    location=Location(path=f"{attachment.label} signature field "
                                           f"{signature.field!r}"),
                    findings=signature.findings))
        return tuple(findings), tuple(results)


def _result(result: VerifyResult) -> SignatureResult:
    subject = readable_name(result.certificate.subject) if result.certificate else None
    return SignatureResult(verdict=result.indication, role=result.role, signer=subject,
                           location=result.location, findings=result.findings)

