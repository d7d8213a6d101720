"""Cut a TrueType font program down to the glyphs one document draws.

The embedded faces (``fonts/``) hold every Vietnamese letter in three styles, ~80 KB; a
document draws a few dozen distinct glyphs of each. Keeping the glyph ids (so the content
stream's two-byte codes and the ``/W`` widths need no renumbering) and emptying the outline of
every glyph not drawn leaves ~5-10 KB a style. Composite glyphs (most accented letters are a
base letter and a mark) keep the glyphs they are made of. Tables a PDF renderer does not read
(OpenType layout, MATH) are dropped and ``post`` loses its glyph names (format 3).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterable

__all__ = ["subset_program"]

_KEEP = frozenset({b"OS/2", b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp",
                   b"name", b"post"})


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


@functools.cache
def _tables(program: bytes) -> dict[bytes, bytes]:
    count = struct.unpack_from(">H", program, 4)[0]
    out = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", program, 12 + 16 * i)
        out[tag] = program[offset:offset + length]
    return out


@functools.cache
def _glyphs(program: bytes) -> tuple[bytes, ...]:
    """Each glyph's outline data, by glyph id."""
    tables = _tables(program)
    count = struct.unpack_from(">H", tables[b"maxp"], 4)[0]
    long_format = struct.unpack_from(">h", tables[b"head"], 50)[0] == 1
    loca = tables[b"loca"]
    if long_format:
        offsets = struct.unpack_from(f">{count + 1}I", loca)
    else:
        offsets = tuple(2 * o for o in struct.unpack_from(f">{count + 1}H", loca))
    glyf = tables[b"glyf"]
    return tuple(glyf[offsets[g]:offsets[g + 1]] for g in range(count))


def _components(outline: bytes) -> list[int]:
    """The glyph ids a composite glyph is made of (empty for a simple glyph)."""
    if len(outline) < 10 or struct.unpack_from(">h", outline, 0)[0] >= 0:
        return []
    found, pos = [], 10
    while True:
        flags, glyph = struct.unpack_from(">HH", outline, pos)
        found.append(glyph)
        pos += 4 + (4 if flags & 0x0001 else 2)
        pos += 2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
        if not flags & 0x0020:
            return found


def subset_program(program: bytes, gids: Iterable[int]) -> bytes:
    """``program`` with every glyph outside ``gids`` (and the components they use) emptied.

    Examples
    --------
    >>> from docflow.pdf.font import Style, font
    >>> full = font(Style.REGULAR).program
    >>> small = subset_program(full, [0, 36, 37])
    >>> len(small) < len(full) // 2
    True
    """
    outlines = _glyphs(program)
    keep = {0}
    stack = [g for g in gids if 0 <= g < len(outlines)]
    while stack:
        glyph = stack.pop()
        if glyph not in keep:
            keep.add(glyph)
        stack.extend(c for c in _components(outlines[glyph]) if c not in keep)
    glyf, loca = bytearray(), []
    for glyph, outline in enumerate(outlines):
        loca.append(len(glyf))
        if glyph in keep:
            glyf += outline + b"\0" * (-len(outline) % 4)
    loca.append(len(glyf))
    tables = {tag: data for tag, data in _tables(program).items() if tag in _KEEP}
    tables[b"glyf"] = bytes(glyf)
    tables[b"loca"] = struct.pack(f">{len(loca)}I", *loca)
    head = bytearray(tables[b"head"])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    head[50:52] = struct.pack(">h", 1)  # indexToLocFormat: long offsets
    tables[b"head"] = bytes(head)
    tables[b"post"] = b"\x00\x03\x00\x00" + tables[b"post"][4:32]  # no glyph names
    return _assemble(tables)


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1,
                         count * 16 - power * 16)
    offset = 12 + 16 * count
    records, bodies = [], []
    for tag in tags:
        data = tables[tag]
        records.append(struct.pack(">4sIII", tag, _checksum(data), offset, len(data)))
        padded = data + b"\0" * (-len(data) % 4)
        bodies.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(records) + b"".join(bodies))
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    head_at = 12 + 16 * count + sum(len(b) for b in bodies[:tags.index(b"head")])
    font[head_at + 8:head_at + 12] = struct.pack(">I", adjustment)
    return bytes(font)
