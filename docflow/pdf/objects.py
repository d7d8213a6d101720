"""PDF objects as Python values, and their serialisation (ISO 32000-1 §7.3).

A PDF object is written from plain Python values: ``dict`` (a dictionary, keys are names),
``list`` (an array), ``int``/``float``, ``bool``, ``None`` (null), :class:`Name`, :class:`Ref`,
:class:`Text` (a text string, written as PDFDocEncoding or UTF-16BE), ``bytes`` (a string,
written as hex) and :class:`Raw` (bytes written verbatim). Dictionaries keep their insertion
order, so the same values give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Name", "Raw", "Ref", "Text", "dump", "number"]

_DELIMITERS = frozenset(b"()<>[]{}/%#")


@dataclass(frozen=True, slots=True)
class Name:
    """A PDF name (``/Type``); the value is without the slash."""

    value: str

    def dump(self) -> bytes:
        out = bytearray(b"/")
        for byte in self.value.encode("utf-8"):
            if 0x21 <= byte <= 0x7E and byte not in _DELIMITERS:
                out.append(byte)
            else:
                out += b"#%02X" % byte
        return bytes(out)


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """An indirect reference ``num gen R``."""

    num: int
    gen: int = 0

    def dump(self) -> bytes:
        return b"%d %d R" % (self.num, self.gen)


@dataclass(frozen=True, slots=True)
class Text:
    """A text string: ASCII as a literal string, anything else UTF-16BE with a BOM (§7.9.2.2)."""

    value: str

    def dump(self) -> bytes:
        if self.value.isascii() and self.value.isprintable():
            escaped = self.value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            return b"(" + escaped.encode("ascii") + b")"
        return b"<FEFF" + self.value.encode("utf-16-be").hex().upper().encode("ascii") + b">"


@dataclass(frozen=True, slots=True)
class Raw:
    """Bytes written as they are (an operator sequence already serialised)."""

    value: bytes

    def dump(self) -> bytes:
        return self.value


def number(value: float) -> bytes:
    """A real number with at most four decimals and no exponent (PDF has none).

    >>> number(12.5), number(3.0), number(-0.00001), number(1/3)
    (b'12.5', b'3', b'0', b'0.3333')
    """
    if isinstance(value, int):
        return b"%d" % value
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return b"0" if text in ("-0", "") else text.encode("ascii")


def dump(value: Any) -> bytes:
    """Serialise ``value`` (see the module docstring).

    >>> dump({"Type": Name("Font"), "W": [0, [500, 600]], "Parent": Ref(3), "T": Text("Số")})
    b'<</Type /Font /W [0 [500 600]] /Parent 3 0 R /T <FEFF00531ED1>>>'
    """
    if isinstance(value, (Name, Ref, Text, Raw)):
        return value.dump()
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if value is None:
        return b"null"
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, dict):
        return b"<<" + b" ".join(Name(k).dump() + b" " + dump(v) for k, v in value.items()) \
            + b">>"
    if isinstance(value, (list, tuple)):
        return b"[" + b" ".join(dump(v) for v in value) + b"]"
    if isinstance(value, (bytes, bytearray)):
        return b"<" + bytes(value).hex().upper().encode("ascii") + b">"
    raise TypeError(f"cannot write {type(value).__name__} as a PDF object")
