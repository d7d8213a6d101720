"""Incremental saving attacks (Mladenov et al., NDSS 2019 §4.2): content appended after the
last signature, with or without a cross-reference section, with a fake trailer, or with a
/Prev that skips a revision. The reader either refuses the file or the update check finds the
change; the document never passes."""

from __future__ import annotations

import pytest

from docflow.errors import Indication
from docflow.pdf.syntax import Name, PdfDict, Stream
from docflow.pki.validate import PathValidator
from docflow.profile.nd30 import verify_document_pdf
from tests.security.pdf.tools import append_update, current, dump, find, last_xref

EVIL = b"BT /F1 12 Tf 72 730 Td (So tien: 9.000.000 dong) Tj ET"


def _content_num(data: bytes) -> int:
    page = current(data, find(data, lambda v: isinstance(v, PdfDict)
                              and v.get(Name("Type")) == "Page"))
    return page[Name("Contents")].num  # type: ignore[index, union-attr]


def _evil_stream() -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(EVIL) + EVIL + b"\nendstream"


def _refused(data: bytes, validator: PathValidator, codes: set[str]) -> None:
    result = verify_document_pdf(data, validator)
    assert result.indication is not Indication.PASSED
    found = {f.code for f in result.findings}
    assert found & codes, found
    assert not any(s.passed for s in result.signatures if s.field == "CoQuan") or \
        result.indication is Indication.FAILED


def test_appended_content_with_xref_fails(both_pdf: bytes, validator: PathValidator) -> None:
    """A proper update that redefines the page content: DF-PDF-081, and both signatures
    (which the update comes after) are FAILED."""
    attacked = append_update(both_pdf, {_content_num(both_pdf): _evil_stream()})
    result = verify_document_pdf(attacked, validator)
    assert result.indication is Indication.FAILED
    assert [s.indication for s in result.signatures] == [Indication.FAILED] * 2
    assert "DF-PDF-081" in {f.code for f in result.updates[-1].findings}
    assert "the content stream of page 1" in result.updates[-1].findings[0].message


def test_appended_objects_without_xref_are_refused(both_pdf: bytes,
                                                   validator: PathValidator) -> None:
    """Objects appended with no xref and no trailer (a lenient viewer repairs the file and
    shows them): bytes after the last %%EOF, DF-PDF-056."""
    attacked = append_update(both_pdf, {_content_num(both_pdf): _evil_stream()}, xref=False)
    _refused(attacked, validator, {"DF-PDF-056"})


def test_appended_objects_with_fake_trailer_are_refused(both_pdf: bytes,
                                                        validator: PathValidator) -> None:
    """Objects, then a trailer and startxref pointing back at the signed xref: the section
    there ends before the objects, DF-PDF-056."""
    body = append_update(both_pdf, {_content_num(both_pdf): _evil_stream()}, xref=False)
    attacked = body + b"trailer\n<< /Size 99 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % \
        last_xref(both_pdf)
    _refused(attacked, validator, {"DF-PDF-056", "DF-PDF-053"})


def test_catalog_open_action_added_fails(both_pdf: bytes, validator: PathValidator) -> None:
    """An update that gives the catalog an /OpenAction (a script, a jump): DF-PDF-081."""
    catalog = current(both_pdf, 1)
    assert isinstance(catalog, PdfDict)
    changed = PdfDict()
    changed.update(catalog)
    changed[Name("OpenAction")] = PdfDict()
    changed[Name("OpenAction")][Name("S")] = Name("JavaScript")  # type: ignore[index]
    attacked = append_update(both_pdf, {1: dump(changed)})
    _refused(attacked, validator, {"DF-PDF-081"})


def test_prev_skipping_the_organ_revision_fails(both_pdf: bytes,
                                                validator: PathValidator) -> None:
    """An update whose /Prev points at the person's revision, skipping the organ's: the
    organ's signature vanishes and the content change is found against the person's."""
    document_xrefs = [int(x.split()[0]) for x in both_pdf.split(b"startxref")[1:]]
    attacked = append_update(both_pdf, {_content_num(both_pdf): _evil_stream()})
    attacked = attacked.replace(b"/Prev %d" % document_xrefs[-1], b"/Prev %d" %
                                document_xrefs[-2])
    result = verify_document_pdf(attacked, validator)
    assert result.indication is Indication.FAILED


def test_update_pointing_into_an_earlier_revision_fails(both_pdf: bytes,
                                                        validator: PathValidator) -> None:
    """An update whose xref points the content at bytes of an earlier revision (a prepared
    object never used): DF-PDF-055."""
    num = _content_num(both_pdf)
    attacked = append_update(both_pdf, {num: _evil_stream()})
    xref = attacked.rfind(b"xref\n%d 1\n" % num)
    entry = xref + len(b"xref\n%d 1\n" % num)
    attacked = attacked[:entry] + b"%010d" % 20 + attacked[entry + 10:]
    _refused(attacked, validator, {"DF-PDF-055"})


@pytest.mark.parametrize("what", ["Info", "Metadata"])
def test_metadata_updates_pass_with_a_warning(both_pdf: bytes, validator: PathValidator,
                                              what: str) -> None:
    """An unsigned update of the document information or XMP metadata changes nothing the
    reader sees on the page: allowed, and said (DF-PDF-090)."""
    document_trailer = current(both_pdf, 1)
    assert isinstance(document_trailer, PdfDict)
    if what == "Info":
        from docflow.pdf.syntax import parse_pdf

        info = parse_pdf(both_pdf).trailer()[Name("Info")]
        attacked = append_update(both_pdf, {info.num: b"<< /Title (Khac) >>"})  # type: ignore[union-attr]
    else:
        ref = document_trailer[Name("Metadata")]
        old = current(both_pdf, ref.num)  # type: ignore[union-attr]
        assert isinstance(old, Stream)
        attacked = append_update(both_pdf, {ref.num: dump(Stream(old.dict, b"<x/>"))})  # type: ignore[union-attr]
    result = verify_document_pdf(attacked, validator)
    assert result.indication is Indication.PASSED, result.findings
    assert [f.code for f in result.findings] == ["DF-PDF-090"]
