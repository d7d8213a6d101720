"""Resource exhaustion against the strict reader: small files that made it work for minutes
before the limits counted the work, not only each stream's size (each failed on main).

* a PNG predictor of Paeth rows, undone byte by byte in Python: 0.9 s per decoded megabyte,
  a minute for one 64 MiB xref stream of a 130 KB file;
* many revisions whose xref streams each decode to the limit, or each claim a million
  entries: the per-stream limits multiplied by 256 revisions;
* many object streams, each decoding to the per-stream limit.

Each must be refused with a code (or read) within a second or two; the tests allow ten, for a
loaded machine, and use a subprocess-free wall clock on the reader alone.
"""

from __future__ import annotations

import time
import zlib

import pytest

from docflow.errors import InputError
from docflow.pdf.syntax import parse_pdf

BUDGET_S = 10.0


def _xref_stream_pdf(decoded: bytes, parms: bytes = b"", *, index: bytes = b"",
                     revisions: int = 1) -> bytes:
    """A PDF whose every revision is an xref stream of ``decoded`` (Flate-compressed)."""
    raw = zlib.compress(decoded, 9)
    out = bytearray(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    prev = None
    for _ in range(revisions):
        offset = len(out)
        extra = b" /Prev %d" % prev if prev is not None else b""
        out += (b"2 0 obj\n<< /Type /XRef /Size 1000000 /W [1 2 1] /Root 1 0 R "
                b"/Filter /FlateDecode %s %s%s /Length %d >>\nstream\n"
                % (parms, index, extra, len(raw)) + raw
                + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offset)
        prev = offset
    return bytes(out)


def _quick(data: bytes) -> str | None:
    """Parse ``data`` and read every object; the code it is refused with, or ``None``."""
    start = time.perf_counter()
    try:
        document = parse_pdf(data)
        for _ in document.objects():
            pass
        code = None
    except InputError as exc:
        code = exc.code
    assert time.perf_counter() - start < BUDGET_S
    return code


def test_paeth_predictor_bomb_is_refused_quickly() -> None:
    """16 MiB of Paeth rows behind a 33 KB file: refused (DF-PDF-052), not undone byte by
    byte for fifteen seconds."""
    columns = 1000
    decoded = (b"\x04" + b"\x00" * columns) * (16 * 1024 * 1024 // (columns + 1))
    data = _xref_stream_pdf(decoded, b"/DecodeParms << /Predictor 12 /Columns %d >>" % columns)
    assert _quick(data) == "DF-PDF-052"


def test_up_predictor_over_many_rows_is_read_quickly() -> None:
    """PNG Up rows (what every writer uses) are undone at once, however many rows: a valid
    xref stream of 200,000 entries is read, and its entries are right."""
    rows = 200_000
    first = b"\x00" + bytes([1, 0, 9, 0])  # object 0: type 1, offset 9, generation 0
    same = b"\x02" + bytes(4)  # an Up row adding nothing: the row above again
    data = _xref_stream_pdf(first + same * (rows - 1),
                            b"/DecodeParms << /Predictor 12 /Columns 4 >>",
                            index=b"/Index [0 %d]" % rows)
    start = time.perf_counter()
    entries = parse_pdf(data).revisions[0].entries
    assert time.perf_counter() - start < BUDGET_S
    assert len(entries) == rows
    assert entries[0] == entries[rows - 1] == (1, 9, 0)


@pytest.mark.parametrize("attack", ["decoded size", "entries"])
def test_many_revisions_of_large_xref_streams_are_refused(attack: str) -> None:
    """Many revisions, each of an xref stream at the per-stream limit: the whole document's
    entries and decoded bytes are bounded, so the file is refused (DF-PDF-052) in time."""
    if attack == "decoded size":
        data = _xref_stream_pdf(b"\x00" * (64 * 1024 * 1024), index=b"/Index [0 1]",
                                revisions=256)
    else:
        data = _xref_stream_pdf(b"\x00" * 4 * 600_000, index=b"/Index [0 600000]",
                                revisions=40)
    assert _quick(data) in {"DF-PDF-052", "DF-PDF-054"}


def test_up_rows_undone_at_once_agree_with_the_byte_loop() -> None:
    """The at-once path for None and Up rows gives the bytes the row-by-row definition gives
    (PNG §9.2), on random rows of random widths, restarts included."""
    import random

    from docflow.pdf.syntax import PdfDict, Stream
    from docflow.pdf.syntax.filters import decode
    from docflow.pdf.syntax.limits import DEFAULT_LIMITS
    from docflow.pdf.syntax.objects import Name

    rnd = random.Random(15)
    for _ in range(100):
        columns, count = rnd.randint(1, 7), rnd.randint(1, 40)
        rows = [(rnd.choice([0, 2, 2, 2]), bytes(rnd.randrange(256) for _ in range(columns)))
                for _ in range(count)]
        expected, above = bytearray(), bytes(columns)
        for kind, row in rows:
            pairs = zip(row, above, strict=True)
            above = row if kind == 0 else bytes((a + b) & 0xFF for a, b in pairs)
            expected += above
        head = PdfDict()
        head.update({Name("Filter"): Name("FlateDecode"), Name("DecodeParms"): _parms(columns)})
        raw = zlib.compress(b"".join(bytes([k]) + r for k, r in rows))
        assert decode(Stream(head, raw, 0), DEFAULT_LIMITS) == expected


def _parms(columns: int) -> object:
    from docflow.pdf.syntax import PdfDict
    from docflow.pdf.syntax.objects import Name

    parms = PdfDict()
    parms.update({Name("Predictor"): 12, Name("Columns"): columns})
    return parms
