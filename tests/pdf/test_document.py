"""docflow pdf new: a Decree 30 official document, text and font checked by poppler."""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from docflow.cli import cli
from docflow.errors import InputError, UsageError
from docflow.pdf.document import OfficialDocument, layout_document
from docflow.profile.nd30_document import new_document, official_document
from tests.pdf.making import DAY, ORGAN, document, info, page_count, render, run, tool

BODY = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n\n"
        "Theo đề nghị của Giám đốc Sở Nội vụ, việc ứng dụng chữ ký số chuyên dùng trong hoạt "
        "động của các cơ quan hành chính nhà nước trên địa bàn tỉnh cần được triển khai đồng "
        "bộ, thống nhất và hiệu quả.")


def _text(data: bytes, tmp_path: Path, *extra: str) -> str:
    tool("pdftotext")
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    done = run("pdftotext", *extra, "-enc", "UTF-8", source, "-")
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8")


def test_pdftotext_reads_every_vietnamese_line_exactly(tmp_path: Path) -> None:
    """What poppler extracts is the NFC text laid out: title, motto, organ, number, place
    and date, type, subject, body, signing block, recipients — diacritics exact."""
    data = new_document(organ=ORGAN, doc_type="QĐ", number=12, date=DAY, body_text=BODY,
                        subject="Về việc ban hành Quy chế", signer="Nguyễn Thị Hồng Nhung")
    text = _text(data, tmp_path)
    lines = {" ".join(line.split()) for line in text.splitlines()}
    for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Số: 12/QĐ-UBND", "Quảng Nam, ngày 01 tháng 07 năm 2025", "QUYẾT ĐỊNH",
                     "Về việc ban hành Quy chế", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
                     "Nguyễn Thị Hồng Nhung", "Nơi nhận:", "- Như trên;", "- Lưu: VT."]:
        assert expected in lines, (expected, lines)
    assert "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM" in " ".join(text.split()) or \
        {"ỦY BAN NHÂN DÂN TỈNH", "QUẢNG NAM"} <= lines
    flowing = " ".join(_text(data, tmp_path, "-raw").split())
    for paragraph in BODY.split("\n\n"):
        assert " ".join(paragraph.split()) in flowing
    assert unicodedata.is_normalized("NFC", text)


def test_decomposed_input_is_drawn_and_extracted_as_nfc(tmp_path: Path) -> None:
    """Text typed in NFD (combining marks) is laid out in NFC: the same bytes, the same
    extraction, as the same text typed precomposed."""
    subject = "Về việc tăng cường chữ ký số"
    nfd = new_document(organ=ORGAN, doc_type="QĐ", number=3, date=DAY,
                       subject=unicodedata.normalize("NFD", subject))
    nfc = new_document(organ=ORGAN, doc_type="QĐ", number=3, date=DAY, subject=subject)
    assert nfd == nfc
    assert subject in _text(nfd, tmp_path)


def test_pdffonts_shows_the_three_styles_embedded_with_unicode_maps(tmp_path: Path) -> None:
    tool("pdffonts")
    source = tmp_path / "doc.pdf"
    source.write_bytes(document())
    out = run("pdffonts", source).stdout.decode()
    rows = [line.split() for line in out.splitlines()[2:]]
    assert sorted(r[0].split("+")[1] for r in rows) == [
        "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"]
    assert all(len(r[0].split("+")[0]) == 6 and r[0][:6].isupper() for r in rows)
    for row in rows:  # name, type (2 words), encoding, emb, sub, uni, object, generation
        assert row[1:3] == ["CID", "TrueType"] and row[3] == "Identity-H"
        assert row[4:7] == ["yes", "yes", "yes"], row


def test_the_page_renders_with_ink_where_the_header_and_body_are(tmp_path: Path) -> None:
    """pdftoppm renders the page: dark pixels in the header band and the body, white in the
    margins."""
    pixels = render(document(), tmp_path)
    width, height, rgb = pixels
    assert (width, height) == (414, 585)  # A4 at 50 dpi

    def dark(y0: int, y1: int, x0: int = 0, x1: int = width) -> int:
        return sum(1 for y in range(y0, y1) for x in range(x0, x1)
                   if rgb[3 * (y * width + x)] < 128)

    assert dark(45, 75) > 300  # organ name, national title, motto
    assert dark(0, 30) == 0  # the top margin
    assert dark(0, height, 0, 50) == 0  # the left margin (30 mm = 59 px)


def test_the_same_inputs_give_the_same_bytes_and_the_date_changes_them() -> None:
    one = new_document(organ=ORGAN, doc_type="QĐ", number=12, date=DAY, subject="Quy chế")
    assert one == new_document(organ=ORGAN, doc_type="QĐ", number=12, date=DAY,
                               subject="Quy chế")
    assert one != new_document(organ=ORGAN, doc_type="QĐ", number=12, subject="Quy chế",
                               date=DAY + dt.timedelta(days=1))


def test_the_document_records_its_organ_kind_and_signature_places() -> None:
    found = info(document())
    assert found["ND30OrganId"] == ORGAN.encode()
    assert found["ND30Kind"] == "Main"
    signer, organ = found["ND30Signer"], found["ND30Organ"]
    s = [float(v) for v in signer[1:]]  # type: ignore[index]
    o = [float(v) for v in organ[1:]]  # type: ignore[index]
    # The seal overlaps the left third of the signer's image, no more.
    assert o[2] == pytest.approx(s[0] + (s[2] - s[0]) / 3)
    assert o[0] < s[0]


def test_a_long_body_flows_to_a_second_page_with_the_signing_block(tmp_path: Path) -> None:
    body = "\n\n".join(f"Điều {i}. " + "Nội dung quy định chi tiết của điều này. " * 12
                       for i in range(1, 9))
    data = new_document(organ=ORGAN, doc_type="QĐ", number=5, date=DAY, subject="Quy chế",
                        body_text=body)
    pages = page_count(data)
    assert pages >= 2
    assert info(data)["ND30Signer"][0] == pages - 1  # type: ignore[index]
    text = _text(data, tmp_path)
    assert "Điều 8." in text and "CHỦ TỊCH" in text.split("\f")[-2]


def test_an_appendix_has_no_signing_block_and_ties_itself_to_its_document(
        tmp_path: Path) -> None:
    data = document(appendix=True)
    text = " ".join(_text(data, tmp_path).split())
    assert "PHỤ LỤC" in text
    assert "(Kèm theo Quyết định số 12/QĐ-UBND ngày 01 tháng 07 năm 2025 của Ủy ban nhân " \
        "dân tỉnh Quảng Nam)" in text
    assert "Nơi nhận" not in text and "CHỦ TỊCH" not in text
    found = info(data)
    assert found["ND30Kind"] == "Appendix" and "ND30Signer" not in found


def test_a_cong_van_has_no_title_and_its_subject_under_the_number(tmp_path: Path) -> None:
    data = new_document(organ="000.00.12.H49", doc_type="Công văn", number=7, date=DAY,
                        subject="Đôn đốc báo cáo")
    text = " ".join(_text(data, tmp_path).split())
    assert "V/v Đôn đốc báo cáo" in text and "Số: 7/UBND-VP" in text
    assert "GIÁM ĐỐC" in text


def test_a_character_the_font_cannot_draw_is_a_coded_error() -> None:
    with pytest.raises(InputError) as caught:
        new_document(organ=ORGAN, doc_type="QĐ", number=1, date=DAY, subject="Quy chế 中文")
    assert caught.value.code == "DF-PDF-001" and "U+4E2D" in caught.value.message


@pytest.mark.parametrize(("field", "value"), [("subject", "  "), ("organ", ""),
                                             ("number", 0)])
def test_an_empty_field_is_a_coded_error(field: str, value: object) -> None:
    doc = official_document(organ=ORGAN, doc_type="QĐ", number=1, date=DAY, subject="Quy chế")
    with pytest.raises(InputError) as caught:
        layout_document(dataclasses.replace(doc, **{field: value}))
    assert caught.value.code == "DF-PDF-002" and caught.value.location.key == field


@pytest.mark.parametrize(("organ", "doc_type"), [("H49", "QĐ"), (ORGAN, "Sắc lệnh")])
def test_an_organ_code_or_type_that_does_not_parse_is_a_coded_error(organ: str,
                                                                    doc_type: str) -> None:
    with pytest.raises(UsageError) as caught:
        official_document(organ=organ, doc_type=doc_type, number=1, date=DAY, subject="x")
    assert caught.value.code == "DF-PDF-003"


def test_cli_pdf_new_writes_the_document_and_envelope_new_attaches_it(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text(BODY, encoding="utf-8")
    out = tmp_path / "doc.pdf"
    runner = CliRunner()
    result = runner.invoke(cli, ["pdf", "new", "--from", ORGAN, "--type", "QĐ", "--number", "12",
                                 "--subject", "Về việc ban hành Quy chế", "--body", str(body),
                                 "--date", "2025-07-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == new_document(organ=ORGAN, doc_type="QĐ", number=12, date=DAY,
                                            subject="Về việc ban hành Quy chế", body_text=BODY)
    envelope = tmp_path / "msg.edxml"
    result = runner.invoke(cli, ["envelope", "new", "--from", ORGAN, "--to", "000.00.00.H01",
                                 "--subject", "Quy chế", "--type", "QĐ", "--number", "12",
                                 "--attach", str(out), "-o", str(envelope)])
    assert result.exit_code == 0, result.output
    assert b"doc.pdf" in envelope.read_bytes()


def test_cli_pdf_new_refuses_a_body_that_is_not_utf8_with_a_code(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_bytes(b"C\xe3n c\xf5 (windows-1258)")
    result = CliRunner().invoke(cli, ["pdf", "new", "--from", ORGAN, "--number", "1",
                                      "--subject", "x", "--body", str(body), "-o",
                                      str(tmp_path / "o.pdf")])
    assert result.exit_code == 2
    assert "DF-PDF-001" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o.pdf").exists()


def test_official_document_is_frozen() -> None:
    doc = official_document(organ=ORGAN, doc_type="QĐ", number=1, date=DAY, subject="x")
    assert isinstance(doc, OfficialDocument)
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.number = 2  # type: ignore[misc]
