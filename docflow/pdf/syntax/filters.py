"""Decoding the streams the reader itself needs: cross-reference and object streams.

Only FlateDecode (with or without a PNG predictor) is decoded: it is what every writer uses for
those two kinds of stream. Content streams are compared in their encoded form and never decoded
here. Decoding stops at :attr:`~docflow.pdf.syntax.limits.PdfLimits.max_decoded` bytes, so a
compression bomb costs no memory.
"""

from __future__ import annotations

import zlib

import numpy as np

from docflow.pdf.syntax.limits import PdfLimits, fail
from docflow.pdf.syntax.objects import Name, PdfArray, PdfDict, Stream

__all__ = ["decode"]


def decode(stream: Stream, limits: PdfLimits, *, max_decoded: int | None = None) -> bytes:
    """The decoded data of ``stream`` (``DF-PDF-057`` if it cannot be decoded), at most
    ``max_decoded`` bytes [default: the limits']."""
    cap = limits.max_decoded if max_decoded is None else max_decoded
    filters = stream.dict.get(Name("Filter"))
    parms = stream.dict.get(Name("DecodeParms"))
    if filters is None:
        return stream.raw
    if isinstance(filters, PdfArray) and len(filters) == 1:
        filters = filters[0]
        if isinstance(parms, PdfArray) and len(parms) == 1:
            parms = parms[0]
    if filters != "FlateDecode" or not isinstance(filters, Name):
        fail("DF-PDF-057", f"the stream's filter {filters!r} is not one the reader decodes "
                           "here (FlateDecode)", stream.start)
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(stream.raw, cap + 1)
    except zlib.error as exc:
        fail("DF-PDF-057", f"the stream's Flate data does not decode: {exc}", stream.start)
    if len(out) > cap:
        fail("DF-PDF-052", f"the stream decodes to more than {cap} bytes",
             stream.start)
    if parms is None:
        return out
    if not isinstance(parms, PdfDict):
        fail("DF-PDF-057", "/DecodeParms is not a dictionary", stream.start)
    return _unpredict(out, parms, stream.start)


_SEQUENTIAL_BYTES = 256 * 1024
"""Sub, Average and Paeth rows are undone byte by byte (each byte depends on the one to its
left): 0.9 s per MiB here. Writers use Up rows for xref and object streams, which are undone
at once; the others are read up to this many bytes, so a small file cannot cost minutes."""


def _unpredict_up(data: bytes, width: int) -> bytes:
    """Rows of type None (0) and Up (2) undone at once: each byte is the sum modulo 256 of
    the bytes above it, back to the last None row (where the sum restarts)."""
    table = np.frombuffer(data, dtype=np.uint8).reshape(-1, width)
    rows = table[:, 1:]
    sums = np.cumsum(rows, axis=0, dtype=np.uint8)  # wraps modulo 256, as the predictor does
    restart = np.where(table[:, 0] == 0, np.arange(len(table)), 0)
    last = np.maximum.accumulate(restart)  # the last None row at or above each row
    base = np.where((last > 0)[:, None], sums[np.maximum(last - 1, 0)], 0).astype(np.uint8)
    return (sums - base).tobytes()


def _unpredict(data: bytes, parms: PdfDict, where: int) -> bytes:
    predictor = parms.get(Name("Predictor"), 1)
    if predictor == 1:
        return data
    columns = parms.get(Name("Columns"), 1)
    colors = parms.get(Name("Colors"), 1)
    bits = parms.get(Name("BitsPerComponent"), 8)
    if (not isinstance(predictor, int) or not 10 <= predictor <= 15 or not isinstance(columns, int)
            or columns < 1 or colors != 1 or bits != 8):
        fail("DF-PDF-057", "the stream's predictor is not a PNG predictor over bytes",
             where)
    width = columns + 1
    if len(data) % width:
        fail("DF-PDF-057", "the predicted data is not a whole number of rows", where)
    kinds = np.frombuffer(data, dtype=np.uint8)[::width]
    if (kinds > 4).any():
        fail("DF-PDF-057", f"unknown PNG predictor type {int(kinds.max())} in a row", where)
    sequential = int(np.count_nonzero((kinds != 0) & (kinds != 2))) * columns
    if not sequential:
        return _unpredict_up(data, width)
    if sequential > _SEQUENTIAL_BYTES:
        fail("DF-PDF-052", f"the stream's Sub, Average or Paeth rows hold {sequential} bytes, "
                           f"above the {_SEQUENTIAL_BYTES} the reader undoes one by one", where)
    out = bytearray()
    previous = bytearray(columns)
    for start in range(0, len(data), width):
        kind = data[start]
        row = bytearray(data[start + 1:start + width])
        if kind == 0:
            pass
        elif kind == 1:
            for k in range(1, columns):
                row[k] = (row[k] + row[k - 1]) & 0xFF
        elif kind == 2:
            for k in range(columns):
                row[k] = (row[k] + previous[k]) & 0xFF
        elif kind == 3:
            for k in range(columns):
                left = row[k - 1] if k else 0
                row[k] = (row[k] + ((left + previous[k]) >> 1)) & 0xFF
        elif kind == 4:
            for k in range(columns):
                a = row[k - 1] if k else 0
                b = previous[k]
                c = previous[k - 1] if k else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[k] = (row[k] + pred) & 0xFF
        else:
            fail("DF-PDF-057", f"unknown PNG predictor type {kind} in a row", where)
        out += row
        previous = row
    return bytes(out)
