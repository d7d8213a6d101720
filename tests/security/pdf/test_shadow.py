"""Shadow attacks (Mainka et al., NDSS 2021): the original is prepared before signing so that
an unsigned update after both signatures can hide content, replace it, or hide and replace it:
by an overlay, optional content, a form value, a font, an object redefined through the xref,
a new annotation, or an unsigned signature field that draws. Every variant fails."""

from __future__ import annotations

import pytest

from docflow.errors import Indication
from docflow.pdf.syntax import Name, PdfArray, PdfDict, Ref
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.pdf import corpus
from tests.security.pdf import prepared
from tests.security.pdf.tools import append_update, current, dump


def _stream(data: bytes, head: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (head, len(data)) + data + b"\nendstream"


def _catalog_with_oc_on(data: bytes) -> bytes:
    catalog = current(data, 1)
    assert isinstance(catalog, PdfDict)
    changed = PdfDict()
    changed.update(catalog)
    oc = PdfDict()
    oc.update(catalog[Name("OCProperties")])  # type: ignore[arg-type]
    default = PdfDict()
    default[Name("ON")] = PdfArray([Ref(7, 0)])
    default[Name("OFF")] = PdfArray()
    oc[Name("D")] = default
    changed[Name("OCProperties")] = oc
    return dump(changed)


def _page_with(data: bytes, annots: list[int]) -> bytes:
    page = current(data, 3)
    assert isinstance(page, PdfDict)
    changed = PdfDict()
    changed.update(page)
    changed[Name("Annots")] = PdfArray([*page[Name("Annots")],  # type: ignore[misc]
                                        *(Ref(n, 0) for n in annots)])
    return dump(changed)


def _form_with(data: bytes, field: int) -> bytes:
    catalog = current(data, 1)
    form = current(data, catalog[Name("AcroForm")].num)  # type: ignore[index, union-attr]
    assert isinstance(form, PdfDict)
    changed = PdfDict()
    changed.update(form)
    changed[Name("Fields")] = PdfArray([*form[Name("Fields")], Ref(field, 0)])  # type: ignore[misc]
    return dump(changed)


def _attacks(data: bytes) -> dict[str, dict[int, bytes]]:
    form_num = current(data, 1)[Name("AcroForm")].num  # type: ignore[index, union-attr]
    return {
        "hide: overlay switched on": {6: _stream(prepared.COVER_LATER,
                                                 b"/Type /XObject /Subtype /Form "
                                                 b"/BBox [0 0 595 842]")},
        "replace: optional content on": {1: _catalog_with_oc_on(data)},
        "replace: form field value": {9: b"<< /FT /Tx /T (amount) /V (9.000.000) /Type /Annot "
                                         b"/Subtype /Widget /Rect [72 650 300 670] /P 3 0 R /F 4 "
                                         b"/AP << /N 90 0 R >> >>",
                                      90: _stream(b"BT /F1 10 Tf 2 5 Td (9.000.000) Tj ET",
                                                  b"/Type /XObject /Subtype /Form "
                                                  b"/BBox [0 0 228 20]")},
        "replace: font": {5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                             b"/Encoding << /Differences [49 /nine] >> >>"},
        "hide-and-replace: xref object replacement": {4: _stream(prepared.SPARE)},
        "hide-and-replace: new annotation overlay": {
            3: _page_with(data, [91]),
            91: b"<< /Type /Annot /Subtype /FreeText /Rect [70 725 370 745] /P 3 0 R "
                b"/Contents (So tien: 9.000.000 dong) /DA (/F1 12 Tf 0 g) "
                b"/AP << /N 92 0 R >> >>",
            92: _stream(prepared.COVER_LATER, b"/Type /XObject /Subtype /Form "
                                              b"/BBox [0 0 595 842]")},
        "hide-and-replace: unsigned signature field overlay": {
            3: _page_with(data, [93]),
            form_num: _form_with(data, 93),
            93: b"<< /FT /Sig /T (Gia) /Type /Annot /Subtype /Widget /Rect [70 725 370 745] "
                b"/P 3 0 R /F 4 /AP << /N 94 0 R >> >>",
            94: _stream(prepared.COVER_LATER, b"/Type /XObject /Subtype /Form "
                                              b"/BBox [0 0 300 20]")},
        "replace: page content array": {3: dump(_with_contents(data))},
    }


def _with_contents(data: bytes) -> PdfDict:
    page = current(data, 3)
    assert isinstance(page, PdfDict)
    changed = PdfDict()
    changed.update(page)
    changed[Name("Contents")] = PdfArray([Ref(4, 0), Ref(11, 0)])
    return changed


EXPECTED = {
    "hide: overlay switched on": "DF-PDF-081",
    "replace: optional content on": "DF-PDF-081",
    "replace: form field value": "DF-PDF-081",
    "replace: font": "DF-PDF-081",
    "hide-and-replace: xref object replacement": "DF-PDF-081",
    "hide-and-replace: new annotation overlay": "DF-PDF-081",
    "hide-and-replace: unsigned signature field overlay": "DF-PDF-088",
    "replace: page content array": "DF-PDF-081",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_shadow_attack_fails(case: str, shadow_pdf: bytes, validator: PathValidator) -> None:
    """The unsigned update after both signatures is found (its code), both signatures are
    FAILED, since the reader no longer sees what either signed."""
    assert verify_document_pdf(shadow_pdf, validator).passed
    attacked = append_update(shadow_pdf, _attacks(shadow_pdf)[case])
    result = verify_document_pdf(attacked, validator)
    assert result.indication is Indication.FAILED
    assert EXPECTED[case] in {f.code for f in result.findings}, result.findings
    if case == "replace: font":
        assert any("font /F1 of page 1" in f.message for f in result.findings)
    assert [s.indication for s in result.signatures] == [Indication.FAILED] * 2


def test_signature_appearance_covering_the_page_fails(pdf_pki, validator) -> None:  # type: ignore[no-untyped-def]
    """A validly made signature whose appearance covers the page (an overlay hiding the text
    under a signed image): DF-PDF-087."""
    from docflow.pki.roles import Role

    signed = corpus.sign(corpus.signed_by_signer(pdf_pki),
                         pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                         (0, 0, 595, 842))
    result = verify_document_pdf(signed, validator)
    assert result.indication is Indication.FAILED
    assert "DF-PDF-087" in {f.code for f in result.findings}


@pytest.mark.parametrize("where", ["Info", "DSS", "Metadata"])
def test_content_disguised_as_metadata_fails(where: str, shadow_pdf: bytes,
                                             validator: PathValidator) -> None:
    """An update that points the trailer's /Info, a DSS entry or the catalog's /Metadata at
    the page's content stream and changes it, so that the change looks like metadata or
    validation data: still DF-PDF-081, since the page uses that object."""
    changed = {4: _stream(prepared.SPARE)}
    if where == "Info":
        attacked = append_update(shadow_pdf, changed, trailer_extra=b"/Info 4 0 R")
    else:
        catalog = current(shadow_pdf, 1)
        assert isinstance(catalog, PdfDict)
        new = PdfDict()
        new.update(catalog)
        if where == "DSS":
            dss = PdfDict()
            dss[Name("Certs")] = PdfArray([Ref(4, 0)])
            new[Name("DSS")] = dss
        else:
            new[Name("Metadata")] = Ref(4, 0)
        attacked = append_update(shadow_pdf, {**changed, 1: dump(new)})
    result = verify_document_pdf(attacked, validator)
    assert result.indication is Indication.FAILED
    assert "DF-PDF-081" in {f.code for f in result.findings}


def test_empty_signature_field_given_an_appearance_fails(pdf_pki, validator) -> None:  # type: ignore[no-untyped-def]
    """A document with an empty signature field for a later signer; an unsigned update gives
    that field an appearance (an overlay) without signing it: DF-PDF-081."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    from docflow.pki.roles import Role
    writer = IncrementalPdfFileWriter(__import__("io").BytesIO(corpus.plain_pdf()))
    fields.append_signature_field(writer, fields.SigFieldSpec("ChoKy", box=(72, 700, 372, 740)))
    out = __import__("io").BytesIO()
    writer.write(out)
    with_field = out.getvalue()
    signed = corpus.sign(corpus.sign(with_field,
                                     pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER),
                                     "NguoiKy", corpus.SIGNER_BOX),
                         pdf_pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                         corpus.ORGAN_BOX)
    assert verify_document_pdf(signed, validator).passed
    from docflow.pdf.fields import signature_fields
    from docflow.pdf.syntax import parse_pdf

    num = next(f.num for f in signature_fields(parse_pdf(signed)) if f.name == "ChoKy")
    assert num is not None
    field = current(signed, num)
    assert isinstance(field, PdfDict) and Name("V") not in field
    painted = PdfDict()
    painted.update(field)
    ap = PdfDict()
    ap[Name("N")] = Ref(95, 0)
    painted[Name("AP")] = ap
    attacked = append_update(signed, {num: dump(painted), 95: _stream(
        prepared.COVER_LATER, b"/Type /XObject /Subtype /Form /BBox [0 0 300 40]")})
    result = verify_document_pdf(attacked, validator)
    assert result.indication is Indication.FAILED
    assert "DF-PDF-081" in {f.code for f in result.findings}
