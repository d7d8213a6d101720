"""Typed reads from a parsed JSON document, with errors that name the key.

Shared ground: the output models (the audit's in :mod:`docflow.audit.output`) and the reports
read with it.

A report is rendered from a ``summary.json`` that a user may have edited, truncated or written by
hand. Reading a field through :class:`Fields` either returns a value of the expected type or
raises :class:`InputError` with code ``DF-REP-002`` and the dotted key (``levels.commune.sent``)
in its location, so that a bad summary gives one clear line, never a ``KeyError`` traceback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from docflow.errors import InputError, Location

__all__ = ["Fields"]


@dataclass(frozen=True, slots=True)
class Fields:
    """A view of one JSON object at ``key`` inside the file ``file``.

    Examples
    --------
    >>> f = Fields({"levels": {"commune": {"sent": 12}}}, file="summary.json")
    >>> f.obj("levels").obj("commune").count("sent")
    12
    >>> f.obj("levels").obj("commune").count("lost")
    Traceback (most recent call last):
    docflow.errors.InputError: DF-REP-002 summary.json levels.commune.lost: missing field
    """

    data: Mapping[str, Any]
    file: str | None = None
    key: str = ""

    def _where(self, name: str) -> Location:
        return Location(file=self.file, key=f"{self.key}.{name}" if self.key else name)

    def _fail(self, name: str, message: str) -> InputError:
        return InputError("DF-REP-002", message, self._where(name))

    def has(self, name: str) -> bool:
        """Whether ``name`` is present and not ``null``."""
        return self.data.get(name) is not None

    def raw(self, name: str) -> Any:
        if name not in self.data:
            raise self._fail(name, "missing field")
        return self.data[name]

    def obj(self, name: str) -> Fields:
        """The object at ``name``."""
        value = self.raw(name)
        if not isinstance(value, Mapping):
            raise self._fail(name, f"expected an object, found {_kind(value)}")
        return Fields(value, self.file, f"{self.key}.{name}" if self.key else name)

    def opt_obj(self, name: str) -> Fields | None:
        """The object at ``name``, or ``None`` when the field is absent or ``null``."""
        return self.obj(name) if self.has(name) else None

    def names(self) -> list[str]:
        """The keys of this object, in the file's order."""
        return [str(k) for k in self.data]

    def count(self, name: str) -> int:
        """A whole number (a JSON integer, or a float with no fraction)."""
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(name, f"expected a whole number, found {_kind(value)}")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise self._fail(name, f"expected a whole number, found {value!r}")
        if value < 0:
            raise self._fail(name, f"expected a count of zero or more, found {value!r}")
        return int(value)

    def number(self, name: str) -> float:
        """A finite number."""
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
                value):
            raise self._fail(name, f"expected a number, found {_kind(value)}")
        return float(value)

    def opt_number(self, name: str) -> float | None:
        """A finite number, or ``None`` when absent or ``null`` (e.g. a p99 of no documents)."""
        return self.number(name) if self.has(name) else None

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            raise self._fail(name, f"expected a string, found {_kind(value)}")
        return value

    def flag(self, name: str) -> bool:
        """A JSON boolean."""
        value = self.raw(name)
        if not isinstance(value, bool):
            raise self._fail(name, f"expected true or false, found {_kind(value)}")
        return value

    def opt_text(self, name: str) -> str | None:
        return self.text(name) if self.has(name) else None

    def array(self, name: str) -> Sequence[Any]:
        value = self.raw(name)
        if not isinstance(value, list):
            raise self._fail(name, f"expected a list, found {_kind(value)}")
        return value

    def numbers(self, name: str) -> list[float]:
        """A list of numbers; ``null`` entries (an hour with no data) become NaN."""
        out: list[float] = []
        for i, v in enumerate(self.array(name)):
            if v is None:
                out.append(math.nan)
            elif isinstance(v, bool) or not isinstance(v, int | float):
                raise self._fail(f"{name}[{i}]", f"expected a number, found {_kind(v)}")
            else:
                out.append(float(v))
        return out

    def items(self, name: str) -> list[Fields]:
        """A list of objects."""
        out = []
        for i, v in enumerate(self.array(name)):
            if not isinstance(v, Mapping):
                raise self._fail(f"{name}[{i}]", f"expected an object, found {_kind(v)}")
            out.append(Fields(v, self.file, f"{self.key}.{name}[{i}]" if self.key else
                              f"{name}[{i}]"))
        return out

    def fail(self, name: str, message: str) -> InputError:
        """An error about field ``name`` of this object, for checks made by the caller."""
        return self._fail(name, message)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
