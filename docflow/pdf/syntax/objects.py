"""The values of a PDF, as the strict reader builds them.

Each kind of PDF object has one Python type, so that a check can never take a string for a
name or an integer for a reference:

* ``None``, ``bool``, ``int``, ``float`` for null, booleans and numbers;
* :class:`Name` (a ``str``), :class:`PdfString` (bytes, with where it stood in the file),
  :class:`Ref` (an indirect reference), :class:`PdfArray` (a ``list``), :class:`PdfDict`
  (a ``dict`` keyed by :class:`Name`) and :class:`Stream`.

Equality ignores where a value stood, so two revisions of an object compare equal exactly when
they say the same thing: that is what the check of incremental updates relies on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, TypeAlias

__all__ = ["Name", "PdfArray", "PdfDict", "PdfObject", "PdfString", "Ref", "Stream"]


class Name(str):
    """A PDF name (``/Type``), without its slash and with ``#xx`` escapes decoded."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"/{self!s}"


class Ref(NamedTuple):
    """An indirect reference ``num gen R``."""

    num: int
    gen: int

    def __str__(self) -> str:
        return f"{self.num} {self.gen} R"


@dataclass(frozen=True, slots=True)
class PdfString:
    """A string object: its decoded bytes, and where its token stood in the file.

    ``start`` and ``end`` delimit the whole token (``<`` to ``>`` or ``(`` to ``)``), so that
    a signature check can prove a ``/Contents`` string is exactly the gap of its ByteRange.
    """

    value: bytes
    hex: bool = field(default=False, compare=False)
    start: int = field(default=-1, compare=False)
    end: int = field(default=-1, compare=False)


class PdfArray(list["PdfObject"]):
    """An array object."""

    __slots__ = ()


class PdfDict(dict[Name, "PdfObject"]):
    """A dictionary object; ``start`` and ``end`` are the offsets of ``<<`` and after ``>>``."""

    __slots__ = ("end", "start")

    def __init__(self, start: int = -1, end: int = -1) -> None:
        super().__init__()
        self.start = start
        self.end = end


@dataclass(frozen=True, slots=True, eq=False)
class Stream:
    """A stream object: its dictionary and its raw (still encoded) data.

    Two streams are equal when their dictionaries and raw data are; ``start`` is the offset of
    the first data byte.
    """

    dict: PdfDict
    raw: bytes
    start: int = -1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Stream) and self.raw == other.raw and self.dict == other.dict

    def __hash__(self) -> int:
        return hash(self.raw)


PdfObject: TypeAlias = (bool | int | float | Name | PdfString | Ref | PdfArray | PdfDict | Stream
                        | None)
"""Any value the reader returns."""
