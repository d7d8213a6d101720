"""The embedded fonts: DejaVu Serif (regular, bold, italic) cut to Vietnamese, as PDF objects.

Text is drawn with a composite font (Type0, ``Identity-H``): each character is written as its
two-byte glyph id, the font program (TrueType, ``FontFile2``) is embedded whole — it is already a
subset of ~300 glyphs, made by ``tools/subset_fonts.py`` and shipped in ``fonts/`` with its
licence — and a ``ToUnicode`` map gives each glyph back its one code point, so that text
extraction (``pdftotext``, screen readers, search) returns exactly the NFC text that was drawn.

The font program is compressed once per process and reused by every document: a document costs
its text, not its font.
"""

from __future__ import annotations

import enum
import functools
import json
import unicodedata
import zlib
from dataclasses import dataclass
from importlib import resources

from docflow.errors import InputError, Location
from docflow.pdf.objects import Name, Raw, Ref, dump

__all__ = ["Font", "Style", "font"]


class Style(enum.Enum):
    """A style of the embedded face; the value is the file stem in ``fonts/``."""

    REGULAR = "DejaVuSerif"
    BOLD = "DejaVuSerif-Bold"
    ITALIC = "DejaVuSerif-Italic"


_TAGS = {Style.REGULAR: "DFVNAR", Style.BOLD: "DFVNAB", Style.ITALIC: "DFVNAI"}
"""The subset tags (six capitals, ISO 32000-1 §9.6.4); fixed, so the same text gives the same
bytes."""


@dataclass(frozen=True, slots=True)
class Font:
    """One style's metrics and program: what laying out and embedding need."""

    style: Style
    base_name: str
    """``TAG+DejaVuSerif…``: the name the PDF gives the subset."""
    units_per_em: int
    cmap: dict[int, int]
    """Code point to glyph id."""
    widths: tuple[int, ...]
    """Advance of each glyph id, in font units."""
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    program: bytes
    """The TrueType file, uncompressed."""

    def width(self, text: str, size: float) -> float:
        """The advance of ``text`` at ``size`` points (text is NFC already)."""
        cmap, widths = self.cmap, self.widths
        return sum(widths[cmap.get(ord(c), 0)] for c in text) * size / self.units_per_em

    def encode(self, text: str, where: str = "text") -> bytes:
        """``text`` as a PDF hex string of glyph ids, for the ``Tj`` operator.

        Raises
        ------
        InputError
            ``DF-PDF-001`` naming the first character the font has no glyph for.
        """
        cmap = self.cmap
        try:
            return b"<" + "".join(f"{cmap[ord(c)]:04X}" for c in text).encode("ascii") + b">"
        except KeyError:
            bad = next(c for c in text if ord(c) not in cmap)
            raise InputError("DF-PDF-001", f"the document font has no glyph for {bad!r} "
                             f"(U+{ord(bad):04X}, {unicodedata.name(bad, 'unnamed')})",
                             Location(key=where)) from None

    def objects(self, first: int) -> list[bytes]:
        """The five objects that embed this font, numbered from ``first`` (the Type0 font)."""
        return list(_objects(self.style, first))


@functools.cache
def font(style: Style) -> Font:
    """The embedded font of ``style``, read once per process."""
    folder = resources.files("docflow.pdf") / "fonts"
    metrics = json.loads((folder / f"{style.value}.json").read_text("utf-8"))
    program = (folder / f"{style.value}.ttf").read_bytes()
    return Font(style, f"{_TAGS[style]}+{style.value}", metrics["units_per_em"],
                {int(k): v for k, v in metrics["cmap"].items()}, tuple(metrics["widths"]),
                metrics["ascent"], metrics["descent"], metrics["cap_height"],
                tuple(metrics["bbox"]), float(metrics["italic_angle"]), program)


@functools.cache
def _compressed_program(style: Style) -> bytes:
    return zlib.compress(font(style).program, 9)


@functools.cache
def _to_unicode(style: Style) -> bytes:
    """The ToUnicode CMap (Adobe TN 5411) of the whole subset, compressed once."""
    f = font(style)
    pairs = sorted((gid, cp) for cp, gid in f.cmap.items())
    lines = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
             b"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def",
             b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
             b"1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    for start in range(0, len(pairs), 100):  # at most 100 entries per block (TN 5411)
        chunk = pairs[start:start + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines += [b"<%04X> <%s>" % (gid, chr(cp).encode("utf-16-be").hex().upper().encode())
                  for gid, cp in chunk]
        lines.append(b"endbfchar")
    lines += [b"endcmap CMapName currentdict /CMap defineresource pop end end"]
    return zlib.compress(b"\n".join(lines), 9)


def _objects(style: Style, first: int) -> tuple[bytes, ...]:
    f = font(style)
    scale = 1000 / f.units_per_em
    base = Name(f.base_name)
    type0 = {"Type": Name("Font"), "Subtype": Name("Type0"), "BaseFont": base,
             "Encoding": Name("Identity-H"), "DescendantFonts": [Ref(first + 1)],
             "ToUnicode": Ref(first + 4)}
    cid = {"Type": Name("Font"), "Subtype": Name("CIDFontType2"), "BaseFont": base,
           "CIDSystemInfo": {"Registry": Raw(b"(Adobe)"), "Ordering": Raw(b"(Identity)"),
                             "Supplement": 0},
           "FontDescriptor": Ref(first + 2), "CIDToGIDMap": Name("Identity"),
           "W": [0, [round(w * scale) for w in f.widths]]}
    flags = 2 | 32 | (64 if style is Style.ITALIC else 0)  # serif, non-symbolic, italic
    descriptor = {"Type": Name("FontDescriptor"), "FontName": base, "Flags": flags,
                  "FontBBox": [round(v * scale) for v in f.bbox],
                  "ItalicAngle": f.italic_angle, "Ascent": round(f.ascent * scale),
                  "Descent": round(f.descent * scale), "CapHeight": round(f.cap_height * scale),
                  "StemV": 120 if style is Style.BOLD else 80, "FontFile2": Ref(first + 3)}
    program = _compressed_program(style)
    to_unicode = _to_unicode(style)
    return (dump(type0), dump(cid), dump(descriptor),
            dump({"Length": len(program), "Length1": len(f.program),
                  "Filter": Name("FlateDecode")}) + b"\nstream\n" + program + b"\nendstream",
            dump({"Length": len(to_unicode), "Filter": Name("FlateDecode")})
            + b"\nstream\n" + to_unicode + b"\nendstream")
