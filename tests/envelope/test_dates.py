"""Tests for docflow/envelope/dates.py: the wire forms of dates and timestamps."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docflow.envelope.dates import (
    VIETNAM,
    format_date,
    format_timestamp,
    parse_date,
    parse_timestamp,
)


@given(st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 30),
                    timezones=st.just(VIETNAM)))
def test_timestamp_round_trip(moment: dt.datetime) -> None:
    """A Vietnam-time timestamp survives format → parse to the second."""
    assert parse_timestamp(format_timestamp(moment)) == moment.replace(microsecond=0)


def test_aware_times_are_moved_to_vietnam_time() -> None:
    """UTC 20:00 is 03:00 the next day in Vietnam, for timestamps and dates alike."""
    late = dt.datetime(2025, 6, 30, 20, 0, tzinfo=dt.UTC)
    assert format_timestamp(late) == "2025/07/01 03:00:00"
    assert format_date(late) == "2025/07/01"


@pytest.mark.parametrize("text", ["2025-07-01", "2025/7/1", "2025/02/29", "2025/13/01", ""])
def test_bad_dates_raise_value_error(text: str) -> None:
    """Another layout or an impossible date is a ValueError naming the expected form."""
    with pytest.raises(ValueError, match="yyyy/MM/dd"):
        parse_date(text)


@pytest.mark.parametrize("text", ["2025/07/01", "2025/07/01 24:00:00", "2025/07/01T08:00:00"])
def test_bad_timestamps_raise_value_error(text: str) -> None:
    """A timestamp needs a real time of day, separated by one space."""
    with pytest.raises(ValueError, match="HH:mm:ss"):
        parse_timestamp(text)
