"""A PDF as a chain of revisions, each with the objects it defines (ISO 32000-2 §7.5.6).

A signed PDF is its original revision plus one incremental update per later signature. A
signature covers exactly the bytes of the revisions up to its own, so the reader keeps every
revision apart: :meth:`PdfDocument.get` answers "what was object 7 *as of revision 1*", which is
what a signature check needs to say what was signed and what each update changed.

Strict rules that lenient readers do not apply, because each closes a known attack:

* the header is at byte 0 (nothing can be prepended to what a ByteRange starting at 0 covers);
* every cross-reference section ends with its own ``startxref`` and ``%%EOF``, and ``/Prev``
  points strictly backwards into an earlier revision (no loops, no overlaps);
* every object a section lists lies inside that section's own revision (an update cannot point
  into the bytes of a signature's ``/Contents`` or revive bytes of an earlier revision);
* nothing but whitespace follows the last ``%%EOF``;
* a stream's ``/Length`` ends exactly at ``endstream``; dictionaries repeat no key.

Every malformation raises :class:`~docflow.errors.InputError` with a ``DF-PDF`` code and the
byte offset, never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from docflow.errors import InputError, Location
from docflow.pdf.syntax.filters import decode
from docflow.pdf.syntax.lexer import Lexer
from docflow.pdf.syntax.limits import DEFAULT_LIMITS, PdfLimits, fail
from docflow.pdf.syntax.objects import Name, PdfDict, PdfObject, Ref, Stream
from docflow.pdf.syntax.xref import Entry, Section, read_section, read_xref_stream

__all__ = ["PdfDocument", "Revision", "parse_pdf", "read_pdf"]

_HEADER = re.compile(rb"%PDF-(1\.[0-7]|2\.0)[\x00\t\x0c\r\n ]")
_STARTXREF_VALUE = re.compile(rb"startxref[\x00\t\n\x0c\r ]+(\d+)")
_WHITESPACE = b"\x00\t\n\x0c\r "
_UNREAD = object()


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision: the original file or one incremental update."""

    index: int
    """0 for the original, then 1, 2, … in file order."""
    start: int
    """The first byte of this revision's own part (0, or the end of the one before)."""
    end: int
    """Just after its ``%%EOF`` and end-of-line: bytes ``[0, end)`` are the file as of this
    revision."""
    section: Section

    @property
    def trailer(self) -> PdfDict:
        return self.section.trailer

    @property
    def entries(self) -> dict[int, Entry]:
        """The objects this revision's section lists (itself defines or frees)."""
        return self.section.entries


class PdfDocument:
    """A parsed PDF: its bytes, its revisions, and their objects, read on demand.

    Objects are parsed the first time they are asked for and cached by where they stand, so
    revisions that share an object share its one parse.
    """

    def __init__(self, data: bytes, revisions: tuple[Revision, ...],
                 limits: PdfLimits = DEFAULT_LIMITS, name: str | None = None) -> None:
        self.data = data
        self.name = name
        """The file name, added to the location of errors met while reading objects."""
        self.revisions = revisions
        self.limits = limits
        self._lexer = Lexer(data, limits)
        self._views: list[dict[int, tuple[Entry, int]]] = []
        view: dict[int, tuple[Entry, int]] = {}
        for revision in revisions:
            view = dict(view)
            for num, entry in revision.entries.items():
                view[num] = (entry, revision.index)
            self._views.append(view)
        self._objects: dict[tuple[int, int, int], PdfObject] = {}
        self._object_streams: dict[int, tuple[Lexer, list[tuple[int, int]], int]] = {}
        self._busy: set[tuple[int, int]] = set()
        self.memo: dict[tuple[str, int], object] = {}
        """Values derived from one revision (its signature fields, its pages), kept by the
        checks that compute them: a revision never changes once parsed."""

    def view(self, revision: int = -1) -> dict[int, tuple[Entry, int]]:
        """Every object number defined as of ``revision``: its entry and the revision that
        listed it last."""
        return self._views[revision]

    def trailer(self, revision: int = -1) -> PdfDict:
        return self.revisions[revision].trailer

    def catalog(self, revision: int = -1) -> PdfDict:
        """The document catalog (/Root) as of ``revision`` (``DF-PDF-060`` if it is not a
        dictionary)."""
        root = self.get_ref(self.trailer(revision).get(Name("Root")), revision)
        if not isinstance(root, PdfDict):
            fail("DF-PDF-060", "the trailer's /Root is not a dictionary",
                 self.revisions[revision].section.offset)
        return root

    def get_ref(self, value: PdfObject, revision: int = -1) -> PdfObject:
        """``value`` itself, or the object it references as of ``revision``."""
        if isinstance(value, Ref):
            return self.get(value.num, revision, value.gen)
        return value

    def get(self, num: int, revision: int = -1, gen: int | None = None) -> PdfObject:
        """Object ``num`` as of ``revision``; ``None`` (PDF null) when it is not defined or
        free, or its generation is not ``gen``."""
        # Speed: an uncompressed object already read is answered here, one call shallower
        # than :meth:`_get`, which decides the same way.
        found = self._views[revision].get(num)
        if found is not None:
            entry = found[0]
            if entry[0] == 1 and (gen is None or entry[2] == gen):
                cached = self._objects.get((1, entry[1], num), _UNREAD)
                if cached is not _UNREAD:
                    return cached  # type: ignore[return-value]
        try:
            return self._get(num, revision, gen)
        except InputError as exc:
            if self.name is None or exc.location.file is not None:
                raise
            raise InputError(exc.code, exc.message,
                             Location(file=self.name, offset=exc.location.offset)) from None

    def _get(self, num: int, revision: int, gen: int | None) -> PdfObject:
        if revision < 0:
            revision += len(self.revisions)
        found = self._views[revision].get(num)
        if found is None:
            return None
        (kind, a, b), where = found
        if kind == 0:
            return None
        if kind == 1:
            if gen is not None and b != gen:
                return None
            key = (1, a, num)
            if key not in self._objects:
                self._objects[key] = self._read_indirect(num, a, b, where)
            return self._objects[key]
        if gen not in (None, 0):
            return None
        key = (2, a, b)
        if key not in self._objects:
            self._objects[key] = self._read_compressed(num, a, b, where)
        return self._objects[key]

    def _read_indirect(self, num: int, offset: int, gen: int, where: int) -> PdfObject:
        revision = self.revisions[where]
        if not revision.start <= offset < revision.end:
            fail("DF-PDF-055", f"revision {where} lists object {num} at byte {offset}, outside "
                               f"its own bytes {revision.start}-{revision.end}", offset)
        if (num, where) in self._busy:
            fail("DF-PDF-059", f"object {num}'s stream /Length refers back to itself", offset)
        self._busy.add((num, where))
        try:
            value, end = self._lexer.indirect(offset, num, gen,
                                              lambda ref: self._length(ref, where, offset))
        finally:
            self._busy.discard((num, where))
        if end > revision.end:
            fail("DF-PDF-055", f"object {num} runs past the end of revision {where}", offset)
        return value

    def _length(self, ref: Ref, revision: int, offset: int) -> PdfObject:
        value = self.get(ref.num, revision, ref.gen)
        if not isinstance(value, int) or isinstance(value, bool):
            fail("DF-PDF-057", f"a stream's indirect /Length {ref} is not an integer", offset)
        return value

    def _read_compressed(self, num: int, stream_num: int, index: int, where: int) -> PdfObject:
        found = self._views[where].get(stream_num)
        if found is None or found[0][0] != 1:
            fail("DF-PDF-058", f"object {num} is said to be in object stream {stream_num}, "
                               "which is not an uncompressed object of the file", None)
        offset = found[0][1]
        if offset not in self._object_streams:
            stream = self.get(stream_num, where)
            self._object_streams[offset] = self._index_object_stream(stream_num, stream)
        lexer, pairs, first = self._object_streams[offset]
        if index >= len(pairs):
            fail("DF-PDF-058", f"object stream {stream_num} has {len(pairs)} objects, not an "
                               f"object at index {index}", lexer.base)
        listed, at = pairs[index]
        if listed != num:
            fail("DF-PDF-058", f"object stream {stream_num} holds object {listed} at index "
                               f"{index}, where the xref names object {num}", lexer.base)
        value, _ = lexer.value(first + at)
        return value

    def _index_object_stream(self, stream_num: int, stream: PdfObject
                             ) -> tuple[Lexer, list[tuple[int, int]], int]:
        if not isinstance(stream, Stream) or stream.dict.get(Name("Type")) != "ObjStm":
            fail("DF-PDF-058", f"object {stream_num} is not an object stream", None)
        count = stream.dict.get(Name("N"))
        first = stream.dict.get(Name("First"))
        # Object streams are decoded once each and kept: together they stay under one
        # stream's limit, or a file of many small bombs would cost many large decodings.
        decoded = sum(len(lexer.data) for lexer, _, _ in self._object_streams.values())
        data = decode(stream, replace(self.limits,
                                      max_decoded=self.limits.max_decoded - decoded))
        if (not isinstance(count, int) or not isinstance(first, int) or count < 0
                or not 0 <= first <= len(data) or count > self.limits.max_objects):
            fail("DF-PDF-058", "the object stream's /N or /First is missing or out of range",
                 stream.start)
        lexer = Lexer(data, self.limits, base=stream.start)
        pairs = []
        pos = 0
        for _ in range(count):
            num, pos = lexer.integer(pos)
            at, pos = lexer.integer(pos)
            if first + at >= len(data):
                fail("DF-PDF-058", f"object {num} of the object stream lies past its end",
                     stream.start)
            pairs.append((num, at))
        return lexer, pairs, first

    def objects(self, revision: int = -1) -> Iterator[tuple[int, PdfObject]]:
        """Every object in use as of ``revision``, by number."""
        for num, ((kind, _, _), _) in sorted(self._views[revision].items()):
            if kind != 0:
                yield num, self.get(num, revision)


def parse_pdf(data: bytes, *, limits: PdfLimits = DEFAULT_LIMITS,
              where: str | None = None) -> PdfDocument:
    """Parse the revisions of the PDF ``data`` strictly.

    Parameters
    ----------
    data
        The whole file.
    limits
        Size, depth and count limits.
    where
        The file name, for error locations.

    Returns
    -------
    PdfDocument
        Revisions oldest first; objects are read when asked for, so errors in an object
        surface when :meth:`PdfDocument.get` reaches it, with the same codes.

    Raises
    ------
    InputError
        A ``DF-PDF`` code and the byte offset of the malformation.

    Examples
    --------
    >>> parse_pdf(b"not a pdf")
    Traceback (most recent call last):
    ...
    docflow.errors.InputError: DF-PDF-050 byte 0: the file does not start with a %PDF-1.x ...
    """
    try:
        return _parse(data, limits, where)
    except InputError as exc:
        if where is None:
            raise
        raise InputError(exc.code, exc.message,
                         Location(file=where, offset=exc.location.offset)) from None


def read_pdf(path: str | os.PathLike[str], *, limits: PdfLimits = DEFAULT_LIMITS) -> PdfDocument:
    """Read and parse the PDF file ``path`` (``DF-IO-001``/``-002`` if it cannot be read)."""
    from docflow.xmlsafe import read_bytes

    return parse_pdf(read_bytes(path, limits.max_bytes), limits=limits, where=str(path))


def _parse(data: bytes, limits: PdfLimits, where: str | None) -> PdfDocument:
    if len(data) > limits.max_bytes:
        raise InputError("DF-IO-002", f"the PDF has {len(data)} bytes, above the limit of "
                                      f"{limits.max_bytes}")
    if _HEADER.match(data) is None:
        fail("DF-PDF-050", "the file does not start with a %PDF-1.x or %PDF-2.0 header", 0)
    lexer = Lexer(data, limits)
    last = data.rfind(b"startxref")
    value = _STARTXREF_VALUE.match(data, last) if last >= 0 else None
    if value is None:
        fail("DF-PDF-053", "the file has no startxref with an offset", len(data))
    sections: list[Section] = []
    offset = int(value[1])
    listed = 0  # entries of the sections read so far: max_objects bounds the whole file's
    while True:
        if len(sections) >= limits.max_revisions:
            fail("DF-PDF-052", f"the file has more than {limits.max_revisions} revisions",
                 offset)
        section = _read(lexer, offset, limits.max_objects - listed)
        prev = section.trailer.get(Name("Prev"))
        if (isinstance(prev, int) and not isinstance(prev, bool) and prev > offset
                and _linearized(data, section)):
            section = _merge_linearized(lexer, section, prev, limits)
            prev = section.trailer.get(Name("Prev"))
        elif section.pointer != section.offset:
            fail("DF-PDF-053", f"the startxref after the section at byte {section.offset} "
                               f"says {section.pointer}, not its offset", section.end)
        sections.append(section)
        listed += len(section.entries)
        if prev is None:
            break
        if not isinstance(prev, int) or isinstance(prev, bool) or not 0 <= prev < offset:
            fail("DF-PDF-056", f"/Prev {prev!r} does not point backwards to an earlier "
                               "cross-reference section", offset)
        offset = prev
    sections.reverse()
    revisions = []
    start = 0
    for index, section in enumerate(sections):
        if section.offset < start:
            fail("DF-PDF-056", f"revision {index}'s cross-reference section at byte "
                               f"{section.offset} lies inside the revision before it (which "
                               f"ends at byte {start})", section.offset)
        revisions.append(Revision(index, start, section.end, section))
        start = section.end
    tail = data[start:]
    if tail.strip(_WHITESPACE):
        fail("DF-PDF-056", f"{len(tail)} bytes follow the last %%EOF; they belong to no "
                           "revision", start)
    return PdfDocument(data, tuple(revisions), limits, where)


def _read(lexer: Lexer, offset: int, max_objects: int, *, root: bool = True) -> Section:
    """The section at ``offset``, its hybrid entries merged; ``max_objects`` entries at most
    (what the file's limit leaves after the sections read before)."""
    section = read_section(lexer, offset, max_objects)
    _check_trailer(section, root=root)
    xref_stm = section.trailer.get(Name("XRefStm"))
    if xref_stm is not None:
        _merge_hybrid(lexer, section, xref_stm, max_objects)
    return section


_LINEARIZED = re.compile(rb"%PDF-[^\r\n]*[\r\n]+(?:%[^\r\n]*[\r\n]+)*[\x00\t\n\x0c\r ]*"
                         rb"\d+[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]+obj[\x00\t\n\x0c\r ]*"
                         rb"<<[^>]*/Linearized[\x00\t\n\x0c\r ]")


def _linearized(data: bytes, section: Section) -> bool:
    """Whether ``section`` is the first-page section of a linearized file (Annex F): the
    file's first object is a linearization dictionary, and its ``startxref`` is 0 or its
    own offset."""
    return section.pointer in (0, section.offset) and \
        _LINEARIZED.match(data[:1024]) is not None


def _merge_linearized(lexer: Lexer, first: Section, main_offset: int,
                      limits: PdfLimits) -> Section:
    """The original revision of a linearized file: its first-page section (near the start)
    and its main section (at the end of the original file), which the first page's /Prev
    names *forwards*, read as one section that ends where the main one does."""
    if main_offset < first.end:
        fail("DF-PDF-056", f"the linearized file's /Prev {main_offset} points inside its "
                           "first-page section", first.offset)
    main = _read(lexer, main_offset, limits.max_objects, root=False)  # /Root: first page's
    if Name("Prev") in main.trailer:
        fail("DF-PDF-056", "the main cross-reference section of a linearized file has a "
                           "/Prev of its own", main.offset)
    if main.pointer != first.offset:
        fail("DF-PDF-053", f"the startxref of the linearized file says {main.pointer}, not "
                           f"its first-page section at byte {first.offset}", main.end)
    entries = dict(main.entries)
    for num, entry in first.entries.items():
        if num in entries and entries[num][0] != 0 and entry[0] != 0 and entries[num] != entry:
            fail("DF-PDF-062", f"object {num} is in both sections of the linearized file",
                 first.offset)
        entries[num] = entry
    trailer = PdfDict(first.trailer.start, first.trailer.end)
    trailer.update(main.trailer)
    trailer.update({k: v for k, v in first.trailer.items() if k != "Prev"})
    return Section(first.offset, entries, trailer, main.end, first.stream, first.offset)


def _check_trailer(section: Section, *, root: bool = True) -> None:
    trailer = section.trailer
    if Name("Encrypt") in trailer:
        fail("DF-PDF-061", "the trailer has /Encrypt", section.offset)
    if root and not isinstance(trailer.get(Name("Root")), Ref):
        fail("DF-PDF-060", "the trailer's /Root is missing or not a reference", section.offset)
    size = trailer.get(Name("Size"))
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        fail("DF-PDF-060", "the trailer's /Size is missing or not a positive integer",
             section.offset)
    beyond = [num for num in section.entries if num >= size]
    if beyond:
        fail("DF-PDF-054", f"the section lists object {beyond[0]}, not below /Size {size}",
             section.offset)


def _merge_hybrid(lexer: Lexer, section: Section, offset: PdfObject,
                  max_objects: int) -> None:
    """Add the entries of a hybrid file's /XRefStm under the table's own (§7.5.8.4)."""
    if not isinstance(offset, int) or not section.offset > offset >= 0:
        fail("DF-PDF-054", "/XRefStm does not point at an xref stream before its table",
             section.offset)
    entries, _, _ = read_xref_stream(lexer, offset, max_objects)
    for num, entry in entries.items():
        section.entries.setdefault(num, entry)
