"""What a viewer resolves that the update check must resolve the same way.

A viewer follows indirect references everywhere: in an annotation's /Rect and its numbers, in
a /MediaBox inherited from the page tree, and in a reference that names an object no revision
defines yet (it skips it today, and draws it once an update defines it). Reading any of these
less thoroughly than a viewer let an unsigned update draw over signed content: these helpers
read them as the viewer does, and fail closed when a value cannot be measured.
"""

from __future__ import annotations

import re

from docflow.pdf.syntax import Name, PdfArray, PdfDict, PdfDocument, PdfObject, Ref, Stream

__all__ = ["ACTION_KEYS", "media_area", "rect_area", "references", "undefined_among",
           "undefined_references"]

ACTION_KEYS = frozenset({"A", "AA"})
"""An annotation's or field's actions (ISO 32000-2 §12.6.2, §12.6.3): JavaScript, a jump or a
form reset run when the page opens or the widget is used."""

_MAX_PARENTS = 32


def rect_area(document: PdfDocument, revision: int, rect: PdfObject) -> float | None:
    """The area of the rectangle ``rect`` as of ``revision``, its references resolved;
    ``None`` when it is not four numbers (the caller then assumes the worst)."""
    rect = document.get_ref(rect, revision)
    if not isinstance(rect, PdfArray) or len(rect) != 4:
        return None
    values = [document.get_ref(v, revision) for v in rect]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    x1, y1, x2, y2 = (float(v) for v in values)  # type: ignore[arg-type]
    return abs(x2 - x1) * abs(y2 - y1)


def media_area(document: PdfDocument, revision: int, page: PdfDict) -> float | None:
    """The area of the page's /MediaBox, inherited from the page tree when the page has none
    (ISO 32000-2 §7.7.3.4)."""
    node: PdfObject = page
    for _ in range(_MAX_PARENTS):
        if not isinstance(node, PdfDict):
            return None
        if Name("MediaBox") in node:
            return rect_area(document, revision, node[Name("MediaBox")])
        node = document.get_ref(node.get(Name("Parent")), revision)
    return None


def undefined_references(document: PdfDocument, revision: int) -> set[int]:
    """Object numbers the document reaches from its catalog as of ``revision`` but that
    resolve to nothing there (undefined, free, or of another generation): a viewer skips
    them, and draws whatever a later update defines under those numbers."""
    found: set[int] = set()
    seen: set[Ref] = set()
    stack = list(references(document, document.trailer(revision).get(Name("Root"))))
    while stack:
        ref = stack.pop()
        if ref in seen:
            continue
        seen.add(ref)
        value = document.get(ref.num, revision, ref.gen)
        if value is None:
            found.add(ref.num)
        stack.extend(references(document, value))
    return found


_REVERSED_REF = re.compile(rb"R[\x00\t\n\x0c\r ]++[0-9]++[\x00\t\n\x0c\r ]++([0-9]++)")
"""A reference ``num gen R`` in bytes read backwards (group 1: ``num``'s digits reversed).
Read backwards, the pattern opens with the letter R, which the regex engine looks for at C
speed; forwards, it would try a match at every digit of the file."""


def undefined_among(document: PdfDocument, revision: int, numbers: set[int]) -> set[int]:
    """``numbers & undefined_references(document, revision)``.

    Speed: when every object of ``revision`` is stored uncompressed, each reference any of
    them holds is written in the file before the revision's end, exactly as the reader reads
    it (digits, whitespace, digits, whitespace, ``R``). A number that no such text names is
    reached by nothing, so the walk, which reads every object the catalog reaches, is needed
    only when one of ``numbers`` is written as a reference there (or in a false look-alike in
    a string or a stream's data, which only costs the walk)."""
    if not numbers:
        return set()
    if all(entry[0] != 2 for entry, _ in document.view(revision).values()):
        end = document.revisions[revision].end
        written = {int(m[1][::-1]) for m in _REVERSED_REF.finditer(document.data[:end][::-1])}
        if not numbers & written:
            return set()
    return numbers & undefined_references(document, revision)


def references(document: PdfDocument, value: PdfObject, *, parents: bool = True
               ) -> tuple[Ref, ...]:
    """The references ``value`` holds, itself included, through its direct arrays and
    dictionaries and a stream's dictionary; ``parents=False`` leaves out the values of /P
    and /Parent in every dictionary but a stream's own.

    Speed: kept per object in the document's memo (an object never changes once read), so
    the walks of one check (what a revision leaves undefined, what the document uses, what
    an update reaches) look at each object's values once."""
    if type(value) is Ref:
        return (value,)
    if type(value) not in _WALKED:
        return ()
    key = ("references" if parents else "references-no-parents", id(value))
    kept = document.memo.get(key)
    if kept is None:
        found: list[Ref] = []
        _collect(value, parents, found)
        kept = (value, tuple(found))  # the value too: its id stays its own
        document.memo[key] = kept
    return kept[1]  # type: ignore[index]


def _collect(value: PdfObject, parents: bool, found: list[Ref]) -> None:
    # Speed: the reader builds exactly the types of _WALKED (no subclasses), so
    # ``type(item) in _WALKED`` leaves every number and name at one test; depth is bounded
    # by the reader's nesting limit.
    if isinstance(value, Ref):
        found.append(value)
    elif isinstance(value, PdfDict):
        for key, item in value.items():
            if type(item) in _WALKED and (parents or key not in _PARENT_KEYS):
                _collect(item, parents, found)
    elif isinstance(value, PdfArray):
        for item in value:
            if type(item) in _WALKED:
                _collect(item, parents, found)
    elif isinstance(value, Stream):
        for item in value.dict.values():
            if type(item) in _WALKED:
                _collect(item, parents, found)


_PARENT_KEYS = frozenset({"P", "Parent"})
_WALKED = frozenset({Ref, Stream, PdfDict, PdfArray})
"""The values a walk of references looks into; every other is a leaf."""
