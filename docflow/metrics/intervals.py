"""Confidence intervals for proportions (signing rates, coverage)."""

from __future__ import annotations

import math

__all__ = ["Z95", "wilson"]

Z95 = 1.959963984540054
"""The two-sided 95% quantile of the standard normal distribution."""


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion: well-behaved near 0 and 1, unlike the Wald one.

    Signing rates sit at 95–100%, exactly where the normal approximation breaks down, so the
    Wilson interval is used throughout; with no trials the interval is the whole of [0, 1].

    >>> lo, hi = wilson(98, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.93, 0.9945)
    >>> wilson(0, 0)
    (0.0, 1.0)
    """
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"successes ({successes}) must lie between 0 and trials ({trials})")
    p = successes / trials
    z2 = z * z
    denom = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
