"""What a viewer resolves that the update check must resolve the same way.

A viewer follows indirect references everywhere: in an annotation's /Rect and its numbers, in
a /MediaBox inherited from the page tree, and in a reference that names an object no revision
defines yet (it skips it today, and draws it once an update defines it). Reading any of these
less thoroughly than a viewer let an unsigned update draw over signed content: these helpers
read them as the viewer does, and fail closed when a value cannot be measured.
"""

from __future__ import annotations

from docflow.pdf.syntax import Name, PdfArray, PdfDict, PdfDocument, PdfObject, Ref, Stream

__all__ = ["ACTION_KEYS", "media_area", "rect_area", "undefined_references"]

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
    stack: list[PdfObject] = [document.trailer(revision).get(Name("Root"))]
    # Speed: the reader builds exactly these types (no subclasses), so ``type(item) is``
    # decides as ``isinstance`` would, and the many numbers and names leave at one test.
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind not in _WALKED:
            continue
        if kind is Ref:
            if item in seen:
                continue
            seen.add(item)  # type: ignore[arg-type]
            value = document.get(item.num, revision, item.gen)  # type: ignore[union-attr]
            if value is None:
                found.add(item.num)  # type: ignore[union-attr]
            stack.append(value)
        elif kind is Stream:
            stack.extend(item.dict.values())  # type: ignore[union-attr]
        elif kind is PdfDict:
            stack.extend(item.values())  # type: ignore[union-attr]
        else:
            stack.extend(item)  # type: ignore[arg-type]
    return found


_WALKED = frozenset({Ref, Stream, PdfDict, PdfArray})
"""The values a walk of references looks into; every other is a leaf."""
