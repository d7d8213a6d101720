"""Write a whole PDF file from numbered object bodies: header, objects, xref table, trailer.

Used for a new document; an incremental update (:mod:`docflow.pdf.sign`) writes its own
section after the file it extends. The file ID is a digest of the objects, so the same objects
give the same bytes (ISO 32000-1 §14.4 asks only that it be unique in practice).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from docflow.pdf.objects import Ref, dump

__all__ = ["HEADER", "write_file", "xref_section"]

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
"""Version 1.7, and a comment of four high bytes so that transfers treat the file as binary."""


def xref_section(offsets: dict[int, int], size: int, trailer: dict[str, object],
                 at: int) -> bytes:
    """A cross-reference table for ``offsets`` (object number → byte offset), its trailer
    and ``startxref`` pointing at ``at``, where this section begins; ``size`` is /Size."""
    out = [b"xref\n"]
    numbers = sorted(offsets)
    if 0 not in offsets and (not numbers or numbers[0] != 0):
        out.append(b"0 1\n0000000000 65535 f\r\n")
    run: list[int] = []
    for number in numbers:
        if run and number != run[-1] + 1:
            out.append(_subsection(run, offsets))
            run = []
        run.append(number)
    if run:
        out.append(_subsection(run, offsets))
    out.append(b"trailer\n" + dump({"Size": size, **trailer}) + b"\nstartxref\n%d\n%%%%EOF\n"
               % at)
    return b"".join(out)


def _subsection(run: list[int], offsets: dict[int, int]) -> bytes:
    # Each entry is exactly 20 bytes, ending in CR LF (§7.5.4).
    return b"%d %d\n" % (run[0], len(run)) + b"".join(
        b"%010d 00000 n\r\n" % offsets[n] for n in run)


def write_file(bodies: Sequence[bytes], root: Ref, info: Ref | None = None) -> bytes:
    """A complete PDF whose objects 1..n are ``bodies`` (each ``dump``-ed, streams included).

    >>> data = write_file([b"<</Type /Catalog>>"], Ref(1))
    >>> data.startswith(b"%PDF-1.7") and data.endswith(b"%%EOF\\n")
    True
    """
    parts = [HEADER]
    offset = len(HEADER)
    offsets: dict[int, int] = {}
    digest = hashlib.sha256()
    for number, body in enumerate(bodies, start=1):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        offsets[number] = offset
        offset += len(chunk)
        parts.append(chunk)
        digest.update(chunk)
    file_id = digest.digest()[:16]
    trailer: dict[str, object] = {"Root": root}
    if info is not None:
        trailer["Info"] = info
    trailer["ID"] = [file_id, file_id]
    parts.append(xref_section(offsets, len(bodies) + 1, trailer, offset))
    return b"".join(parts)
