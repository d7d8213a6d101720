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

from docflow.audit.directory import CENTRAL, Directory, DirectorySource
from docflow.audit.hints import trust_hint
from docflow.audit.output import AuditOutput
from docflow.audit.result import UNKNOWN, AuditResult
from docflow.errors import CATALOGUE
from docflow.metrics.coverage import COUNT_FIELDS, RATE_FIELDS, CoverageCounts, CoverageTable
from docflow.outputs import rate as rounded

__all__ = ["render_csv", "render_table"]

COMPACT_ROWS = 25
"""Agencies below the target shown in the compact table (the worst, by the upper bound)."""

_TITLES = {"level": "By level", "province": "By province",
           "province_level": "By province/level", "agency": "By agency",
           "document_type": "By document type", "month": "By month"}

NAME_WIDTH = 48
"""Characters of an agency's name in the text table; longer names are cut with an ellipsis."""


def _tables(out: AuditOutput) -> dict[str, CoverageTable]:
    """The output's tables in report order; the province table only when provinces are known."""
    tables = {"level": out.by_level}
    if out.by_province is not None:
        tables["province"] = out.by_province
    if out.by_province_level is not None:
        tables["province_level"] = CoverageTable({
            f"{province}/{level}": counts for province, table in out.by_province_level.items()
            for level, counts in table.items()})
    tables.update(agency=out.by_agency, document_type=out.by_document_type,
                  month=out.by_month)
    return tables


def _ordered(dimension: str, table: CoverageTable) -> list[tuple[str, CoverageCounts]]:
    """A table's rows in key order; for provinces, the central agencies and the senders the
    topology does not know come after the provinces."""
    rows = list(table.items())
    if dimension == "province":
        last = (CENTRAL, UNKNOWN)
        rows.sort(key=lambda kv: (last.index(kv[0]) + 1 if kv[0] in last else 0, kv[0]))
    return rows


def _named(code: str, directory: Directory) -> str:
    """``code  name`` for the text table, the name cut to :data:`NAME_WIDTH`; the code alone
    when the directory does not know it.

    >>> from docflow.audit.directory import Named
    >>> d = Directory(DirectorySource.PKI, "pki", {"000.00.00.G22": Named("Văn phòng Chính phủ",
    ...               None)}, False)
    >>> _named("000.00.00.G22", d), _named("000.00.00.G99", d)
    ('000.00.00.G22  Văn phòng Chính phủ', '000.00.00.G99')
    """
    name = directory.name(code)
    if not name:
        return code
    if len(name) > NAME_WIDTH:
        name = name[:NAME_WIDTH - 1] + "…"
    return f"{code}  {name}"


def _names_line(directory: Directory) -> str:
    if directory.source is DirectorySource.NONE:
        return ("  agency names unknown: no topology or PKI index (--topology vn-2025, or "
                "--trust PKI_DIR)")
    provinces = "" if directory.provinces else "; provinces unknown (a PKI index alone)"
    return f"  agency names from {directory.source.value} {directory.origin}{provinces}"


def _output(result: AuditResult | AuditOutput) -> AuditOutput:
    return result.output() if isinstance(result, AuditResult) else result


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


def render_table(result: AuditResult | AuditOutput, *, full: bool = False) -> str:
    """A plain-text report: summary, one table per dimension, reasons, groups below target.

    Parameters
    ----------
    result
        The audit to show (read through its :class:`~docflow.audit.output.AuditOutput`).
    full
        List every agency and every group below the target; by default the agency table is
        left out (its size is the country's) and the :data:`COMPACT_ROWS` worst agencies
        below the target are shown.

    Returns
    -------
    str
        The text, ending with a newline.
    """
    out = _output(result)
    total = out.total
    target = out.target
    measure = target.measure if target is not None else "both_valid"
    lines = [f"Audit of {out.source}",
             f"  documents {out.documents:,} (verified now {out.verified_now:,}, "
             f"reused {out.reused:,}); status messages {out.status_messages:,}; "
             f"unreadable entries {sum(out.unreadable.values()):,}",
             f"  policy {out.context.policy}, trust {out.context.trust_fingerprint[:16]} "
             f"({out.context.trust_source.value}), at {out.context.at}",
             _names_line(out.directory)]
    lines += [f"  {n.effective_severity.value}: {n.code}: {n.message}" for n in out.notices]
    sources = out.sources
    if sources.organ.xml + sources.organ.pdf + sources.organ.both + sources.signer.xml + \
            sources.signer.pdf + sources.signer.both:
        lines.append("  signatures found in: " + "; ".join(
            f"{role} xml {n.xml:,}, pdf {n.pdf:,}, both {n.both:,}"
            for role, n in (("organ", sources.organ), ("signer", sources.signer))))
    lines.append("")
    header = ["", "docs", "organ", "signer", "both", "organ ok", "signer ok", "both ok",
              f"{measure} [95% CI]"]
    for dimension, table in _tables(out).items():
        if dimension == "agency" and not full:
            lines += [f"By agency: {len(table):,} agencies (--full lists each)", ""]
            continue
        if dimension == "province_level" and not full:
            continue  # --full: the province table's rows split by level
        rows = [[_TITLES[dimension], *header[1:]]]
        rows += [_row(_named(key, out.directory) if dimension == "agency" else key, counts,
                      measure) for key, counts in _ordered(dimension, table)]
        rows.append(_row("all", total, measure))
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
    if out.unreadable:
        lines.append("Unreadable entries (not archived, not counted above)")
        width = max(len(f"{n:,}") for n in out.unreadable.values())
        for code, n in sorted(out.unreadable.items()):
            lines.append(f"  {n:>{width},}  {_meaning(code)}")
        lines.append("")
    if target is not None:
        lines.append(f"Below the target of {_pct(target.value)} {measure} "
                     "(worst first, by the upper bound of the 95% interval; * = certain)")
        if not target.below:
            lines.append("  none")
        worst = {id(b) for b in [b for b in target.below if b.dimension == "agency"]
                 [:COMPACT_ROWS]}
        shown = [b for b in target.below if full or b.dimension == "level" or id(b) in worst]
        for b in shown:
            name = out.directory.name(b.key) if b.dimension == "agency" else None
            lines.append(f"  {'*' if b.certain else ' '} {b.dimension:<6} {b.key:<16} "
                         f"{b.count:,}/{b.documents:,} = {_pct(b.rate)} "
                         f"[{_pct(b.low)}–{_pct(b.high)}]" + (f"  {name}" if name else ""))
        if len(shown) < len(target.below):
            lines.append(f"  … and {len(target.below) - len(shown):,} more agencies "
                         "(--full lists each)")
        if target.unranked:
            lines.append(f"  {target.unranked:,} agencies below the target sent fewer than "
                         f"{target.min_documents} documents each and are not ranked "
                         "(--min-documents)")
    return "\n".join(lines).rstrip() + "\n"


def render_csv(result: AuditResult | AuditOutput) -> str:
    """One row per (dimension, key) and a ``total`` row: counts, rates, interval bounds (rates
    rounded to six decimals, as in the JSON), then the agency's ``name`` and ``province`` (on
    agency rows, when the audit's directory knows them; empty otherwise). Provinces have rows
    of their own when they are known (dimension ``province``, and ``province_level`` keyed
    ``province/level``)."""
    out = _output(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rate_columns = [f"{name}_{part}" for name in RATE_FIELDS for part in ("rate", "low", "high")]
    writer.writerow(["dimension", "key", *COUNT_FIELDS, *rate_columns, "reasons", "name",
                     "province"])
    known = out.directory.agencies

    def write(dimension: str, key: str, counts: CoverageCounts) -> None:
        rates = []
        for name in RATE_FIELDS:
            low, high = counts.interval(name)
            rate = counts.rate(name)
            rates += ["" if rate is None else repr(rounded(rate)), repr(rounded(low)),
                      repr(rounded(high))]
        reasons = ";".join(f"{c}={n}" for c, n in sorted(counts.reasons.items()))
        named = known.get(key) if dimension == "agency" else None
        province = out.directory.province(key) if named and out.directory.provinces else ""
        writer.writerow([dimension, key, *(getattr(counts, f) for f in COUNT_FIELDS), *rates,
                         reasons, named.name if named else "", province])

    write("total", "all", out.total)
    for dimension, table in _tables(out).items():
        for key, counts in table.items():
            write(dimension, key, counts)
    return buffer.getvalue()
