"""Validation reports as aligned text, for people at a terminal.

One block per input: the verdict and the file, then one finding per line pair (code, severity,
line and element path; the plain message under it), and a summary line at the end. Reports are
rendered one at a time so that a folder of ten thousand files prints as it goes.
"""

from __future__ import annotations

from docflow.errors import Indication
from docflow.validation.report import ValidationReport, ValidationSummary

__all__ = ["render_report", "render_summary"]

_VERDICT_WIDTH = max(len(i.value) for i in Indication)
_INDENT = "    "


def render_report(report: ValidationReport) -> str:
    """The text block of one report (no trailing newline).

    Examples
    --------
    >>> from docflow.validation import validate
    >>> print(render_report(validate(b"<a>cut")))  # doctest: +NORMALIZE_WHITESPACE
    FAILED        <bytes>
        DF-XML-006  error    line 1
                    Premature end of data in tag a line 1...
    """
    kind = f"  ({report.kind.value})" if report.kind else ""
    unchecked = "  — signatures not checked (no --trust)" \
        if report.kind and not report.signatures_checked else ""
    lines = [f"{report.verdict.value:<{_VERDICT_WIDTH}} {report.source}{kind}{unchecked}"]
    for finding in report.findings:
        loc = finding.location
        where = f"line {loc.line}" if loc.line else ""
        if loc.path:
            where = f"{where:<10}{loc.path}" if where else loc.path
        lines.append(f"{_INDENT}{finding.code:<11} {finding.effective_severity.value:<8} "
                     f"{where}".rstrip())
        lines.append(f"{_INDENT}{'':<11} {finding.message}")
    for number, signature in enumerate(report.signatures, 1):
        who = f" {signature.role}" if signature.role else ""
        by = f" by {signature.signer}" if signature.signer else ""
        lines.append(f"{_INDENT}signature {number}{who}: {signature.verdict.value}{by}")
        for finding in signature.findings:
            lines.append(f"{_INDENT}  {finding.code:<11} {finding.message}")
    return "\n".join(lines)


def render_summary(summary: ValidationSummary) -> str:
    """The last line: how many inputs, and how each ended.

    >>> render_summary(ValidationSummary(3, 1, 1, 1, 1))
    '3 files: 1 passed, 1 failed, 1 indeterminate (1 could not be read or parsed)'
    """
    noun = "file" if summary.total == 1 else "files"
    text = (f"{summary.total} {noun}: {summary.passed} passed, {summary.failed} failed, "
            f"{summary.indeterminate} indeterminate")
    if summary.unparsed:
        text += f" ({summary.unparsed} could not be read or parsed)"
    return text
