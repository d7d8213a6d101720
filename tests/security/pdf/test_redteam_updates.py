"""Red-team attacks on the update check that passed before it was closed (each fails on the
commit before its fix): what poppler draws after the unsigned update is not what was signed.

* an empty signature field whose widget's /Rect is an indirect object (or holds one): the
  area was read as 0, "invisible", while a viewer resolves it and draws the appearance;
* a reference the signed document already made to an object it did not define (a viewer skips
  it) that a later update defines, reached through a new empty signature field, /Info or DSS,
  which were allowed to bring new objects;
* a new signature field or widget that carries actions (/A, /AA: JavaScript at page open);
* a signature appearance on a page whose /MediaBox is inherited from /Pages escaped the
  quarter-of-the-page rule.
"""

from __future__ import annotations

import pytest

from docflow.errors import Indication
from docflow.pdf.syntax import Name, PdfArray, PdfDict, Ref, parse_pdf
from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.pdf import corpus
from tests.pdf.syntax.handmade import classic
from tests.security.pdf.tools import append_update, dump

COVER = (b"1 1 1 rg 0 0 340 30 re f 0 g BT /F1 12 Tf 12 10 Td "
         b"(So tien: 9.000.000 dong) Tj ET")
EVIL = b"1 1 1 rg 70 725 300 20 re f 0 g BT /F1 12 Tf 72 730 Td (So tien: 9.000.000 dong) Tj ET"


def _stream(data: bytes, head: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (head, len(data)) + data + b"\nendstream"


def _copy(value: object) -> PdfDict:
    out = PdfDict()
    assert isinstance(value, PdfDict)
    out.update(value)
    return out


def _refused(data: bytes, validator: PathValidator, code: str) -> None:
    result = verify_document_pdf(data, validator)
    assert result.indication is Indication.FAILED, result.findings
    assert code in {f.code for f in result.findings}, result.findings
    assert all(s.indication is Indication.FAILED for s in result.signatures)


def _with_field(data: bytes, field: bytes, more: dict[int, bytes], *,
                widget: bool = True) -> bytes:
    """``data`` with an unsigned update appending signature field ``field`` (object number
    /Size) to the form and, when it is a widget, to page 1's /Annots."""
    document = parse_pdf(data)
    num = int(document.trailer()[Name("Size")])  # type: ignore[call-overload]
    catalog = document.catalog()
    form_ref = catalog[Name("AcroForm")]
    assert isinstance(form_ref, Ref)
    form = _copy(document.get_ref(form_ref))
    form[Name("Fields")] = PdfArray([*document.get_ref(form[Name("Fields")]), Ref(num, 0)])
    objects = {form_ref.num: dump(form), num: field.replace(b"@", b"%d" % num)}
    if widget:
        page_ref = document.get_ref(catalog[Name("Pages")])[Name("Kids")][0]  # type: ignore[index]
        page = _copy(document.get_ref(page_ref))
        page[Name("Annots")] = PdfArray([*(document.get_ref(page.get(Name("Annots"))) or []),
                                         Ref(num, 0)])
        objects[page_ref.num] = dump(page)  # type: ignore[union-attr]
    objects.update({n + num: body for n, body in more.items()})
    return append_update(data, objects)


def _font(data: bytes) -> bytes:
    """A /Resources entry naming the signed page's font /F1."""
    document = parse_pdf(data)
    page_ref = document.get_ref(document.catalog()[Name("Pages")])[Name("Kids")][0]  # type: ignore[index]
    font = document.get_ref(document.get_ref(page_ref)[Name("Resources")])[Name("Font")]  # type: ignore[index]
    return b"/Resources << /Font " + dump(font) + b" >>"


WIDGET = b"<< /FT /Sig /T (Evil) /Type /Annot /Subtype /Widget /P %s /F 4 %s /AP << /N %s >> >>"


def _widget(data: bytes, rect: bytes, appearance_num: int) -> bytes:
    document = parse_pdf(data)
    page_ref = document.get_ref(document.catalog()[Name("Pages")])[Name("Kids")][0]  # type: ignore[index]
    return WIDGET % (dump(page_ref), rect, b"%d 0 R" % appearance_num)


@pytest.mark.parametrize("rect", ["indirect /Rect", "indirect coordinate"])
def test_unsigned_field_with_an_indirect_rect_is_visible(rect: str, both_pdf: bytes,
                                                         validator: PathValidator) -> None:
    """An empty signature field whose widget's /Rect is (or holds) an indirect object draws
    its appearance over the amount in every viewer: it is visible, and no signature fills
    it (DF-PDF-088)."""
    size = int(parse_pdf(both_pdf).trailer()[Name("Size")])  # type: ignore[call-overload]
    appearance = _stream(COVER, b"/Type /XObject /Subtype /Form /BBox [0 0 340 30] "
                         + _font(both_pdf))
    if rect == "indirect /Rect":
        field = _widget(both_pdf, b"/Rect %d 0 R" % (size + 1), size + 2)
        more = {1: b"[60 715 400 745]", 2: appearance}
    else:
        field = _widget(both_pdf, b"/Rect [60 715 400 %d 0 R]" % (size + 1), size + 2)
        more = {1: b"745", 2: appearance}
    _refused(_with_field(both_pdf, field, more), validator, "DF-PDF-088")


@pytest.fixture(scope="module")
def dangling_pdf(pdf_pki: NationalPki) -> bytes:
    """A prepared original whose page draws ``[4 0 R 90 0 R]``, object 90 undefined (a viewer
    skips it), signed by the person and then the organ."""
    original = classic([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R 90 0 R] "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(corpus.BODY),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])
    first = corpus.sign(original, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER),
                        "NguoiKy", corpus.SIGNER_BOX)
    return corpus.sign(first, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN),
                       "CoQuan", corpus.ORGAN_BOX)


def _dangling_attack(data: bytes, route: str) -> bytes:
    evil = _stream(EVIL)
    document = parse_pdf(data)
    if route == "empty signature field":
        return _dangling_objects(data, {91: b"<< /FT /Sig /T (E) /X 90 0 R >>", 90: evil},
                                 form=91)
    if route == "document information":
        return append_update(data, {91: b"<< /Producer (x) /X 90 0 R >>", 90: evil},
                             trailer_extra=b"/Info 91 0 R")
    catalog = _copy(document.catalog())
    catalog[Name("DSS")] = Ref(91, 0)
    root = document.trailer()[Name("Root")]
    assert isinstance(root, Ref)
    return append_update(data, {root.num: dump(catalog), 91: b"<< /Certs [90 0 R] >>",
                                90: evil})


def _dangling_objects(data: bytes, objects: dict[int, bytes], form: int) -> bytes:
    document = parse_pdf(data)
    form_ref = document.catalog()[Name("AcroForm")]
    assert isinstance(form_ref, Ref)
    form_dict = _copy(document.get_ref(form_ref))
    form_dict[Name("Fields")] = PdfArray([*document.get_ref(form_dict[Name("Fields")]),
                                          Ref(form, 0)])
    return append_update(data, {form_ref.num: dump(form_dict), **objects})


@pytest.mark.parametrize("route", ["empty signature field", "document information", "DSS"])
def test_update_defining_an_object_the_signed_page_referenced_fails(
        route: str, dangling_pdf: bytes, validator: PathValidator) -> None:
    """The signed page referenced object 90, which no signed revision defined; an update
    that defines it (a content stream drawing 9.000.000 over the amount) changes what the
    page shows, whatever new object reaches it (DF-PDF-081)."""
    assert verify_document_pdf(dangling_pdf, validator).passed
    _refused(_dangling_attack(dangling_pdf, route), validator, "DF-PDF-081")


@pytest.mark.parametrize("where", ["field /AA", "widget /A"])
def test_new_signature_field_with_actions_fails(where: str, both_pdf: bytes,
                                                validator: PathValidator) -> None:
    """An empty, invisible signature field that runs JavaScript when the page opens (/AA
    /PO) or when clicked (/A) is an action the signers never saw (DF-PDF-081)."""
    script = b"<< /S /JavaScript /JS (app.alert\\('9.000.000'\\)) >>"
    key = b"/AA << /PO %s >>" % script if where == "field /AA" else b"/A %s" % script
    document = parse_pdf(both_pdf)
    page_ref = document.get_ref(document.catalog()[Name("Pages")])[Name("Kids")][0]  # type: ignore[index]
    field = (b"<< /FT /Sig /T (Evil) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P "
             + dump(page_ref) + b" /F 4 " + key + b" >>")
    _refused(_with_field(both_pdf, field, {}), validator, "DF-PDF-081")


def test_appearance_on_a_page_with_inherited_media_box_is_measured(
        pdf_pki: NationalPki, validator: PathValidator) -> None:
    """The page inherits /MediaBox from /Pages; an organ signature whose appearance covers
    the whole page is still more than a quarter of it (DF-PDF-087)."""
    original = classic([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(corpus.BODY),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ])
    first = corpus.sign(original, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER),
                        "NguoiKy", corpus.SIGNER_BOX)
    signed = corpus.sign(first, pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN),
                         "CoQuan", (0, 0, 595, 842))
    result = verify_document_pdf(signed, validator)
    assert result.indication is Indication.FAILED
    assert "DF-PDF-087" in {f.code for f in result.findings}


@pytest.mark.parametrize(("written", "undefined"), [
    (b"0090\r\n0\x0cR", {90}),  # leading zeros, any PDF whitespace: the reader's reference
    (b"90 0 R", {90}),
    (b"(90 0 R)", set()),  # a string that looks like a reference: the walk decides
    (b"", set()),  # 90 written nowhere: no walk
])
def test_update_check_finds_a_dangling_reference_however_written(
        written: bytes, undefined: set[int]) -> None:
    """The update check's search for what a revision leaves undefined skips the walk of the
    document only when no reference to a new number is written before the revision's end;
    a reference written with leading zeros and form feeds is still one, so defining it in an
    update is refused as the walk refuses it (DF-PDF-081), and the search agrees with the
    walk every time."""
    from docflow.pdf.changes import check_updates
    from docflow.pdf.visibility import undefined_among, undefined_references

    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [4 0 R "
            + written + b"] >>")
    original = classic([b"<< /Type /Catalog /Pages 2 0 R >>",
                        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, _stream(b"q Q")])
    document = parse_pdf(original)
    assert undefined_among(document, 0, {90, 91}) == undefined == \
        {90, 91} & undefined_references(document, 0)
    updated = parse_pdf(append_update(original, {90: _stream(EVIL)}))
    codes = [f.code for u in check_updates(updated, {0: ["x"]})[1] for f in u.findings]
    assert ("DF-PDF-081" in codes) == bool(undefined), codes
