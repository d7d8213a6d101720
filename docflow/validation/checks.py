"""The checks the validation engine runs over a parsed message, and the seam for more.

A check takes the parsed :class:`Message` and the configuration and returns a
:class:`CheckOutcome`: findings, and per-signature results if it looks at signatures. The engine
runs the built-in checks (schema, then business rules) and then
``ValidationConfig.extra_checks`` in order, so signature verification joins by appending a check,
without touching the engine or the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from lxml import etree

from docflow.envelope.rules import rule_findings
from docflow.envelope.schema import schema_findings
from docflow.errors import Finding
from docflow.validation.report import MessageKind, SignatureResult

if TYPE_CHECKING:
    from docflow.validation.config import ValidationConfig

__all__ = ["Check", "CheckOutcome", "Message", "RulesCheck", "SchemaCheck"]


@dataclass(frozen=True, slots=True)
class Message:
    """A parsed input, as every check receives it."""

    source: str
    data: bytes
    """The bytes as read: a signature check canonicalises from the tree, but may need them."""
    root: etree._Element
    kind: MessageKind


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one check found."""

    findings: tuple[Finding, ...] = ()
    signatures: tuple[SignatureResult, ...] = ()


class Check(Protocol):
    """Anything with a ``name`` (used in timings) that can be run over a message."""

    @property
    def name(self) -> str: ...

    def run(self, message: Message, config: ValidationConfig) -> CheckOutcome: ...


@dataclass(frozen=True, slots=True)
class SchemaCheck:
    """Validation against the edXML XSD of the message's kind (``DF-ENV-001``…``039``)."""

    name: str = "schema"

    def run(self, message: Message, config: ValidationConfig) -> CheckOutcome:
        # schema_findings validates with the compiled XSD first and walks the tree for field
        # variants only when that fails, so a valid message costs one libxml2 validation.
        return CheckOutcome(tuple(schema_findings(message.root, kind=message.kind)))


@dataclass(frozen=True, slots=True)
class RulesCheck:
    """The edXML business rules (``DF-ENV-040``…``099``)."""

    name: str = "rules"

    def run(self, message: Message, config: ValidationConfig) -> CheckOutcome:
        # With the schema on, a missing field is already reported there: don't say it twice.
        return CheckOutcome(tuple(rule_findings(message.root, kind=message.kind,
                                                report_missing=not config.check_schema)))
