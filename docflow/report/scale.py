"""Scales and tick marks: map data values to SVG coordinates and choose readable ticks.

A chart is only as readable as its axis. Linear axes get "nice" ticks (1, 2 or 5 times a power of
ten); latency axes are logarithmic with ticks at durations people think in (1 s, 1 min, 1 h, 1 d),
because document latencies run from seconds to days; time axes tick at midnights (or every few
hours for a short run) in the simulation's own clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "LONG_RUN_DAYS",
    "LinearScale",
    "LogScale",
    "Tick",
    "duration_ticks",
    "nice_ticks",
    "time_ticks",
]


@dataclass(frozen=True, slots=True)
class Tick:
    """One tick mark: its data value and its label."""

    value: float
    label: str


@dataclass(frozen=True, slots=True)
class LinearScale:
    """Map ``domain`` linearly onto ``range`` (pixels); a reversed range flips the axis.

    >>> LinearScale((0.0, 10.0), (100.0, 0.0))(2.5)
    75.0
    """

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        d0, d1 = self.domain
        r0, r1 = self.range
        if d1 == d0:
            return (r0 + r1) / 2.0
        return r0 + (value - d0) * (r1 - r0) / (d1 - d0)


@dataclass(frozen=True, slots=True)
class LogScale:
    """Map a positive ``domain`` onto ``range`` on a base-10 logarithmic scale.

    Values at or below zero are clamped to the bottom of the domain, so that a zero latency is
    drawn at the axis instead of failing.

    >>> s = LogScale((1.0, 100.0), (0.0, 200.0))
    >>> s(10.0), s(0.0)
    (100.0, 0.0)
    """

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        d0, d1 = (math.log10(v) for v in self.domain)
        r0, r1 = self.range
        v = math.log10(max(value, self.domain[0]))
        if d1 == d0:
            return (r0 + r1) / 2.0
        return r0 + (v - d0) * (r1 - r0) / (d1 - d0)


_LIMIT = 1e15


def _nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= mult * power:
            return mult * power
    return 10.0 * power  # pragma: no cover - the loop always returns


def nice_ticks(low: float, high: float, target: int = 5) -> tuple[tuple[float, float], list[float]]:
    """Extend ``[low, high]`` to round numbers and return it with about ``target`` ticks.

    >>> nice_ticks(0, 87)
    ((0.0, 100.0), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    >>> nice_ticks(0, 0)
    ((0.0, 1.0), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high < low:
        low, high = high, low
    # Beyond ±1e15 a tick label is unreadable anyway; clamping keeps the arithmetic finite.
    low, high = (min(max(v, -_LIMIT), _LIMIT) for v in (low, high))
    if high - low <= 1e-6 * max(1.0, abs(low), abs(high)):
        # A flat series (or float noise around one value) gets a unit-wide axis above it,
        # instead of ticks at 65.000000001.
        high = low + 1.0
    step = _nice_step(high - low, target)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    n = round((stop - start) / step)
    # Rounding each tick to the step's precision keeps the labels free of 0.30000000000000004.
    digits = max(0, -math.floor(math.log10(step)) + 1)
    ticks = [round(start + i * step, digits) for i in range(n + 1)]
    return (ticks[0], ticks[-1]), ticks


_DURATION_TICKS = (
    (0.1, "0.1 s"), (1.0, "1 s"), (10.0, "10 s"), (60.0, "1 min"), (600.0, "10 min"),
    (3_600.0, "1 h"), (6 * 3_600.0, "6 h"), (86_400.0, "1 d"), (7 * 86_400.0, "1 wk"),
    (30 * 86_400.0, "30 d"), (365 * 86_400.0, "1 yr"),
)


def duration_ticks(low: float, high: float) -> tuple[tuple[float, float], list[Tick]]:
    """A logarithmic domain in seconds covering ``[low, high]``, and its ticks in human units.

    >>> domain, ticks = duration_ticks(30, 5000)
    >>> domain, [t.label for t in ticks]
    ((10.0, 21600.0), ['10 s', '1 min', '10 min', '1 h', '6 h'])
    """
    low = max(low, 0.1)
    high = max(high, low * 10.0)
    below = [v for v, _ in _DURATION_TICKS if v <= low]
    above = [v for v, _ in _DURATION_TICKS if v >= high]
    d0 = below[-1] if below else low
    d1 = above[0] if above else high
    return (d0, d1), [Tick(v, label) for v, label in _DURATION_TICKS if d0 <= v <= d1]


_HOUR_STEPS = (1, 2, 3, 6, 12)
_DAY_STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)


LONG_RUN_DAYS = 60
"""Runs longer than this are shown by week, with the year on the time axis."""


def time_ticks(start: datetime, hours: float, target: int = 8) -> list[Tick]:
    """Ticks for an axis of ``hours`` hours from ``start``, values in hours since ``start``.

    A short run ticks every few hours (``08:00``); a longer one at midnights every 1, 2, 7, …
    days (``07/07``), so that a week and a year both get a handful of labels.

    >>> t = time_ticks(datetime(2025, 7, 7), 24 * 7)
    >>> [(x.value, x.label) for x in t[:3]]
    [(0.0, '07/07'), (24.0, '08/07'), (48.0, '09/07')]
    >>> [x.label for x in time_ticks(datetime(2025, 7, 7, 8), 10)][:3]
    ['08:00', '10:00', '12:00']
    >>> [x.label for x in time_ticks(datetime(2025, 1, 1), 24 * 365)][:2]
    ['01/01/2025', '26/02/2025']
    """
    if hours <= 0:
        return [Tick(0.0, start.strftime("%d/%m"))]
    if hours <= 48:
        step_h = next((s for s in _HOUR_STEPS if hours / s <= target), 24)
        first = start.replace(minute=0, second=0, microsecond=0)
        if first < start:
            first += timedelta(hours=1)
        while first.hour % step_h:
            first += timedelta(hours=1)
        fmt = "%H:%M" if hours <= 24 else "%d/%m %H:%M"
        ticks, t = [], first
        while (t - start).total_seconds() / 3600.0 <= hours + 1e-9:
            ticks.append(Tick((t - start).total_seconds() / 3600.0, t.strftime(fmt)))
            t += timedelta(hours=step_h)
        return ticks
    days = hours / 24.0
    step_d = next((s for s in _DAY_STEPS if days / s <= target), _DAY_STEPS[-1])
    first = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(days=1)
    ticks, t = [], first
    # A run of more than two months names the year on the axis: a reader of a year's chart
    # must see which year (and where it turns) without looking elsewhere.
    fmt = "%d/%m" if days <= LONG_RUN_DAYS else "%d/%m/%Y"
    while (t - start).total_seconds() / 3600.0 <= hours + 1e-9:
        ticks.append(Tick((t - start).total_seconds() / 3600.0, t.strftime(fmt)))
        t += timedelta(days=step_d)
    return ticks
