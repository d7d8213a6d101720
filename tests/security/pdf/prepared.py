"""A document prepared for shadow attacks (Mainka et al., NDSS 2021) before it is signed.

The attacker writes the original so that what the signers see is harmless, yet holds what an
unsigned update will later switch on:

* object 4, the page content, draws the amount 1.000.000, then an optional-content layer
  ``oc1`` (OFF in the catalog) that reads 9.000.000, then the form XObject ``Cover`` (object 6,
  empty: it draws nothing);
* object 9 is a text field ``amount`` whose value and appearance read 1.000.000;
* object 11 is a spare content stream that reads 9.000.000, referenced by nothing;
* object 5 is the font of the text.
"""

from __future__ import annotations

from docflow.pki.national import NationalPki
from docflow.pki.roles import Role
from tests.pdf import corpus
from tests.pdf.syntax.handmade import classic


def _stream(data: bytes, head: bytes = b"") -> bytes:
    return b"<< %s /Length %d >>\nstream\n" % (head, len(data)) + data + b"\nendstream"


CONTENT = (b"BT /F1 14 Tf 72 760 Td (QUYET DINH) Tj ET\n"
           b"BT /F1 12 Tf 72 730 Td (So tien: 1.000.000 dong) Tj ET\n"
           b"/OC /oc1 BDC BT /F1 12 Tf 72 700 Td (So tien: 9.000.000 dong) Tj ET EMC\n"
           b"q /Cover Do Q\n")
SPARE = b"BT /F1 14 Tf 72 760 Td (QUYET DINH) Tj ET\n" \
        b"BT /F1 12 Tf 72 730 Td (So tien: 9.000.000 dong) Tj ET\n"
COVER_NOW = b""
COVER_LATER = b"1 1 1 rg 70 725 300 20 re f 0 g BT /F1 12 Tf 72 730 Td " \
              b"(So tien: 9.000.000 dong) Tj ET"


def original() -> bytes:
    return classic([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm 8 0 R "
        b"/OCProperties << /OCGs [7 0 R] /D << /ON [] /OFF [7 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Cover 6 0 R >> "
        b"/Properties << /oc1 7 0 R >> >> /Annots [9 0 R] >>",
        _stream(CONTENT),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        _stream(COVER_NOW, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]"),
        b"<< /Type /OCG /Name (hidden) >>",
        b"<< /Fields [9 0 R] /DA (/F1 0 Tf 0 g) >>",
        b"<< /FT /Tx /T (amount) /V (1.000.000) /Type /Annot /Subtype /Widget "
        b"/Rect [72 650 300 670] /P 3 0 R /F 4 /AP << /N 10 0 R >> >>",
        _stream(b"BT /F1 10 Tf 2 5 Td (1.000.000) Tj ET",
                b"/Type /XObject /Subtype /Form /BBox [0 0 228 20] "
                b"/Resources << /Font << /F1 5 0 R >> >>"),
        _stream(SPARE),
    ])


def signed(pki: NationalPki) -> bytes:
    first = corpus.sign(original(), pki.credentials_for(corpus.ORGAN_CODE, Role.SIGNER),
                        "NguoiKy", corpus.SIGNER_BOX)
    return corpus.sign(first, pki.credentials_for(corpus.ORGAN_CODE, Role.ORGAN), "CoQuan",
                       corpus.ORGAN_BOX)
