"""Add a PAdES signature to a PDF as an incremental update (ISO 32000-1 §12.8, ETSI EN 319 142).

The original bytes are kept as they are; appended after them come the signature dictionary
(``/SubFilter /ETSI.CAdES.detached``, the signing time in ``/M``, a ``/Contents`` placeholder
and its ``/ByteRange``), the appearance (a form XObject), a new signature field that is its own
widget annotation, the page with the widget added to its ``/Annots``, the form (``/AcroForm``
with the field and ``/SigFlags 3``) and a cross-reference section whose ``/Prev`` is the old
one. Then the byte ranges — everything but the ``/Contents`` hex string — are hashed once, the
CMS (:mod:`docflow.pdf.cms_writer`) is signed with one private-key operation, and its DER is written
into the placeholder in place. A signature timestamp (PAdES B-T) stamps the signature value
and goes into the CMS's unsigned attributes before it is written.

This module places what it is told where it is told; the Decree's order, roles and places are
:mod:`docflow.profile.nd30_sign`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.errors import InputError, Location
from docflow.pdf import cms_writer as pcms
from docflow.pdf import syntax
from docflow.pdf.appearance import form_xobject
from docflow.pdf.canvas import Canvas
from docflow.pdf.fields import signature_fields
from docflow.pdf.font import Style, font
from docflow.pdf.objects import Name, Raw, Ref, Text, dump
from docflow.pdf.writer import xref_section
from docflow.pki.keys import PrivateKey

__all__ = ["Placement", "native", "page_refs", "pdf_date", "sign_pdf"]

_VIETNAM = dt.timezone(dt.timedelta(hours=7))
_PRINT_LOCKED = 4 | 128  # annotation flags: Print, Locked (§12.5.3)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a signature's appearance goes and what it draws; ``canvas=None`` is invisible."""

    page: int
    rect: tuple[float, float, float, float]
    canvas: Canvas | None


def pdf_date(at: dt.datetime) -> str:
    """``at`` as a PDF date in Vietnam's time (``D:20250701090000+07'00'``).

    >>> pdf_date(dt.datetime(2025, 7, 1, 2, tzinfo=dt.UTC))
    "D:20250701090000+07'00'"
    """
    return at.astimezone(_VIETNAM).strftime("D:%Y%m%d%H%M%S+07'00'")


def native(value: syntax.PdfObject, where: str | None = None) -> Any:
    """A value read by :mod:`docflow.pdf.syntax` as one :func:`docflow.pdf.objects.dump`
    writes back to the same object (a real keeps its shortest exact form, never rounded, so
    a rewritten page compares equal to the one it replaces but for what was changed)."""
    if isinstance(value, syntax.Ref):
        return Ref(value.num, value.gen)
    if isinstance(value, syntax.Name):
        return Name(str(value))
    if isinstance(value, syntax.PdfString):
        return value.value
    if isinstance(value, syntax.PdfDict):
        return {str(k): native(v, where) for k, v in value.items()}
    if isinstance(value, syntax.PdfArray):
        return [native(v, where) for v in value]
    if isinstance(value, float):
        text = repr(value)
        return Raw(text.encode() if "e" not in text else f"{value:.10f}".encode())
    if isinstance(value, syntax.Stream):
        raise InputError("DF-PDF-004", "a stream stands where the signer must rewrite a "
                         "dictionary or an array", Location(file=where))
    return value


def page_refs(document: syntax.PdfDocument, where: str | None = None) -> list[syntax.Ref]:
    """The page objects in order: the page tree walked depth first, bounded.

    Raises
    ------
    InputError
        ``DF-PDF-004`` when a node is neither /Page nor /Pages with /Kids, or there is no page.
    """
    out: list[syntax.Ref] = []
    seen: set[int] = set()

    def walk(node: syntax.PdfObject, depth: int) -> None:
        value = document.get_ref(node)
        if depth > 64 or not isinstance(node, syntax.Ref) or node.num in seen \
                or not isinstance(value, syntax.PdfDict):
            raise InputError("DF-PDF-004", "the page tree is malformed", Location(file=where))
        seen.add(node.num)
        kind = value.get(syntax.Name("Type"))
        if kind == "Page":
            out.append(node)
            return
        kids = document.get_ref(value.get(syntax.Name("Kids")))
        if kind != "Pages" or not isinstance(kids, syntax.PdfArray):
            raise InputError("DF-PDF-004", "the page tree has a node that is neither /Page "
                             "nor /Pages with /Kids", Location(file=where))
        for kid in kids:
            walk(kid, depth + 1)

    walk(document.catalog().get(syntax.Name("Pages")), 0)
    if not out:
        raise InputError("DF-PDF-004", "the document has no pages", Location(file=where))
    return out


def sign_pdf(data: bytes, key: PrivateKey, certificates: Sequence[x509.Certificate], *,
             field_name: str, placement: Placement, at: dt.datetime,
             timestamp: Callable[[bytes], bytes] | None = None,
             pdf: syntax.PdfDocument | None = None, where: str | None = None) -> bytes:
    """Return ``data`` with one more PAdES signature, as an incremental update.

    Parameters
    ----------
    data
        The PDF to sign.
    key, certificates
        The private key and the signing certificate, then the CA certificates to carry.
    field_name
        The name of the new signature field (made unique if the form has it already).
    placement
        The page, rectangle and appearance.
    at
        The signing time written in ``/M`` (timezone-aware).
    timestamp
        For PAdES B-T: given the signature value, returns an RFC 3161 TimeStampToken (DER).
    pdf
        ``data`` already parsed (the profile reads it first to check the order).

    Raises
    ------
    InputError
        The reader's ``DF-PDF-05x``/``06x`` for a malformed file, ``DF-PDF-004`` when its
        pages or form cannot be updated.
    UsageError
        ``DF-PDF-012`` when the key does not match the certificate.
    """
    if at.tzinfo is None:
        raise ValueError("the signing time must be timezone-aware")
    pdf = pdf or syntax.parse_pdf(data, where=where)
    pages = page_refs(pdf, where)
    if not 0 <= placement.page < len(pages):
        raise InputError("DF-PDF-004", f"the document has no page {placement.page + 1}",
                         Location(file=where))
    page_ref = Ref(pages[placement.page].num, pages[placement.page].gen)
    page = native(pdf.get_ref(pages[placement.page]), where)
    trailer = pdf.trailer()
    root_ref = trailer.get(syntax.Name("Root"))
    if not isinstance(root_ref, syntax.Ref):
        raise InputError("DF-PDF-004", "the trailer's /Root is not a reference",
                         Location(file=where))
    root = native(pdf.catalog(), where)
    size = trailer.get(syntax.Name("Size"))
    next_num = max(size if isinstance(size, int) else 0, max(pdf.view(), default=0) + 1)
    bodies: dict[int, bytes] = {}

    def new(body: bytes | None = None) -> int:
        nonlocal next_num
        num, next_num = next_num, next_num + 1
        if body is not None:
            bodies[num] = body
        return num

    sig_num = new()
    name = _unique_name(pdf, field_name)
    x0, y0, x1, y1 = placement.rect
    width, height = max(x1 - x0, 0.0), max(y1 - y0, 0.0)
    canvas = placement.canvas or Canvas()
    fonts = _fonts(canvas, new, bodies)
    ap_num = new(form_xobject(canvas, width, height, fonts))
    widget_num = new(dump({
        "Type": Name("Annot"), "Subtype": Name("Widget"), "FT": Name("Sig"), "T": Text(name),
        "V": Ref(sig_num), "F": _PRINT_LOCKED, "Rect": [x0, y0, x1, y1], "P": page_ref,
        "AP": {"N": Ref(ap_num)}}))
    widget = Ref(widget_num)
    annots = page.get("Annots")
    if isinstance(annots, Ref):
        bodies[annots.num] = dump([*_array(pdf, annots, where), widget])
    else:
        bodies[page_ref.num] = dump({**page, "Annots": [*(annots or []), widget]})
    form = root.get("AcroForm")
    if isinstance(form, Ref):
        form_dict = native(pdf.get_ref(syntax.Ref(form.num, form.gen)), where)
        if not isinstance(form_dict, dict):
            raise InputError("DF-PDF-004", "/AcroForm is not a dictionary", Location(file=where))
        _add_field(pdf, form_dict, widget, bodies, where)
        bodies[form.num] = dump(form_dict)
    else:
        form_dict = dict(form or {})
        _add_field(pdf, form_dict, widget, bodies, where)
        root["AcroForm"] = Ref(new(dump(form_dict)))
        bodies[root_ref.num] = dump(root)
    reserved = _contents_size(certificates, timestamp is not None)
    while True:
        signed, der = _sign_once(data, pdf, dict(bodies), sig_num, next_num,
                                 Ref(root_ref.num, root_ref.gen), reserved, key, certificates,
                                 at, timestamp)
        if signed is not None:
            return signed
        # A timestamp token larger than foreseen (a TSA with a long chain): sign again with
        # room for it. The bytes signed change with the placeholder, so nothing is reused.
        reserved = len(der) + 1024


def _sign_once(data: bytes, pdf: syntax.PdfDocument, bodies: dict[int, bytes], sig_num: int,
               size: int, root: Ref, reserved: int, key: PrivateKey,
               certificates: Sequence[x509.Certificate], at: dt.datetime,
               timestamp: Callable[[bytes], bytes] | None) -> tuple[bytes | None, bytes]:
    """The signed file with ``reserved`` bytes for the CMS, or ``None`` and the CMS that did
    not fit."""
    placeholder = 2 * reserved
    bodies[sig_num] = (
        b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange "
        + b"[0 0 0 0]" + b" " * 40 + b" /Contents <" + b"0" * placeholder + b"> /M "
        + Text(pdf_date(at)).dump() + b">>")
    update = _update(data, pdf, bodies, size, root)
    signed = bytearray(data + update)
    # Find the placeholders in the signature object just written, and fill the byte range.
    sig_at = signed.index(b"\n%d 0 obj\n" % sig_num, len(data) - 1)
    range_at = signed.index(b"[0 0 0 0]", sig_at)
    contents_at = signed.index(b"/Contents <", sig_at) + len(b"/Contents ")
    contents_end = contents_at + placeholder + 2
    byte_range = b"[0 %d %d %d]" % (contents_at, contents_end, len(signed) - contents_end)
    signed[range_at:range_at + 49] = byte_range.ljust(49)
    digest = pcms.signer_digest(key, (memoryview(signed)[:contents_at],
                                      memoryview(signed)[contents_end:]))
    info = pcms.signed_data(key, certificates, digest)
    if timestamp is not None:
        token = timestamp(info.signature)
        info = info.with_unsigned(pcms.attribute(pcms.SIGNATURE_TIMESTAMP, token))
    der = info.dump()
    if 2 * len(der) > placeholder:
        return None, der
    signed[contents_at + 1:contents_at + 1 + 2 * len(der)] = der.hex().upper().encode()
    return bytes(signed), der


def _contents_size(certificates: Sequence[x509.Certificate], timestamped: bool) -> int:
    """Bytes to reserve for the CMS: the certificates, attributes and a signature of up to
    RSA-4096, and a timestamp token with its own certificate chain."""
    certs = sum(len(c.public_bytes(Encoding.DER)) for c in certificates)
    return certs + 1536 + (8192 if timestamped else 0)


def _unique_name(pdf: syntax.PdfDocument, wanted: str) -> str:
    taken = {f.name for f in signature_fields(pdf)}
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}-{n}"
    return name


def _array(pdf: syntax.PdfDocument, ref: Ref, where: str | None) -> list[Any]:
    value = native(pdf.get_ref(syntax.Ref(ref.num, ref.gen)), where)
    if not isinstance(value, list):
        raise InputError("DF-PDF-004", f"object {ref.num} should be an array",
                         Location(file=where))
    return value


def _add_field(pdf: syntax.PdfDocument, form: dict[str, Any], widget: Ref,
               bodies: dict[int, bytes], where: str | None) -> None:
    fields = form.get("Fields")
    if isinstance(fields, Ref):
        bodies[fields.num] = dump([*_array(pdf, fields, where), widget])
    else:
        form["Fields"] = [*(fields or []), widget]
    form["SigFlags"] = 3  # SignaturesExist, AppendOnly


def _fonts(canvas: Canvas, new: Callable[[bytes | None], int],
           bodies: dict[int, bytes]) -> dict[Style, Ref]:
    """New font objects in the update for the glyphs ``canvas`` draws. The document's own
    fonts are subsets of what its text draws and may lack the appearance's glyphs, so the
    appearance always brings its own (a few KB)."""
    found: dict[Style, Ref] = {}
    for style in Style:
        if style in canvas.glyphs:
            first = new(None)
            for _ in range(4):
                new(None)
            for offset, body in enumerate(font(style).objects(first, canvas.glyphs[style])):
                bodies[first + offset] = body
            found[style] = Ref(first)
    return found


def _update(data: bytes, pdf: syntax.PdfDocument, bodies: dict[int, bytes], size: int,
            root: Ref) -> bytes:
    """The appended section: a newline if needed, the objects, the xref table and trailer."""
    parts = [b"" if data.endswith((b"\n", b"\r")) else b"\n"]
    offset = len(data) + len(parts[0])
    offsets: dict[int, int] = {}
    digest = hashlib.sha256()
    for num in sorted(bodies):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (num, bodies[num])
        offsets[num] = offset
        offset += len(chunk)
        parts.append(chunk)
        digest.update(chunk)
    old = pdf.trailer()
    trailer: dict[str, object] = {"Root": root}
    info = old.get(syntax.Name("Info"))
    if isinstance(info, syntax.Ref):
        trailer["Info"] = Ref(info.num, info.gen)
    ids = old.get(syntax.Name("ID"))
    first_id = ids[0] if isinstance(ids, syntax.PdfArray) and ids else None
    new_id = digest.digest()[:16]
    trailer["ID"] = [first_id.value if isinstance(first_id, syntax.PdfString) else new_id,
                     new_id]
    trailer["Prev"] = pdf.revisions[-1].section.offset
    parts.append(xref_section(offsets, size, trailer, offset))
    return b"".join(parts)
