"""Working time: office hours, weekends and holidays, converted both ways without a loop."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from docflow.traffic.calendar import (
    DAY_US,
    HOUR_US,
    MINUTE_US,
    NEVER,
    WorkCalendar,
    WorkingHours,
    clock_at_one,
    floor_div,
)

HOLIDAY = date(2025, 9, 2)
CAL = WorkCalendar.build(WorkingHours(holidays=(HOLIDAY,)), date(2025, 8, 25), 40)


def _reference_work_before(cal: WorkCalendar, t: np.ndarray) -> np.ndarray:
    """The definition: sum of office time in the intervals before t."""
    out = np.zeros(len(t), np.int64)
    for b, e in zip(cal.begin, cal.end, strict=True):
        out += np.clip(t - b, 0, e - b)
    return out


def test_weekends_and_holidays_have_no_office_hours() -> None:
    """Saturdays, Sundays and listed holidays are not working days."""
    days = [CAL.start.fromordinal(CAL.start.toordinal() + int(d)) for d in CAL.working_days()]
    assert all(d.weekday() < 5 for d in days)
    assert HOLIDAY not in days
    assert len(days) == 29  # 40 days from a Monday: 30 weekdays, one of them a holiday


def test_work_before_matches_definition() -> None:
    """work_before equals the office time of all intervals before t, for any t."""
    t = np.random.default_rng(1).integers(-DAY_US, 41 * DAY_US, 50_000)
    assert np.array_equal(CAL.work_before(t), _reference_work_before(CAL, t))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 39 * DAY_US), st.integers(0, 30 * HOUR_US))
def test_add_working_never_goes_back_and_adds_exactly(t: int, delay: int) -> None:
    """Adding working time never moves a time backwards and adds exactly that working time."""
    out = int(CAL.add_working(np.array([t]), np.array([delay]))[0])
    if out == NEVER:
        assert int(CAL.work_before(np.array([t]))[0]) + delay > CAL.total_work
        return
    assert out >= t
    assert int(CAL.work_before(np.array([out]))[0]) == \
        int(CAL.work_before(np.array([t]))[0]) + delay


def test_friday_evening_work_lands_on_monday_morning() -> None:
    """Ten working minutes after Friday 16:55 is Monday 07:35 (the office opens at 07:30)."""
    friday = 4  # 2025-08-29
    t = friday * DAY_US + 16 * HOUR_US + 55 * MINUTE_US
    out = int(CAL.add_working(np.array([t]), np.array([10 * MINUTE_US]))[0])
    assert CAL.clock_time(out) == "2025-09-01 07:35:00"


def test_uniform_in_day_stays_in_office_hours() -> None:
    """Send times drawn for a day fall inside that day's office hours."""
    u = np.random.default_rng(2).random(10_000)
    t = CAL.uniform_in_day(0, u)
    tod = t % DAY_US
    morning = (tod >= 450 * MINUTE_US) & (tod < 690 * MINUTE_US)
    afternoon = (tod >= 810 * MINUTE_US) & (tod < 1020 * MINUTE_US)
    assert bool((morning | afternoon).all()) and bool((t // DAY_US == 0).all())
    # spread in proportion to the intervals' lengths (4 h and 3.5 h)
    assert abs(morning.mean() - 4 / 7.5) < 0.02


@settings(max_examples=300, deadline=None)
@given(st.integers(-(2**52), 2**52), st.integers(1, 2**40))
def test_floor_div_is_exact(a: int, b: int) -> None:
    """The compiled floor division (a floating-point estimate, corrected) equals ``a // b``."""
    assert floor_div(a, b) == a // b


def test_floor_div_at_multiples() -> None:
    """Exact multiples and their neighbours, where an estimate is most likely to be off."""
    b = CAL.kernel_args()[1]  # one working day in µs
    for q in (0, 1, 2, 29, 10_000, -1, -7):
        for a in (q * b - 1, q * b, q * b + 1):
            assert floor_div(a, b) == a // b


def test_compiled_clock_at_matches_vectorised() -> None:
    """clock_at_one (the answers' kernel) gives what WorkCalendar.clock_at gives, to the µs."""
    _, day_work, hours, cum_start, _, _, working_day, total = CAL.kernel_args()
    w = np.random.default_rng(5).integers(0, total + 2 * day_work, 20_000)
    w[:40] = np.arange(40) * day_work  # day boundaries
    w[40:80] = np.arange(40) * day_work + cum_start[1]  # the lunch break
    want = CAL.clock_at(w)
    got = [clock_at_one(int(x), day_work, hours, cum_start, working_day, total) for x in w]
    assert got == want.tolist()
