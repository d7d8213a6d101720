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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from docflow.metrics.coverage import DocumentOutcome

__all__ = ["LEGACY_REASON", "ORGAN", "SIGNER", "SignatureVerdict", "outcome_of"]

ORGAN = "organ"
SIGNER = "signer"
LEGACY_REASON = "DF-ENV-070"
"""The reason recorded for a legacy QCVN-namespace signature, which cannot be verified."""


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


def outcome_of(results: Iterable[SignatureVerdict], *, legacy: bool = False,
               extra_reasons: Iterable[str] = ()) -> DocumentOutcome:
    """The outcome of one document from the results of verifying its signatures.

    Parameters
    ----------
    results
        One verdict per XML-DSig signature of the document.
    legacy
        The document carries a legacy QCVN ``Signature``.
    extra_reasons
        Codes of problems of the document as a whole that made it unverifiable.

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
    reasons: list[str] = [LEGACY_REASON] if legacy else []
    for result in results:
        role = result.role
        if role in present:
            present[role] = True
            valid[role] = valid[role] and result.passed
        elif result.rule in present:  # no certificate role: present by place, never valid
            present[result.rule] = True
            valid[result.rule] = False
        if not result.passed:
            reasons.extend(result.sub_indications)
    reasons.extend(extra_reasons)
    return DocumentOutcome(
        organ_present=present[ORGAN] or legacy,
        organ_valid=present[ORGAN] and valid[ORGAN],
        signer_present=present[SIGNER],
        signer_valid=present[SIGNER] and valid[SIGNER],
        reasons=tuple(dict.fromkeys(reasons)))
