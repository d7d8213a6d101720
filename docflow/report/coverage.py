"""Signature coverage as the reports show it: rows of rates with intervals, and invalid reasons.

Both the simulation report and the audit report show coverage, and both read it in the one format
that :class:`docflow.metrics.coverage.CoverageCounts` writes. The counters are read back through
``CoverageCounts.from_dict`` and the rates recomputed from them, so a hand-edited rate in a
summary cannot disagree with its own counts in the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docflow.errors import CATALOGUE, InputError, Location
from docflow.metrics.coverage import RATE_FIELDS, CoverageCounts
from docflow.metrics.coverage_json import Coverage
from docflow.report.format import count
from docflow.report.svg import Interval

__all__ = ["MEASURES", "CoverageRow", "RateCell", "ReasonRow", "counts_row", "coverage_row",
           "reason_rows"]

MEASURES: dict[str, str] = {
    "organ_present": "organ signature present", "signer_present": "signer signature present",
    "both_present": "both signatures present", "organ_valid": "valid organ signature",
    "signer_valid": "valid signer signature", "both_valid": "both signatures valid",
}
"""What each rate counts, in the words of the report."""


@dataclass(frozen=True, slots=True)
class RateCell:
    """One rate of one group: its count, the rate and its 95 % Wilson interval."""

    count: int
    rate: float | None
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """The coverage of one group (a level, an agency, a month) for the report's tables."""

    key: str
    label: str
    documents: int
    cells: dict[str, RateCell]
    """Per counter of :data:`~docflow.metrics.coverage.RATE_FIELDS` (``organ_present``, …,
    ``both_valid``): its count, rate and interval, all over the group's documents."""
    reasons: dict[str, int]

    def interval(self, measure: str = "both_valid", label: str | None = None) -> Interval | None:
        """The rate ``measure`` as a row of an interval chart; ``None`` with no documents."""
        cell = self.cells[measure]
        if cell.rate is None:
            return None
        return Interval(label or self.label, cell.rate, cell.low, cell.high,
                        f"{count(self.documents)} documents")


def _cell(counts: CoverageCounts, name: str) -> RateCell:
    low, high = counts.interval(name)
    return RateCell(int(getattr(counts, name)), counts.rate(name), low, high)



def coverage_row(coverage: Coverage, key: str, label: str, file: str | None = None,
                 where: str = "") -> CoverageRow:
    """The report's row of one group's :class:`~docflow.metrics.coverage_json.Coverage`.

    Rates are recomputed from the counters, so a rate edited by hand cannot disagree with
    its own counts in the report.

    Raises
    ------
    InputError
        ``DF-REP-002`` at ``where.documents`` (``where`` is the object's dotted key) if the
        counters contradict each other.
    """
    try:
        counts = coverage.counts()
    except ValueError as exc:
        raise InputError("DF-REP-002", f"contradictory coverage counters: {exc}",
                         Location(file=file, key=f"{where}.documents" if where
                                  else "documents")) from None
    return counts_row(counts, key, label)


def counts_row(counts: CoverageCounts, key: str, label: str) -> CoverageRow:
    """The report's row of the counters ``counts``: every rate recomputed from them."""
    return CoverageRow(
        key=key, label=label, documents=counts.documents,
        cells={name: _cell(counts, name) for name in RATE_FIELDS},
        reasons=dict(sorted(counts.reasons.items())),
    )


@dataclass(frozen=True, slots=True)
class ReasonRow:
    """One reason for invalid signatures: its code, what it means, and documents per group."""

    code: str
    summary: str
    total: int
    per_group: dict[str, int]


def reason_rows(rows: Iterable[CoverageRow]) -> list[ReasonRow]:
    """Invalid-signature reasons across groups, most frequent first (then by code).

    Examples
    --------
    >>> a = CoverageRow("a", "A", 3, {}, {"DF-SIG-001": 2})
    >>> b = CoverageRow("b", "B", 3, {}, {"DF-SIG-001": 1, "X-1": 1})
    >>> [(r.code, r.total, r.per_group) for r in reason_rows([a, b])]
    [('DF-SIG-001', 3, {'a': 2, 'b': 1}), ('X-1', 1, {'b': 1})]
    """
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        for code, n in row.reasons.items():
            totals.setdefault(code, {})[row.key] = totals.get(code, {}).get(row.key, 0) + n
    out = [ReasonRow(code, _summary(code), sum(per.values()), per)
           for code, per in totals.items()]
    return sorted(out, key=lambda r: (-r.total, r.code))


def _summary(code: str) -> str:
    info = CATALOGUE.get(code)
    return info.summary if info else ""

