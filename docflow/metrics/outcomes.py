"""From verification results to one document's outcome: the rule both engines count by.

The simulator in ``real``/``sample`` mode and the audit both verify real envelopes and must turn
what the verifier says into a :class:`~docflow.metrics.coverage.DocumentOutcome` the same way,
or an audit of a simulated archive could not reproduce the simulation's coverage. This module is
that one rule. It reads only what a verification result exposes (its role, whether it passed,
its error codes), through a protocol, so it depends on no verifier.

The rule
--------
* A signature counts for the role its **certificate** gives it (``organ`` or ``signer``); a
  role is *present* when at least one signature of that role is in the document. When the
  certificate cannot say (no path to a trust anchor, so no role), the place the signature
  stands in (the profile's ``organ`` or ``signer`` rule) decides its role for *presence* only:
  the signature is there, whoever made it. Validity always needs the certificate's role.
* A role is *valid* when every signature of that role passed: one forged or broken signature
  beside a good one makes the role invalid, since a reader cannot tell which to believe.
* A signature with neither a certificate role nor a profile place counts toward neither role;
  its codes are still recorded as reasons.
* The reasons are the error codes of every signature that did not pass, in document order; a
  legacy QCVN ``Signature`` is a present organ signature that is never valid (``DF-ENV-070``).
* The error-severity findings of the message as a whole (a Signature out of place, two organ
  signatures…) are reasons too, after the signatures' own (:func:`message_outcome`); warnings
  are not, since they do not make anything unverifiable, and neither is a required role that
  did not sign (:data:`ABSENCE_CODES`): its absence is what coverage counts, as a role not
  present, and the signatures that are there are counted for what they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from docflow.errors import Severity
from docflow.metrics.coverage import DocumentOutcome

__all__ = ["ABSENCE_CODES", "LEGACY_REASON", "ORGAN", "SIGNER", "FindingVerdict", "MessageVerdict",
           "SignatureVerdict", "message_outcome", "outcome_of"]

ORGAN = "organ"
SIGNER = "signer"
LEGACY_REASON = "DF-ENV-070"
"""The reason recorded for a legacy QCVN-namespace signature, which cannot be verified."""
ABSENCE_CODES = frozenset({"DF-SIG-028"})
"""Findings that say a required role did not sign (the edXML profile fails such a message for
``docflow verify``). Not reasons: a reason explains a signature that is present and not valid,
and a document that lacks a role is counted as lacking it, never failed as a whole."""


class SignatureVerdict(Protocol):
    """What :func:`outcome_of` reads of one verified signature (a ``dsig`` VerifyResult fits)."""

    @property
    def role(self) -> str | None: ...

    @property
    def rule(self) -> str | None: ...

    @property
    def passed(self) -> bool: ...

    @property
    def sub_indications(self) -> tuple[str, ...]: ...


class FindingVerdict(Protocol):
    """What :func:`message_outcome` reads of a finding (a :class:`docflow.errors.Finding`)."""

    @property
    def code(self) -> str: ...

    @property
    def effective_severity(self) -> Severity: ...


class MessageVerdict(Protocol):
    """What :func:`message_outcome` reads of a whole message's verification (the edXML
    profile's ``MessageVerification`` fits): one verdict per signature, and the findings of
    the message as a whole."""

    @property
    def signatures(self) -> Sequence[SignatureVerdict]: ...

    @property
    def findings(self) -> Sequence[FindingVerdict]: ...


def outcome_of(results: Iterable[SignatureVerdict], *, legacy: bool = False,
               extra_reasons: Iterable[str] = (),
               pdf: Iterable[SignatureVerdict] = ()) -> DocumentOutcome:
    """The outcome of one document from the results of verifying its signatures.

    Parameters
    ----------
    results
        One verdict per XML-DSig signature of the document.
    legacy
        The document carries a legacy QCVN ``Signature``.
    extra_reasons
        Codes of problems of the document as a whole that made it unverifiable.
    pdf
        One verdict per signature of the document's PDF attachments (Decree 30's PAdES
        signatures); they count for their role exactly as XML-DSig ones do, and each role's
        source says which kind was present. A PDF organ signature makes a legacy placeholder
        irrelevant: its ``DF-ENV-070`` is then no reason.

    Examples
    --------
    >>> from types import SimpleNamespace as V
    >>> ok = V(role="organ", rule="organ", passed=True, sub_indications=())
    >>> bad = V(role=None, rule="signer", passed=False, sub_indications=("DF-PKI-001",))
    >>> outcome_of([ok, bad])
    DocumentOutcome(organ_present=True, organ_valid=True, signer_present=True, \
signer_valid=False, reasons=('DF-PKI-001',))
    >>> outcome_of([], legacy=True).reasons
    ('DF-ENV-070',)
    """
    present = {ORGAN: False, SIGNER: False}
    valid = {ORGAN: True, SIGNER: True}
    kinds: dict[str, set[str]] = {ORGAN: set(), SIGNER: set()}
    reasons: list[str] = []
    for kind, verdicts in (("xml", results), ("pdf", pdf)):
        for result in verdicts:
            role = result.role
            if role in present:
                present[role] = True
                valid[role] = valid[role] and result.passed
                kinds[role].add(kind)
            elif result.rule in present:  # no certificate role: present by place, never valid
                present[result.rule] = True
                valid[result.rule] = False
                kinds[result.rule].add(kind)
            if not result.passed:
                reasons.extend(result.sub_indications)
    if legacy and "pdf" not in kinds[ORGAN]:  # a placeholder counts only without a PDF's
        kinds[ORGAN].add("xml")
        reasons.insert(0, LEGACY_REASON)
    reasons.extend(extra_reasons)
    return DocumentOutcome(
        organ_present=present[ORGAN] or legacy,
        organ_valid=present[ORGAN] and valid[ORGAN],
        signer_present=present[SIGNER],
        signer_valid=present[SIGNER] and valid[SIGNER],
        reasons=tuple(dict.fromkeys(reasons)),
        organ_source=_source(kinds[ORGAN]), signer_source=_source(kinds[SIGNER]))


def _source(kinds: set[str]) -> str:
    """``xml``, ``pdf``, ``both`` or ``""``: where a role's signatures were found."""
    return "both" if len(kinds) == 2 else next(iter(kinds), "")


def message_outcome(verification: MessageVerdict, *, legacy: bool = False,
                    pdf: Iterable[SignatureVerdict] = (),
                    pdf_reasons: Iterable[str] = ()) -> DocumentOutcome:
    """The outcome of one document from the verification of the whole message.

    The one place where the audit and the simulator's ``real``/``sample`` modes turn a
    message's verification into an outcome: its signatures by :func:`outcome_of`, and the
    error-severity findings of the message as a whole as extra reasons, so that an audit of a
    simulated archive reports the same reasons the simulation did.

    Parameters
    ----------
    verification
        The verification of every signature of the message.
    legacy
        The document also carries a legacy QCVN ``Signature``.
    pdf, pdf_reasons
        The signatures of its PDF attachments, and the codes of PDF attachments that could
        not be checked as a whole (see :func:`outcome_of`).

    Examples
    --------
    >>> from types import SimpleNamespace as V
    >>> from docflow.errors import Finding, Severity
    >>> organ = V(role="organ", rule="organ", passed=True, sub_indications=())
    >>> whole = (Finding("DF-SIG-024", "another agency's certificate"),
    ...          Finding("DF-SIG-021", "role out of place", severity=Severity.WARNING))
    >>> message_outcome(V(signatures=(organ,), findings=whole)).reasons
    ('DF-SIG-024',)
    >>> message_outcome(V(signatures=(), findings=()), legacy=True).reasons
    ('DF-ENV-070',)
    >>> signer = V(role="signer", rule="signer", passed=True, sub_indications=())
    >>> stripped = message_outcome(V(signatures=(signer,), findings=(
    ...     Finding("DF-SIG-028", "the organ's signature is required"),)))
    >>> stripped.organ_present, stripped.signer_valid, stripped.reasons
    (False, True, ())
    """
    whole = [f.code for f in verification.findings if f.effective_severity is Severity.ERROR
             and f.code not in ABSENCE_CODES]
    return outcome_of(verification.signatures, legacy=legacy,
                      extra_reasons=[*whole, *pdf_reasons], pdf=pdf)
