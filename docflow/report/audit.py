"""The audit report: an audit's result as a self-contained HTML page.

The page answers the auditor's question — is every outgoing document signed, level by level and
agency by agency? — in order: first the audit's notices, in a box above everything, since they
change how every figure reads (``DF-AUD-003``: no trust anchor, so no signature can be valid);
then the signing rate per level and per month with its 95 % interval against the target, the
agencies (and levels) below the target worst first, the rates per document type, and the
reasons signatures were found invalid.

It reads the audit's JSON form (schema ``docflow.audit/1``, :meth:`AuditResult.to_dict
<docflow.audit.AuditResult.to_dict>`), the same document ``docflow audit --format json`` prints,
so a saved JSON result renders to the same page as a live audit. As for the simulation report,
reading (:func:`read_audit`) and drawing (:func:`render_audit`) are kept apart, and every rate is
recomputed from its counters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from docflow.audit.hints import trust_hint
from docflow.errors import Severity
from docflow.report.coverage import MEASURES, CoverageRow, ReasonRow, read_coverage, reason_rows
from docflow.report.fields import Fields
from docflow.report.format import count, percent
from docflow.report.labels import level_label, level_order
from docflow.report.page import render
from docflow.report.svg import Interval, interval_chart

__all__ = ["MAX_BELOW_CHART", "MAX_BELOW_ROWS", "AuditView", "NoticeRow", "read_audit",
           "render_audit"]

SCHEMA = "docflow.audit/1"
"""The audit JSON schema this report reads."""

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


def _notices(root: Fields) -> list[NoticeRow]:
    """The ``notices`` of a result, each with a known severity; ``[]`` when the field is
    absent (results written before the audit had notices)."""
    if not root.has("notices"):
        return []
    rows = []
    for n in root.items("notices"):
        severity = n.text("severity")
        if severity not in {s.value for s in Severity}:
            raise n.fail("severity", f"unknown severity {severity!r}; one of "
                                     f"{', '.join(s.value for s in Severity)}")
        rows.append(NoticeRow(n.text("code"), severity, n.text("message")))
    return rows


def _table(root: Fields, name: str, label: Callable[[str], str] = str) -> list[CoverageRow]:
    f = root.obj(name)
    return [read_coverage(f.obj(k), k, label(k)) for k in f.names()]


def read_audit(result: Mapping[str, Any], file: str | None = None) -> AuditView:
    """Read and check the fields of an audit's JSON form that the report shows.

    Raises
    ------
    InputError
        ``DF-REP-002`` naming the key of the first field that is missing or wrong, including a
        ``schema`` other than ``docflow.audit/1``.
    """
    root = Fields(result, file)
    schema = root.text("schema")
    if schema != SCHEMA:
        raise root.fail("schema", f"expected {SCHEMA!r}, found {schema!r}")
    by_key = {r.key: r for r in _table(root, "by_level", level_label)}
    levels = [by_key[k] for k in level_order(by_key)]
    months = sorted(_table(root, "by_month"), key=lambda r: r.key)
    doc_types = sorted(_table(root, "by_document_type"), key=lambda r: (-r.documents, r.key))
    agencies = root.obj("by_agency")
    total = read_coverage(root.obj("total"), "total", "All documents")

    target_f = root.opt_obj("target")
    target = target_f.number("value") if target_f else None
    measure = target_f.text("measure") if target_f else "both_valid"
    if measure not in MEASURES:
        raise (target_f or root).fail("measure", f"unknown measure {measure!r}; one of "
                                                 f"{', '.join(MEASURES)}")
    below: list[BelowRow] = []
    if target_f is not None:
        for b in target_f.items("below"):
            dim, key = b.text("dimension"), b.text("key")
            below.append(BelowRow(dim, key, level_label(key) if dim == "level" else key,
                                  b.count("documents"), b.count("count"), b.number("rate"),
                                  b.number("low"), b.number("high"), bool(b.raw("certain"))))
    below_agencies = [b for b in below if b.dimension == "agency"]

    facts = [("Documents audited", count(total.documents))]
    if root.has("verified_now"):
        facts.append(("Verified now", count(root.count("verified_now"))))
    if root.has("reused"):
        facts.append(("Reused results", count(root.count("reused"))))
    facts.append(("Agencies", count(len(agencies.names()))))
    cell = total.cells[measure]
    facts.append((MEASURES[measure].capitalize(), percent(cell.rate)))
    if target is not None:
        facts.append(("Target", percent(target)))
        facts.append(("Agencies below target", count(len(below_agencies))))
    if root.has("context"):
        ctx = root.obj("context")
        if ctx.has("policy"):
            facts.append(("Policy", ctx.text("policy")))
        if ctx.has("at"):
            facts.append(("Checked at", ctx.text("at")))
    unreadable: list[tuple[str, int]] = []
    if root.has("unreadable"):
        u = root.obj("unreadable")
        if u.has("by_code"):
            codes = u.obj("by_code")
            unreadable = [(c, codes.count(c)) for c in sorted(codes.names())]
        facts.append(("Unreadable inputs", count(sum(n for _, n in unreadable))))
    if root.has("status_messages"):
        facts.append(("Status messages (not audited)", count(root.count("status_messages"))))
    return AuditView(
        source=root.opt_text("source") or "", notices=_notices(root), facts=facts, measure=measure,
        measure_label=MEASURES[measure], target=target, total=total, levels=levels,
        months=months, document_types=doc_types, agencies=len(agencies.names()),
        below=below_agencies[:MAX_BELOW_ROWS],
        below_levels=[b for b in below if b.dimension == "level"],
        below_more=max(0, len(below_agencies) - MAX_BELOW_ROWS),
        reasons=reason_rows(levels), unreadable=unreadable,
        trust_hint=trust_hint({r.code: r.total for r in reason_rows(levels)}),
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


def render_audit(result: Mapping[str, Any], file: str | None = None) -> str:
    """Render the audit report of ``result`` (an audit's JSON form) as one HTML page.

    Parameters
    ----------
    result
        ``AuditResult.to_dict()``, or the parsed output of ``docflow audit --format json``.
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
    return render("audit.html.j2", title=title, view=view, charts=_charts(view))
