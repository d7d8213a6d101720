"""Numbers formatted for people: counts, rates, percentages with their interval, durations.

The reports are read by Vietnamese and English speakers alike, and the two disagree on the
decimal mark (``98,2`` against ``98.2``) and on the thousands separator. docflow follows the SI
and ISO 80000-1 convention that both can read without ambiguity: digits are grouped in threes by
a narrow no-break space (U+202F), the decimal mark is a point, and a unit or ``%`` is set off by a
no-break space so that a line never breaks between a number and its unit.

Every function here is pure and deterministic (no locale, no clock), so the same summary always
gives the same bytes of HTML.
"""

from __future__ import annotations

import math

__all__ = [
    "GROUP",
    "NBSP",
    "count",
    "decimal",
    "duration",
    "per_hour",
    "percent",
    "percent_interval",
]

GROUP = "\u202f"
"""Narrow no-break space, the SI thousands separator."""

NBSP = "\u00a0"
"""No-break space between a number and its unit."""

_DASH = "\u2013"
"""En dash, the range separator in ``97.9–98.5``."""

_MISSING = "\u2014"
"""Em dash, shown for a value that is not available (``None`` or NaN)."""


def _group(digits: str) -> str:
    """Insert the thousands separator into a string of digits (no sign, no decimals)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return GROUP.join(parts)


def decimal(value: float | None, digits: int = 1) -> str:
    """Format a number with ``digits`` decimals and grouped thousands.

    Rounding is half-to-even, as Python's ``format`` does, so the output is the same on every
    platform.

    >>> decimal(1234567.891, 2).replace(GROUP, " ")
    '1 234 567.89'
    >>> decimal(-0.04)
    '0.0'
    >>> decimal(None)
    '—'
    """
    if value is None or not math.isfinite(value):
        return _MISSING
    text = f"{value:.{digits}f}"
    if float(text) == 0.0:  # never print "-0.0"
        text = text.lstrip("-")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    return sign + _group(whole) + ("." + frac if frac else "")


def count(value: int | float | None) -> str:
    """Format a whole number with grouped thousands: documents, agencies, messages.

    >>> count(625412).replace(GROUP, " ")
    '625 412'
    >>> count(999)
    '999'
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return _MISSING
    return decimal(round(value), 0)


def per_hour(value: float | None) -> str:
    """Format a throughput in documents per hour, with one decimal below 100.

    >>> per_hour(12.345).replace(NBSP, " ")
    '12.3 /h'
    >>> per_hour(15234.6).replace(NBSP, " ").replace(GROUP, " ")
    '15 235 /h'
    """
    if value is None or not math.isfinite(value):
        return _MISSING
    return (decimal(value, 1) if abs(value) < 100 else count(value)) + NBSP + "/h"


def percent(rate: float | None, digits: int = 1) -> str:
    """Format a proportion in [0, 1] as a percentage.

    >>> percent(0.98215).replace(NBSP, " ")
    '98.2 %'
    >>> percent(1.0, 0).replace(NBSP, " ")
    '100 %'

    A rate that is not exactly 0 or 1 is never shown as ``0.0 %`` or ``100.0 %``: 99.996 % of
    documents signed is not "all of them", and a report must not round it into that claim.

    >>> percent(0.99996).replace(NBSP, " "), percent(0.00002).replace(NBSP, " ")
    ('> 99.9 %', '< 0.1 %')
    """
    if rate is None or not math.isfinite(rate):
        return _MISSING
    text = decimal(100.0 * rate, digits)
    step = decimal(10.0 ** -digits, digits)
    if rate < 1.0 and text == decimal(100.0, digits):
        return f">{NBSP}{decimal(100.0 - 10.0 ** -digits, digits)}{NBSP}%"
    if rate > 0.0 and text == decimal(0.0, digits):
        return f"<{NBSP}{step}{NBSP}%"
    return text + NBSP + "%"


def percent_interval(rate: float | None, low: float | None, high: float | None,
                     digits: int = 1) -> str:
    """Format a proportion with its confidence interval: ``98.2 % (97.9–98.5)``.

    The interval is what makes a rate honest: 100 % of 12 documents and 100 % of 12,000 are not
    the same claim, and the interval shows the difference.

    >>> percent_interval(0.982, 0.979, 0.985).replace(NBSP, " ")
    '98.2 % (97.9–98.5)'
    >>> percent_interval(0.5, None, None).replace(NBSP, " ")
    '50.0 %'
    """
    head = percent(rate, digits)
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return head
    return f"{head} ({decimal(100.0 * low, digits)}{_DASH}{decimal(100.0 * high, digits)})"


_UNITS = ((86_400.0, "d"), (3_600.0, "h"), (60.0, "min"))


def duration(seconds: float | None) -> str:
    """Format a duration for people, with at most two units: ``45 s``, ``12 min``, ``1 h 05 min``.

    Latencies in a document flow run from seconds (a hop through a hub) to days (acceptance
    waits for office hours), so the unit follows the size of the value.

    >>> [duration(s).replace(NBSP, " ") for s in (0.25, 45, 720, 3900, 93600)]
    ['0.25 s', '45 s', '12 min', '1 h 05 min', '1 d 02 h']
    """
    if seconds is None or not math.isfinite(seconds):
        return _MISSING
    if seconds < 10:
        return f"{seconds:.2g}{NBSP}s" if seconds < 1 else f"{seconds:.1f}".rstrip("0").rstrip(
            ".") + NBSP + "s"
    if seconds < 60:
        return f"{round(seconds)}{NBSP}s"
    total_min = round(seconds / 60.0)
    if total_min < 60:
        return f"{total_min}{NBSP}min"
    total_h, minutes = divmod(total_min, 60)
    if total_h < 24:
        return f"{total_h}{NBSP}h{NBSP}{minutes:02d}{NBSP}min" if minutes else f"{total_h}{NBSP}h"
    days, hours = divmod(round(seconds / 3600.0), 24)
    return f"{days}{NBSP}d{NBSP}{hours:02d}{NBSP}h" if hours else f"{days}{NBSP}d"
