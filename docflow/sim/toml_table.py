"""Typed, checked reads from one table of a parsed TOML file, with errors that name the key.

Every scenario value goes through :class:`Table`: it is taken out by name with its expected
type and range, and :meth:`Table.finish` refuses whatever key was not taken (with a "did you
mean" when one is close), so a typo never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any, TypeVar

from docflow.errors import ConfigError, Location

__all__ = ["Table"]

T = TypeVar("T")
_MISSING: Any = object()


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, time):
        return f"the time {value.isoformat()}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__


class Table:
    """One TOML table at dotted ``key`` of ``file``.

    Examples
    --------
    >>> t = Table({"days": 7, "strat": "x"}, key="period", file="s.toml",
    ...           allowed=("days", "start"))
    >>> t.integer("days", 1, low=1)
    7
    >>> t.finish()
    Traceback (most recent call last):
    docflow.errors.ConfigError: DF-SCN-002 s.toml period.strat: unknown key 'strat' (did you ...
    """

    def __init__(self, data: Mapping[str, Any], *, key: str = "", file: str | None = None,
                 allowed: Iterable[str] = ()) -> None:
        self.data = data
        self.key = key
        self.file = file
        self._known: list[str] = list(allowed)
        self._taken: set[str] = set()

    # --- errors -----------------------------------------------------------------------------
    def where(self, name: str | None = None) -> Location:
        """The location of key ``name`` of this table (of the table itself if ``None``)."""
        if name is None:
            return Location(file=self.file, key=self.key or None)
        return Location(file=self.file, key=f"{self.key}.{name}" if self.key else name)

    def error(self, code: str, name: str | None, message: str) -> ConfigError:
        """A :class:`ConfigError` about key ``name`` of this table."""
        return ConfigError(code, message, self.where(name))

    def _type_error(self, name: str, expected: str, value: object) -> ConfigError:
        return self.error("DF-SCN-003", name, f"expected {expected}, found {_kind(value)}")

    # --- reading ----------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        self._note(name)
        return name in self.data

    def _note(self, name: str) -> None:
        if name not in self._known:
            self._known.append(name)

    def _get(self, name: str, default: Any) -> Any:
        self._note(name)
        if name not in self.data:
            if default is _MISSING:
                raise self.error("DF-SCN-004", name, "missing required key")
            return default
        self._taken.add(name)
        return self.data[name]

    def number(self, name: str, default: float = _MISSING, *, low: float | None = None,
               high: float | None = None, low_open: bool = False) -> float:
        """A finite number in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
        value = self._get(name, default)
        if value is default and name not in self.data:
            return float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not math.isfinite(value):
            raise self._type_error(name, "a number", value)
        self._range(name, float(value), low, high, low_open)
        return float(value)

    def integer(self, name: str, default: int = _MISSING, *, low: int | None = None,
            high: int | None = None) -> int:
        """A whole number in ``[low, high]``."""
        value = self._get(name, default)
        if value is default and name not in self.data:
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._type_error(name, "a whole number", value)
        self._range(name, value, low, high, False)
        return value

    def _range(self, name: str, value: float, low: float | None, high: float | None,
               low_open: bool) -> None:
        bad_low = low is not None and (value <= low if low_open else value < low)
        bad_high = high is not None and value > high
        if bad_low or bad_high:
            lo = "-inf" if low is None else f"{low:g}"
            hi = "inf" if high is None else f"{high:g}"
            bracket = "(" if low_open else "["
            raise self.error("DF-SCN-004", name, f"{value:g} is out of range; allowed: "
                             f"{bracket}{lo}, {hi}]")

    def boolean(self, name: str, default: bool = _MISSING) -> bool:
        """``true`` or ``false``."""
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self._type_error(name, "true or false", value)
        return value

    def string(self, name: str, default: str = _MISSING) -> str:
        value = self._get(name, default)
        if not isinstance(value, str):
            raise self._type_error(name, "a string", value)
        return value

    def choice(self, name: str, parse: Callable[[str], T], allowed: Iterable[str],
               default: T = _MISSING) -> T:
        """A string turned into a value by ``parse``; a bad one lists ``allowed``."""
        self._note(name)
        if name not in self.data:
            if default is _MISSING:
                raise self.error("DF-SCN-004", name, "missing required key")
            return default
        text = self.string(name)
        try:
            return parse(text)
        except (ValueError, KeyError):
            options = list(allowed)
            near = difflib.get_close_matches(text, options, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise self.error("DF-SCN-004", name, f"{text!r} is not allowed{hint}; allowed: "
                             f"{', '.join(options)}") from None

    def day(self, name: str, default: date = _MISSING) -> date:
        value = self._get(name, default)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self._type_error(name, "a date such as 2025-07-07", value)
        return value

    def moment(self, name: str) -> datetime:
        """A local date-time (Vietnam time), such as ``2025-07-08T09:00:00``."""
        value = self._get(name, _MISSING)
        if not isinstance(value, datetime):
            raise self._type_error(name, "a date-time such as 2025-07-08T09:00:00", value)
        return value

    def array(self, name: str, default: list[Any] = _MISSING) -> list[Any]:
        value = self._get(name, default)
        if not isinstance(value, list):
            raise self._type_error(name, "an array", value)
        return value

    def table(self, name: str, allowed: Iterable[str] = ()) -> Table:
        """The sub-table ``name`` (an empty one when absent)."""
        value = self._get(name, {})
        if not isinstance(value, Mapping):
            raise self._type_error(name, "a table", value)
        return Table(value, key=f"{self.key}.{name}" if self.key else name, file=self.file,
                     allowed=allowed)

    def tables(self, name: str) -> list[Table]:
        """An array of tables (``[[name]]``); empty when absent."""
        value = self._get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self._type_error(name, "an array of tables", value)
        base = f"{self.key}.{name}" if self.key else name
        return [Table(v, key=f"{base}[{i}]", file=self.file) for i, v in enumerate(value)]

    def names(self) -> list[str]:
        """Every key of the table, in file order (marks them all as taken)."""
        self._taken.update(self.data)
        return [str(k) for k in self.data]

    def finish(self) -> None:
        """Refuse any key that no read asked for."""
        for name in self.data:
            if name in self._taken:
                continue
            near = difflib.get_close_matches(str(name), self._known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            allowed = ", ".join(sorted(set(self._known))) if self._known else "none"
            raise self.error("DF-SCN-002", str(name), f"unknown key {name!r}{hint}; "
                             f"allowed: {allowed}")
