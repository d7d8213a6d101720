"""Where a PDF's signatures are: the signature fields of the AcroForm, their widgets, and the
signature dictionaries their /V values name (ISO 32000-2 §12.7.5.5, §12.8.1).

Only signatures a viewer shows count: a signature dictionary that no field of the final
revision's form reaches is not a signature of the document. The walk is bounded (depth, loops)
since the field tree comes from the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from docflow.pdf.syntax import Name, PdfArray, PdfDict, PdfDocument, PdfObject, PdfString, Ref

__all__ = ["SignatureField", "page_numbers", "signature_fields", "text"]

_MAX_FIELD_DEPTH = 32


@dataclass(frozen=True, slots=True)
class SignatureField:
    """One signature field as of a revision."""

    name: str
    """The fully qualified field name (parents' /T joined by dots)."""
    num: int | None
    """The field's object number (``None`` for a direct object, which forms do not allow)."""
    value: PdfObject
    """/V as written: a reference to the signature dictionary, or ``None`` for an empty
    field."""
    widgets: tuple[int, ...]
    """Object numbers of the field's widget annotations (the field itself when merged)."""


def text(value: PdfObject) -> str:
    """A PDF text string as ``str`` (UTF-16BE with BOM, else PDFDocEncoding read as
    Latin-1, which agrees with it on printable ASCII)."""
    if not isinstance(value, PdfString):
        return ""
    raw = value.value
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    return raw.decode("latin-1")


def signature_fields(document: PdfDocument, revision: int = -1) -> list[SignatureField]:
    """Every signature field of the form as of ``revision``, in form order."""
    key = ("signature_fields", revision % len(document.revisions))
    if key not in document.memo:
        document.memo[key] = _signature_fields(document, revision)
    return list(document.memo[key])  # type: ignore[call-overload]


def _signature_fields(document: PdfDocument, revision: int) -> list[SignatureField]:
    catalog = document.catalog(revision)
    form = document.get_ref(catalog.get(Name("AcroForm")), revision)
    if not isinstance(form, PdfDict):
        return []
    roots = document.get_ref(form.get(Name("Fields")), revision)
    found: list[SignatureField] = []
    seen: set[int] = set()
    if isinstance(roots, PdfArray):
        for item in roots:
            _walk(document, revision, item, "", None, 0, seen, found)
    return found


def _walk(document: PdfDocument, revision: int, item: PdfObject, parent: str,
          inherited: PdfObject, depth: int, seen: set[int],
          found: list[SignatureField]) -> None:
    if depth > _MAX_FIELD_DEPTH:
        return
    num = item.num if isinstance(item, Ref) else None
    if num is not None:
        if num in seen:
            return
        seen.add(num)
    field = document.get_ref(item, revision)
    if not isinstance(field, PdfDict):
        return
    partial = text(field.get(Name("T")))
    name = f"{parent}.{partial}" if parent and partial else (partial or parent)
    kind = field.get(Name("FT"), inherited)
    kids = document.get_ref(field.get(Name("Kids")), revision)
    child_fields = []
    widgets = []
    if isinstance(kids, PdfArray):
        for kid in kids:
            resolved = document.get_ref(kid, revision)
            if isinstance(resolved, PdfDict) and Name("T") in resolved:
                child_fields.append(kid)
            elif isinstance(kid, Ref):
                widgets.append(kid.num)
    if field.get(Name("Subtype")) == "Widget" and num is not None:
        widgets.insert(0, num)
    if kind == "Sig" and not child_fields:
        found.append(SignatureField(name, num, field.get(Name("V")), tuple(widgets)))
    for kid in child_fields:
        _walk(document, revision, kid, name, kind, depth + 1, seen, found)


def page_numbers(document: PdfDocument, revision: int = -1) -> dict[int, int]:
    """Object number of each page → its index (0-based), as of ``revision``."""
    key = ("page_numbers", revision % len(document.revisions))
    if key not in document.memo:
        document.memo[key] = _page_numbers(document, revision)
    return dict(document.memo[key])  # type: ignore[call-overload]


def _page_numbers(document: PdfDocument, revision: int) -> dict[int, int]:
    catalog = document.catalog(revision)
    pages: dict[int, int] = {}
    stack: list[tuple[PdfObject, int]] = [(catalog.get(Name("Pages")), 0)]
    seen: set[int] = set()
    order: list[int] = []
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, Ref) or item.num in seen or depth > _MAX_FIELD_DEPTH:
            continue
        seen.add(item.num)
        node = document.get(item.num, revision)
        if not isinstance(node, PdfDict):
            continue
        if node.get(Name("Type")) == "Page":
            order.append(item.num)
            continue
        kids = document.get_ref(node.get(Name("Kids")), revision)
        if isinstance(kids, PdfArray):
            stack.extend((kid, depth + 1) for kid in reversed(kids))
    for index, num in enumerate(order):
        pages[num] = index
    return pages
