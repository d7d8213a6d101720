"""Dates and timestamps as edXML writes them: ``yyyy/MM/dd`` and ``yyyy/MM/dd HH:mm:ss``.

Timestamps carry no zone on the wire; QCVN 102 messages are in Vietnam time (UTC+7, no daylight
saving), so an aware ``datetime`` is converted to UTC+7 before it is written, and a parsed
timestamp comes back aware, in UTC+7. The model keeps the wire text (a field message may hold a
date that does not exist); these functions turn it into values when a caller needs them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

__all__ = ["VIETNAM", "format_date", "format_timestamp", "parse_date", "parse_timestamp"]

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
"""Indochina Time, the zone of every edXML date and timestamp."""

_DATE = re.compile(r"^(\d{4})/(\d{2})/(\d{2})$")
_TIMESTAMP = re.compile(r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})$")


def format_date(value: dt.date) -> str:
    """The wire form of a date (an aware ``datetime`` is first moved to Vietnam time).

    >>> format_date(dt.date(2025, 7, 1))
    '2025/07/01'
    """
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(VIETNAM)
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: dt.datetime) -> str:
    """The wire form of a moment; a naive ``datetime`` is taken to be Vietnam time already.

    >>> format_timestamp(dt.datetime(2025, 7, 1, 1, 30, tzinfo=dt.timezone.utc))
    '2025/07/01 08:30:00'
    """
    if value.tzinfo is not None:
        value = value.astimezone(VIETNAM)
    return (f"{value.year:04d}/{value.month:02d}/{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}")


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date:
    """Read a wire date; ``ValueError`` names the expected form.

    Cached: every message of a day carries the same few dates (dates are immutable).

    >>> parse_date("2025/02/28")
    datetime.date(2025, 2, 28)
    >>> parse_date("2025/02/30")
    Traceback (most recent call last):
    ValueError: '2025/02/30' is not a valid date of the form yyyy/MM/dd: day is out of range ...
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date of the form yyyy/MM/dd")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date of the form yyyy/MM/dd: {exc}") from None


def parse_timestamp(text: str) -> dt.datetime:
    """Read a wire timestamp as an aware ``datetime`` in Vietnam time.

    >>> parse_timestamp("2025/07/01 08:30:00").isoformat()
    '2025-07-01T08:30:00+07:00'
    """
    match = _TIMESTAMP.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a timestamp of the form yyyy/MM/dd HH:mm:ss")
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=VIETNAM)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid timestamp of the form yyyy/MM/dd HH:mm:ss: "
                         f"{exc}") from None
