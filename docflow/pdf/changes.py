"""What each incremental update changed, and whether a signature addition may change it.

A signature covers its revision; everything after it is judged here, object by object, against
what adding a signature needs (ISO 32000-2 §12.8.2.2; the allowed set is the one PAdES viewers
apply to certification level 2/3 documents, without form filling):

* a new signature field with its widget and appearance, and its signature dictionary;
* the AcroForm's /Fields (old fields kept, in order, new signature fields appended), /SigFlags;
* a page's /Annots (old annotations kept, the new signature widgets appended);
* a placeholder signature field getting its /V and /AP;
* the catalog's /AcroForm, /DSS, /Extensions, /Version, /Metadata; the DSS and its VRI,
  certificates, CRLs and OCSP responses; the document information dictionary and XMP metadata.

Anything else is ``DF-PDF-081``: a changed content stream, font, image or page, a new
annotation that draws, an /OpenAction or optional-content switch in the catalog, a form value,
a redefined or freed object. That is how incremental saving and every shadow attack (hide,
replace, hide-and-replace, with overlays, optional content, form values, fonts or xref
replacement) are refused: each needs an update to change an object the signature covered or to
add something that draws. A new signature field that draws must be filled, in the same
revision, by a signature that covers that revision (``DF-PDF-088``), and no signature
appearance may cover more than a quarter of its page (``DF-PDF-087``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from docflow.errors import Finding, Location
from docflow.pdf.fields import SignatureField, page_numbers, signature_fields
from docflow.pdf.syntax import Name, PdfArray, PdfDict, PdfDocument, PdfObject, Ref, Stream
from docflow.pdf.visibility import (
    ACTION_KEYS,
    media_area,
    rect_area,
    references,
    undefined_among,
)

__all__ = ["Update", "check_updates", "describe"]

_CATALOG_KEYS = frozenset({"AcroForm", "DSS", "Extensions", "Version", "Metadata"})
_FORM_KEYS = frozenset({"Fields", "SigFlags"})
_PAGE_KEYS = frozenset({"Annots"})
_PLACEHOLDER_KEYS = frozenset({"V", "AP"})


@dataclass(frozen=True, slots=True)
class Update:
    """One incremental update: what it changed, in words, and whether a signature made it."""

    revision: int
    signed: bool
    """Whether a signature of the document ends at this revision (it made the update)."""
    changes: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    """What the update may not change; every signature before it is then not what the
    reader sees."""

    def to_dict(self) -> dict[str, object]:
        return {"revision": self.revision, "signed": self.signed,
                "changes": list(self.changes),
                "findings": [f.to_dict() for f in self.findings]}


def describe(value: PdfObject) -> str:
    """A few words for an object: its /Type or /Subtype, or its kind."""
    head = value.dict if isinstance(value, Stream) else value
    if isinstance(head, PdfDict):
        kind = head.get(Name("Type")) or head.get(Name("Subtype"))
        if isinstance(kind, Name):
            return f"/{kind}" + (" stream" if isinstance(value, Stream) else "")
        if Name("FT") in head:
            return f"/{head[Name('FT')]} field"
        return "stream" if isinstance(value, Stream) else "dictionary"
    return type(value).__name__


def check_updates(document: PdfDocument, signed: dict[int, list[str]],
                  where: str | None = None, *, describe_signed: bool = True
                  ) -> tuple[list[Finding], list[Update]]:
    """Judge every update after the first revision; returns the findings about the final
    document's signature appearances, and one :class:`Update` per update.

    Parameters
    ----------
    document
        The parsed PDF.
    signed
        Revision index → names of the signature fields whose signatures end there.
    where
        The file name, for locations.
    describe_signed
        Also describe the updates up to the first signature, which are not judged; the
        audit, which counts and shows nothing of them, saves that work.
    """
    updates: list[Update] = []
    first = min(signed, default=len(document.revisions))
    for k in range(1, len(document.revisions)):
        if k <= first and not describe_signed:
            updates.append(Update(k, k in signed, ()))
            continue
        found, changes = _check_one(document, k, signed.get(k, []), where)
        if k <= first:
            # Up to the first signature's own revision: part of what every signature signed
            # (the author's own edits, the first signer's tool); described, not judged.
            found = []
        updates.append(Update(k, k in signed, tuple(changes), tuple(found)))
    return _overlays(document, where), updates


def _check_one(document: PdfDocument, k: int, signers: list[str], where: str | None
               ) -> tuple[list[Finding], list[str]]:
    revision = document.revisions[k]
    section = revision.section
    before = document.view(k - 1)
    findings: list[Finding] = []
    changes: list[str] = []

    def refuse(message: str, offset: int | None = None) -> None:
        findings.append(Finding("DF-PDF-081", f"revision {k}: {message}",
                                Location(file=where, offset=offset)))
        changes.append(f"NOT ALLOWED: {message}")

    added: set[int] = set()
    changed: set[int] = set()
    for num, entry in section.entries.items():
        if section.stream and entry[0] == 1 and entry[1] == section.offset:
            continue  # the update's own xref stream
        old = before.get(num)
        in_use_before = old is not None and old[0][0] != 0
        if entry[0] == 0:
            if in_use_before:
                refuse(f"frees object {num} ({_what(document, num, k - 1)})")
            continue
        if not in_use_before:
            added.add(num)
        elif document.get(num, k) != document.get(num, k - 1):
            changed.add(num)
    for num in sorted(undefined_among(document, k - 1, added)):
        refuse(f"defines object {num} ({describe(document.get(num, k))}), which the earlier "
               "revision used without defining it", _offset(document, num, k))
        added.discard(num)
    trailer, old_trailer = document.trailer(k), document.trailer(k - 1)
    allowed_new: set[int] = set()
    root, old_root = trailer.get(Name("Root")), old_trailer.get(Name("Root"))
    catalog, old_catalog = document.catalog(k), document.catalog(k - 1)
    if root != old_root or (isinstance(root, Ref) and root.num in changed):
        for key in sorted(set(catalog) | set(old_catalog)):
            if catalog.get(key) != old_catalog.get(key):
                if key in _CATALOG_KEYS:
                    changes.append(f"catalog /{key} updated")
                else:
                    refuse(f"changes the catalog's /{key}")
        if isinstance(root, Ref):
            changed.discard(root.num)
            added.discard(root.num)
    used: set[int] | None = None

    def aside(num: int) -> bool:
        """Whether object ``num`` is used by nothing a reader sees (pages, form, names,
        outlines…), in this revision or the one before: only then may it change as metadata
        or validation data. Else a trailer /Info or a DSS entry pointing at a content stream
        would let an update change the page."""
        nonlocal used
        if used is None:
            used = _used_by_document(document, k) | _used_by_document(document, k - 1)
        return num not in used

    info = trailer.get(Name("Info"))
    if isinstance(info, Ref) and (info.num in changed or info.num in added) and \
            aside(info.num):
        changes.append("document information (/Info) updated")
        changed.discard(info.num)
        allowed_new |= _reach(document, k, [info], added)
    fields_before = {f.num: f for f in signature_fields(document, k - 1) if f.num is not None}
    fields_now = signature_fields(document, k)
    new_fields = [f for f in fields_now if f.num is not None and f.num not in fields_before]
    new_widgets = {w for f in new_fields for w in f.widgets}
    _check_form(document, k, catalog, old_catalog, changed, added, new_fields, refuse,
                changes)
    for field in fields_now:
        earlier = fields_before.get(field.num) if field.num is not None else None
        # A placeholder may change only by being signed, by a signature of this revision: an
        # empty field that gains an appearance alone would be an overlay.
        if (earlier is not None and field.num in changed and earlier.value is None
                and field.value is not None and field.name in signers
                and _diff_keys(document, field.num, k) <= _PLACEHOLDER_KEYS):
            changes.append(f"signature field {field.name!r} filled")
            changed.discard(earlier.num)
            allowed_new |= _reach(document, k, [field.value, *_ap_of(document, k,
                                                                      field.num)], added)
            new_widgets |= set(field.widgets)
    for field in new_fields:
        acting = [n for n in (field.num, *field.widgets) if n is not None
                  and isinstance(obj := document.get(n, k), PdfDict) and ACTION_KEYS & set(obj)]
        if acting:
            refuse(f"adds the signature field {field.name!r} with actions (/A or /AA)",
                   _offset(document, acting[0], k))
        visible = _draws(document, k, field)
        is_signed = field.name in signers
        if visible and not is_signed:
            findings.append(Finding("DF-PDF-088", f"revision {k} adds the signature field "
                                    f"{field.name!r} with a visible appearance, but no "
                                    "signature of that revision fills it",
                                    Location(file=where)))
        changes.append(f"signature field {field.name!r} added"
                       + (" and signed" if is_signed else " (empty)")
                       + (", visible" if visible else ", invisible"))
        allowed_new |= _reach(document, k, [Ref(n, 0) for n in (field.num, *field.widgets)
                                            if n is not None], added)
    _check_pages(document, k, changed, new_widgets, refuse)
    dss = document.get_ref(catalog.get(Name("DSS")), k)
    if isinstance(dss, PdfDict):
        roots: list[PdfObject] = [catalog.get(Name("DSS"))]
        allowed_new |= _reach(document, k, roots, added)
        for num in list(changed):
            if _is_dss_part(document, k, num, catalog) and aside(num):
                changed.discard(num)
                changes.append("DSS updated")
    metadata = catalog.get(Name("Metadata"))
    if isinstance(metadata, Ref) and (metadata.num in changed or metadata.num in added) \
            and aside(metadata.num):
        changed.discard(metadata.num)
        allowed_new.add(metadata.num)
        changes.append("XMP metadata updated")
    for num in sorted(changed):
        refuse(f"redefines object {num} ({_what(document, num, k - 1)}), which the "
               "earlier revision defined", _offset(document, num, k))
    for num in sorted(added - allowed_new):
        value = document.get(num, k)
        if _reachable_from_root(document, k, num):
            refuse(f"adds object {num} ({describe(value)}) that the document uses, and that "
                   "is not part of a signature", _offset(document, num, k))
    return findings, list(dict.fromkeys(changes))


def _what(document: PdfDocument, num: int, k: int) -> str:
    """What object ``num`` is to a reader as of revision ``k``: "the content stream of page 1",
    "font /F1 of page 1", or its type when no page uses it directly."""
    key = ("uses", k)
    if key not in document.memo:
        document.memo[key] = _uses(document, k)
    uses: dict[int, str] = document.memo[key]  # type: ignore[assignment]
    return uses.get(num) or describe(document.get(num, k))


def _uses(document: PdfDocument, k: int) -> dict[int, str]:
    uses: dict[int, str] = {}
    catalog = document.trailer(k).get(Name("Root"))
    if isinstance(catalog, Ref):
        uses[catalog.num] = "the document catalog"
    for page, index in page_numbers(document, k).items():
        where = f"page {index + 1}"
        uses.setdefault(page, where)
        value = document.get(page, k)
        if not isinstance(value, PdfDict):
            continue
        contents = value.get(Name("Contents"))
        items = document.get_ref(contents, k) if isinstance(contents, Ref) else contents
        for item in items if isinstance(items, PdfArray) else [contents]:
            if isinstance(item, Ref):
                uses.setdefault(item.num, f"the content stream of {where}")
        resources = document.get_ref(value.get(Name("Resources")), k)
        if isinstance(resources, PdfDict):
            for kind, label in (("Font", "font"), ("XObject", "XObject"),
                                ("Properties", "optional content")):
                table = document.get_ref(resources.get(Name(kind)), k)
                if isinstance(table, PdfDict):
                    for name, ref in table.items():
                        if isinstance(ref, Ref):
                            uses.setdefault(ref.num, f"{label} /{name} of {where}")
        annots = document.get_ref(value.get(Name("Annots")), k)
        if isinstance(annots, PdfArray):
            for ref in annots:
                if isinstance(ref, Ref):
                    uses.setdefault(ref.num, f"an annotation of {where}")
    return uses


def _offset(document: PdfDocument, num: int, k: int) -> int | None:
    entry = document.view(k).get(num)
    return entry[0][1] if entry and entry[0][0] == 1 else None


def _diff_keys(document: PdfDocument, num: int | None, k: int) -> set[str]:
    if num is None:
        return set()
    new, old = document.get(num, k), document.get(num, k - 1)
    if not isinstance(new, PdfDict) or not isinstance(old, PdfDict):
        return {"*"}
    return {str(key) for key in set(new) | set(old) if new.get(key) != old.get(key)}


def _ap_of(document: PdfDocument, k: int, num: int | None) -> list[PdfObject]:
    field = document.get(num, k) if num is not None else None
    return [field.get(Name("AP"))] if isinstance(field, PdfDict) else []


def _check_form(document: PdfDocument, k: int, catalog: PdfDict, old_catalog: PdfDict,
                changed: set[int], added: set[int], new_fields: list[SignatureField],
                refuse: Callable[[str], None], changes: list[str]) -> None:
    form_ref = catalog.get(Name("AcroForm"))
    form = document.get_ref(form_ref, k)
    old_form = document.get_ref(old_catalog.get(Name("AcroForm")), k - 1)
    if isinstance(form_ref, Ref):
        changed.discard(form_ref.num)
        added.discard(form_ref.num)
    if not isinstance(form, PdfDict):
        return
    old = old_form if isinstance(old_form, PdfDict) else PdfDict()
    for key in sorted(set(form) | set(old)):
        if form.get(key) != old.get(key) and key not in _FORM_KEYS:
            refuse(f"changes the form's /{key}")
    fields_ref = form.get(Name("Fields"))
    if isinstance(fields_ref, Ref):
        changed.discard(fields_ref.num)
        added.discard(fields_ref.num)
    fields = document.get_ref(fields_ref, k)
    old_fields = document.get_ref(old.get(Name("Fields")), k - 1)
    fields = fields if isinstance(fields, PdfArray) else PdfArray()
    old_fields = old_fields if isinstance(old_fields, PdfArray) else PdfArray()
    new_nums = {f.num for f in new_fields}
    if fields[:len(old_fields)] != old_fields or any(
            not isinstance(item, Ref) or item.num not in new_nums
            for item in fields[len(old_fields):]):
        refuse("changes the form's /Fields other than by appending signature fields")
    elif len(fields) != len(old_fields):
        changes.append("form /Fields: signature field appended")


def _check_pages(document: PdfDocument, k: int, changed: set[int], new_widgets: set[int],
                 refuse: Callable[[str], None]) -> None:
    for num in list(page_numbers(document, k)):
        if num not in changed:
            continue
        page, old = document.get(num, k), document.get(num, k - 1)
        if not isinstance(page, PdfDict) or not isinstance(old, PdfDict):
            continue
        if _diff_keys(document, num, k) - _PAGE_KEYS:
            continue  # left in ``changed``: refused as a redefinition
        annots_ref = page.get(Name("Annots"))
        annots = document.get_ref(annots_ref, k)
        old_annots = document.get_ref(old.get(Name("Annots")), k - 1)
        annots = annots if isinstance(annots, PdfArray) else PdfArray()
        old_annots = old_annots if isinstance(old_annots, PdfArray) else PdfArray()
        if annots[:len(old_annots)] != old_annots or any(
                not isinstance(a, Ref) or a.num not in new_widgets
                for a in annots[len(old_annots):]):
            refuse(f"changes the annotations of page object {num} other than by adding "
                   "signature widgets")
        changed.discard(num)
        if isinstance(annots_ref, Ref):
            changed.discard(annots_ref.num)


def _draws(document: PdfDocument, k: int, field: SignatureField) -> bool:
    """Whether a widget of ``field`` has an appearance and a rectangle of non-zero area."""
    for num in field.widgets:
        widget = document.get(num, k)
        if not isinstance(widget, PdfDict) or Name("AP") not in widget:
            continue
        area = rect_area(document, k, widget.get(Name("Rect")))
        if area is None or area > 0:
            return True  # a rectangle that cannot be measured is assumed to show
    return False


def _overlays(document: PdfDocument, where: str | None) -> list[Finding]:
    findings = []
    pages = page_numbers(document)
    for field in signature_fields(document):
        for num in field.widgets:
            widget = document.get(num)
            if not isinstance(widget, PdfDict) or Name("AP") not in widget:
                continue
            page = widget.get(Name("P"))
            page_dict = document.get_ref(page) if isinstance(page, Ref) else None
            area = rect_area(document, -1, widget.get(Name("Rect")))
            if not isinstance(page_dict, PdfDict) or page.num not in pages:  # type: ignore[union-attr]
                if area is None or area > 0:
                    findings.append(Finding("DF-PDF-088", f"the widget of signature field "
                                            f"{field.name!r} is on no page of the document",
                                            Location(file=where)))
                continue
            media = media_area(document, -1, page_dict)
            if area is None or (media is not None and media > 0 and area > media / 4):
                findings.append(Finding("DF-PDF-087", f"the appearance of signature field "
                                        f"{field.name!r} covers more than a quarter of page "
                                        f"{pages[page.num] + 1}",  # type: ignore[union-attr]
                                        Location(file=where)))
    return findings


def _reach(document: PdfDocument, k: int, roots: Iterable[PdfObject],
           added: set[int]) -> set[int]:
    """The new objects (numbers in ``added``) reachable from ``roots``."""
    # No step budget: a budget would leave objects out of "used by the document", which is
    # the unsafe side. Each object is expanded once (``found``), so the walk is bounded by
    # the values the file holds.
    found: set[int] = set()
    stack = [ref for root in roots for ref in references(document, root, parents=False)]
    while stack:
        ref = stack.pop()
        if ref.num in found or ref.num not in added:
            continue
        found.add(ref.num)
        stack.extend(references(document, document.get(ref.num, k), parents=False))
    return found


def _is_dss_part(document: PdfDocument, k: int, num: int, catalog: PdfDict) -> bool:
    dss = catalog.get(Name("DSS"))
    if isinstance(dss, Ref) and dss.num == num:
        return True
    return num in _reach(document, k, [dss], {num} | set(document.view(k)))


def _used_by_document(document: PdfDocument, k: int) -> set[int]:
    """Objects the catalog reaches as of revision ``k`` other than through /DSS and
    /Metadata."""
    key = ("used_by_document", k)
    if key not in document.memo:
        document.memo[key] = _used(document, k)
    return document.memo[key]  # type: ignore[return-value]


def _used(document: PdfDocument, k: int) -> set[int]:
    catalog = document.catalog(k)
    roots = [v for key, v in catalog.items() if key not in ("DSS", "Metadata")]
    root = document.trailer(k).get(Name("Root"))
    found = _reach(document, k, roots, set(document.view(k)))
    if isinstance(root, Ref):
        found.add(root.num)
    return found


def _reachable_from_root(document: PdfDocument, k: int, num: int) -> bool:
    """Whether the catalog reaches object ``num`` (an unreferenced object draws nothing)."""
    everything = set(document.view(k))
    return num in _reach(document, k, [document.trailer(k).get(Name("Root"))], everything)
