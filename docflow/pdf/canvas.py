"""A content stream builder: positioned text in the embedded fonts, lines, paths and colours.

Only what an official document and its signature appearances draw: single lines of text
(left, centred, right or justified), horizontal rules, filled and stroked paths. Text is
normalised to NFC before it is measured or encoded, so that what ``pdftotext`` extracts is the
NFC string whatever form the caller passed.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator

from docflow.pdf.font import Font, Style, font
from docflow.pdf.objects import number

__all__ = ["RESOURCE_NAMES", "Canvas", "nfc", "wrap"]

RESOURCE_NAMES = {Style.REGULAR: "F1", Style.BOLD: "F2", Style.ITALIC: "F3"}
"""The resource name of each style in every page and appearance this package writes."""

_SLANT = math.tan(math.radians(12))
"""The shear of the synthetic bold italic (``Nơi nhận:``): DejaVu Serif Bold slanted by 12°."""


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, the form Vietnamese is exchanged in (TCVN 6909:2001)."""
    return unicodedata.normalize("NFC", text)


def wrap(text: str, style: Style, size: float, width: float) -> list[str]:
    """Break ``text`` into lines of at most ``width`` points at spaces (a word longer than a
    line stands alone on its line)."""
    f = font(style)
    lines: list[str] = []
    current = ""
    for word in nfc(text).split():
        candidate = f"{current} {word}" if current else word
        if current and f.width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current or not lines:
        lines.append(current)
    return lines


class Canvas:
    """Collects the operators of one content stream; :meth:`data` returns its bytes."""

    def __init__(self) -> None:
        self._ops: list[bytes] = []
        self.glyphs: dict[Style, set[int]] = {}
        """The glyph ids drawn, by style: what the embedded subsets must hold."""

    @property
    def styles(self) -> set[Style]:
        """The styles drawn."""
        return set(self.glyphs)

    def use(self, style: Style, text: str) -> None:
        """Record that ``text`` is drawn in ``style`` (for operators written with :meth:`raw`)."""
        self.glyphs.setdefault(style, set()).update(font(style).glyph_ids(text))

    def data(self) -> bytes:
        return b"\n".join(self._ops) + b"\n"

    def raw(self, operators: bytes) -> None:
        self._ops.append(operators)

    def text(self, x: float, y: float, text: str, style: Style, size: float, *,
             align: str = "left", width: float = 0.0, slant: bool = False,
             rgb: tuple[float, float, float] = (0, 0, 0), where: str = "text") -> float:
        """Draw one line of ``text`` with its baseline at ``y``; return its width.

        ``align`` is ``left`` (from ``x``), ``center`` or ``right`` (in the box ``x`` to
        ``x + width``), or ``justify`` (spread over ``width`` by widening the spaces).
        """
        text = nfc(text)
        f = font(style)
        self.use(style, text)
        advance = f.width(text, size)
        if align == "center":
            x += (width - advance) / 2
        elif align == "right":
            x += width - advance
        shear = number(_SLANT) if slant else b"0"
        head = b"BT %s rg /%s %s Tf 1 0 %s 1 %s %s Tm " % (
            _rgb(rgb), RESOURCE_NAMES[style].encode(), number(size), shear, number(x),
            number(y))
        spaces = text.count(" ")
        if align == "justify" and spaces and width > advance:
            # Identity-H strings are two bytes a glyph, so Tw (word spacing) does not apply:
            # the space glyphs stay in the text (extraction keeps them) and a TJ offset after
            # each widens it.
            extra = -(width - advance) / spaces * 1000 / size
            parts = text.split(" ")
            items = [f.encode(part + " ", where) + b" " + number(extra) for part in parts[:-1]]
            items.append(f.encode(parts[-1], where))
            self._ops.append(head + b"[" + b" ".join(items) + b"] TJ ET")
            return width
        self._ops.append(head + f.encode(text, where) + b" Tj ET")
        return advance

    def rule(self, x0: float, x1: float, y: float, width: float = 0.6) -> None:
        """A horizontal black line from ``x0`` to ``x1`` at ``y``."""
        self._ops.append(b"0 G %s w %s %s m %s %s l S" % (
            number(width), number(x0), number(y), number(x1), number(y)))

    def path(self, points: Iterator[tuple[float, float]] | list[tuple[float, float]],
             operator: bytes) -> None:
        """A polyline through ``points`` ended by ``operator`` (``S``, ``f``, ``h S``…)."""
        it = iter(points)
        x, y = next(it)
        ops = [b"%s %s m" % (number(x), number(y))]
        ops += [b"%s %s l" % (number(px), number(py)) for px, py in it]
        self._ops.append(b" ".join(ops) + b" " + operator)

    def width_of(self, text: str, style: Style, size: float) -> float:
        return font(style).width(nfc(text), size)

    @staticmethod
    def font_of(style: Style) -> Font:
        return font(style)


def _rgb(rgb: tuple[float, float, float]) -> bytes:
    return b" ".join(number(c) for c in rgb)
