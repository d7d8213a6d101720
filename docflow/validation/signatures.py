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
from docflow.errors import Severity
from docflow.metrics.outcomes import ABSENCE_CODES
from docflow.pki.roles import Role
from docflow.profile.edxml import REQUIRED_ROLES, verify_message
from docflow.profile.trusted import signature_policy, trust_source
from docflow.trust import Trust
from docflow.validation.checks import CheckOutcome, Message
from docflow.validation.report import SignatureResult

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
        if not outcome.required_roles and any(f.code == _UNSIGNED for f in findings):
            findings = tuple(  # a draft, not yet signed
                dataclasses.replace(f, severity=Severity.WARNING) if f.code == _UNSIGNED else f
                for f in findings if f.code not in ABSENCE_CODES)
        results = tuple(_result(r) for r in outcome.signatures)
        return CheckOutcome(findings, results)


def _result(result: VerifyResult) -> SignatureResult:
    subject = result.certificate.subject.rfc4514_string() if result.certificate else None
    return SignatureResult(verdict=result.indication, role=result.role, signer=subject,
                           location=result.location, findings=result.findings)
