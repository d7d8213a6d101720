"""What ``docflow validate`` checks, and within which limits: one frozen configuration.

A :class:`ValidationConfig` holds only settings, never per-call state, so one instance can be
shared by every thread or process that validates. Variants are made with
:func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from docflow.xmlsafe import DEFAULT_LIMITS, XmlLimits

if TYPE_CHECKING:
    from docflow.validation.checks import Check

__all__ = ["ValidationConfig"]


@dataclass(frozen=True, slots=True)
class ValidationConfig:
    """Settings of one validation run.

    Examples
    --------
    >>> import dataclasses
    >>> quick = dataclasses.replace(ValidationConfig(), check_schema=False)
    >>> quick.check_rules, quick.check_schema
    (True, False)
    """

    limits: XmlLimits = DEFAULT_LIMITS
    """Size and depth limits of the hardened parser. The default (64 MiB, 256 levels) fits the
    largest real messages; anything larger is refused with ``DF-IO-002`` before it is read."""
    check_schema: bool = True
    """Validate against the edXML XSD. On by default: the business rules assume the structure
    the schema guarantees, and without it a missing field is reported by the rules instead."""
    check_rules: bool = True
    """Run the edXML business rules (organ codes, DocumentId, dates, notation, attachments).
    On by default; turning it off leaves only well-formedness and the schema."""
    extra_checks: tuple[Check, ...] = ()
    """Checks run after the schema and the rules, in this order, on every parsed message: the
    seam where signature verification joins. Empty by default, since docflow's own checks are
    built in and an extra check needs configuration (a trust store, a policy, a time)."""
    extensions: tuple[str, ...] = (".xml", ".edxml")
    """File name endings read when a folder is walked (compared case-insensitively). Other
    files in a folder are not envelopes (attachments, notes) and are skipped."""
