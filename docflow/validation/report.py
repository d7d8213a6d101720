"""The validation report: one verdict per input, with every finding that led to it.

Modelled on the EU DSS simple report: a verdict (``PASSED``, ``FAILED``, ``INDETERMINATE``) and
one sub-indication per problem, each with a stable code, a location and a plain message. The
report is immutable and holds only what was checked; :meth:`ValidationReport.to_dict` gives the
JSON form, schema ``docflow.validation/1`` (``docflow validate --format json``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from docflow.envelope.rules import MessageKind
from docflow.errors import Finding, Indication, Location
from docflow.jsonmodel import to_data
from docflow.outputs import OutputSchema
from docflow.validation.document import (
    CountsEntry,
    ReportEntry,
    SignatureEntry,
    ValidationDocument,
)

__all__ = ["REPORT_SCHEMA", "MessageKind", "SignatureResult", "ValidationDocument",
           "ValidationReport", "ValidationSummary", "validation_document"]

REPORT_SCHEMA = OutputSchema.VALIDATION.value
"""Identifier of the JSON layout; bumped only when a field changes meaning or disappears."""


@dataclass(frozen=True, slots=True)
class SignatureResult:
    """The outcome of one signature in a message, as a signature check reports it.

    The envelope checks leave this empty; a signature check fills one per ``Signature`` it
    finds, so that a report says which signature failed and why, not only that one did.
    """

    verdict: Indication
    role: str | None = None
    """``organ`` or ``signer``, from the certificate; ``None`` when it could not be told."""
    signer: str | None = None
    """The signing certificate's subject, when the signature could be read."""
    signed_at: str | None = None
    """The signing time the signature claims, as an ISO 8601 string."""
    location: Location = field(default_factory=Location)
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The JSON form (:class:`~docflow.validation.document.SignatureEntry`)."""
        data: dict[str, object] = to_data(SignatureEntry.of(self))
        return data


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The verdict on one input and the findings behind it.

    ``findings`` carry a line and an element path but no file name: the file is ``source``,
    once for the whole report.
    """

    source: str
    """The file name as given (a path inside a walked folder), ``<stdin>`` or ``<bytes>``."""
    verdict: Indication
    findings: tuple[Finding, ...] = ()
    kind: MessageKind | None = None
    """``None`` when the input could not be parsed, or its kind cannot be told
    (``DF-ENV-080``)."""
    parsed: bool = True
    """False when the input could not be read or parsed as XML at all (a ``DF-IO`` or
    ``DF-XML`` finding); the command line exits 2 when no input at all could be parsed."""
    signatures: tuple[SignatureResult, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()
    signatures_checked: bool = False
    """Whether signatures were verified (a trust was given). False, a PASSED says nothing
    about them, and the report says so plainly."""
    """Seconds spent in each stage (``read``, ``parse``, then each check by name)."""

    @property
    def passed(self) -> bool:
        return self.verdict is Indication.PASSED

    def to_dict(self, *, timings: bool = False) -> dict[str, object]:
        """The JSON form (:class:`~docflow.validation.document.ReportEntry`); ``timings`` adds
        the per-stage milliseconds (not reproducible)."""
        data: dict[str, object] = to_data(ReportEntry.of(self, timings=timings))
        return data


@dataclass(frozen=True, slots=True)
class ValidationSummary:
    """Counts over a batch of reports, and the exit code the command line returns for it.

    Examples
    --------
    >>> s = ValidationSummary.of([ValidationReport("a.edxml", Indication.PASSED)])
    >>> s.passed, s.exit_code
    (1, 0)
    """

    total: int = 0
    passed: int = 0
    failed: int = 0
    indeterminate: int = 0
    unparsed: int = 0
    """Inputs that could not be read or parsed (counted in ``failed`` or ``indeterminate``)."""

    @classmethod
    def of(cls, reports: Iterable[ValidationReport]) -> ValidationSummary:
        counts = {Indication.PASSED: 0, Indication.FAILED: 0, Indication.INDETERMINATE: 0}
        total = unparsed = 0
        for report in reports:
            total += 1
            counts[report.verdict] += 1
            unparsed += not report.parsed
        return cls(total, counts[Indication.PASSED], counts[Indication.FAILED],
                   counts[Indication.INDETERMINATE], unparsed)

    @property
    def exit_code(self) -> int:
        """0 when every input passed; 2 when none could be parsed (or there was none); else 1.

        An unparseable file among good ones is a per-file ``FAILED`` (or ``INDETERMINATE`` for
        an unreadable one) and gives 1, so one bad file in a folder does not hide the verdicts
        on the others; 2 is kept for "nothing could be checked at all".
        """
        if self.total == 0 or self.unparsed == self.total:
            return 2
        return 0 if self.passed == self.total else 1

    def to_dict(self) -> Mapping[str, int]:
        """The JSON form (:class:`~docflow.validation.document.CountsEntry`)."""
        data: dict[str, int] = to_data(CountsEntry.of(self))
        return data


def validation_document(reports: Sequence[ValidationReport], *,
                        timings: bool = False) -> ValidationDocument:
    """The validation JSON of a batch (``docflow.validation/1``): the reports and their counts.

    Parameters
    ----------
    reports
        One report per input, in the order they were validated.
    timings
        Add each report's per-stage milliseconds (which differ from run to run).

    Returns
    -------
    ValidationDocument
        Its :meth:`~docflow.jsonmodel.JsonModel.to_json` is what ``docflow validate --format
        json`` prints.

    Examples
    --------
    >>> doc = validation_document([ValidationReport("a.edxml", Indication.PASSED)])
    >>> doc.schema, doc.summary.passed
    ('docflow.validation/1', 1)
    """
    return ValidationDocument(
        **ValidationDocument.header(),
        reports=tuple(ReportEntry.of(r, timings=timings) for r in reports),
        summary=CountsEntry.of(ValidationSummary.of(reports)))
