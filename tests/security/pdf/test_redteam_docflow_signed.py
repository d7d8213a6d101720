"""Red-team attacks on PDFs that docflow itself made and signed (``docflow pdf new``, then
``docflow sign`` as signer and organ), not pyHanko's: docflow's writer has its own object
numbers, xref tables, appearance streams, /Contents reservation and CMS.

Each test starts from a real document signed by docflow with the test PKI and changes it the
way an attacker would, then asserts what verification says: never PASSED, with a stable code.
The signing side is attacked too: ``sign_document`` must not seal something other than what
the reader sees, nor sign out of the Decree's order.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from docflow.errors import Indication, UsageError
from docflow.pdf.syntax import Name, PdfArray, PdfDict, Ref, Stream, parse_pdf
from docflow.pki.roles import Role
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from docflow.profile.nd30_sign import sign_document
from tests.pdf import making
from tests.pdf.syntax import handmade
from tests.security.pdf.tools import append_update, dump, same_length

EVIL = b"1 1 1 rg 0 0 600 800 re f 0 g BT /F1 14 Tf 72 730 Td (So tien: 9.000.000 dong) Tj ET"


@cache
def _validator() -> PathValidator:
    return making.pki().validator()


@cache
def _both() -> bytes:
    return making.sign(making.sign(making.document(), Role.SIGNER), Role.ORGAN, minutes=5)


@cache
def _appendix() -> bytes:
    return making.sign(making.document(appendix=True), Role.ORGAN)


def _stream(data: bytes, head: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (head, len(data)) + data + b"\nendstream"


def _refused(data: bytes, *codes: str) -> set[str]:
    result = verify_document_pdf(data, _validator())
    found = {f.code for f in result.findings}
    assert result.indication is not Indication.PASSED, result.findings
    assert not any(s.passed for s in result.signatures), result.signatures
    assert set(codes) <= found, result.findings
    return found


def _seal(data: bytes) -> tuple[int, PdfDict]:
    """The organ's widget: the signature widget with the highest number, the last one
    docflow added."""
    found = [(num, value) for num, value in parse_pdf(data).objects()
             if isinstance(value, PdfDict) and value.get(Name("FT")) == "Sig"
             and Name("AP") in value]
    return max(found, key=lambda item: item[0])


def _first_page(data: bytes) -> tuple[int, PdfDict]:
    document = parse_pdf(data)
    pages = document.get_ref(document.catalog()[Name("Pages")])
    ref = pages[Name("Kids")][0]  # type: ignore[index]
    return ref.num, document.get_ref(ref)  # type: ignore[return-value]


def test_the_untouched_documents_pass() -> None:
    """The starting points are valid: every attack below changes only what it says."""
    assert verify_document_pdf(_both(), _validator()).indication is Indication.PASSED
    assert verify_document_pdf(_appendix(), _validator()).indication is Indication.PASSED


def test_redefining_the_seal_appearance_xobject_is_refused() -> None:
    """Shadow *replace*: a third, unsigned revision redefines the form XObject that docflow's
    organ update introduced as the seal's /AP /N, to draw a new amount over the page."""
    data = _both()
    _, widget = _seal(data)
    ap = widget[Name("AP")][Name("N")]  # type: ignore[index]
    assert isinstance(ap, Ref)
    body = _stream(EVIL, b"/Type /XObject /Subtype /Form /BBox [0 0 600 800]")
    _refused(append_update(data, {ap.num: body}), "DF-PDF-081")


def test_swapping_the_widget_appearance_is_refused() -> None:
    """The organ's widget gets a new /AP pointing at a new XObject and a bigger /Rect."""
    data = _both()
    num, widget = _seal(data)
    size = int(parse_pdf(data).trailer()[Name("Size")])  # type: ignore[call-overload]
    new = PdfDict()
    new.update(widget)
    ap = PdfDict()
    ap[Name("N")] = Ref(size, 0)
    new[Name("AP")] = ap
    body = _stream(EVIL, b"/Type /XObject /Subtype /Form /BBox [0 0 600 800]")
    _refused(append_update(data, {num: dump(new), size: body}), "DF-PDF-081")


@pytest.mark.parametrize("extra", [b"/NeedAppearances true", b"/XFA 99 0 R",
                                   b"/DR << /Font << /F9 99 0 R >> >>"])
def test_a_third_revision_changing_the_acroform_is_refused(extra: bytes) -> None:
    """/NeedAppearances makes viewers redraw fields; /XFA replaces the form; /DR adds
    resources: none is part of adding a signature."""
    data = _both()
    document = parse_pdf(data)
    form_ref = document.catalog()[Name("AcroForm")]
    form = document.get_ref(form_ref)
    assert isinstance(form, PdfDict)
    body = dump(form)[:-2] + b" " + extra + b">>"
    objects = {99: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    if isinstance(form_ref, Ref):
        objects[form_ref.num] = body
    else:
        catalog = PdfDict()
        catalog.update(document.catalog())
        root = document.trailer()[Name("Root")]
        objects[root.num] = dump(catalog)[:-2] + b" /AcroForm " + body + b">>"  # type: ignore[union-attr]
    _refused(append_update(data, objects), "DF-PDF-081")


def test_redefining_the_appearance_font_docflow_added_is_refused() -> None:
    """docflow's update brings its own font objects for the seal's text; a third revision
    redefines one (a font whose glyphs draw other digits changes what the seal says)."""
    data = _both()
    document = parse_pdf(data)
    _, widget = _seal(data)
    ap = document.get_ref(widget[Name("AP")][Name("N")])  # type: ignore[index]
    assert isinstance(ap, Stream)
    fonts = document.get_ref(document.get_ref(ap.dict[Name("Resources")])[Name("Font")])  # type: ignore[index]
    font_ref = next(iter(fonts.values()))  # type: ignore[union-attr]
    body = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    _refused(append_update(data, {font_ref.num: body}), "DF-PDF-081")


def test_hiding_the_page_content_under_the_signer_then_sealing_fails() -> None:
    """Hide-and-replace between the two signatures: after the person signs, an unsigned
    update replaces page 1's content; the organ then seals with ``docflow sign``. The seal
    covers the change, but the person's signature does not: never PASSED."""
    signed = making.sign(making.document(), Role.SIGNER)
    num, page = _first_page(signed)
    size = int(parse_pdf(signed).trailer()[Name("Size")])  # type: ignore[call-overload]
    new = PdfDict()
    new.update(page)
    new[Name("Contents")] = Ref(size, 0)
    tampered = append_update(signed, {num: dump(new), size: _stream(EVIL)})
    try:
        sealed = making.sign(tampered, Role.ORGAN, minutes=5)
    except UsageError as error:  # refusing to seal is the other acceptable answer
        assert error.code.startswith("DF-PDF-")
        return
    result = verify_document_pdf(sealed, _validator())
    assert result.indication is not Indication.PASSED
    assert "DF-PDF-081" in {f.code for f in result.findings}
    assert not result.signatures[0].passed


def _forced(data: bytes, role: Role, minutes: int = 0) -> bytes:
    key, cert, chain = making.pki().credentials_for(making.ORGAN, role)
    return sign_document(data, key, [cert, *chain], role, at=making.signing_time(minutes),
                         enforce_order=False)


def test_the_organ_then_the_signer_fails() -> None:
    """Out of order (the simulator's switch): the person signs after the organ's seal."""
    organ_first = _forced(making.document(), Role.ORGAN)
    _refused(_forced(organ_first, Role.SIGNER, 5), "DF-PDF-082")


def test_two_organ_seals_fail() -> None:
    _refused(_forced(_both(), Role.ORGAN, 10), "DF-PDF-082")


def test_an_appendix_with_a_signer_fails() -> None:
    """An appendix carries the organ's signature only; a person's signature on it (after or
    before the seal) is out of the Decree's order."""
    _refused(_forced(_appendix(), Role.SIGNER, 5), "DF-PDF-082")
    signer_first = _forced(making.document(appendix=True), Role.SIGNER)
    _refused(_forced(signer_first, Role.ORGAN, 5), "DF-PDF-082")


@pytest.mark.parametrize(("role", "appendix", "code"), [
    (Role.SIGNER, True, "DF-PDF-010"), (Role.ORGAN, False, "DF-PDF-008"),
    (Role.SIGNER, False, "DF-PDF-008")])
def test_docflow_sign_refuses_out_of_order(role: Role, appendix: bool, code: str) -> None:
    data = _appendix() if appendix else _both()
    with pytest.raises(UsageError) as caught:
        making.sign(data, role, minutes=20)
    assert caught.value.code == code


def test_a_byte_range_moved_over_the_contents_padding_fails() -> None:
    """docflow reserves more /Contents than the CMS needs; a ByteRange that is rewritten (same
    length) to sign a different span must not verify."""
    data = _both()
    at = data.rfind(b"/ByteRange [0 ")
    end = data.index(b"]", at) + 1
    old = data[at:end]
    _, first, second, length = (int(x) for x in old[12:-1].split())
    forged = b"/ByteRange [0 %d %d %d]" % (first + 2, second, length)
    _refused(same_length(data, old, forged))


_FONT = b"/Resources << /Font << /F1 5 0 R >> >>"
_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _page(num: int = 4) -> bytes:
    return (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R %s >>"
            % (num, _FONT))


def _originals() -> dict[str, bytes]:
    """PDFs whose structure a writer can misread: linearized (the first-page section's /Prev
    points forwards), an unsigned update that swaps the page's content (the reader sees the
    newer one)."""
    shown = _stream(b"BT /F1 12 Tf 72 720 Td (Amount 1.000.000) Tj ET")
    hidden = _stream(b"BT /F1 12 Tf 72 720 Td (Amount 9.000.000) Tj ET")
    base = handmade.classic([handmade.OBJECTS[0], handmade.OBJECTS[1], _page(), hidden,
                             _HELVETICA, shown])
    swapped = handmade.update(base, {3: _page(6)}, size=7)
    linear = handmade.linearized()
    return {"linearized": linear, "update swaps the content": swapped}


@pytest.mark.parametrize("case", ["linearized", "update swaps the content"])
def test_docflow_signs_what_poppler_shows(case: str, tmp_path: Path) -> None:
    """``docflow sign`` on a file with a tricky revision structure: poppler shows the same
    text before and after, and finds the signature valid over the whole file (its update's
    /Prev chain leads to the page tree the reader saw)."""
    original = _originals()[case]
    signed = making.sign(original, Role.SIGNER)
    texts = []
    for name, data in (("before.pdf", original), ("after.pdf", signed)):
        (tmp_path / name).write_bytes(data)
        done = making.run(making.tool("pdftotext"), tmp_path / name, "-")
        assert done.returncode == 0, done.stderr
        texts.append(done.stdout)
    assert texts[0] == texts[1]
    if case != "linearized":
        assert b"1.000.000" in texts[1] and b"9.000.000" not in texts[1]
    done = making.run(making.tool("pdfsig"), tmp_path / "after.pdf")
    assert b"Signature is Valid" in done.stdout, done.stdout
    assert b"Total document signed" in done.stdout, done.stdout
    result = verify_document_pdf(signed, _validator(), required_roles={Role.SIGNER})
    assert result.passed, result.findings


def test_bytes_hidden_in_the_contents_padding_fail() -> None:
    """docflow reserves room for the CMS and pads it with zeros, outside what is signed; an
    attacker's bytes written there (a second CMS for a verifier that reads from the end) are
    refused, not ignored."""
    data = _both()
    at = data.rfind(b"/Contents <") + len(b"/Contents <")
    digits = data[at:data.index(b">", at)]
    der_end = len(digits.rstrip(b"0")) + 64
    forged = data[:at + der_end] + b"DEADBEEF" + data[at + der_end + 8:]
    assert len(forged) == len(data)
    _refused(forged, "DF-PDF-075")


def test_redefining_the_seal_signature_dictionary_is_refused() -> None:
    """A third revision rewrites the organ's signature dictionary (same /ByteRange and
    /Contents, so the CMS still verifies) with a /Name and /Reason a viewer shows as the
    signer's: what the panel says would not be what was signed."""
    data = _both()
    _, widget = _seal(data)
    sig_ref = widget[Name("V")]
    assert isinstance(sig_ref, Ref)
    sig = parse_pdf(data).get(sig_ref.num)
    assert isinstance(sig, PdfDict)
    body = dump(sig)[:-2] + b" /Name (Chu tich UBND) /Reason (Phe duyet 9.000.000 dong)>>"
    _refused(append_update(data, {sig_ref.num: body}), "DF-PDF-081")


def test_a_free_text_annotation_over_the_page_is_refused() -> None:
    """A third revision appends a FreeText annotation (not a signature widget) to the sealed
    page's /Annots: it draws over the amount in every viewer."""
    data = _both()
    num, page = _first_page(data)
    size = int(parse_pdf(data).trailer()[Name("Size")])  # type: ignore[call-overload]
    annots = parse_pdf(data).get_ref(page.get(Name("Annots")))
    new = PdfDict()
    new.update(page)
    new[Name("Annots")] = PdfArray([*(annots or []), Ref(size, 0)])  # type: ignore[misc]
    note = (b"<< /Type /Annot /Subtype /FreeText /Rect [60 700 400 745] /F 4 "
            b"/Contents (So tien: 9.000.000 dong) /DA (/Helv 14 Tf 0 g) >>")
    _refused(append_update(data, {num: dump(new), size: note}), "DF-PDF-081")
