"""Axes get round, readable ticks that cover the data."""

from __future__ import annotations

import math
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from docflow.report.scale import LinearScale, LogScale, duration_ticks, nice_ticks, time_ticks


@given(st.floats(-1e6, 1e6), st.floats(0, 1e6))
def test_nice_ticks_cover_the_data_with_round_steps(low: float, span: float) -> None:
    """The nice domain contains the data; ticks are evenly spaced by 1, 2, 2.5 or 5 × 10^k."""
    high = low + span
    (d0, d1), ticks = nice_ticks(low, high)
    slack = 1e-8 * (d1 - d0)  # float noise of a tick step, not a visible gap
    assert d0 <= low + slack and d1 >= high - slack
    assert 2 <= len(ticks) <= 12
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert min(abs(mantissa - m) for m in (1, 2, 2.5, 5, 10)) < 1e-6


def test_scales_map_ends_to_ends() -> None:
    """A scale maps the ends of its domain to the ends of its range, log scales by decade."""
    s = LinearScale((10.0, 20.0), (300.0, 100.0))
    assert (s(10), s(20), s(15)) == (300.0, 100.0, 200.0)
    g = LogScale((1.0, 1000.0), (0.0, 300.0))
    assert (g(1.0), g(10.0), g(1000.0)) == (0.0, 100.0, 300.0)


def test_duration_ticks_use_units_people_think_in() -> None:
    """A latency axis from 5 s to 2 days ticks at 1 s, 10 s, 1 min, …, 1 d, 1 wk."""
    (d0, d1), ticks = duration_ticks(5, 2 * 86_400)
    assert (d0, d1) == (1.0, 7 * 86_400.0)
    assert [t.label for t in ticks] == ["1 s", "10 s", "1 min", "10 min", "1 h", "6 h", "1 d",
                                        "1 wk"]


def test_time_ticks_fall_on_midnights_and_stay_few() -> None:
    """Week, month and year runs all get a handful of ticks, each at a midnight."""
    start = datetime(2025, 1, 1, 7, 30)
    for hours in (24 * 7, 24 * 31, 24 * 365):
        ticks = time_ticks(start, hours)
        assert 3 <= len(ticks) <= 9, hours
        assert all(0 <= t.value <= hours for t in ticks)
        assert all((t.value + 7.5) % 24 == 0 for t in ticks)
    short = time_ticks(start, 10)
    assert short[0].label == "08:00" and len(short) <= 9
