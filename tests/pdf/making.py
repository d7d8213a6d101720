"""What the tests of PDF making and signing share: a small PKI, documents, the outside tools.

Every tool is a real program: ``pdftotext``, ``pdffonts``, ``pdftoppm`` and ``pdfsig`` from
poppler-utils, ``certutil`` from libnss3-tools (``pdfsig`` trusts what an NSS database
trusts). A missing tool fails the test that needs it, with the package to install.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from docflow.pki.national import Agency, Hub, NationalPki
from docflow.pki.roles import Role
from docflow.pki.tsa import TimestampAuthority
from docflow.profile.nd30_document import new_document
from docflow.profile.nd30_sign import sign_document

ORGAN = "000.00.00.H49"
OTHER = "000.00.12.H49"
DAY = dt.date(2025, 7, 1)

_PACKAGES = {"pdftotext": "poppler-utils", "pdffonts": "poppler-utils",
             "pdftoppm": "poppler-utils", "pdfsig": "poppler-utils",
             "certutil": "libnss3-tools"}


def tool(name: str) -> str:
    """The path of ``name``; the test fails (never skips) when it is not installed."""
    path = shutil.which(name)
    assert path, f"{name} is not installed: apt-get install {_PACKAGES[name]}"
    return path


def run(*args: str | Path, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(a) for a in args], input=input, capture_output=True,
                          timeout=60, check=False)


@cache
def issued_at() -> dt.datetime:
    """Today at midnight UTC: the PKI is valid now, since pdfsig checks certificates at the
    present time and cannot be told another."""
    return dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def signing_time(minutes: int = 0) -> dt.datetime:
    return issued_at() + dt.timedelta(hours=2, minutes=minutes)


@cache
def pki() -> NationalPki:
    return NationalPki.build(
        [Agency(ORGAN, "Ủy ban nhân dân tỉnh Quảng Nam", "province", "H49"),
         Agency(OTHER, "Sở Nội vụ tỉnh Quảng Nam", "department", "H49")],
        seed=11, at=issued_at(), hubs=[Hub("H49", "Quảng Nam")])


def tsa() -> TimestampAuthority:
    creds = pki().tsa()
    return TimestampAuthority(creds.key, creds.certificate)


@cache
def document(appendix: bool = False) -> bytes:
    return new_document(organ=ORGAN, doc_type="QĐ", number=12, date=DAY, appendix=appendix,
                        subject="Về việc ban hành Quy chế sử dụng chữ ký số chuyên dùng",
                        body_text="Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm "
                                  "2020 của Chính phủ về công tác văn thư;")


def sign(data: bytes, role: Role, *, organ: str = ORGAN, minutes: int = 0,
         timestamped: bool = False) -> bytes:
    key, cert, chain = pki().credentials_for(organ, role)
    at = signing_time(minutes)
    return sign_document(data, key, [cert, *chain], role, at=at,
                         timestamp=tsa().timestamper(at) if timestamped else None)


def nss_database(folder: Path, anchor: x509.Certificate | None = None) -> str:
    """An NSS database in ``folder`` that trusts ``anchor`` (the test PKI's root by default),
    for ``pdfsig -nssdir``."""
    tool("certutil")
    folder.mkdir(parents=True, exist_ok=True)
    root = folder / "root.pem"
    root.write_bytes((anchor or pki().root).public_bytes(Encoding.PEM))
    for args in (["-N", "--empty-password"], ["-A", "-n", "root", "-t", "CT,C,C", "-i", root]):
        done = run("certutil", "-d", f"sql:{folder}", *args)
        assert done.returncode == 0, done.stderr
    return f"sql:{folder}"


def ppm_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6) as ``pdftoppm`` writes it."""
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255"
    return int(parts[1]), int(parts[2]), parts[4]


def render(data: bytes, folder: Path, dpi: int = 50, page: int = 1) -> tuple[int, int, bytes]:
    """Render one page of ``data`` with ``pdftoppm``; return the PPM pixels."""
    tool("pdftoppm")
    source = folder / "render.pdf"
    source.write_bytes(data)
    done = run("pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), source,
               folder / "page")
    assert done.returncode == 0, done.stderr
    (image,) = folder.glob("page*.ppm")
    pixels = ppm_pixels(image.read_bytes())
    image.unlink()
    return pixels


def count_colour(pixels: tuple[int, int, bytes], box: tuple[float, float, float, float],
                 test: object, dpi: int = 50, page_height: float = 841.89) -> int:
    """How many pixels inside the PDF rectangle ``box`` (points) pass ``test(r, g, b)``."""
    width, _, rgb = pixels
    scale = dpi / 72
    x0, y0, x1, y1 = box
    count = 0
    for y in range(int((page_height - y1) * scale), int((page_height - y0) * scale)):
        for x in range(int(x0 * scale), int(x1 * scale)):
            i = 3 * (y * width + x)
            if test(rgb[i], rgb[i + 1], rgb[i + 2]):  # type: ignore[operator]
                count += 1
    return count


def info(data: bytes) -> dict[str, object]:
    """The document information dictionary, keys as str, strings as bytes."""
    from docflow.pdf import syntax

    document = syntax.parse_pdf(data)
    found = document.get_ref(document.trailer()[syntax.Name("Info")])
    assert isinstance(found, syntax.PdfDict)
    return {str(k): v.value if isinstance(v, syntax.PdfString) else v for k, v in found.items()}


def signatures(data: bytes) -> list[tuple[str, dict[str, object]]]:
    """(field name, signature dictionary) of each signed field, in form order."""
    from docflow.pdf import syntax
    from docflow.pdf.fields import signature_fields

    document = syntax.parse_pdf(data)
    out = []
    for field in signature_fields(document):
        sig = document.get_ref(field.value)
        if isinstance(sig, syntax.PdfDict):
            out.append((field.name, {str(k): v.value if isinstance(v, syntax.PdfString) else v
                                     for k, v in sig.items()}))
    return out


def page_count(data: bytes) -> int:
    from docflow.pdf import syntax
    from docflow.pdf.sign import page_refs

    return len(page_refs(syntax.parse_pdf(data)))
