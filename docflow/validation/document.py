"""The typed model of the validation JSON (``docflow.validation/1``): what ``docflow validate
--format json`` prints.

:func:`docflow.validation.report.validation_document` builds a :class:`ValidationDocument`
from the :class:`~docflow.validation.report.ValidationReport` values of a batch, and
:meth:`ValidationReport.to_dict` is the same model's JSON, so the printed document and the
library's dictionaries cannot differ. A reader — a CI job, an integrator's tool, a test — reads
the printed bytes back with :meth:`~docflow.jsonmodel.JsonModel.from_json` and gets the
findings back as :class:`~docflow.errors.Finding` values with :meth:`FindingEntry.finding`.
The JSON Schema is ``docflow/schemas/validation.schema.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from docflow.envelope.kind import MessageKind
from docflow.errors import Finding, Indication, Location, Severity
from docflow.jsonmodel import JsonModel, optional
from docflow.outputs import OutputSchema

if TYPE_CHECKING:
    from docflow.validation.report import SignatureResult, ValidationReport, ValidationSummary

__all__ = ["CountsEntry", "FindingEntry", "LocationEntry", "ReportEntry", "SignatureEntry",
           "ValidationDocument"]


@dataclass(frozen=True, slots=True)
class LocationEntry:
    """Where a finding is; only the parts that are known are written."""

    file: str | None = field(default=None, metadata=optional())
    line: int | None = field(default=None, metadata=optional())
    path: str | None = field(default=None, metadata=optional())
    key: str | None = field(default=None, metadata=optional())
    offset: int | None = field(default=None, metadata=optional())

    @classmethod
    def of(cls, location: Location) -> LocationEntry:
        return cls(location.file, location.line, location.path, location.key, location.offset)

    def location(self) -> Location:
        return Location(self.file, self.line, self.path, self.key, self.offset)


@dataclass(frozen=True, slots=True)
class FindingEntry:
    """One sub-indication: a stable code, its severity in this report, a message, a place."""

    code: str
    severity: Severity
    message: str
    location: LocationEntry

    @classmethod
    def of(cls, finding: Finding) -> FindingEntry:
        return cls(finding.code, finding.effective_severity, finding.message,
                   LocationEntry.of(finding.location))

    def finding(self) -> Finding:
        """The finding again (a code docflow does not know raises ``KeyError``)."""
        return Finding(self.code, self.message, self.location.location(), self.severity)


@dataclass(frozen=True, slots=True)
class SignatureEntry:
    """The outcome of one signature of a message."""

    verdict: Indication
    role: str | None
    """``organ`` or ``signer``, from the certificate; ``None`` when it could not be told."""
    signer: str | None
    signed_at: str | None
    location: LocationEntry
    findings: tuple[FindingEntry, ...]

    @classmethod
    def of(cls, result: SignatureResult) -> SignatureEntry:
        return cls(result.verdict, result.role, result.signer, result.signed_at,
                   LocationEntry.of(result.location),
                   tuple(FindingEntry.of(f) for f in result.findings))


@dataclass(frozen=True, slots=True)
class ReportEntry:
    """The verdict on one input and the findings behind it."""

    source: str
    verdict: Indication
    kind: MessageKind | None
    parsed: bool
    signatures_checked: bool
    findings: tuple[FindingEntry, ...]
    signatures: tuple[SignatureEntry, ...]
    timings_ms: dict[str, float] | None = field(default=None, metadata=optional())
    """Milliseconds per stage, only when asked for (they differ from run to run)."""

    @classmethod
    def of(cls, report: ValidationReport, *, timings: bool = False) -> ReportEntry:
        return cls(report.source, report.verdict, report.kind, report.parsed,
                   report.signatures_checked,
                   tuple(FindingEntry.of(f) for f in report.findings),
                   tuple(SignatureEntry.of(s) for s in report.signatures),
                   {name: round(sec * 1000, 3) for name, sec in report.timings}
                   if timings else None)


@dataclass(frozen=True, slots=True)
class CountsEntry:
    """Verdicts over the batch, and the exit code ``docflow validate`` returns for it."""

    total: int
    passed: int
    failed: int
    indeterminate: int
    unparsed: int
    exit_code: int

    @classmethod
    def of(cls, summary: ValidationSummary) -> CountsEntry:
        return cls(summary.total, summary.passed, summary.failed, summary.indeterminate,
                   summary.unparsed, summary.exit_code)


@dataclass(frozen=True, slots=True)
class ValidationDocument(JsonModel):
    """The validation JSON: one report per input, in the order validated, and the counts.

    Examples
    --------
    >>> from docflow.validation.report import ValidationReport, validation_document
    >>> doc = validation_document([ValidationReport("a.edxml", Indication.PASSED)])
    >>> again = ValidationDocument.from_json(doc.to_json())
    >>> again == doc, again.reports[0].verdict, again.summary.exit_code
    (True, <Indication.PASSED: 'PASSED'>, 0)
    """

    SCHEMA: ClassVar[OutputSchema] = OutputSchema.VALIDATION
    INDENT: ClassVar[int] = 2

    schema: str
    docflow_version: str
    reports: tuple[ReportEntry, ...]
    summary: CountsEntry
