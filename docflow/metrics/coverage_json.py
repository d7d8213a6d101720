"""Signature coverage as every output writes it: the counters, the reasons, the rates.

:class:`Coverage` is the typed form of one group's coverage object in ``summary.json`` (and
of any output that reports coverage the same way): the seven counters, the invalid-signature
reasons by code, and each rate with its 95 % Wilson interval. The writer makes it from
:class:`~docflow.metrics.coverage.CoverageCounts`; a reader gets the counters back with
:meth:`Coverage.counts`, and recomputes rates from them rather than trusting the written ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from docflow.metrics.coverage import CoverageCounts
from docflow.outputs import rate

__all__ = ["Coverage", "CoverageRates", "RateBand"]


@dataclass(frozen=True, slots=True)
class RateBand:
    """A rate and its 95 % Wilson interval, rounded to :data:`~docflow.outputs.RATE_DIGITS`."""

    rate: float | None
    """``None`` for a group with no documents."""
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class CoverageRates:
    """Each counter's share of the documents, with its interval."""

    organ_present: RateBand
    signer_present: RateBand
    both_present: RateBand
    organ_valid: RateBand
    signer_valid: RateBand
    both_valid: RateBand


@dataclass(frozen=True, slots=True)
class Coverage:
    """One group's signature coverage (``CoverageCounts.to_dict``'s layout, typed).

    Examples
    --------
    >>> c = Coverage.of(CoverageCounts(documents=4, organ_present=4, organ_valid=3))
    >>> c.organ_valid, c.rates.organ_valid.rate, c.counts().organ_valid
    (3, 0.75, 3)
    """

    documents: int
    organ_present: int
    signer_present: int
    both_present: int
    organ_valid: int
    signer_valid: int
    both_valid: int
    reasons: dict[str, int]
    """Documents with an invalid signature, per finding code, sorted by code."""
    rates: CoverageRates

    @classmethod
    def of(cls, counts: CoverageCounts) -> Coverage:
        """The coverage object of ``counts``, rates and intervals rounded."""
        bands = {}
        for name in ("organ_present", "signer_present", "both_present", "organ_valid",
                     "signer_valid", "both_valid"):
            low, high = counts.interval(name)
            bands[name] = RateBand(rate(counts.rate(name)), rate(low) or 0.0,
                                   rate(high) or 0.0)
        return cls(counts.documents, counts.organ_present, counts.signer_present,
                   counts.both_present, counts.organ_valid, counts.signer_valid,
                   counts.both_valid, {code: counts.reasons[code] for code in
                                       sorted(counts.reasons)}, CoverageRates(**bands))

    def counts(self) -> CoverageCounts:
        """The counters, checked.

        Raises
        ------
        ValueError
            When they contradict each other (more valid than present, more present than
            documents, a reason counted on more documents than the group has).
        """
        counts = CoverageCounts(self.documents, self.organ_present, self.signer_present,
                                self.both_present, self.organ_valid, self.signer_valid,
                                self.both_valid, dict(self.reasons))
        counts.check()
        return counts
