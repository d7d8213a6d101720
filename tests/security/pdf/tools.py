"""The attacker's PDF toolbox: write objects back, append incremental updates (with or without
a cross-reference section), and edit bytes in place without moving any offset.

Every attack test starts from a real PDF signed with pyHanko and docflow's test PKI and uses
these to change it the way the published attacks do (Mladenov et al., NDSS 2019; Mainka et
al., NDSS 2021).
"""

from __future__ import annotations

from docflow.pdf.syntax import Name, PdfArray, PdfDict, PdfObject, PdfString, Ref, Stream, parse_pdf

_REGULAR = set(range(0x21, 0x7F)) - set(b"()<>[]{}/%#")


def dump(value: PdfObject) -> bytes:
    """``value`` written as PDF syntax (streams with a /Length that fits their data)."""
    if value is None:
        return b"null"
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if isinstance(value, Name):
        return b"/" + b"".join(bytes([c]) if c in _REGULAR else b"#%02X" % c
                               for c in str(value).encode("latin-1"))
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, float):
        return repr(value).encode()
    if isinstance(value, PdfString):
        return b"<" + value.value.hex().encode() + b">"
    if isinstance(value, Ref):
        return b"%d %d R" % (value.num, value.gen)
    if isinstance(value, PdfArray):
        return b"[" + b" ".join(dump(v) for v in value) + b"]"
    if isinstance(value, PdfDict):
        return b"<<" + b"".join(dump(k) + b" " + dump(v) + b"\n" for k, v in value.items()) \
            + b">>"
    if isinstance(value, Stream):
        head = PdfDict()
        head.update(value.dict)
        head[Name("Length")] = len(value.raw)
        return dump(head) + b"\nstream\n" + value.raw + b"\nendstream"
    raise TypeError(type(value))


def last_xref(data: bytes) -> int:
    return int(data[data.rfind(b"startxref") + 9:].split()[0])


def append_update(data: bytes, objects: dict[int, bytes], *, xref: bool = True,
                  trailer_extra: bytes = b"") -> bytes:
    """``data`` with an incremental update defining ``objects`` (number → body), its xref table
    and a trailer that copies /Root, /Info and /ID of the last one; ``xref=False`` appends the
    objects alone, as lenient viewers accept."""
    document = parse_pdf(data)
    trailer = document.trailer()
    size = max([int(trailer[Name("Size")]), *(n + 1 for n in objects)])  # type: ignore[call-overload]
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for num, body in sorted(objects.items()):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    if not xref:
        return bytes(out)
    start = len(out)
    out += b"xref\n"
    for num, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (num, offset)
    keep = b"".join(dump(Name(k)) + b" " + dump(trailer[Name(k)]) + b" "
                    for k in ("Root", "Info", "ID") if Name(k) in trailer
                    and b"/" + k.encode() + b" " not in trailer_extra)
    out += b"trailer\n<< /Size %d /Prev %d %s%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, last_xref(data), keep, trailer_extra, start)
    return bytes(out)


def same_length(data: bytes, old: bytes, new: bytes, *, last: bool = True) -> bytes:
    """Replace ``old`` by ``new`` padded with spaces to the same length (no offset moves)."""
    assert len(new) <= len(old), (new, old)
    at = data.rfind(old) if last else data.find(old)
    assert at >= 0, old
    return data[:at] + new + b" " * (len(old) - len(new)) + data[at + len(old):]


def current(data: bytes, num: int) -> PdfObject:
    """Object ``num`` as the last revision has it."""
    return parse_pdf(data).get(num)


def find(data: bytes, predicate) -> int:  # type: ignore[no-untyped-def]
    """The number of the first object of the last revision that ``predicate`` accepts."""
    for num, value in parse_pdf(data).objects():
        if predicate(value):
            return num
    raise LookupError("no such object")
