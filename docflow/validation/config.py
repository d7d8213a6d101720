"""What ``docflow validate`` checks, and within which limits: one frozen configuration.

A :class:`ValidationConfig` holds only settings, never per-call state, so one instance can be
shared by every thread or process that validates. Variants are made with
:func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from docflow.pki.roles import Role
from docflow.profile.edxml import REQUIRED_ROLES
from docflow.trust import Trust
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
    >>> quick.check_rules, quick.check_schema, quick.signatures_checked
    (True, False, False)
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
    trust: Trust | None = None
    """What signatures are checked against. ``None`` (the default): signatures are not
    checked, and every report says so (``signatures_checked`` false, and in its verdict
    line). Given a trust, every signature is verified in the edXML profile, and a document
    message must hold a signature of every role in ``required_roles``: giving a trust store
    means checking signatures, and a Signature stripped in transit must not pass."""
    required_roles: frozenset[Role] = REQUIRED_ROLES
    """The roles a document message must be signed by when signatures are checked: the organ
    by default, as ``docflow verify`` asks. ``frozenset()`` is the draft workflow (``--require
    none``): a message with no signature at all is then only warned about (``DF-SIG-022``)."""
    check_signatures: bool = True
    """Verify signatures when a trust is given (``--no-signatures`` turns it off)."""
    extra_checks: tuple[Check, ...] = ()
    """Checks run after the schema, the rules and the signatures, in this order, on every
    parsed message. Empty by default: docflow's own checks are built in."""
    extensions: tuple[str, ...] = (".xml", ".edxml")
    """File name endings read when a folder is walked (compared case-insensitively). Other
    files in a folder are not envelopes (attachments, notes) and are skipped."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "required_roles", frozenset(self.required_roles))

    @property
    def signatures_checked(self) -> bool:
        """Whether this configuration verifies signatures: a trust is given, and not turned
        off."""
        return self.trust is not None and self.check_signatures
