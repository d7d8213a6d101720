"""Small PDFs written byte by byte, with classic cross-reference tables, for the reader's tests.

Each helper computes the offsets honestly, so a test changes exactly the one thing it means to
break.
"""

from __future__ import annotations

OBJECTS = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    b"<< /Length 42 >>\nstream\nBT /F1 12 Tf 72 720 Td (Hello world) Tj ET\nendstream",
]


def classic(objects: list[bytes] = OBJECTS, *, trailer: bytes = b"/Root 1 0 R",
            header: bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", tail: bytes = b"") -> bytes:
    """A one-revision PDF: ``objects`` numbered from 1, an xref table, a trailer."""
    out = bytearray(header)
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, trailer, xref)
    return bytes(out + tail)


def update(base: bytes, objects: dict[int, bytes], *, size: int | None = None,
           prev: int | None = None, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """``base`` with an incremental update redefining ``objects`` (number → body)."""
    out = bytearray(base)
    offsets = {}
    for num, body in sorted(objects.items()):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for num, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (num, offset)
    if prev is None:
        prev = int(base[base.rfind(b"startxref") + 9:].split()[0])
    size = size or max(max(objects) + 1, 5)
    out += b"trailer\n<< /Size %d /Prev %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, prev, trailer, xref)
    return bytes(out)


def linearized() -> bytes:
    """A linearized one-page PDF (ISO 32000-2 Annex F, without hint streams): the
    linearization dictionary first, the first-page section with ``startxref 0`` and a /Prev
    pointing *forward* to the main section at the end, whose ``startxref`` names the first."""
    header = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    lin = b"5 0 obj\n<< /Linearized 1 /L 0000000000 /O 3 /E 0 /N 1 /T 0 /H [0 0] >>\nendobj\n"
    first_xref = len(header) + len(lin)
    # The first-page section lists 5 and 1..4 are in the main section; its size is fixed, so
    # the body's offsets are known before it is written.
    probe = b"xref\n5 1\n0000000000 00000 n \ntrailer\n<< /Size 6 /Prev 0000000000 " \
            b"/Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    body_start = first_xref + len(probe)
    body = bytearray()
    offsets = []
    for num, obj in enumerate(OBJECTS, start=1):
        offsets.append(body_start + len(body))
        body += b"%d 0 obj\n" % num + obj + b"\nendobj\n"
    main_xref = body_start + len(body)
    first = (b"xref\n5 1\n%010d 00000 n \ntrailer\n<< /Size 6 /Prev %010d /Root 1 0 R >>\n"
             b"startxref\n0\n%%%%EOF\n" % (len(header), main_xref))
    assert len(first) == len(probe)
    main = b"xref\n0 5\n0000000000 65535 f \n" + b"".join(
        b"%010d 00000 n \n" % o for o in offsets) + \
        b"trailer\n<< /Size 6 >>\nstartxref\n%d\n%%%%EOF\n" % first_xref
    out = header + lin + first + bytes(body) + main
    return out.replace(b"/L 0000000000", b"/L %010d" % len(out))
