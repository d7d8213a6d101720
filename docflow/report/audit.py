"""The audit report: an audit's result as a self-contained HTML page.

The page answers the auditor's question — is every outgoing document signed, level by level and
agency by agency? — in order: first the audit's notices, in a box above everything, since they
change how every figure reads (``DF-AUD-003``: no trust anchor, so no signature can be valid);
then the signing rate per level and per month with its 95 % interval against the target, the
agencies (and levels) below the target worst first, the rates per document type, and the
reasons signatures were found invalid.

It reads the audit's JSON form (schema ``docflow.audit/1``) through its typed model,
:class:`~docflow.audit.output.AuditOutput` — the same value ``docflow audit --format json``
writes — so a saved JSON result renders to the same page as a live audit. As for the simulation
report, reading (:func:`read_audit`) and drawing (:func:`render_audit`) are kept apart, and every
rate is recomputed from its counters. Agencies are shown by name where the audit's directory
knows them, and the rates per province, with their tile map, come after the levels
(:mod:`docflow.report.audit_places`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from docflow.audit.directory import Directory
from docflow.audit.hints import trust_hint
from docflow.audit.output import AuditOutput
from docflow.metrics.coverage import CoverageTable
from docflow.report.audit_places import ProvinceView, names_fact, province_view
from docflow.report.coverage import MEASURES, CoverageRow, ReasonRow, counts_row, reason_rows
from docflow.report.format import count, percent
from docflow.report.labels import level_label, level_order
from docflow.report.page import render
from docflow.report.svg import Interval, interval_chart

__all__ = ["MAX_BELOW_CHART", "MAX_BELOW_ROWS", "AuditView", "NoticeRow", "agency_label",
           "read_audit", "render_audit"]

MAX_BELOW_ROWS = 500
"""Agencies listed below the target in the table; a national audit can list thousands, and the
CSV output has them all."""

MAX_BELOW_CHART = 25
"""Agencies in the worst-first chart: enough to see the tail, few enough to read each name."""


@dataclass(frozen=True, slots=True)
class BelowRow:
    """A level or agency below the target."""

    dimension: str
    key: str
    label: str
    """The level's word, or the agency's name and code (the code alone when unknown)."""
    name: str | None
    """The agency's name, ``None`` for a level or an agency the directory does not know."""
    documents: int
    count: int
    rate: float
    low: float
    high: float
    certain: bool
    """Even the upper bound of the interval is below the target."""


@dataclass(frozen=True, slots=True)
class NoticeRow:
    """A notice of the audit (``DF-AUD-003``, ``DF-AUD-004``): what the reader must know to
    read every figure of the page, so it is shown above them all."""

    code: str
    severity: str
    """``error``, ``warning`` or ``info``: the box's style."""
    message: str


@dataclass(frozen=True, slots=True)
class AuditView:
    """Everything the audit report shows, read and checked from an audit's JSON form."""

    source: str
    notices: list[NoticeRow]
    """The audit's notices, in the result's order; a result saved before notices existed has
    none."""
    facts: list[tuple[str, str]]
    measure: str
    measure_label: str
    target: float | None
    total: CoverageRow
    levels: list[CoverageRow]
    months: list[CoverageRow]
    document_types: list[CoverageRow]
    agencies: int
    below: list[BelowRow]
    below_levels: list[BelowRow]
    below_more: int
    """Agencies below the target that the table leaves out (beyond :data:`MAX_BELOW_ROWS`)."""
    reasons: list[ReasonRow]
    unreadable: list[tuple[str, int]]
    trust_hint: str | None
    """Said when most failures are an unknown issuer: the trust store is likely wrong."""
    provinces: ProvinceView
    """The rates per province, their map, or why either is absent."""


def _table(table: CoverageTable, label: Callable[[str], str] = str) -> list[CoverageRow]:
    return [counts_row(counts, key, label(key)) for key, counts in table.items()]


def agency_label(code: str, directory: Directory) -> str:
    """An agency as the reader knows it: ``Văn phòng Chính phủ (000.00.00.G22)``, or the code
    alone when the directory does not know it (never a guessed name).

    >>> from docflow.audit.directory import NO_DIRECTORY
    >>> agency_label("000.00.00.G22", NO_DIRECTORY)
    '000.00.00.G22'
    """
    name = directory.name(code)
    return f"{name} ({code})" if name else code


def read_audit(result: Mapping[str, Any] | AuditOutput, file: str | None = None) -> AuditView:
    """Read and check an audit's JSON form (through :class:`AuditOutput`) for the report.

    Raises
    ------
    InputError
        ``DF-REP-002`` naming the key of the first field that is missing or wrong, including a
        ``schema`` other than ``docflow.audit/1``.
    """
    out = result if isinstance(result, AuditOutput) else AuditOutput.from_json(result, file)
    by_key = {r.key: r for r in _table(out.by_level, level_label)}
    levels = [by_key[k] for k in level_order(by_key)]
    months = sorted(_table(out.by_month), key=lambda r: r.key)
    doc_types = sorted(_table(out.by_document_type), key=lambda r: (-r.documents, r.key))
    total = counts_row(out.total, "total", "All documents")
    target = out.target.value if out.target is not None else None
    measure = out.target.measure if out.target is not None else "both_valid"
    below: list[BelowRow] = []
    for b in out.target.below if out.target is not None else ():
        below.append(BelowRow(b.dimension, b.key, level_label(b.key) if b.dimension == "level"
                              else agency_label(b.key, out.directory), out.directory.name(b.key)
                              if b.dimension == "agency" else None, b.documents, b.count,
                              b.rate, b.low, b.high, b.certain))
    below_agencies = [b for b in below if b.dimension == "agency"]

    facts = [("Documents audited", count(total.documents)),
             ("Verified now", count(out.verified_now)), ("Reused results", count(out.reused)),
             ("Agencies", count(len(out.by_agency))),
             ("Agency names", names_fact(out.directory))]
    facts.append((MEASURES[measure].capitalize(), percent(total.cells[measure].rate)))
    if target is not None:
        facts.append(("Target", percent(target)))
        facts.append(("Agencies below target", count(len(below_agencies))))
    facts.append(("Policy", out.context.policy))
    facts.append(("Checked at", out.context.at))
    unreadable = sorted(out.unreadable.items())
    facts.append(("Unreadable inputs", count(sum(n for _, n in unreadable))))
    facts.append(("Status messages (not audited)", count(out.status_messages)))
    reasons = reason_rows(levels)
    return AuditView(
        source=out.source, notices=[NoticeRow(n.code, n.effective_severity.value, n.message)
                                    for n in out.notices],
        facts=facts, measure=measure, measure_label=MEASURES[measure], target=target,
        total=total, levels=levels, months=months, document_types=doc_types,
        agencies=len(out.by_agency), below=below_agencies[:MAX_BELOW_ROWS],
        below_levels=[b for b in below if b.dimension == "level"],
        below_more=max(0, len(below_agencies) - MAX_BELOW_ROWS),
        reasons=reasons, unreadable=unreadable,
        trust_hint=trust_hint({r.code: r.total for r in reasons}),
        provinces=province_view(out, measure),
    )


def _rows(rows: list[CoverageRow], measure: str) -> list[Interval]:
    return [iv for r in rows if (iv := r.interval(measure)) is not None]


def _charts(view: AuditView) -> dict[str, Markup]:
    charts: dict[str, Markup] = {}
    label = f"documents with {view.measure_label}"
    if rows := _rows(view.levels, view.measure):
        charts["levels"] = interval_chart(
            "chart-levels", f"Share of documents with {view.measure_label}, per level", rows,
            target=view.target, x_label=label)
    if rows := _rows(view.months, view.measure):
        charts["months"] = interval_chart(
            "chart-months", f"Share of documents with {view.measure_label}, per month", rows,
            target=view.target, x_label=label)
    if view.below:
        worst = [Interval(b.label, b.rate, b.low, b.high, f"{count(b.documents)} documents")
                 for b in view.below[:MAX_BELOW_CHART]]
        charts["below"] = interval_chart(
            "chart-below", "Agencies below the target, worst first", worst, target=view.target,
            x_label=label)
    return charts


def render_audit(result: Mapping[str, Any] | AuditOutput, file: str | None = None) -> str:
    """Render the audit report of ``result`` (an audit's JSON form) as one HTML page.

    Parameters
    ----------
    result
        ``AuditResult.output()``, ``AuditResult.to_dict()``, or the parsed output of
        ``docflow audit --format json`` (read through :class:`AuditOutput`).
    file
        Where it was read from, named in errors.

    Returns
    -------
    str
        The page: inline CSS and SVG, no script and no external resource. The same result
        always gives the same text.
    """
    view = read_audit(result, file)
    title = "Signing audit" + (f": {view.source}" if view.source else "")
    charts = _charts(view)
    if view.provinces.map is not None:
        charts["provinces"] = view.provinces.map
    return render("audit.html.j2", title=title, view=view, charts=charts)
