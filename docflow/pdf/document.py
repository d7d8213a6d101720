"""Lay out an official document as Decree 30/2020 Appendix I prescribes, as PDF bytes.

The page is A4 with the Decree's margins (top and bottom 20 mm, left 30 mm, right 15 mm). The
header has two columns: on the left the governing organ (regular) and the issuing organ (bold,
a rule beneath), then ``Số: 12/QĐ-UBND``; on the right the national title and the motto (bold,
a rule beneath the motto as long as it), then the place and date in italics. The document type
and subject are centred in bold (for a Công văn the subject goes under the number as
``V/v …``), the body is justified with a first-line indent, and the last page ends with
"Nơi nhận" on the left and the signing block on the right: authority, title, a space for the
signature image, the signer's name. An appendix (``appendix=True``) has no header and no
signing block: "Phụ lục", its subject, the line that ties it to its main document, the body;
its organ signature goes top right.

Where the signatures go is recorded in the document information dictionary
(``/ND30Signer`` and ``/ND30Organ``: page index and rectangle), with the document's kind and
issuing organ code, so that :mod:`docflow.pdf.sign` places each image where the Decree puts it
without guessing from the drawing.

The output is deterministic: no clock is read (the date is an argument), objects are numbered
in a fixed order and the file ID is a digest of the objects.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field

from docflow.errors import InputError, Location
from docflow.pdf.canvas import RESOURCE_NAMES, Canvas, nfc, wrap
from docflow.pdf.font import Style, font
from docflow.pdf.objects import Name, Ref, Text, dump
from docflow.pdf.writer import write_file

__all__ = ["A4", "OfficialDocument", "SignaturePlaces", "layout_document"]

A4 = (595.28, 841.89)
"""The page size in points (210 × 297 mm)."""

_MM = 72 / 25.4
_TOP, _BOTTOM, _LEFT, _RIGHT = 20 * _MM, 20 * _MM, 30 * _MM, 15 * _MM
_WIDTH = A4[0] - _LEFT - _RIGHT
_SPLIT = _LEFT + 0.40 * _WIDTH
"""Where the header's left column (organ) ends and the right one (national title) begins."""
_BODY_SIZE = 13.0
_LEADING = 1.25
_SIGN_GAP = 140.0
"""The space between the signer's title and name, for the signature image and the seal."""


@dataclass(frozen=True, slots=True)
class OfficialDocument:
    """Everything printed on an official document; strings as they appear, any Unicode form.

    Build one from an organ code with :func:`docflow.profile.nd30_document.official_document`.
    """

    organ: str
    """The issuing organ (``Ủy ban nhân dân tỉnh Quảng Nam``), printed in capitals."""
    number: int
    notation: str
    """The symbol after the number (``QĐ-UBND``)."""
    place: str
    """The place name before the date (``Quảng Nam``)."""
    date: dt.date
    subject: str
    """Trích yếu: what the document is about."""
    type_name: str | None = None
    """The document type (``Quyết định``); ``None`` for a Công văn, which has no title."""
    superior: str | None = None
    """The governing organ printed above the issuing one, if any."""
    body: tuple[str, ...] = ()
    """Paragraphs of the body."""
    authority: str = ""
    """The signing authority line (``TM. ỦY BAN NHÂN DÂN``), empty when the head signs."""
    title: str = ""
    """The signer's title (``CHỦ TỊCH``)."""
    signer: str = ""
    """The signer's full name."""
    recipients: tuple[str, ...] = ()
    """Nơi nhận, one line each (``Như Điều 3;``, ``Lưu: VT.``)."""
    organ_code: str | None = None
    """The issuing organ's code, recorded so that signing can check the organ certificate."""
    appendix: bool = False
    """An appendix: no header, no signing block; the organ signs it alone, top right."""
    main_type_name: str = "Quyết định"
    """For an appendix: the type of the document it belongs to, in the line that ties them."""

    @property
    def code(self) -> str:
        """Number and symbol, ``12/QĐ-UBND``."""
        return f"{self.number}/{nfc(self.notation)}"


@dataclass(frozen=True, slots=True)
class SignaturePlaces:
    """Where the two signatures go: page index and rectangle (x0, y0, x1, y1) in points."""

    signer: tuple[int, tuple[float, float, float, float]] | None
    organ: tuple[int, tuple[float, float, float, float]]


@dataclass(slots=True)
class _Pages:
    """The pages being drawn, and the current baseline on the last one."""

    canvases: list[Canvas] = field(default_factory=lambda: [Canvas()])
    y: float = A4[1] - _TOP

    @property
    def canvas(self) -> Canvas:
        return self.canvases[-1]

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` points fit above the bottom margin."""
        if self.y - height < _BOTTOM:
            self.canvases.append(Canvas())
            number = len(self.canvases)
            self.canvas.text(_LEFT, A4[1] - _TOP / 2 - 4, str(number), Style.REGULAR, 12,
                             align="center", width=_WIDTH)
            self.y = A4[1] - _TOP - 6


def layout_document(doc: OfficialDocument) -> bytes:
    """The PDF of ``doc``: one file, fonts embedded, the same bytes for the same ``doc``.

    Examples
    --------
    >>> import datetime as dt
    >>> pdf = layout_document(OfficialDocument(
    ...     organ="Ủy ban nhân dân tỉnh Quảng Nam", number=12, notation="QĐ-UBND",
    ...     place="Quảng Nam", date=dt.date(2025, 7, 1), type_name="Quyết định",
    ...     subject="Về việc ban hành quy chế", signer="Nguyễn Văn An", title="Chủ tịch"))
    >>> pdf[:8], pdf == layout_document(OfficialDocument(
    ...     organ="Ủy ban nhân dân tỉnh Quảng Nam", number=12, notation="QĐ-UBND",
    ...     place="Quảng Nam", date=dt.date(2025, 7, 1), type_name="Quyết định",
    ...     subject="Về việc ban hành quy chế", signer="Nguyễn Văn An", title="Chủ tịch"))
    (b'%PDF-1.7', True)

    Raises
    ------
    InputError
        ``DF-PDF-001`` when a string has a character the embedded font cannot draw,
        ``DF-PDF-002`` when a required field is empty.
    """
    for name in ("organ", "notation", "place", "subject"):
        if not nfc(getattr(doc, name)).strip():
            raise InputError("DF-PDF-002", f"the document's {name} is empty",
                             Location(key=name))
    if doc.number < 1:
        raise InputError("DF-PDF-002", "the document number must be positive",
                         Location(key="number"))
    pages = _Pages()
    if doc.appendix:
        places = _appendix(doc, pages)
    else:
        _header(doc, pages)
        _body(doc, pages)
        places = _signing_block(doc, pages)
    return _assemble(doc, pages.canvases, places)


def _date_line(doc: OfficialDocument) -> str:
    d = doc.date
    # The Decree writes days and months below 10 with a leading zero ("ngày 05 tháng 01").
    return f"{nfc(doc.place)}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _fit(text: str, style: Style, size: float, width: float) -> float:
    """The largest size up to ``size`` (in half points) at which ``text`` fits ``width``."""
    while size > 6 and font(style).width(nfc(text), size) > width:
        size -= 0.5
    return size


def _header(doc: OfficialDocument, pages: _Pages) -> None:
    c = pages.canvas
    left_w, right_x, right_w = _SPLIT - _LEFT - 6, _SPLIT + 6, A4[0] - _RIGHT - _SPLIT - 6
    top = pages.y - 12
    y = top
    if doc.superior:
        for line in wrap(nfc(doc.superior).upper(), Style.REGULAR, 12, left_w):
            c.text(_LEFT, y, line, Style.REGULAR, 12, align="center", width=left_w)
            y -= 14
    organ_lines = wrap(nfc(doc.organ).upper(), Style.BOLD, 12, left_w)
    for line in organ_lines:
        c.text(_LEFT, y, line, Style.BOLD, 12, align="center", width=left_w)
        y -= 14
    rule = min(font(Style.BOLD).width(organ_lines[-1], 12), left_w) / 2
    centre = _LEFT + left_w / 2
    c.rule(centre - rule / 2, centre + rule / 2, y + 8)
    left_bottom = y - 6
    title = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    c.text(right_x, top, title, Style.BOLD, _fit(title, Style.BOLD, 12, right_w),
           align="center", width=right_w)
    motto = "Độc lập - Tự do - Hạnh phúc"
    size = _fit(motto, Style.BOLD, 13, right_w)
    motto_w = c.text(right_x, top - 15, motto, Style.BOLD, size, align="center", width=right_w)
    centre = right_x + right_w / 2
    c.rule(centre - motto_w / 2, centre + motto_w / 2, top - 19)
    y = min(left_bottom, top - 19) - 18
    c.text(_LEFT, y, f"Số: {doc.code}", Style.REGULAR, 13, align="center", width=left_w)
    c.text(right_x, y, _date_line(doc), Style.ITALIC,
           _fit(_date_line(doc), Style.ITALIC, 13, right_w), align="center", width=right_w)
    if doc.type_name is None:  # a Công văn: the subject under the number, no title
        for line in wrap(f"V/v {nfc(doc.subject)}", Style.REGULAR, 12, left_w):
            y -= 15
            c.text(_LEFT, y, line, Style.REGULAR, 12, align="center", width=left_w)
        pages.y = y - 30
        return
    y -= 42
    c.text(_LEFT, y, nfc(doc.type_name).upper(), Style.BOLD, 14, align="center", width=_WIDTH)
    subject_lines = wrap(doc.subject, Style.BOLD, 14, _WIDTH * 0.85)
    for line in subject_lines:
        y -= 18
        c.text(_LEFT, y, line, Style.BOLD, 14, align="center", width=_WIDTH)
    c.rule(_LEFT + _WIDTH / 2 - 40, _LEFT + _WIDTH / 2 + 40, y - 9)
    pages.y = y - 34


def _body(doc: OfficialDocument, pages: _Pages) -> None:
    leading = _BODY_SIZE * _LEADING
    indent = 10 * _MM
    for index, paragraph in enumerate(doc.body):
        words = nfc(paragraph).split()
        if not words:
            continue
        # The first line is shorter by the indent: wrap it alone, then the rest.
        first = wrap(paragraph, Style.REGULAR, _BODY_SIZE, _WIDTH - indent)[0]
        rest = " ".join(words[len(first.split()):])
        lines = [first] + (wrap(rest, Style.REGULAR, _BODY_SIZE, _WIDTH) if rest else [])
        for number, line in enumerate(lines):
            pages.need(leading)
            x = _LEFT + (indent if number == 0 else 0)
            last = number == len(lines) - 1
            pages.canvas.text(x, pages.y, line, Style.REGULAR, _BODY_SIZE,
                              align="left" if last else "justify",
                              width=_WIDTH - (indent if number == 0 else 0),
                              where=f"body[{index}]")
            pages.y -= leading
        pages.y -= 6


def _signing_block(doc: OfficialDocument, pages: _Pages) -> SignaturePlaces:
    left_w, right_x, right_w = _SPLIT - _LEFT, _SPLIT, A4[0] - _RIGHT - _SPLIT
    lines = [nfc(x).upper() for x in (doc.authority, doc.title) if x.strip()]
    recipients = [nfc(r) for r in doc.recipients]
    height = max(16 * len(lines) + _SIGN_GAP + 20, 14 + 13 * len(recipients))
    pages.need(height + 12)
    c = pages.canvas
    top = pages.y - 6
    y = top
    for line in lines:
        c.text(right_x, y, line, Style.BOLD, 13, align="center", width=right_w)
        y -= 16
    gap_top = y + 4
    centre_x, centre_y = right_x + right_w / 2, gap_top - 55
    signer_rect = (centre_x - 75, centre_y - 32, centre_x + 75, centre_y + 32)
    seal = 84.0  # ≈ 30 mm, the diameter of a commune's or a department's seal
    seal_right = signer_rect[0] + (signer_rect[2] - signer_rect[0]) / 3
    organ_rect = (seal_right - seal, centre_y - seal / 2 - 26, seal_right, centre_y + seal / 2)
    if doc.signer.strip():
        c.text(right_x, gap_top - _SIGN_GAP - 4, nfc(doc.signer), Style.BOLD, 13,
               align="center", width=right_w)
    if recipients:
        c.text(_LEFT, top, "Nơi nhận:", Style.BOLD, 12, slant=True)
        y = top - 14
        for recipient in recipients:
            for line in wrap(f"- {recipient}", Style.REGULAR, 11, left_w - 6):
                c.text(_LEFT, y, line, Style.REGULAR, 11, where="recipients")
                y -= 13
    page = len(pages.canvases) - 1
    return SignaturePlaces((page, signer_rect), (page, organ_rect))


def _appendix(doc: OfficialDocument, pages: _Pages) -> SignaturePlaces:
    c = pages.canvas
    organ_rect = (A4[0] - _RIGHT - 200, A4[1] - 52, A4[0] - _RIGHT, A4[1] - 8)
    y = pages.y - 30
    c.text(_LEFT, y, "PHỤ LỤC", Style.BOLD, 14, align="center", width=_WIDTH)
    for line in wrap(nfc(doc.subject).upper(), Style.BOLD, 13, _WIDTH * 0.9):
        y -= 17
        c.text(_LEFT, y, line, Style.BOLD, 13, align="center", width=_WIDTH)
    d = doc.date
    tie = (f"(Kèm theo {nfc(doc.main_type_name)} số {doc.code} ngày {d.day:02d} tháng "
           f"{d.month:02d} năm {d.year} của {nfc(doc.organ)})")
    for line in wrap(tie, Style.ITALIC, 12, _WIDTH * 0.9):
        y -= 16
        c.text(_LEFT, y, line, Style.ITALIC, 12, align="center", width=_WIDTH)
    c.rule(_LEFT + _WIDTH / 2 - 40, _LEFT + _WIDTH / 2 + 40, y - 8)
    pages.y = y - 34
    _body(doc, pages)
    return SignaturePlaces(None, (0, organ_rect))


def _assemble(doc: OfficialDocument, canvases: list[Canvas],
              places: SignaturePlaces) -> bytes:
    """Number the objects: catalog, pages, info, fonts, then each page and its content."""
    glyphs: dict[Style, set[int]] = {}
    for canvas in canvases:
        for style, used in canvas.glyphs.items():
            glyphs.setdefault(style, set()).update(used)
    first_font = 4
    fonts: dict[Style, int] = {}
    bodies: list[bytes] = [b"", b"", b""]  # catalog, page tree, info: filled below
    for style in Style:
        if style in glyphs:
            fonts[style] = first_font + 5 * len(fonts)
            bodies += font(style).objects(fonts[style], glyphs[style])
    resources = {"Font": {RESOURCE_NAMES[s]: Ref(n) for s, n in fonts.items()}}
    kids = []
    for canvas in canvases:
        page = len(bodies) + 1
        kids.append(Ref(page))
        content = zlib.compress(canvas.data(), 6)
        bodies.append(dump({"Type": Name("Page"), "Parent": Ref(2),
                            "MediaBox": [0, 0, A4[0], A4[1]], "Resources": resources,
                            "Contents": Ref(page + 1)}))
        bodies.append(dump({"Length": len(content), "Filter": Name("FlateDecode")})
                      + b"\nstream\n" + content + b"\nendstream")
    bodies[0] = dump({"Type": Name("Catalog"), "Pages": Ref(2), "Lang": Text("vi-VN")})
    bodies[1] = dump({"Type": Name("Pages"), "Kids": kids, "Count": len(kids)})
    title = nfc(f"{doc.type_name or 'Công văn'} số {doc.code}")
    if doc.appendix:
        title = nfc(f"Phụ lục: {doc.subject}")
    stamp = f"D:{doc.date:%Y%m%d}000000+07'00'"
    info: dict[str, object] = {
        "Title": Text(title), "Subject": Text(nfc(doc.subject)), "Author": Text(nfc(doc.organ)),
        "Creator": Text("docflow"), "CreationDate": Text(stamp),
        "ND30Kind": Name("Appendix" if doc.appendix else "Main"),
        "ND30Code": Text(doc.code)}
    if doc.organ_code:
        info["ND30OrganId"] = Text(doc.organ_code)
    if places.signer is not None:
        info["ND30Signer"] = [places.signer[0], *places.signer[1]]
    info["ND30Organ"] = [places.organ[0], *places.organ[1]]
    bodies[2] = dump(info)
    return write_file(bodies, Ref(1), Ref(3))
