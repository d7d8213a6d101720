"""Numbers in reports are formatted for people, and the text reads back to the same number."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from docflow.report.format import (
    GROUP,
    NBSP,
    count,
    decimal,
    duration,
    per_hour,
    percent,
    percent_interval,
)


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_count_groups_digits_in_threes_and_reads_back(n: int) -> None:
    """A count groups its digits by threes with a narrow no-break space and loses nothing."""
    text = count(n)
    assert int(text.replace(GROUP, "")) == n
    for group in text.lstrip("-").split(GROUP)[1:]:
        assert len(group) == 3


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 4))
def test_decimal_rounds_to_the_requested_digits(x: float, digits: int) -> None:
    """A decimal has exactly the requested digits after the point and the value rounded."""
    text = decimal(x, digits).replace(GROUP, "")
    if digits:
        assert len(text.split(".")[1]) == digits
    assert abs(float(text) - x) <= 0.5 * 10 ** -digits + 1e-9 * max(1.0, abs(x))
    assert not text.startswith("-0") or float(text) != 0


def test_missing_values_show_a_dash_not_nan() -> None:
    """A value that does not exist (None, NaN, infinity) is shown as a dash, never 'nan'."""
    for f in (count, decimal, percent, per_hour, duration):
        assert f(None) == "—"
    assert decimal(float("nan")) == "—" and percent(float("inf")) == "—"


def test_percent_interval_keeps_number_and_unit_together() -> None:
    """A rate with its interval reads '98.2 % (97.9–98.5)' with no breakable space inside."""
    text = percent_interval(0.98215, 0.97904, 0.98512)
    assert text == f"98.2{NBSP}% (97.9–98.5)"
    assert percent_interval(1.0, 0.9963, 1.0) == f"100.0{NBSP}% (99.6–100.0)"


def test_duration_picks_the_unit_by_size() -> None:
    """Durations use the unit that fits, with at most two units and minutes zero-padded."""
    cases = {0.04: "0.04 s", 3.5: "3.5 s", 59.4: "59 s", 60: "1 min", 3599: "1 h",
             3660: "1 h 01 min", 7200: "2 h", 86_400: "1 d", 183_600: "2 d 03 h"}
    for seconds, expected in cases.items():
        assert duration(seconds).replace(NBSP, " ") == expected, seconds


def test_throughput_has_one_decimal_only_when_small() -> None:
    """Small throughputs keep a decimal; large ones are whole and grouped."""
    assert per_hour(0.25).replace(NBSP, " ") == "0.2 /h"
    assert per_hour(1234.5).replace(NBSP, " ").replace(GROUP, " ") == "1 234 /h"


@given(st.floats(min_value=0.0, max_value=1.0), st.integers(0, 3))
def test_percent_never_rounds_into_all_or_none(rate: float, digits: int) -> None:
    """Only a rate of exactly 1 reads 100 %, and only exactly 0 reads 0 %."""
    text = percent(rate, digits).replace(NBSP, " ")
    assert (text == f"{decimal(100.0, digits)} %") == (rate == 1.0)
    assert (text == f"{decimal(0.0, digits)} %") == (rate == 0.0)
