"""The embedded fonts: DejaVu Serif (regular, bold, italic) cut to Vietnamese, as PDF objects.

Text is drawn with a composite font (Type0, ``Identity-H``): each character is written as its
two-byte glyph id. The faces shipped in ``fonts/`` (with their licence) hold ~300 glyphs, cut
by ``tools/subset_fonts.py``; each document embeds (``FontFile2``) only the glyphs it draws
(:mod:`docflow.pdf.subset`), under a subset tag derived from that glyph set, with widths and a
``ToUnicode`` map for those glyphs alone, so that text extraction (``pdftotext``, screen
readers, search) returns exactly the NFC text that was drawn.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

from docflow.errors import InputError, Location
from docflow.pdf.objects import Name, Raw, Ref, dump
from docflow.pdf.subset import subset_program

__all__ = ["Font", "Style", "font"]


class Style(enum.Enum):
    """A style of the embedded face; the value is the file stem in ``fonts/``."""

    REGULAR = "DejaVuSerif"
    BOLD = "DejaVuSerif-Bold"
    ITALIC = "DejaVuSerif-Italic"




@dataclass(frozen=True, slots=True)
class Font:
    """One style's metrics and program: what laying out and embedding need."""

    style: Style
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

    def glyph_ids(self, text: str) -> set[int]:
        """The glyph ids ``text`` draws (characters without a glyph are left out)."""
        cmap = self.cmap
        return {cmap[ord(c)] for c in text if ord(c) in cmap}

    def objects(self, first: int, gids: Iterable[int]) -> list[bytes]:
        """The five objects that embed the glyphs ``gids`` of this font, numbered from
        ``first`` (the Type0 font)."""
        return list(_objects(self.style, first, frozenset(gids) | {0}))

    def subset_name(self, gids: Iterable[int]) -> str:
        """``TAG+DejaVuSerif…`` for the subset of ``gids``: the tag (six capitals, ISO 32000-1
        §9.6.4) is a digest of the glyph set, so two different subsets in one file never
        share a name and the same text gives the same bytes."""
        digest = hashlib.sha256(",".join(map(str, sorted(set(gids) | {0}))).encode()).digest()
        return "".join(chr(65 + b % 26) for b in digest[:6]) + "+" + self.style.value


@functools.cache
def font(style: Style) -> Font:
    """The embedded font of ``style``, read once per process."""
    folder = resources.files("docflow.pdf") / "fonts"
    metrics = json.loads((folder / f"{style.value}.json").read_text("utf-8"))
    program = (folder / f"{style.value}.ttf").read_bytes()
    return Font(style, metrics["units_per_em"],
                {int(k): v for k, v in metrics["cmap"].items()}, tuple(metrics["widths"]),
                metrics["ascent"], metrics["descent"], metrics["cap_height"],
                tuple(metrics["bbox"]), float(metrics["italic_angle"]), program)


def _to_unicode(f: Font, gids: frozenset[int]) -> bytes:
    """The ToUnicode CMap (Adobe TN 5411) of the glyphs ``gids``, compressed."""
    pairs = sorted((gid, cp) for cp, gid in f.cmap.items() if gid in gids)
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


def _widths(f: Font, gids: frozenset[int]) -> list[object]:
    """The /W array of ``gids``: runs of consecutive glyph ids with their widths."""
    scale = 1000 / f.units_per_em
    out: list[object] = []
    run: list[int] = []
    for gid in sorted(gids):
        if run and gid != run[-1] + 1:
            out += [run[0], [round(f.widths[g] * scale) for g in run]]
            run = []
        run.append(gid)
    if run:
        out += [run[0], [round(f.widths[g] * scale) for g in run]]
    return out


@functools.lru_cache(maxsize=256)
def _objects(style: Style, first: int, gids: frozenset[int]) -> tuple[bytes, ...]:
    # Cached: the simulator lays out many documents of one organ whose glyph sets repeat.
    f = font(style)
    scale = 1000 / f.units_per_em
    base = Name(f.subset_name(gids))
    type0 = {"Type": Name("Font"), "Subtype": Name("Type0"), "BaseFont": base,
             "Encoding": Name("Identity-H"), "DescendantFonts": [Ref(first + 1)],
             "ToUnicode": Ref(first + 4)}
    cid = {"Type": Name("Font"), "Subtype": Name("CIDFontType2"), "BaseFont": base,
           "CIDSystemInfo": {"Registry": Raw(b"(Adobe)"), "Ordering": Raw(b"(Identity)"),
                             "Supplement": 0},
           "FontDescriptor": Ref(first + 2), "CIDToGIDMap": Name("Identity"),
           "DW": 0, "W": _widths(f, gids)}
    flags = 2 | 32 | (64 if style is Style.ITALIC else 0)  # serif, non-symbolic, italic
    descriptor = {"Type": Name("FontDescriptor"), "FontName": base, "Flags": flags,
                  "FontBBox": [round(v * scale) for v in f.bbox],
                  "ItalicAngle": f.italic_angle, "Ascent": round(f.ascent * scale),
                  "Descent": round(f.descent * scale), "CapHeight": round(f.cap_height * scale),
                  "StemV": 120 if style is Style.BOLD else 80, "FontFile2": Ref(first + 3)}
    subset = subset_program(f.program, gids)
    program = zlib.compress(subset, 6)
    to_unicode = _to_unicode(f, gids)
    return (dump(type0), dump(cid), dump(descriptor),
            dump({"Length": len(program), "Length1": len(subset),
                  "Filter": Name("FlateDecode")}) + b"\nstream\n" + program + b"\nendstream",
            dump({"Length": len(to_unicode), "Filter": Name("FlateDecode")})
            + b"\nstream\n" + to_unicode + b"\nendstream")
