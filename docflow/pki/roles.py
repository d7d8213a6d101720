"""Signature roles and how a certificate's role is decided.

Decree 30/2020 signs a document twice: the competent person (the **signer**) signs its content,
then the issuing body (the **organ**) signs the numbered message. The role of a signature comes
from the certificate that made it, never from what the document says about itself.

docflow's own PKI marks the role with a certificate-policy OID under a private arc. The arc is a
UUID-based OID (ITU-T X.667 / RFC 4122 §4.1.2: ``2.25.<the UUID as an integer>``), which anyone
may mint without registration and which cannot collide with an assigned arc:

======================================================  =========================================
OID                                                     meaning
======================================================  =========================================
``2.25.22661376133664621215309528690904667297``         docflow's arc (UUID 110c6c1b-0bb3-4369-…)
``….1.1``                                               policy: organ (issuing body) certificate
``….1.2``                                               policy: signer (person) certificate
======================================================  =========================================

Certificates from other CAs (an integrator brings the Government CA's) carry other policies; a
:class:`RoleMapping` of the trust configuration maps them, by policy OID or by issuer/subject
pattern. When nothing matches, or rules disagree, the role is unknown and reported: it is never
guessed.

The same mapping says where a certificate carries the agency's **organ code** (docflow's PKI
puts it in the subject's ``organizationIdentifier``, 2.5.4.97), so that the edXML profile can
check that the organ signing a message is its sender.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from docflow.errors import ConfigError, Location
from docflow.tomlsafe import read_toml

__all__ = [
    "DOCFLOW_ARC",
    "ORGANIZATION_IDENTIFIER",
    "ORGAN_POLICY",
    "SIGNER_POLICY",
    "Role",
    "RoleDecision",
    "RoleMapping",
    "RoleRule",
    "certificate_policies",
    "read_role_mapping",
]

_MAX_BYTES = 1 << 20
"""A role mapping is a few dozen rules: a file above 1 MB is not one."""

DOCFLOW_ARC = "2.25.22661376133664621215309528690904667297"
"""docflow's private OID arc: UUID 110c6c1b-0bb3-4369-bd72-f8d1144614a1 under ``2.25``."""

ORGAN_POLICY = x509.ObjectIdentifier(f"{DOCFLOW_ARC}.1.1")
"""Certificate policy of an organ (issuing body) certificate in docflow's PKI."""

SIGNER_POLICY = x509.ObjectIdentifier(f"{DOCFLOW_ARC}.1.2")
"""Certificate policy of a signer (person) certificate in docflow's PKI."""

ORGANIZATION_IDENTIFIER = "2.5.4.97"
"""The subject attribute (X.520 organizationIdentifier) where docflow's PKI puts the organ code."""


class Role(enum.StrEnum):
    """The role a signature plays, decided by its certificate; values are the config words."""

    SIGNER = "signer"
    ORGAN = "organ"

    @classmethod
    def parse(cls, value: str, location: Location | None = None) -> Role:
        """Return the role named ``value``; an unknown name is a configuration error.

        Raises
        ------
        ConfigError
            ``DF-PKI-026`` naming the allowed values.
        """
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ConfigError("DF-PKI-026", f"unknown role {value!r}; allowed: {allowed}",
                              location) from None


DOCFLOW_POLICIES: Mapping[x509.ObjectIdentifier, Role] = {
    ORGAN_POLICY: Role.ORGAN,
    SIGNER_POLICY: Role.SIGNER,
}
"""The policy OIDs docflow's PKI assigns, and the role each one means."""


@dataclass(frozen=True, slots=True)
class RoleRule:
    """One rule of a role mapping: certificates that match every given criterion get ``role``.

    Patterns are regular expressions matched against the whole RFC 4514 string of the name
    (``CN=…,O=…,C=VN``, most specific attribute first), so ``.*O=Ban Cơ yếu Chính phủ.*``
    matches any name with that organisation.
    """

    role: Role
    policy: str | None = None
    """A certificate-policy OID in dotted form; the rule matches a certificate asserting it."""
    issuer: str | None = None
    """A regular expression the issuer's RFC 4514 name must match in full."""
    subject: str | None = None
    """A regular expression the subject's RFC 4514 name must match in full."""
    _policy_oid: x509.ObjectIdentifier | None = field(init=False, repr=False, compare=False)
    _issuer_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _subject_re: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.policy is None and self.issuer is None and self.subject is None:
            raise ConfigError("DF-PKI-026", "a role rule needs at least one of policy, issuer, "
                                            "subject")
        object.__setattr__(self, "role", Role.parse(str(self.role)))
        oid = None
        if self.policy is not None:
            try:
                oid = x509.ObjectIdentifier(self.policy)
            except ValueError:
                raise ConfigError("DF-PKI-026", f"policy {self.policy!r} is not a dotted OID"
                                  ) from None
        object.__setattr__(self, "_policy_oid", oid)
        object.__setattr__(self, "_issuer_re", _compile(self.issuer, "issuer"))
        object.__setattr__(self, "_subject_re", _compile(self.subject, "subject"))

    def matches(self, certificate: x509.Certificate, policies: frozenset[x509.ObjectIdentifier]
                ) -> bool:
        """Whether every criterion of the rule holds for ``certificate``.

        ``policies`` is the set of policy OIDs the certificate asserts, computed once by the
        caller for all rules.
        """
        if self._policy_oid is not None and self._policy_oid not in policies:
            return False
        if self._issuer_re is not None and \
                not self._issuer_re.fullmatch(certificate.issuer.rfc4514_string()):
            return False
        return self._subject_re is None or \
            self._subject_re.fullmatch(certificate.subject.rfc4514_string()) is not None


def _compile(pattern: str | None, what: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError("DF-PKI-026", f"{what} pattern {pattern!r} is not a regular "
                                        f"expression: {exc}") from None


@dataclass(frozen=True, slots=True)
class RoleDecision:
    """What a role mapping decided for one certificate."""

    role: Role | None
    """The role, or ``None`` when it is unknown or ambiguous."""
    candidates: tuple[Role, ...] = ()
    """Every distinct role some rule gave; more than one means the mapping is ambiguous."""

    @property
    def ambiguous(self) -> bool:
        """Whether rules gave conflicting roles (reported as ``DF-PKI-013``)."""
        return len(self.candidates) > 1


@dataclass(frozen=True, slots=True)
class RoleMapping:
    """How certificates get a role: docflow's policy OIDs, then the configured rules.

    Every source is consulted and the distinct roles collected: one role decides, none or
    several leave the role unknown. Consulting all of them, rather than stopping at the first
    match, is what turns a contradictory configuration into a finding instead of a silent,
    order-dependent choice.

    Examples
    --------
    >>> mapping = RoleMapping(rules=(RoleRule(Role.ORGAN, policy="1.2.3.4"),))
    >>> mapping.rules[0].role
    <Role.ORGAN: 'organ'>
    >>> mapping.organ_code_attribute
    '2.5.4.97'
    """

    rules: tuple[RoleRule, ...] = ()
    """Rules for certificates from other CAs; empty by default, since docflow's own PKI needs
    none."""
    docflow_policies: bool = True
    """Honour docflow's own policy OIDs (:data:`ORGAN_POLICY`, :data:`SIGNER_POLICY`). On by
    default; a deployment that trusts only a foreign CA may turn it off so that no certificate
    of that CA can claim a role through docflow's arc."""
    organ_code_attribute: str = ORGANIZATION_IDENTIFIER
    """The subject attribute (dotted OID) holding the agency's organ code. The default is where
    docflow's PKI puts it; a CA that writes the code elsewhere (in ``OU``, 2.5.4.11, say) is
    named here. A certificate without the attribute cannot be matched with a message's sender,
    which the edXML profile reports (``DF-SIG-025``) rather than pass."""

    def __post_init__(self) -> None:
        try:
            x509.ObjectIdentifier(self.organ_code_attribute)
        except ValueError:
            raise ConfigError("DF-PKI-026", f"organ_code_attribute "
                              f"{self.organ_code_attribute!r} is not a dotted OID") from None

    def organ_codes(self, certificate: x509.Certificate) -> tuple[str, ...]:
        """The distinct organ codes the subject of ``certificate`` carries, in subject order.

        One value is the agency; none or several leave the agency unknown, and the caller
        reports it.
        """
        oid = x509.ObjectIdentifier(self.organ_code_attribute)
        values = (a.value for a in certificate.subject.get_attributes_for_oid(oid))
        return tuple(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))

    def decide(self, certificate: x509.Certificate) -> RoleDecision:
        """Return the role of ``certificate`` under this mapping.

        Parameters
        ----------
        certificate
            The signing (leaf) certificate.

        Returns
        -------
        RoleDecision
            ``role`` set only when exactly one distinct role results.
        """
        policies = certificate_policies(certificate)
        found: list[Role] = []
        if self.docflow_policies:
            for oid in policies:
                role = DOCFLOW_POLICIES.get(oid)
                if role is not None and role not in found:
                    found.append(role)
        for rule in self.rules:
            if rule.role not in found and rule.matches(certificate, policies):
                found.append(rule.role)
        found.sort()
        return RoleDecision(found[0] if len(found) == 1 else None, tuple(found))

    @classmethod
    def from_config(cls, rules: Sequence[Mapping[str, Any]], *, docflow_policies: bool = True,
                    key: str = "roles", file: str | None = None,
                    organ_code_attribute: str = ORGANIZATION_IDENTIFIER) -> RoleMapping:
        """Build a mapping from configuration data (the ``[[roles]]`` tables of a TOML file).

        Parameters
        ----------
        rules
            One mapping per rule with ``role`` and at least one of ``policy``, ``issuer``,
            ``subject``.
        docflow_policies
            See :attr:`docflow_policies`.
        key
            The configuration key the rules came from, for error locations.
        file
            The configuration file, for error locations.
        organ_code_attribute
            See :attr:`organ_code_attribute`.

        Raises
        ------
        ConfigError
            ``DF-PKI-026`` naming the rule (``roles[2].issuer``) and what is wrong.

        Examples
        --------
        >>> rules = RoleMapping.from_config([{"role": "signer", "subject": ".*T=Giám đốc.*"}])
        >>> rules.rules[0].role, rules.rules[0].subject
        (<Role.SIGNER: 'signer'>, '.*T=Giám đốc.*')
        """
        built = []
        allowed = {"role", "policy", "issuer", "subject"}
        for i, raw in enumerate(rules):
            where = Location(file=file, key=f"{key}[{i}]")
            if not isinstance(raw, Mapping):
                raise ConfigError("DF-PKI-026", "a role rule must be a table", where)
            unknown = sorted(set(raw) - allowed)
            if unknown:
                raise ConfigError("DF-PKI-026", f"unknown key {unknown[0]!r}; allowed: "
                                                f"{', '.join(sorted(allowed))}", where)
            values = {k: raw.get(k) for k in allowed}
            for name, value in values.items():
                if value is not None and not isinstance(value, str):
                    raise ConfigError("DF-PKI-026", f"{name} must be a string",
                                      Location(file=file, key=f"{key}[{i}].{name}"))
            if values["role"] is None:
                raise ConfigError("DF-PKI-026", "a role rule needs a role", where)
            try:
                built.append(RoleRule(Role.parse(values["role"], where), values["policy"],
                                      values["issuer"], values["subject"]))
            except ConfigError as exc:
                raise ConfigError(exc.code, exc.message, where) from None
        try:
            return cls(tuple(built), docflow_policies, organ_code_attribute)
        except ConfigError as exc:
            raise ConfigError(exc.code, exc.message,
                              Location(file=file, key="organ_code_attribute")) from None


def read_role_mapping(path: str | Path) -> RoleMapping:
    """Read a role mapping from a TOML file: ``[[roles]]`` tables, an optional
    ``docflow_policies = false`` and an optional ``organ_code_attribute = "2.5.4.11"``.

    Raises
    ------
    InputError
        ``DF-IO-001`` when the file cannot be read, ``DF-IO-002`` above 1 MB, ``DF-IO-003``
        empty (a mapping that grants nothing is written as ``roles = []``).
    ConfigError
        ``DF-PKI-026`` when it is not UTF-8 TOML or a rule is invalid, naming the key.
    """
    doc = read_toml(path, "DF-PKI-026", _MAX_BYTES, what="the role mapping")
    rules = doc.get("roles", [])
    flag = doc.get("docflow_policies", True)
    attribute = doc.get("organ_code_attribute", ORGANIZATION_IDENTIFIER)
    if not isinstance(rules, list) or not isinstance(flag, bool) or \
            not isinstance(attribute, str):
        raise ConfigError("DF-PKI-026", "roles must be an array of tables, docflow_policies a "
                                        "boolean and organ_code_attribute a dotted OID string",
                          Location(file=str(path)))
    return RoleMapping.from_config(rules, docflow_policies=flag, file=str(path),
                                   organ_code_attribute=attribute)


def certificate_policies(certificate: x509.Certificate) -> frozenset[x509.ObjectIdentifier]:
    """The policy OIDs ``certificate`` asserts (empty when it has no certificatePolicies)."""
    try:
        ext = certificate.extensions.get_extension_for_oid(ExtensionOID.CERTIFICATE_POLICIES)
    except x509.ExtensionNotFound:
        return frozenset()
    value: Iterable[x509.PolicyInformation] = ext.value  # type: ignore[assignment]
    return frozenset(p.policy_identifier for p in value)
