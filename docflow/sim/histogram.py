"""Latency distributions kept as fixed log-spaced histograms, so a year costs kilobytes.

A national year has over a hundred million deliveries; their latencies cannot all be kept to
take exact percentiles. Each group (a level, a hub) instead counts latencies in 200 bins per
decade from 1 ms to about 3,000 years (bins 1.2% wide), and sums them exactly for the mean.
Percentiles interpolate inside a bin on the log scale, so they are within about half a percent
of the exact order statistic — well inside the 2% the oracle test allows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["BINS_PER_DECADE", "LatencyHistograms"]

BINS_PER_DECADE = 200
_FLOOR_US = 1000.0
N_BINS = 14 * BINS_PER_DECADE


class LatencyHistograms:
    """Histograms of ``groups`` latency groups; add whole arrays with :meth:`add`.

    >>> h = LatencyHistograms(2)
    >>> h.add(np.array([0, 0, 1]), np.array([1_000_000, 2_000_000, 5_000_000]))
    >>> h.count(0), round(h.mean_s(0), 3), round(h.quantile_s(1, 0.5), 1)
    (2, 1.5, 5.0)
    """

    def __init__(self, groups: int) -> None:
        self.groups = groups
        self.counts = np.zeros((groups, N_BINS), np.int64)
        self.sums = np.zeros(groups, np.float64)

    def add(self, group: npt.NDArray[np.integer], latency_us: npt.NDArray[np.int64],
            *more: npt.NDArray[np.integer]) -> None:
        """Count each latency (µs) in its group (and in each group of ``more``, same length:
        one latency counted under several groupings costs one logarithm)."""
        if len(group) == 0:
            return
        lat = np.maximum(latency_us, 0).astype(np.float64)
        b = np.floor(np.log10(np.maximum(lat, _FLOOR_US) / _FLOOR_US) * BINS_PER_DECADE)
        b = np.minimum(b.astype(np.int64), N_BINS - 1)
        groups = [np.asarray(g, np.int64) for g in (group, *more)]
        # Speed: every grouping in one count (a histogram table is megabytes; one pass over it,
        # not one per grouping). The groupings the engine passes are disjoint ranges of
        # groups, so each group's sum adds the same latencies in the same order as before.
        g = np.concatenate(groups) if len(groups) > 1 else groups[0]
        flat = g * N_BINS + np.tile(b, len(groups))
        self.counts += np.bincount(flat, minlength=self.groups * N_BINS).reshape(
            self.groups, N_BINS)
        self.sums += np.bincount(g, weights=np.tile(lat, len(groups)), minlength=self.groups)

    def count(self, group: int) -> int:
        return int(self.counts[group].sum())

    def mean_s(self, group: int) -> float | None:
        n = self.count(group)
        return float(self.sums[group]) / n / 1e6 if n else None

    def quantile_s(self, group: int, q: float) -> float | None:
        """The ``q`` quantile in seconds (``None`` for an empty group)."""
        counts = self.counts[group]
        n = int(counts.sum())
        if n == 0:
            return None
        cum = np.cumsum(counts)
        target = q * n
        k = int(np.searchsorted(cum, target, side="left"))
        k = min(k, N_BINS - 1)
        below = cum[k] - counts[k]
        frac = (target - below) / counts[k] if counts[k] else 0.0
        frac = min(max(frac, 0.0), 1.0)
        if k == 0:
            return _FLOOR_US * frac / 1e6  # everything at or under 1 ms
        lo = np.log10(_FLOOR_US) + k / BINS_PER_DECADE
        return float(10 ** (lo + frac / BINS_PER_DECADE)) / 1e6

    def merged(self, groups: list[int]) -> LatencyHistograms:
        """One histogram of several groups added together."""
        out = LatencyHistograms(1)
        out.counts[0] = self.counts[groups].sum(axis=0)
        out.sums[0] = self.sums[groups].sum()
        return out
