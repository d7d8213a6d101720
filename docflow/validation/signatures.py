"""The signature check of ``docflow validate``: every XML-DSig signature, against a trust store.

It runs the edXML signature profile (:func:`docflow.profile.edxml.verify_message`: the signer's
signature over the attachments, the organ's over the whole message, each role taken from its
certificate) on the message the engine has already parsed, and turns the outcome into the
report's per-signature results, so that a report says which signature failed and why.

A message with no XML-DSig signature at all is reported with a *warning*: an unsigned draft is
validated before it is signed, and whether a document should have been signed is a question of
coverage, which ``docflow audit`` answers, not a defect of the envelope. Once a document message
is signed, every required role must have signed it (the profile's ``DF-SIG-028``, the organ by
default), so a Signature stripped in transit fails. Given required roles explicitly
(``--require organ``), an unsigned document message is no longer a draft to warn about: it
fails for the role missing (``DF-SIG-028``) and its ``DF-SIG-022`` stays an error. A
signature that is present is never passed without a trusted path: with no trust anchor given,
every signature is INDETERMINATE.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from docflow.dsig.algorithms import DigestMethod
from docflow.dsig.policy import DEFAULT_POLICY, VerifyPolicy
from docflow.dsig.trust import TrustSource
from docflow.dsig.verify import VerifyResult
from docflow.errors import Finding, Location, Severity
from docflow.metrics.outcomes import ABSENCE_CODES
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.edxml import REQUIRED_ROLES, verify_message
from docflow.profile.nd30 import PDF_REQUIRED_ROLES
from docflow.profile.pdf_attachments import pdf_attachments, verify_pdf_attachments
from docflow.validation.checks import CheckOutcome, Message
from docflow.validation.report import SignatureResult

if TYPE_CHECKING:
    from docflow.validation.config import ValidationConfig

__all__ = ["SignatureCheck"]

_UNSIGNED = "DF-SIG-022"


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Verify every signature of a message against ``trust`` at time ``at``.

    Holds only configuration (the trust source caches certificate checks itself), so one
    instance serves every message of a run.
    """

    trust: TrustSource
    """Normally a :class:`docflow.pki.validate.PathValidator` over the trust anchors and CRLs."""
    at: datetime | None = None
    """The validation time; ``None`` means now, as for ``docflow verify``."""
    policy: VerifyPolicy = DEFAULT_POLICY
    """The algorithms accepted; the default refuses SHA-1, DSA and HMAC."""
    required_roles: frozenset[Role] | None = None
    """The roles a signed document message must have been signed by; ``None`` is the
    profile's default (:data:`docflow.profile.edxml.REQUIRED_ROLES`, the organ) with an
    unsigned message only warned about. Given explicitly and not empty, an unsigned document
    message is not PASSED either."""
    name: str = "signatures"

    def run(self, message: Message, config: ValidationConfig) -> CheckOutcome:
        required = REQUIRED_ROLES if self.required_roles is None else self.required_roles
        outcome = verify_message(message.root, trust=self.trust, at=self.at,
                                 policy=self.policy, required_roles=required)
        findings = outcome.findings
        # The roles applied (none to a status message or plain XML) decide, not those asked.
        lenient = self.required_roles is None or not outcome.required_roles
        if lenient and any(f.code == _UNSIGNED for f in findings):  # a draft, not yet signed
            findings = tuple(
                dataclasses.replace(f, severity=Severity.WARNING) if f.code == _UNSIGNED else f
                # A required role missing is said of an unsigned draft by its DF-SIG-022
                # warning alone.
                for f in findings if f.code not in ABSENCE_CODES)
        results = tuple(_result(r) for r in outcome.signatures)
        pdf_findings, pdf_results = self._pdf_attachments(message, lenient)
        return CheckOutcome(findings + pdf_findings, results + pdf_results)

    def _pdf_attachments(self, message: Message, lenient: bool
                         ) -> tuple[tuple[Finding, ...], tuple[SignatureResult, ...]]:
        """Each PDF attachment's signatures as results, its document findings as findings.

        An unsigned PDF of an unsigned draft is warned about as the draft's XML is."""
        if not isinstance(self.trust, PathValidator):
            if any(True for _ in pdf_attachments(message.root)):
                return (Finding("DF-SIG-015", "the PDF attachments' signatures need a trust "
                                "store of anchors (--trust), not a pinned key"),), ()
            return (), ()
        roles = PDF_REQUIRED_ROLES if self.required_roles is None else self.required_roles
        checked = verify_pdf_attachments(message.root, self.trust, at=self.at,
                                         legacy=_is_legacy(self.policy),
                                         required_roles=roles)
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
                subject = signature.certificate.subject.rfc4514_string() \
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
    subject = result.certificate.subject.rfc4514_string() if result.certificate else None
    return SignatureResult(verdict=result.indication, role=result.role, signer=subject,
                           location=result.location, findings=result.findings)


def _is_legacy(policy: VerifyPolicy) -> bool:
    """Whether the XML policy is the named legacy one (it admits SHA-1), which the PDF checks
    follow: SHA-1 and RSA-1024 in the CMS too."""
    return DigestMethod.SHA1 in policy.digest_methods
