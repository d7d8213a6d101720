"""An audit result as a text table or CSV (JSON is :meth:`AuditResult.to_dict`).

The text table is compact by default — levels, document types and months in full, the
:data:`COMPACT_ROWS` worst agencies below the target, and a line saying how many more there are
— because a national week has thousands of agencies and a reader wants the ones to act on;
``full=True`` (``--full``) lists every agency. Finding codes are printed with their meaning
from the catalogue, so the reader does not have to look them up.
"""

from __future__ import annotations

import csv
import io

from docflow.audit.hints import trust_hint
from docflow.audit.result import DIMENSIONS, AuditResult
from docflow.errors import CATALOGUE
from docflow.metrics.coverage import COUNT_FIELDS, RATE_FIELDS, CoverageCounts
from docflow.outputs import rate as rounded

__all__ = ["render_csv", "render_table"]

COMPACT_ROWS = 25
"""Agencies below the target shown in the compact table (the worst, by the upper bound)."""

_TITLES = {"level": "By level", "agency": "By agency", "document_type": "By document type",
           "month": "By month"}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _row(key: str, counts: CoverageCounts, measure: str) -> list[str]:
    low, high = counts.interval(measure)
    return [key, str(counts.documents), _pct(counts.rate("organ_present")),
            _pct(counts.rate("signer_present")), _pct(counts.rate("both_present")),
            _pct(counts.rate("organ_valid")), _pct(counts.rate("signer_valid")),
            _pct(counts.rate("both_valid")),
            f"{_pct(counts.rate(measure))} [{_pct(low)}–{_pct(high)}]"]


def _format(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:],
                                                                         strict=True)]
        out.append("  ".join(cells).rstrip())
    return out


def _meaning(code: str) -> str:
    """A code and what it means, e.g. ``DF-SIG-011  A digest does not match …``."""
    info = CATALOGUE.get(code)
    return f"{code}  {info.summary}" if info else code


def render_table(result: AuditResult, *, full: bool = False) -> str:
    """A plain-text report: summary, one table per dimension, reasons, groups below target.

    Parameters
    ----------
    result
        The audit to show.
    full
        List every agency and every group below the target; by default the agency table is
        left out (its size is the country's) and the :data:`COMPACT_ROWS` worst agencies
        below the target are shown.

    Returns
    -------
    str
        The text, ending with a newline.
    """
    total = result.total
    lines = [f"Audit of {result.source}",
             f"  documents {result.documents:,} (verified now {result.verified_now:,}, "
             f"reused {result.reused:,}); status messages {result.status_messages:,}; "
             f"unreadable entries {sum(result.unreadable.values()):,}",
             f"  policy {result.policy}, trust {result.trust_fingerprint[:16]} "
             f"({result.trust_source.value}), at {result.at}"]
    lines += [f"  {n.effective_severity.value}: {n.code}: {n.message}" for n in result.notices]
    if result.sources:
        lines.append("  signatures found in: " + "; ".join(
            f"{role} " + ", ".join(f"{kind} {n:,}" for kind, n in counts.items())
            for role, counts in result.sources.items()))
    lines.append("")
    header = ["", "docs", "organ", "signer", "both", "organ ok", "signer ok", "both ok",
              f"{result.measure} [95% CI]"]
    for dimension in DIMENSIONS:
        table = result.tables[dimension]
        if dimension == "agency" and not full:
            lines += [f"By agency: {len(table):,} agencies (--full lists each)", ""]
            continue
        rows = [[_TITLES[dimension], *header[1:]]]
        rows += [_row(key, counts, result.measure) for key, counts in table.items()]
        rows.append(_row("all", total, result.measure))
        lines += [*_format(rows), ""]
    if total.reasons:
        lines.append("Reasons for invalid signatures (documents)")
        width = max(len(f"{n:,}") for n in total.reasons.values())
        for code, n in sorted(total.reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {n:>{width},}  {_meaning(code)}")
        hint = trust_hint(total.reasons)
        if hint:
            lines.append(f"  Hint: {hint}")
        lines.append("")
    if result.unreadable:
        lines.append("Unreadable entries (not archived, not counted above)")
        width = max(len(f"{n:,}") for n in result.unreadable.values())
        for code, n in sorted(result.unreadable.items()):
            lines.append(f"  {n:>{width},}  {_meaning(code)}")
        lines.append("")
    if result.target is not None:
        lines.append(f"Below the target of {_pct(result.target)} {result.measure} "
                     "(worst first, by the upper bound of the 95% interval; * = certain)")
        if not result.below:
            lines.append("  none")
        worst = {id(b) for b in [b for b in result.below if b.dimension == "agency"]
                 [:COMPACT_ROWS]}
        shown = [b for b in result.below if full or b.dimension == "level" or id(b) in worst]
        for b in shown:
            lines.append(f"  {'*' if b.certain else ' '} {b.dimension:<6} {b.key:<16} "
                         f"{b.count:,}/{b.documents:,} = {_pct(b.rate)} "
                         f"[{_pct(b.low)}–{_pct(b.high)}]")
        if len(shown) < len(result.below):
            lines.append(f"  … and {len(result.below) - len(shown):,} more agencies "
                         "(--full lists each)")
        if result.unranked:
            lines.append(f"  {result.unranked:,} agencies below the target sent fewer than "
                         f"{result.min_documents} documents each and are not ranked "
                         "(--min-documents)")
    return "\n".join(lines).rstrip() + "\n"


def render_csv(result: AuditResult) -> str:
    """One row per (dimension, key) and a ``total`` row: counts, rates, interval bounds (rates
    rounded to six decimals, as in the JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rate_columns = [f"{name}_{part}" for name in RATE_FIELDS for part in ("rate", "low", "high")]
    writer.writerow(["dimension", "key", *COUNT_FIELDS, *rate_columns, "reasons"])

    def write(dimension: str, key: str, counts: CoverageCounts) -> None:
        rates = []
        for name in RATE_FIELDS:
            low, high = counts.interval(name)
            rate = counts.rate(name)
            rates += ["" if rate is None else repr(rounded(rate)), repr(rounded(low)),
                      repr(rounded(high))]
        reasons = ";".join(f"{c}={n}" for c, n in sorted(counts.reasons.items()))
        writer.writerow([dimension, key, *(getattr(counts, f) for f in COUNT_FIELDS), *rates,
                         reasons])

    write("total", "all", result.total)
    for dimension in DIMENSIONS:
        for key, counts in result.tables[dimension].items():
            write(dimension, key, counts)
    return buffer.getvalue()
