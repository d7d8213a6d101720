"""Cross-reference sections: tables (``xref`` … ``trailer``) and xref streams (ISO 32000-2
§7.5.4, §7.5.8), each followed by ``startxref`` and ``%%EOF``.

A section is read at the offset ``startxref`` (or a ``/Prev``) gives, and must be followed by
its own ``startxref`` pointing back at it and by ``%%EOF``: that is where its revision ends, and
the end of a revision is what a signature's ByteRange must reach exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docflow.pdf.syntax.filters import decode
from docflow.pdf.syntax.lexer import Lexer
from docflow.pdf.syntax.limits import fail
from docflow.pdf.syntax.objects import Name, PdfArray, PdfDict, PdfObject, Ref, Stream

__all__ = ["Entry", "Section", "read_section", "read_xref_stream"]

Entry = tuple[int, int, int]
"""``(0, next, gen)`` free, ``(1, offset, gen)`` in use, ``(2, stream, index)`` in an object
stream."""

_SUBSECTION = re.compile(rb"(\d+) (\d+)[\x00\t\x0c\r ]*(?:\r\n|\n|\r)")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_OBJ_HEADER = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj")
_EOF = re.compile(rb"[\x00\t\n\x0c\r ]*startxref[\x00\t\x0c ]*(?:\r\n|\n|\r)[\x00\t\x0c ]*"
                  rb"(\d+)[\x00\t\x0c ]*(?:\r\n|\n|\r)%%EOF(\r\n|\n|\r)?")


@dataclass(frozen=True, slots=True)
class Section:
    """One cross-reference section and the revision end it implies."""

    offset: int
    entries: dict[int, Entry]
    trailer: PdfDict
    end: int
    """Just after ``%%EOF`` and its end-of-line: the end of this revision."""
    stream: bool
    """Whether the section is an xref stream (else a table)."""
    pointer: int = -1
    """The offset the ``startxref`` after the section gives: its own, except after the
    first-page section of a linearized file (ISO 32000-2 Annex F), where it may be 0."""


def read_section(lexer: Lexer, offset: int, max_objects: int) -> Section:
    """Read the cross-reference section at ``offset`` and the ``startxref``/``%%EOF`` after it.

    Whether that ``startxref`` points back at the section is the caller's to check (see
    :attr:`Section.pointer`)."""
    data = lexer.data
    if not 0 <= offset < len(data):
        fail("DF-PDF-053", f"startxref or /Prev points at byte {offset}, outside the file",
             offset)
    if data.startswith(b"xref", offset):
        entries, trailer, after = _table(lexer, offset, max_objects)
        stream = False
    else:
        entries, trailer, after = read_xref_stream(lexer, offset, max_objects)
        stream = True
    match = _EOF.match(data, after)
    if match is None:
        fail("DF-PDF-053", "the cross-reference section is not followed by startxref and "
                           "%%EOF", after)
    return Section(offset, entries, trailer, match.end(), stream, int(match[1]))


def _table(lexer: Lexer, offset: int, max_objects: int
           ) -> tuple[dict[int, Entry], PdfDict, int]:
    data = lexer.data
    pos = offset + 4
    eol = re.compile(rb"[\x00\t\x0c ]*(?:\r\n|\n|\r)").match(data, pos)
    if eol is None:
        fail("DF-PDF-054", "'xref' is not followed by an end of line", pos)
    pos = eol.end()
    entries: dict[int, Entry] = {}
    while True:
        if data.startswith(b"trailer", pos):
            break
        sub = _SUBSECTION.match(data, pos)
        if sub is None:
            fail("DF-PDF-054", "expected a subsection header 'first count' or 'trailer'", pos)
        first, count = int(sub[1]), int(sub[2])
        if first + count > max_objects:
            fail("DF-PDF-052", f"the cross-reference section lists objects up to "
                               f"{first + count}, above the limit of {max_objects}", pos)
        pos = sub.end()
        for num in range(first, first + count):
            entry = _ENTRY.match(data, pos)
            if entry is None:
                fail("DF-PDF-054", f"the entry of object {num} is not 'nnnnnnnnnn ggggg n' "
                                   "in 20 bytes", pos)
            if num in entries:
                fail("DF-PDF-062", f"object {num} is listed twice in one cross-reference "
                                   "table", pos)
            kind = 1 if entry[3] == b"n" else 0
            entries[num] = (kind, int(entry[1]), int(entry[2]))
            pos = entry.end()
    trailer, after = lexer.value(pos + 7)
    if not isinstance(trailer, PdfDict):
        fail("DF-PDF-060", "the trailer is not a dictionary", pos + 7)
    return entries, trailer, after


def _no_indirect_length(ref: Ref) -> PdfObject:
    fail("DF-PDF-054", "an xref stream's /Length must be direct", None)


def read_xref_stream(lexer: Lexer, offset: int, max_objects: int
                     ) -> tuple[dict[int, Entry], PdfDict, int]:
    header = _OBJ_HEADER.match(lexer.data, offset)
    if header is None:
        fail("DF-PDF-053", "startxref or /Prev points at neither 'xref' nor an xref stream",
             offset)
    value, after = lexer.indirect(offset, int(header[1]), int(header[2]), _no_indirect_length)
    if not isinstance(value, Stream) or value.dict.get(Name("Type")) != "XRef":
        fail("DF-PDF-053", "startxref or /Prev points at an object that is not an xref stream",
             offset)
    head = value.dict
    size = head.get(Name("Size"))
    widths = head.get(Name("W"))
    if not isinstance(size, int) or not 0 < size <= max_objects:
        fail("DF-PDF-054", "the xref stream's /Size is missing or out of range", offset)
    if (not isinstance(widths, PdfArray) or len(widths) != 3
            or not all(isinstance(w, int) and 0 <= w <= 8 for w in widths)):
        fail("DF-PDF-054", "the xref stream's /W is not three byte widths", offset)
    w0, w1, w2 = (int(w) for w in widths)  # type: ignore[arg-type]
    index = head.get(Name("Index"), PdfArray([0, size]))
    if (not isinstance(index, PdfArray) or len(index) % 2
            or not all(isinstance(n, int) and n >= 0 for n in index)):
        fail("DF-PDF-054", "the xref stream's /Index is not pairs of 'first count'", offset)
    width = w0 + w1 + w2
    counts = [n for n in index[1::2] if isinstance(n, int)]
    total = sum(counts)
    if total > max_objects:
        fail("DF-PDF-052", f"the xref stream lists {total} entries, above the limit of "
                           f"{max_objects}", offset)
    # The entries need ``total * width`` bytes (a PNG predictor adds one a row): decoding
    # more would only let a small file cost a large decompression once per revision.
    need = total * (width + 1) + 4096
    rows = decode(value, lexer.limits, max_decoded=min(need, lexer.limits.max_decoded))
    if width == 0 or len(rows) < total * width:
        fail("DF-PDF-054", f"the xref stream holds {len(rows)} bytes, too few for {total} "
                           f"entries of {width} bytes", value.start)
    entries: dict[int, Entry] = {}
    pos = 0
    for k in range(0, len(index), 2):
        first, count = int(index[k]), int(index[k + 1])  # type: ignore[arg-type]
        if first + count > max_objects:
            fail("DF-PDF-052", f"the xref stream lists objects up to {first + count}, above "
                               f"the limit of {max_objects}", offset)
        for num in range(first, first + count):
            kind = int.from_bytes(rows[pos:pos + w0], "big") if w0 else 1
            a = int.from_bytes(rows[pos + w0:pos + w0 + w1], "big")
            b = int.from_bytes(rows[pos + w0 + w1:pos + width], "big")
            pos += width
            if num in entries:
                fail("DF-PDF-062", f"object {num} is listed twice in one xref stream", offset)
            if kind in (0, 1, 2):
                entries[num] = (kind, a, b)
            # Other types are reserved and read as null references (ISO 32000-2 §7.5.8.3).
    return entries, head, after
