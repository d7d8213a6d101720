"""Which agencies and levels fall short of a signing-rate target, worst first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from docflow.metrics.coverage import CoverageTable
from docflow.outputs import rate

__all__ = ["BelowTarget", "below_target", "unranked_agencies"]


@dataclass(frozen=True, slots=True)
class BelowTarget:
    """One group whose rate is below the target."""

    dimension: str
    """``level`` or ``agency``."""
    key: str
    documents: int
    count: int
    """Documents meeting the measure."""
    rate: float
    low: float
    high: float
    """The 95% Wilson interval of ``rate``."""
    certain: bool
    """True when even the upper bound is below the target: short of it with 95% confidence,
    not only by the luck of a small sample."""

    def to_dict(self) -> dict[str, object]:
        return {"dimension": self.dimension, "key": self.key, "documents": self.documents,
                "count": self.count, "rate": rate(self.rate), "low": rate(self.low),
                "high": rate(self.high),
                "certain": self.certain}


def below_target(tables: Mapping[str, CoverageTable], target: float,
                 measure: str, min_documents: int = 1) -> tuple[BelowTarget, ...]:
    """Groups of ``tables`` whose ``measure`` rate is below ``target``, worst first.

    Agencies with fewer than ``min_documents`` documents are not listed (levels always are):
    two unsigned documents say little about an agency, and a list of the worst agencies that
    fills up with them hides the ones that sent hundreds. :func:`unranked_agencies` counts
    what was left out.

    A group is listed when its observed rate is below the target. The list is ranked by the
    **upper bound** of the 95% Wilson interval, lowest first (then by rate, dimension and key):
    the upper bound is the best rate the data still allows, so an agency that sent 50
    documents and signed none (upper bound 0.07) ranks before one that sent a single unsigned
    document (upper bound 0.79), which a plain rate (0 and 0) could not tell apart. A small
    sample alone never puts an agency at the top.

    >>> from docflow.metrics.coverage import DocumentOutcome
    >>> t = CoverageTable()
    >>> for i in range(50): t.add("A", DocumentOutcome())
    >>> t.add("B", DocumentOutcome())
    >>> for i in range(99): t.add("C", DocumentOutcome(True, True, True, True))
    >>> [b.key for b in below_target({"agency": t}, 0.98, "both_valid")]
    ['A', 'B']
    """
    out: list[BelowTarget] = []
    for dimension, table in tables.items():
        for key, counts in table.items():
            rate = counts.rate(measure)
            if rate is None or rate >= target or \
                    (dimension == "agency" and counts.documents < min_documents):
                continue
            low, high = counts.interval(measure)
            out.append(BelowTarget(dimension, key, counts.documents, getattr(counts, measure),
                                   rate, low, high, high < target))
    out.sort(key=lambda b: (b.high, b.rate, b.dimension, b.key))
    return tuple(out)


def unranked_agencies(agencies: CoverageTable, target: float, measure: str,
                      min_documents: int) -> int:
    """Agencies below ``target`` that :func:`below_target` leaves out for sending fewer than
    ``min_documents`` documents.

    >>> from docflow.metrics.coverage import DocumentOutcome
    >>> t = CoverageTable()
    >>> t.add("A", DocumentOutcome())
    >>> unranked_agencies(t, 0.98, "both_valid", 20)
    1
    """
    return sum(1 for _, counts in agencies.items()
               if counts.documents < min_documents and (counts.rate(measure) or 0.0) < target
               and counts.documents > 0)
